// Moving focus to a field, for a page that has just refused a submission
// (the citizen lands on the first thing to fix, and hears its label, hint
// and error) and for lists that add and remove items.

import type { Errors } from './validate'

const focusable = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])'

/**
 * Focuses el if it is a control, else the first control inside it; in a
 * group of radio buttons, the one chosen, as the arrow keys would. Returns
 * what was focused, or null.
 */
export function focusWithin(el: Element): HTMLElement | null {
  let target: Element | null = el.matches(focusable) ? el : null
  if (!target && el.classList.contains('field-radios')) target = el.querySelector('input[type="radio"]:checked:not([disabled])')
  target ??= el.querySelector(focusable)
  if (!(target instanceof HTMLElement)) return null
  target.focus()
  return target
}

/**
 * Focuses the first field, in the order shown, that has an error in
 * errors (keyed as validate and serverErrors key them), and returns the
 * element focused; null when no field shown in container has one (the
 * page should then show the errors elsewhere, in its summary).
 */
export function focusFirstError(container: ParentNode, errors: Errors): HTMLElement | null {
  for (const el of container.querySelectorAll<HTMLElement>('[data-path]')) {
    const path = el.dataset.path ?? ''
    if (Object.hasOwn(errors, path)) {
      const focused = focusWithin(el)
      if (focused) return focused
    }
  }
  return null
}

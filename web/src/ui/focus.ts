import { useLayoutEffect, useRef } from 'preact/hooks'

/** focusSoon moves focus to the element with id once the page shows it. */
export function focusSoon(id: string) {
  requestAnimationFrame(() => document.getElementById(id)?.focus())
}

/**
 * focusFirst moves focus, once the page shows it, to the first field of
 * order that has a problem, the field's control being idOf(field).
 */
export function focusFirst(order: readonly string[], problems: Partial<Record<string, string>>, idOf: (field: string) => string) {
  const first = order.find((f) => problems[f])
  if (first) focusSoon(idOf(first))
}

/**
 * usePendingFocus: where focus goes once the change is drawn. Set the
 * ref's current to a control's id; the next render focuses it.
 */
export function usePendingFocus(): { current: string | null } {
  const pending = useRef<string | null>(null)
  useLayoutEffect(() => {
    const id = pending.current
    if (!id) return
    pending.current = null
    document.getElementById(id)?.focus()
  })
  return pending
}

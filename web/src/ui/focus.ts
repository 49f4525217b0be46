import { useLayoutEffect, useRef } from 'preact/hooks'

/** focusSoon moves focus to the element with id once the page shows it. */
export function focusSoon(id: string) {
  requestAnimationFrame(() => document.getElementById(id)?.focus())
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

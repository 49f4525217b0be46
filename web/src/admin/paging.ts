import { useEffect, useState } from 'preact/hooks'

import { api } from '../api/client'

/** A list read a page at a time: what is read so far, and how to read on. */
export interface PagedList<T> {
  /** undefined until the first page is read. */
  items?: T[]
  /** The cursor of the next page, null after the last. */
  next: string | null
  error?: unknown
  busy: boolean
  /** load reads the first page again, or with after the page after it, added to the list. */
  load: (after?: string) => Promise<void>
}

/**
 * usePagedList reads path?query (and after=cursor for the pages after the
 * first), the first page at once and again when the address changes.
 */
export function usePagedList<T, P extends { next: string | null }>(
  path: string, query: Record<string, string>, items: (page: P) => T[],
): PagedList<T> {
  const [list, setList] = useState<T[]>()
  const [next, setNext] = useState<string | null>(null)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const first = `${path}?${new URLSearchParams(query)}`
  const load = async (after?: string) => {
    setBusy(true)
    try {
      const q = new URLSearchParams({ ...query, ...(after ? { after } : {}) })
      const page = await api.get<P>(`${path}?${q}`)
      setList((prev) => (after ? [...(prev ?? []), ...items(page)] : items(page)))
      setNext(page.next)
      setError(undefined)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => { load() }, [first])
  return { items: list, next, error, busy, load }
}

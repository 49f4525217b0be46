// What the records administration pages (registers, filing plan,
// notification templates, audit trail) share: the institution's paths, a
// call that gives back the ETag the next change must send in If-Match, and
// the organisation chart as a list.
import { ApiError } from '../api/client'

export const institutionPath = (inst: string) => `/api/institutions/${encodeURIComponent(inst)}`

export interface Tagged<T> {
  body: T
  /** The answer's ETag, '' when it has none. */
  etag: string
  status: number
}

/**
 * call sends a JSON request (api.* does the same, but does not give the
 * answer's headers) and returns the answer with its ETag; a refusal is an
 * ApiError with the problem's code and per-field errors.
 */
export async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Tagged<T>> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers }
  let payload: string | undefined
  if (body !== undefined) {
    h['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res: Response
  try {
    res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, { code: 'network' })
  }
  const type = res.headers.get('Content-Type') ?? ''
  if (!res.ok) {
    let problem = {}
    try {
      if (type.includes('json')) problem = await res.json()
    } catch {
      // a body that is not what it says
    }
    throw new ApiError(res.status, problem)
  }
  const out = res.status === 204 || !type.includes('json') ? undefined : await res.json()
  return { body: out as T, etag: res.headers.get('ETag') ?? '', status: res.status }
}

/** A department of the organisation chart, as GET /api/institutions/{id} gives it. */
export interface DepartmentNode {
  id: string
  name: string
  code?: string
  children?: DepartmentNode[]
}

/** A department in a flat list, with how deep it sits in the chart (0: top level). */
export interface Department {
  id: string
  name: string
  depth: number
}

/** flattenDepartments lists the chart depth first, each department before its sub-departments. */
export function flattenDepartments(nodes: DepartmentNode[], depth = 0): Department[] {
  return nodes.flatMap((n) => [{ id: n.id, name: n.name, depth }, ...flattenDepartments(n.children ?? [], depth + 1)])
}

/** The calendar year it is in zone, Romania's by default. */
export function currentYear(now = new Date(), zone = 'Europe/Bucharest'): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric' }).format(now))
}

/** Whether a problem's code is one of codes (a refusal the page explains in its own words). */
export function refusedWith(error: unknown, ...codes: string[]): boolean {
  return error instanceof ApiError && codes.includes(error.code)
}

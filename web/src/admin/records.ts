// What the records administration pages (registers, filing plan,
// notification templates, audit trail) share: the institution's path, the
// year, and refusals told by their code. (The ETag a change must send in
// If-Match comes with api.tagged.)
import { ApiError } from '../api/client'

export const institutionPath = (inst: string) => `/api/institutions/${encodeURIComponent(inst)}`

/** The calendar year it is in zone, Romania's by default. */
export function currentYear(now = new Date(), zone = 'Europe/Bucharest'): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric' }).format(now))
}

/** Whether a problem's code is one of codes (a refusal the page explains in its own words). */
export function refusedWith(error: unknown, ...codes: string[]): boolean {
  return error instanceof ApiError && codes.includes(error.code)
}

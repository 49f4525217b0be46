// The audit trail (audit-trail's API, as openapi/audit-trail.json
// describes it): the filters as the page's URL query (so a view can be
// bookmarked) and as the API's, calendar days in Romanian time as the
// API's instants, and a record's change made readable.

export type ActorKind = 'citizen' | 'staff' | 'machine' | 'system'

export interface AuditRecord {
  seq: number
  occurredAt: string
  actorId: string | null
  actorKind: ActorKind
  onBehalfOf?: string | null
  action: string
  objectType: string
  objectId: string
  ip: string
  old: unknown
  new: unknown
  reason: string
  hash: string
}

export interface AuditPage {
  records: AuditRecord[]
  /** The cursor of the next (older) page, null on the last. */
  next: number | null
}

export interface AuditVerification {
  rows: number
  intact: boolean
  firstBroken: number | null
  reason: string
}

export interface AuditFilters {
  /** The account that acted (its id). */
  actor: string
  action: string
  objectType: string
  objectId: string
  /** First and last calendar day (YYYY-MM-DD), both included. */
  from: string
  to: string
}

export const noAuditFilters: AuditFilters = { actor: '', action: '', objectType: '', objectId: '', from: '', to: '' }
const filterNames = Object.keys(noAuditFilters) as (keyof AuditFilters)[]

/** The actions the platform records in an institution's trail, grouped by what they act on. */
export const knownActions = [
  'register.create', 'register.update', 'register.export',
  'registry.register', 'registry.correct', 'registry.annul', 'registry.link', 'registry.dispatch', 'registry.practice',
  'document.create', 'document.version.create', 'document.download',
  'filing_file.create', 'filing_file.update', 'filing_file.close', 'filing_file.inventory.export',
  'request.submit', 'request.register', 'request.read', 'request.file.read', 'request.assign', 'request.start', 'request.ask_info',
  'request.provide_info', 'request.extend', 'request.resolve', 'request.reject', 'request.forward', 'request.file',
  'request.answer_registered', 'request.link_duplicate',
  'requesttype.create', 'requesttype.draft', 'requesttype.update', 'requesttype.publish', 'requesttype.withdraw',
  'message_template.save',
  'institution.create', 'institution.update', 'department.create', 'department.update', 'department.delete',
  'staff.create', 'staff.read', 'role.assign', 'role.revoke',
  'machineclient.create', 'machineclient.rotate', 'machineclient.close',
  'session.open', 'session.revoke', 'session.mfa',
  'account.create', 'account.update', 'account.email.verify', 'account.password.change', 'account.password.reset',
  'account.totp.enable', 'account.cnp.read', 'account.export', 'account.close',
  'backup.request',
]

/** The kinds of object the trail names. */
export const objectTypes = [
  'register', 'registry_entry', 'document', 'filing_file', 'request', 'request_type', 'message_template', 'institution',
  'department', 'account', 'role_assignment', 'session', 'backup',
]

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const isUUID = (s: string) => uuidPattern.test(s)

/** auditFiltersFromQuery reads the filters from the page's URL query. */
export function auditFiltersFromQuery(query: Record<string, string | undefined>): AuditFilters {
  const f: AuditFilters = { ...noAuditFilters }
  for (const k of filterNames) {
    const v = query[k]
    if (typeof v === 'string') f[k] = v.trim()
  }
  return f
}

/** auditFiltersToQuery is the page's URL query: only what is set, always in the same order. */
export function auditFiltersToQuery(f: AuditFilters): string {
  const p = new URLSearchParams()
  for (const k of filterNames) {
    const v = f[k].trim()
    if (v) p.set(k, v)
  }
  return p.toString()
}

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)

export type FilterProblem = 'actorInvalid' | 'dayInvalid' | 'periodOrder'

/** checkAuditFilters finds what the API would refuse, or what means nothing (a period that ends before it starts). */
export function checkAuditFilters(f: AuditFilters): Partial<Record<keyof AuditFilters, FilterProblem>> {
  const out: Partial<Record<keyof AuditFilters, FilterProblem>> = {}
  if (f.actor && !uuidPattern.test(f.actor)) out.actor = 'actorInvalid'
  if (f.from && !isDay(f.from)) out.from = 'dayInvalid'
  if (f.to && !isDay(f.to)) out.to = 'dayInvalid'
  if (!out.from && !out.to && f.from && f.to && f.to < f.from) out.to = 'periodOrder'
  return out
}

/** The minutes zone is ahead of UTC at the instant ms. */
function offsetMinutes(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const asUTC = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return Math.round((asUTC - ms) / 60000)
}

/** zonedStart is the instant a calendar day starts in zone (Romania's by default), as RFC 3339. */
export function zonedStart(day: string, zone = 'Europe/Bucharest'): string {
  const [y, m, d] = day.split('-').map(Number)
  const guess = Date.UTC(y, m - 1, d)
  // Twice: the offset at midnight local may differ from the one at midnight UTC.
  let ms = guess - offsetMinutes(guess, zone) * 60000
  ms = guess - offsetMinutes(ms, zone) * 60000
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}

/** nextDay is the calendar day after day. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
}

/** auditAPIQuery is the API's query for the filters, one page of limit older than after. */
export function auditAPIQuery(f: AuditFilters, after?: number | null, limit = 50): string {
  const p = new URLSearchParams()
  for (const k of ['actor', 'action', 'objectType', 'objectId'] as const) {
    const v = f[k].trim()
    if (v) p.set(k, v)
  }
  // The API's period is [from, to): the last day is included up to its end.
  if (f.from) p.set('from', zonedStart(f.from))
  if (f.to) p.set('to', zonedStart(nextDay(f.to)))
  if (after) p.set('after', String(after))
  p.set('limit', String(limit))
  return p.toString()
}

// ---- A record made readable -------------------------------------------------

export interface Change {
  /** The field changed; '' when the value is not an object. */
  field: string
  before?: unknown
  after?: unknown
}

// Bookkeeping every object has, which says nothing about what happened.
const noise = new Set(['id', 'institutionId', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'revision'])

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const empty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)

/**
 * changesOf says what a record changed: for an update the fields whose
 * value differs, for a creation the values it was made with, for a removal
 * those it had; all, or only what is not bookkeeping.
 */
export function changesOf(r: Pick<AuditRecord, 'old' | 'new'>, all = false): Change[] {
  const before = r.old
  const after = r.new
  const keep = (k: string) => all || !noise.has(k)
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    return keys.filter((k) => keep(k) && !same(before[k], after[k])).map((k) => ({ field: k, before: before[k], after: after[k] }))
  }
  if (isObject(after) && empty(before)) {
    return Object.keys(after).filter((k) => keep(k) && !empty(after[k])).map((k) => ({ field: k, after: after[k] }))
  }
  if (isObject(before) && empty(after)) {
    return Object.keys(before).filter((k) => keep(k) && !empty(before[k])).map((k) => ({ field: k, before: before[k] }))
  }
  if (empty(before) && empty(after)) return []
  return [{ field: '', before: empty(before) ? undefined : before, after: empty(after) ? undefined : after }]
}

/** valueText writes a recorded value on one line. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.length ? v.map((x) => String(x)).join(', ') : '—'
  return JSON.stringify(v)
}

/** objectName is how the record names its object, when it does: a register's code, a file's indicator, a name or a title. */
export function objectName(r: Pick<AuditRecord, 'old' | 'new'>): string {
  for (const v of [r.new, r.old]) {
    if (!isObject(v)) continue
    for (const k of ['code', 'indicator', 'name', 'title']) {
      if (typeof v[k] === 'string' && v[k]) return v[k] as string
    }
  }
  return ''
}

/** objectHref is the back office's page of the object, when it has one. */
export function objectHref(r: Pick<AuditRecord, 'objectType' | 'objectId'>): string | undefined {
  if (!uuidPattern.test(r.objectId)) return undefined
  if (r.objectType === 'registry_entry') return `/birou/registru/${r.objectId}`
  if (r.objectType === 'request') return `/birou/cereri/${r.objectId}`
  return undefined
}

/** The page's address of the records about one object. */
export function objectFilterHref(r: Pick<AuditRecord, 'objectType' | 'objectId'>): string {
  return `/birou/audit?${auditFiltersToQuery({ ...noAuditFilters, objectType: r.objectType, objectId: r.objectId })}`
}

/** brief shortens a value for a summary: a list to its first items and how many more, a text to its first characters. */
export function brief(v: string | string[], items = 3, chars = 80): string {
  if (Array.isArray(v)) return v.length > items ? `${v.slice(0, items).map((x) => brief(x, items, 40)).join(', ')} … (+${v.length - items})` : v.join(', ')
  const text = [...v]
  return text.length > chars ? `${text.slice(0, chars - 1).join('').trimEnd()}…` : v
}

/** shortId is the first block of an id, enough to tell ids apart on a screen. */
export const shortId = (id: string) => id.split('-')[0]

/** auditTime writes an instant to the second, in Romanian time: 02.03.2026, 10:30:05 (ro), 02/03/2026, 10:30:05 (en). */
export function auditTime(locale: 'ro' | 'en', iso: string): string {
  return new Intl.DateTimeFormat(locale === 'ro' ? 'ro-RO' : 'en-GB', {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    timeZone: 'Europe/Bucharest',
  }).format(new Date(iso))
}

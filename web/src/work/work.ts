// The pure rules of the department's work on requests: what the API allows
// whom, mirrored so the pages offer only what will be accepted. The API
// stays the judge (it answers 403, 409 or 422 for anything else).

import { ApiError } from '../api/client'
import type { HistoryRow, Me, RequestSummary } from '../api/types'

/** The actions staff take on a request, as the history names them. */
export type ActionKind = 'assign' | 'start' | 'ask_info' | 'extend' | 'resolve' | 'reject' | 'forward' | 'file'

/** In the order the page offers them. */
export const actionKinds: ActionKind[] = ['assign', 'start', 'ask_info', 'extend', 'resolve', 'reject', 'forward', 'file']

/** Each action's path under the request (handle-request.json). */
export const actionPath: Record<ActionKind, string> = {
  assign: 'assignment', start: 'start', ask_info: 'info-request', extend: 'extension',
  resolve: 'resolution', reject: 'rejection', forward: 'forwarding', file: 'filing',
}

/** The permission each action needs in the request's department. */
export const actionPermission: Record<ActionKind, string> = {
  assign: 'requests.assign', start: 'requests.resolve', ask_info: 'requests.resolve', extend: 'requests.resolve',
  resolve: 'requests.resolve', reject: 'requests.resolve', forward: 'requests.resolve', file: 'requests.resolve',
}

/** Actions that close the request for good: the page asks before sending them. */
export const closing: ReadonlySet<ActionKind> = new Set<ActionKind>(['reject', 'forward', 'file'])

export const openStatuses: readonly string[] = ['registered', 'assigned', 'in_progress', 'info_requested', 'extended']

// From which statuses each action applies: shared/requests/actions.go's table.
const from: Record<ActionKind, readonly string[]> = {
  assign: openStatuses,
  start: ['registered', 'assigned'],
  ask_info: ['registered', 'assigned', 'in_progress', 'extended'],
  extend: ['registered', 'assigned', 'in_progress', 'extended'],
  resolve: openStatuses,
  reject: openStatuses,
  forward: openStatuses,
  file: openStatuses,
}

export function isOpen(status: string): boolean {
  return openStatuses.includes(status)
}

/**
 * Whether me holds permission for the department's requests: through a
 * whole-institution grant or one for that department, as the API checks
 * (access.Principal.CanInDepartment).
 */
export function canInDepartment(me: Me | null | undefined, permission: string, institution: string | undefined, department: string): boolean {
  return !!me && !!institution && me.grants.some((g) =>
    g.institution === institution && (g.department === null || g.department === department) && g.permissions.includes(permission))
}

/**
 * The departments whose requests me may read: 'all' with a grant for the
 * whole institution, else the departments the grants name.
 */
export function readableDepartments(me: Me | null | undefined, institution: string | undefined): 'all' | string[] {
  const grants = (me?.grants ?? []).filter((g) => g.institution === institution && g.permissions.includes('requests.read'))
  if (grants.some((g) => g.department === null)) return 'all'
  return [...new Set(grants.map((g) => g.department as string))]
}

/** The actions the request's status and me's permissions allow, in the order offered. */
export function allowedActions(r: Pick<RequestSummary, 'status' | 'extendedDays' | 'maxExtensionDays' | 'departmentId' | 'institutionId'>, me: Me | null | undefined): ActionKind[] {
  return actionKinds.filter((a) => {
    if (!from[a].includes(r.status)) return false
    // One extension per request, within its term (the API's maxExtensionDays
    // is 0 once used or over); a second is 409 already_extended.
    if (a === 'extend' && (r.extendedDays > 0 || r.maxExtensionDays < 1)) return false
    return canInDepartment(me, actionPermission[a], r.institutionId, r.departmentId)
  })
}

/** A staff member as GET /api/institutions/{i}/staff lists them. */
export interface StaffMember {
  id: string
  email: string
  displayName: string
  status: 'active' | 'closed'
  roles: { role: string; departmentId: string | null; validFrom: string; validUntil: string | null }[]
}

export interface StaffList {
  staff: StaffMember[]
  next: string | null
}

// The roles holding requests.resolve (shared/db/migrations/003_identity.sql):
// the staff list names roles, not permissions.
const resolvingRoles: ReadonlySet<string> = new Set(['clerk', 'head_of_department', 'administrator'])

/**
 * The staff who may be given the department's requests: active, with a
 * role in force today that resolves requests, for the department or the
 * whole institution. by name.
 */
export function eligibleAssignees(staff: StaffMember[], department: string, today: string): StaffMember[] {
  return staff
    .filter((s) => s.status === 'active' && s.roles.some((r) =>
      resolvingRoles.has(r.role) && (r.departmentId === null || r.departmentId === department) &&
      r.validFrom <= today && (r.validUntil === null || r.validUntil >= today)))
    .sort((a, b) => a.displayName.localeCompare(b.displayName, 'ro'))
}

/** Today's calendar day in Romania, as the API's dates are written. */
export function todayInRomania(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** What went wrong with an action, as the page tells it. */
export type Refusal =
  | { kind: 'stale' }
  | { kind: 'conflict'; code: string }
  | { kind: 'fields' }
  | { kind: 'other' }

// The 409 codes the page has words for (work.json conflict.*).
const knownConflicts = new Set(['action_not_allowed', 'request_closed', 'not_registered', 'already_extended', 'extension_late'])

export function refusal(e: unknown): Refusal {
  if (!(e instanceof ApiError)) return { kind: 'other' }
  // 412: the If-Match revision is not the request's any more.
  if (e.status === 412) return { kind: 'stale' }
  if (e.status === 409 && knownConflicts.has(e.code)) return { kind: 'conflict', code: e.code }
  if (e.status === 422 && e.errors.length > 0) return { kind: 'fields' }
  return { kind: 'other' }
}

/** The If-Match header naming the revision the page shows. */
export function ifMatch(revision: number): Record<string, string> {
  return { 'If-Match': `"${revision}"` }
}

/** Checks an extension's days as typed: an integer from 1 to max, the request's maxExtensionDays. */
export function validDays(text: string, max: number): number | undefined {
  if (!/^\s*\d{1,2}\s*$/.test(text)) return undefined
  const n = Number(text)
  return n >= 1 && n <= max ? n : undefined
}

/** A history row as the API sends it to staff: with who acted. */
export type WorkHistoryRow = HistoryRow & { actorId?: string | null }

/** Who acted, for a history row. */
export type Actor =
  | { kind: 'system' }
  | { kind: 'applicant' }
  | { kind: 'me' }
  | { kind: 'staff'; name?: string; department?: string }
  | { kind: 'machine' }

export function actorOf(h: WorkHistoryRow, meId: string | undefined, names: Map<string, string>): Actor {
  switch (h.actorKind) {
    case 'system':
      return { kind: 'system' }
    case 'citizen':
      return { kind: 'applicant' }
    case 'machine':
      return { kind: 'machine' }
  }
  if (h.actorId && h.actorId === meId) return { kind: 'me' }
  // The change's own signature first: the staff list may be out of the reader's reach.
  return { kind: 'staff', name: h.actorName || (h.actorId ? names.get(h.actorId) : undefined), department: h.actorDepartment }
}

/** Whether the page should ask again soon: a number or an answer's registration is on its way. */
export function awaitsRegistry(r: Pick<RequestSummary, 'status' | 'registration' | 'answer'>): boolean {
  return (!r.registration && r.status === 'submitted') || (r.status === 'resolved' && !r.answer)
}

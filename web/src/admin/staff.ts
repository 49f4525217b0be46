// The staff and machine-client pages' logic, apart from the pages: the
// roles one may assign, the state of an assignment on a given day, what an
// assignment sends, and the shapes the API answers with.

/**
 * The roles of shared/db/migrations/003_identity.sql one may assign to
 * staff and machine clients (not citizen), in the order the form offers
 * them; their names are staff.role.<code>. The API has no list of roles:
 * a role added there is shown by its code until it is named here.
 */
export const roleCodes = [
  'registrar', 'clerk', 'head_of_department', 'signatory', 'secretary_general', 'administrator', 'auditor', 'integration',
] as const
export type RoleCode = (typeof roleCodes)[number]

export function isKnownRole(code: string): code is RoleCode {
  return (roleCodes as readonly string[]).includes(code)
}

export interface RoleAssignment {
  id: string
  institutionId: string
  accountId: string
  role: string
  departmentId: string | null
  validFrom: string
  validUntil: string | null
  grantedBy: string | null
  reason: string
  createdAt: string
  revokedAt: string | null
  revokedBy: string | null
  revokeReason: string | null
}

export interface RoleAssignmentPage {
  assignments: RoleAssignment[]
  next: string | null
}

/** A role a staff member holds or will hold, as the staff list gives it. */
export interface StaffRole {
  role: string
  departmentId: string | null
  validFrom: string
  validUntil: string | null
}

export interface StaffMember {
  id: string
  institutionId: string
  email: string
  displayName: string
  phone: string | null
  locale: 'ro' | 'en'
  status: 'active' | 'closed'
  emailVerified: boolean
  mfaEnabled: boolean
  roles: StaffRole[]
  createdAt: string
}

export interface StaffList {
  staff: StaffMember[]
  next: string | null
}

export interface MachineClient {
  id: string
  institutionId: string
  clientId: string
  name: string
  status: 'active' | 'closed'
  createdAt: string
  rotatedAt: string
  previousSecretValidUntil: string | null
  closedAt: string | null
}

export interface MachineClientSecret extends MachineClient {
  clientSecret: string
}

export interface MachineClientList {
  machineClients: MachineClient[]
  next: string | null
}

/** todayIn is the calendar day (YYYY-MM-DD) it is now in timeZone: assignments run by the institution's days. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const fmt = (tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
  try {
    return fmt(timeZone)
  } catch {
    return fmt('Europe/Bucharest')
  }
}

export type AssignmentState = 'current' | 'future' | 'past' | 'revoked'

/**
 * assignmentState: revoked whenever revoked; otherwise by the period, whose
 * first and last days (calendar days, inclusive) count: future before it,
 * past after it, current within.
 */
export function assignmentState(a: { validFrom: string; validUntil: string | null; revokedAt?: string | null }, today: string): AssignmentState {
  if (a.revokedAt) return 'revoked'
  if (a.validFrom > today) return 'future'
  if (a.validUntil !== null && a.validUntil < today) return 'past'
  return 'current'
}

const stateOrder: Record<AssignmentState, number> = { current: 0, future: 1, past: 2, revoked: 3 }

/** sortAssignments: those in force first, then the coming ones, then the ended, then the revoked; the newest first within each. */
export function sortAssignments<T extends RoleAssignment>(list: T[], today: string): T[] {
  return [...list].sort((a, b) =>
    stateOrder[assignmentState(a, today)] - stateOrder[assignmentState(b, today)] ||
    b.validFrom.localeCompare(a.validFrom) || b.createdAt.localeCompare(a.createdAt))
}

/** mayRevoke: an assignment in force or still to come may be revoked; an ended or revoked one is only a record. */
export function mayRevoke(a: RoleAssignment, today: string): boolean {
  const s = assignmentState(a, today)
  return s === 'current' || s === 'future'
}

// The API's bounds on a reason, in characters.
export const minReason = 5
export const maxReason = 1000

export interface AssignForm {
  role: string
  departmentId: string
  validFrom: string
  validUntil: string
  reason: string
}

export type AssignField = keyof AssignForm

export type AssignProblem = 'role' | 'reasonShort' | 'reasonLong' | 'date' | 'period'

const datePattern = /^\d{4}-\d{2}-\d{2}$/

/** checkAssign finds what the API would refuse in an assignment, before sending it. */
export function checkAssign(f: AssignForm): Partial<Record<AssignField, AssignProblem>> {
  const out: Partial<Record<AssignField, AssignProblem>> = {}
  if (!f.role) out.role = 'role'
  if (f.validFrom && !datePattern.test(f.validFrom)) out.validFrom = 'date'
  if (f.validUntil && !datePattern.test(f.validUntil)) {
    out.validUntil = 'date'
  } else if (f.validUntil && datePattern.test(f.validFrom) && f.validUntil < f.validFrom) {
    out.validUntil = 'period'
  }
  const reason = checkReason(f.reason)
  if (reason) out.reason = reason
  return out
}

export function checkReason(reason: string): 'reasonShort' | 'reasonLong' | undefined {
  const n = [...reason.trim()].length
  if (n < minReason) return 'reasonShort'
  if (n > maxReason) return 'reasonLong'
  return undefined
}

/** assignBody is what assigning sends for account: an empty date or department is left to the API's default. */
export function assignBody(accountId: string, f: AssignForm): Record<string, unknown> {
  return {
    accountId,
    role: f.role,
    ...(f.departmentId ? { departmentId: f.departmentId } : {}),
    ...(f.validFrom ? { validFrom: f.validFrom } : {}),
    ...(f.validUntil ? { validUntil: f.validUntil } : {}),
    reason: f.reason.trim(),
  }
}

/** The problem codes of the API's refusals the pages explain themselves, to their message keys. */
export const staffProblems: Record<string, string> = {
  grant_exceeds_own_permissions: 'staff.problem.exceeds',
  own_roles: 'staff.problem.ownRoles',
  last_administrator: 'staff.problem.lastAdministrator',
  account_not_found: 'staff.problem.accountNotFound',
  assignment_not_found: 'staff.problem.assignmentNotFound',
  already_revoked: 'staff.problem.alreadyRevoked',
  staff_exists: 'staff.problem.staffExists',
  email_taken: 'staff.problem.emailTaken',
  machine_client_closed: 'clients.problem.closed',
  forbidden: 'staff.problem.forbidden',
}

export type MemberState = 'active' | 'invited' | 'closed'

/** memberState: closed, or active and invited until the invitation link is followed (which proves the address). */
export function memberState(m: Pick<StaffMember, 'status' | 'emailVerified'>): MemberState {
  if (m.status === 'closed') return 'closed'
  return m.emailVerified ? 'active' : 'invited'
}

/** A sent page's every item: follows the next cursor until the last page. */
export async function allPages<T, P extends { next: string | null }>(
  first: string, read: (path: string) => Promise<P>, items: (p: P) => T[], max = 20,
): Promise<T[]> {
  const out: T[] = []
  let path: string | undefined = first
  for (let i = 0; path && i < max; i++) {
    const page: P = await read(path)
    out.push(...items(page))
    path = page.next ? `${first}${first.includes('?') ? '&' : '?'}after=${encodeURIComponent(page.next)}` : undefined
  }
  return out
}

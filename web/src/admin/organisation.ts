import { ApiError } from '../api/client'
import type { Department, DepartmentKind, DepartmentNode, Institution } from '../api/types'
import { flattenDepartments } from './departments'
import type { FlatDepartment } from './departments'

// The institution page's logic, apart from the page: the organisation
// chart as the API gives it (a tree) and as the forms need it (a flat list
// in tree order, with where a department may move), and what a change of
// the institution's details sends.

export const departmentKinds: readonly DepartmentKind[] = ['direction', 'service', 'office', 'compartment']

/** An institution as GET /api/institutions/{id} gives it: its fields and its chart. */
export interface InstitutionDetail extends Institution {
  requireStaffMfa: boolean
  /** Administrators need a second factor (the default: absent counts as required). */
  requireAdminMfa?: boolean
  createdAt: string
  updatedAt: string
  departments: DepartmentNode[]
}

/**
 * buildTree arranges flat departments as a chart: the top-level ones (and
 * any whose parent is not in the list), each with its sub-departments, by
 * name. A cycle, which the API refuses to make, is cut where it closes.
 */
export function buildTree(departments: Department[], collator = new Intl.Collator('ro')): DepartmentNode[] {
  const ids = new Set(departments.map((d) => d.id))
  const byParent = new Map<string | null, Department[]>()
  for (const d of departments) {
    const parent = d.parentId && ids.has(d.parentId) && d.parentId !== d.id ? d.parentId : null
    byParent.set(parent, [...(byParent.get(parent) ?? []), d])
  }
  const seen = new Set<string>()
  const build = (parent: string | null): DepartmentNode[] =>
    (byParent.get(parent) ?? [])
      .filter((d) => !seen.has(d.id))
      .sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id))
      .map((d) => {
        seen.add(d.id)
        return { ...d, children: build(d.id) }
      })
  const roots = build(null)
  // Departments only reachable through a cycle: the cycle is cut above the
  // first of them by name, which hangs from the top with the rest under it.
  const rest = departments.filter((d) => !seen.has(d.id))
  if (rest.length === 0) return roots
  const cut = [...rest].sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id))[0]
  return [...roots, ...buildTree(rest.map((d) => (d.id === cut.id ? { ...d, parentId: null } : d)), collator)]
}

/** findNode returns the department with id, and its sub-departments. */
export function findNode(tree: DepartmentNode[], id: string): DepartmentNode | undefined {
  for (const n of tree) {
    if (n.id === id) return n
    const found = findNode(n.children ?? [], id)
    if (found) return found
  }
  return undefined
}

/** subtree is the ids of the department and of every department under it. */
export function subtree(tree: DepartmentNode[], id: string): Set<string> {
  const node = findNode(tree, id)
  return new Set(node ? flattenDepartments([node]).map((f) => f.id) : [])
}

/** moveTargets: the departments a department may be placed under: any but itself and those under it. */
export function moveTargets(tree: DepartmentNode[], id: string | undefined): FlatDepartment[] {
  const excluded = id ? subtree(tree, id) : new Set<string>()
  return flattenDepartments(tree).filter((f) => !excluded.has(f.id))
}

/** The number of departments in the chart. */
export function countDepartments(tree: DepartmentNode[]): number {
  return flattenDepartments(tree).length
}

// The department codes the API accepts: short, of letters, digits and . _ -.
export const codePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/

export interface DepartmentForm {
  kind: DepartmentKind | ''
  code: string
  name: string
  parentId: string
}

export type DepartmentField = keyof DepartmentForm

/** checkDepartment finds what the API would refuse in a department form, before sending it. */
export function checkDepartment(f: DepartmentForm): Partial<Record<DepartmentField, 'kind' | 'code' | 'name'>> {
  const out: Partial<Record<DepartmentField, 'kind' | 'code' | 'name'>> = {}
  if (!f.kind) out.kind = 'kind'
  if (!codePattern.test(f.code.trim())) out.code = 'code'
  const name = f.name.trim()
  if (!name || [...name].length > 300) out.name = 'name'
  return out
}

/** departmentBody is what creating a department sends. */
export function departmentBody(f: DepartmentForm): Record<string, unknown> {
  return { kind: f.kind, code: f.code.trim(), name: f.name.trim(), parentId: f.parentId || null }
}

/** departmentPatch is what changing a department sends: only what differs from it as read. */
export function departmentPatch(cur: Department, f: DepartmentForm): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (f.kind && f.kind !== cur.kind) out.kind = f.kind
  if (f.code.trim() !== cur.code) out.code = f.code.trim()
  if (f.name.trim() !== cur.name) out.name = f.name.trim()
  if ((f.parentId || null) !== (cur.parentId ?? null)) out.parentId = f.parentId || null
  return out
}

export interface InstitutionForm {
  name: string
  address: string
  timeZone: string
  requireStaffMfa: boolean
  requireAdminMfa?: boolean
}

/** institutionPatch is what changing the institution's details sends: only what differs from them as read. */
export function institutionPatch(cur: InstitutionDetail, f: InstitutionForm): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (f.name.trim() !== cur.name) out.name = f.name.trim()
  if (f.address.trim() !== cur.address) out.address = f.address.trim()
  if (f.timeZone.trim() !== cur.timeZone) out.timeZone = f.timeZone.trim()
  if (f.requireStaffMfa !== cur.requireStaffMfa) out.requireStaffMfa = f.requireStaffMfa
  if (f.requireAdminMfa !== undefined && f.requireAdminMfa !== (cur.requireAdminMfa ?? true)) out.requireAdminMfa = f.requireAdminMfa
  return out
}

/** The IANA time zones the browser knows, Romania's first. */
export function timeZones(): string[] {
  const home = 'Europe/Bucharest'
  let all: string[] = []
  try {
    all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  } catch {
    all = []
  }
  return [home, ...all.filter((z) => z !== home)]
}

/** The problem codes of the API's refusals the page explains itself, to their message keys. */
export const organisationProblems: Record<string, string> = {
  precondition_failed: 'organisation.problem.stale',
  department_exists: 'organisation.problem.departmentExists',
  code_taken: 'organisation.problem.codeTaken',
  department_has_children: 'organisation.problem.hasChildren',
  department_has_roles: 'organisation.problem.hasRoles',
  department_in_use: 'organisation.problem.inUse',
  institution_exists: 'organisation.problem.institutionExists',
  forbidden: 'organisation.problem.forbidden',
  not_found: 'organisation.problem.notFound',
}

/** problemKey is the message key of a refusal the page explains, or undefined for ErrorAlert to say. */
export function problemKey(e: unknown, known: Record<string, string>): string | undefined {
  if (!(e instanceof ApiError) || e.errors.length > 0) return undefined
  return known[e.code] ?? (e.status === 412 ? known.precondition_failed : e.status === 403 ? known.forbidden : undefined)
}

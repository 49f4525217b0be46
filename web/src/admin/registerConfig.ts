// The registers' configuration (register-document's API, as
// openapi/register-document.json describes it): a new register's draft,
// what the API would refuse in it, and the bodies of POST and PATCH. A
// PATCH replaces the name, description, departments and whether the
// register is closed, so it always sends all four.

export type RegisterKind = 'incoming' | 'outgoing' | 'internal' | 'other'
export const registerKinds: RegisterKind[] = ['incoming', 'outgoing', 'internal', 'other']

export interface Register {
  id: string
  code: string
  name: string
  kind: RegisterKind
  description: string
  /** Departments whose registrars may register in it; empty: everyone with registry.register. */
  departments: string[]
  createdAt: string
  closedAt: string | null
}

export interface RegisterList {
  items: Register[]
}

export interface RegisterDraft {
  code: string
  name: string
  kind: RegisterKind
  description: string
  departments: string[]
}

export const emptyRegister: RegisterDraft = { code: '', name: '', kind: 'other', description: '', departments: [] }

/** The code is printed before every number ("I-123/2026"): short, capitals, digits, dot or hyphen. */
export const registerCodePattern = /^[A-Z0-9][A-Z0-9.-]{0,19}$/

export const nameMax = 200
export const descriptionMax = 2000

/** normaliseCode is a code as typed, made what the API wants: no spaces, capitals. */
export function normaliseCode(s: string): string {
  return s.replace(/\s+/g, '').toLocaleUpperCase('ro')
}

export type RegisterProblem = 'codeInvalid' | 'nameRequired' | 'nameTooLong' | 'descriptionTooLong'

/** checkRegister finds what the API would refuse, by its field names; a change has no code. */
export function checkRegister(d: RegisterDraft, create: boolean): Record<string, RegisterProblem> {
  const out: Record<string, RegisterProblem> = {}
  if (create && !registerCodePattern.test(normaliseCode(d.code))) out.code = 'codeInvalid'
  const name = d.name.trim()
  if (!name) out.name = 'nameRequired'
  else if ([...name].length > nameMax) out.name = 'nameTooLong'
  if ([...d.description.trim()].length > descriptionMax) out.description = 'descriptionTooLong'
  return out
}

/** createBody is the POST body of a new register. */
export function createBody(d: RegisterDraft): Record<string, unknown> {
  return { code: normaliseCode(d.code), name: d.name.trim(), kind: d.kind, description: d.description.trim(), departments: d.departments }
}

/** changeBody is the PATCH body that leaves r as d says, open or closed as closed says. */
export function changeBody(d: Pick<RegisterDraft, 'name' | 'description' | 'departments'>, closed: boolean): Record<string, unknown> {
  return { name: d.name.trim(), description: d.description.trim(), departments: d.departments, closed }
}

/** draftOf is a register as its edit form starts. */
export function draftOf(r: Register): RegisterDraft {
  return { code: r.code, name: r.name, kind: r.kind, description: r.description, departments: [...r.departments] }
}

/** closeBody closes (or reopens) r and changes nothing else. */
export function closeBody(r: Register, closed: boolean): Record<string, unknown> {
  return changeBody(r, closed)
}

/** toggle adds id to list or takes it out, keeping the order of order (the chart's). */
export function toggle(list: string[], id: string, on: boolean, order: string[] = []): string[] {
  const set = new Set(list)
  if (on) set.add(id)
  else set.delete(id)
  const rank = (x: string) => {
    const i = order.indexOf(x)
    return i < 0 ? order.length : i
  }
  return [...set].sort((a, b) => rank(a) - rank(b))
}

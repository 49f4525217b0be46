import type { Me } from '../api/types'

// The institution a staff member works in: their account's, else the
// first one a role of theirs is in.
export function officeInstitution(me: Me | null | undefined): string | undefined {
  return me?.institution ?? me?.grants[0]?.institution
}

/** Whether me holds permission in institution. */
export function holds(me: Me | null | undefined, permission: string, institution: string | undefined): boolean {
  return !!me && !!institution && me.grants.some((g) => g.institution === institution && g.permissions.includes(permission))
}

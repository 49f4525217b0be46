import type { Me } from '../api/types'
import type { FormTree, FormValue, StringField } from '../forms'

/** What of the account a form may be filled in with. */
export type AccountDatum = 'name' | 'cnp' | 'cui' | 'email' | 'phone'

// The names forms give these fields, in lower case: the seeded types' and
// the usual Romanian ones. A field's format or autocomplete token says it
// as well.
const byName: Record<string, AccountDatum> = {
  name: 'name', fullname: 'name', nume: 'name', numeprenume: 'name', numesiprenume: 'name', denumire: 'name',
  cnp: 'cnp', cui: 'cui', cif: 'cui',
  email: 'email', mail: 'email',
  phone: 'phone', telefon: 'phone', tel: 'phone',
}
const byAutocomplete: Record<string, AccountDatum> = { name: 'name', organization: 'name', email: 'email', tel: 'phone' }

/** The account datum a form field asks for, if any: by format, autocomplete token or name. */
export function accountDatum(f: StringField): AccountDatum | undefined {
  if (f.enum) return undefined
  const format: string | undefined = f.format
  if (format === 'cnp' || format === 'cui' || format === 'email') return format
  return (f.autocomplete && byAutocomplete[f.autocomplete]) || byName[f.name.toLowerCase().replace(/[^a-z]/g, '')]
}

/** Whether the form has a field for the CNP (the account's clear CNP is then worth reading). */
export function asksCNP(tree: FormTree): boolean {
  return tree.properties.some((f) => f.type === 'string' && accountDatum(f) === 'cnp')
}

/**
 * accountFill is value with the form's top-level fields that ask for the
 * account's name, CNP, CUI, e-mail or phone filled in from the account,
 * where the citizen has not written anything yet. cnp is the account's
 * CNP in clear (read from the API only when the form asks for it).
 */
export function accountFill(tree: FormTree, value: FormValue, me: Me, cnp?: string): FormValue {
  const datum: Record<AccountDatum, string | null | undefined> = {
    name: me.displayName,
    cnp: me.kind === 'person' ? cnp : undefined,
    cui: me.kind === 'company' ? me.cui : undefined,
    email: me.email,
    phone: me.phone,
  }
  const out = { ...value }
  for (const f of tree.properties) {
    if (f.type !== 'string') continue
    const d = accountDatum(f)
    const v = d && datum[d]
    if (v && (out[f.name] === undefined || out[f.name] === '' || out[f.name] === null)) out[f.name] = v
  }
  return out
}

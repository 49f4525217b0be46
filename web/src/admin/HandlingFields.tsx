import { useEffect, useState } from 'preact/hooks'

import { api } from '../api/client'
import type { DepartmentNode } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { SelectField, TextField } from '../ui/ui'
import { Check } from './FormBuilder'
import { flattenDepartments } from './departments'
import type { FlatDepartment } from './departments'
import { regimes } from './requestTypes'
import type { Regime } from './requestTypes'

// How requests of a type are handled: the competent department, the
// register they are registered in and the legal term of the answer. Both
// the new type's form and the draft's editor ask for them.

export interface Handling {
  departmentId: string
  registerId: string
  regime: Regime
  /** The custom term as typed. */
  customDays: string
  workingDays: boolean
}

interface RegisterItem {
  id: string
  code: string
  name: string
  kind: string
  closedAt: string | null
}

export interface Org {
  departments?: FlatDepartment[]
  /** undefined while read, or when the registers cannot be read (registry.read). */
  registers?: RegisterItem[]
}

/** The institution's departments and registers, to choose from. */
export function useOrg(inst: string | undefined): Org {
  const [org, setOrg] = useState<Org>({})
  useEffect(() => {
    if (!inst) return
    let live = true
    api.get<{ departments: DepartmentNode[] }>(`/api/institutions/${inst}`).then(
      (d) => live && setOrg((o) => ({ ...o, departments: flattenDepartments(d.departments) })),
      () => live && setOrg((o) => ({ ...o, departments: [] })),
    )
    api.get<{ items: RegisterItem[] }>(`/api/institutions/${inst}/registers`).then(
      (l) => live && setOrg((o) => ({ ...o, registers: l.items })),
      () => live && setOrg((o) => ({ ...o, registers: [] })),
    )
    return () => {
      live = false
    }
  }, [inst])
  return org
}

/** The custom term's days, when they are a whole number from 1 to 365. */
export function validDays(s: string): number | undefined {
  const n = Number(s)
  return /^\s*\d+\s*$/.test(s) && n >= 1 && n <= 365 ? n : undefined
}

export function HandlingFields({ value, onChange, errors, org, disabled }: {
  value: Handling
  onChange: (h: Handling) => void
  errors: Record<string, string | undefined>
  org: Org
  disabled?: boolean
}) {
  const { t } = useI18n()
  const set = (c: Partial<Handling>) => onChange({ ...value, ...c })
  const departments = org.departments ?? []
  const registers = (org.registers ?? []).filter((r) => !r.closedAt || r.id === value.registerId)
  // A register that cannot be listed (no registry.read) is still shown as chosen.
  const registerOptions = registers.map((r) => ({ value: r.id, label: `${r.code} · ${r.name}` }))
  if (value.registerId && !registers.some((r) => r.id === value.registerId)) {
    registerOptions.push({ value: value.registerId, label: t('requestTypes.registerCurrent') })
  }
  const regimeError = errors.regime
  return (
    <>
      <SelectField id="rt-department" label={t('requestTypes.department')} hint={t('requestTypes.departmentHint')} required
        value={value.departmentId} onValue={(v) => set({ departmentId: v })} error={errors.departmentId}
        placeholder={t('requestTypes.choose')}
        options={departments.map((d) => ({ value: d.id, label: `${'— '.repeat(d.depth)}${d.name}` }))} />
      <SelectField id="rt-register" label={t('requestTypes.register')} hint={t('requestTypes.registerHint')} required
        value={value.registerId} onValue={(v) => set({ registerId: v })} error={errors.registerId}
        placeholder={t('requestTypes.choose')} options={registerOptions} />
      <fieldset class={regimeError ? 'field field-radios field-invalid' : 'field field-radios'} id="rt-regime" disabled={disabled}
        aria-describedby={regimeError ? 'rt-regime-error' : undefined}>
        <legend>{t('requestTypes.regime')}</legend>
        {regimes.map((r) => (
          <div class="field-option">
            <input type="radio" id={`rt-regime-${r}`} name="rt-regime" value={r} checked={value.regime === r}
              onChange={() => set({ regime: r, ...(r === 'custom' ? {} : { customDays: '', workingDays: false }) })} />
            <label for={`rt-regime-${r}`}>{t(`requestTypes.regime.${r}`)}</label>
          </div>
        ))}
        {regimeError && <p class="field-error" id="rt-regime-error">{regimeError}</p>}
      </fieldset>
      {value.regime === 'custom' && (
        <div class="fe-row">
          <TextField id="rt-customDays" type="number" inputMode="numeric" label={t('requestTypes.customDays')} required
            hint={t('requestTypes.customDaysHint')} value={value.customDays} onValue={(v) => set({ customDays: v })} error={errors.customDays} />
          <Check id="rt-workingDays" label={t('requestTypes.workingDays')} checked={value.workingDays}
            onValue={(v) => set({ workingDays: v })} error={errors.workingDays} />
        </div>
      )}
    </>
  )
}

/** handlingErrors checks what the API checks, in the reader's language. */
export function handlingErrors(h: Handling, t: (k: string) => string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!h.departmentId) out.departmentId = t('requestTypes.err.department')
  if (!h.registerId) out.registerId = t('requestTypes.err.register')
  if (h.regime === 'custom' && validDays(h.customDays) === undefined) out.customDays = t('requestTypes.err.customDays')
  return out
}

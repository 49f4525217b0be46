import type { ComponentChildren, InputHTMLAttributes } from 'preact'

import { ApiError } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { holds, officeInstitution } from '../office/office'
import { SignInFirst } from '../portal/SignInFirst'
import { useSession } from '../session'
import { Alert, ErrorAlert, Loading, Page } from '../ui/ui'
import type { Entry } from './desk'
import './desk.css'

// The registry desk's shared pieces: who may open a page, its errors in
// the reader's language, its fields, an entry's state.

/**
 * DeskGate shows its page only to a signed-in account holding permission
 * in its institution; a visitor is sent to sign in, anyone else is told
 * plainly what is missing.
 */
export function DeskGate({ permission, title, children }: {
  permission: string
  title: string
  children: (me: Me, inst: string) => ComponentChildren
}) {
  const { t } = useI18n()
  const { me } = useSession()
  if (me === null) return <SignInFirst />
  if (me === undefined) return <Page title={title}><Loading /></Page>
  const inst = officeInstitution(me)
  if (!inst || !holds(me, permission, inst)) {
    return (
      <Page title={title}>
        <Alert kind="warning">{t('desk.notAllowed')}</Alert>
        <p><a href="/birou">{t('desk.backToOffice')}</a></p>
      </Page>
    )
  }
  return <>{children(me, inst)}</>
}

// The API's refusals the desk explains itself (its detail is in English).
const problems: Record<string, string> = {
  file_too_large: 'desk.problem.fileTooLarge',
  file_type_not_allowed: 'desk.problem.fileType',
  upload_truncated: 'desk.problem.uploadTruncated',
  idempotency_key_reused: 'desk.problem.keyReused',
  register_not_allowed: 'desk.problem.registerNotAllowed',
  register_closed: 'desk.problem.registerClosed',
  already_annulled: 'desk.problem.alreadyAnnulled',
  precondition_failed: 'desk.problem.stale',
  not_found: 'desk.problem.notFound',
  forbidden: 'desk.problem.forbidden',
}

/** The message keys of the refusals DeskError explains, for the tests. */
export const problemKeys = Object.values(problems)

/** DeskError says what went wrong, the desk's known refusals in its own words. */
export function DeskError({ error, id }: { error: unknown; id?: string }) {
  const { t } = useI18n()
  if (!error) return null
  if (error instanceof ApiError) {
    const key = problems[error.code] ?? (error.status === 404 ? problems.not_found : error.status === 403 ? problems.forbidden
      : error.status === 412 ? problems.precondition_failed : undefined)
    if (key) return <div class="alert alert-error" role="alert" id={id} tabIndex={id ? -1 : undefined}>{t(key)}</div>
  }
  return id ? <div id={id} tabIndex={-1}><ErrorAlert error={error} /></div> : <ErrorAlert error={error} />
}

type FieldProps = {
  id: string
  label: string
  error?: string
  hint?: string
  required?: boolean
  class?: string
  children: (described: string | undefined, invalid: 'true' | undefined) => ComponentChildren
}

/** Field: a label, a hint and an error around any control, tied to it by aria-describedby. */
export function Field({ id, label, error, hint, required, class: cls, children }: FieldProps) {
  const { t } = useI18n()
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
  return (
    <div class={[error ? 'field field-invalid' : 'field', cls].filter(Boolean).join(' ')}>
      <label for={id}>
        {label}
        {required && <span class="required-mark" aria-hidden="true"> *</span>}
        {required && <span class="visually-hidden"> ({t('common.required')})</span>}
      </label>
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
      {children(described, error ? 'true' : undefined)}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  )
}

/** Select: a labelled select over values with their labels. */
export function Select<T extends string>({ id, label, value, onValue, options, hint, error, required, class: cls }: {
  id: string
  label: string
  value: T
  onValue: (v: T) => void
  options: { value: T; label: string }[]
  hint?: string
  error?: string
  required?: boolean
  class?: string
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required} class={cls}>
      {(described, invalid) => (
        <select id={id} name={id} value={value} required={required} aria-describedby={described} aria-invalid={invalid}
          onChange={(e) => onValue((e.target as HTMLSelectElement).value as T)}>
          {options.map((o) => <option value={o.value}>{o.label}</option>)}
        </select>
      )}
    </Field>
  )
}

/** Input: a labelled input with what the desk needs besides TextField (a datalist, keys, a class). */
export function Input({ id, label, value, onValue, hint, error, required, type = 'text', class: cls, list, autoComplete, inputMode,
  maxLength, onFocus, onKeyDown }: {
  id: string
  label: string
  value: string
  onValue: (v: string) => void
  hint?: string
  error?: string
  required?: boolean
  type?: 'text' | 'search' | 'date'
  class?: string
  /** The id of a datalist of suggestions. */
  list?: string
  autoComplete?: InputHTMLAttributes<HTMLInputElement>['autoComplete']
  inputMode?: InputHTMLAttributes<HTMLInputElement>['inputMode']
  maxLength?: number
  onFocus?: (e: FocusEvent) => void
  onKeyDown?: (e: KeyboardEvent) => void
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required} class={cls}>
      {(described, invalid) => (
        // Preact's types tie each input type to its attributes; a type chosen at run time needs the cast.
        <input id={id} name={id} type={type as 'search'} list={list} value={value} required={required} aria-describedby={described}
          aria-invalid={invalid} autoComplete={autoComplete} inputMode={inputMode} maxLength={maxLength} onFocus={onFocus} onKeyDown={onKeyDown}
          onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
      )}
    </Field>
  )
}

/** EntryStatus: registered, or annulled. */
export function EntryStatus({ entry }: { entry: Pick<Entry, 'annulment'> }) {
  const { t } = useI18n()
  return entry.annulment
    ? <span class="badge desk-badge-annulled">{t('desk.status.annulled')}</span>
    : <span class="badge desk-badge-active">{t('desk.status.active')}</span>
}

/** focusFirst moves focus to the first of ids (in the given order) that has a problem, once the page shows it. */
export function focusFirst(ids: string[], errors: Record<string, string>, idOf: (field: string) => string) {
  const first = ids.find((f) => errors[f])
  if (!first) return
  requestAnimationFrame(() => document.getElementById(idOf(first))?.focus())
}

import type { ButtonHTMLAttributes, ComponentChildren, InputHTMLAttributes } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

import { useI18n } from '../i18n/i18n'
import { ApiError } from '../api/client'

// The design system: a few plain components over styles.css. Sober, legible,
// keyboard-first; every control has a visible label and a visible focus.

/** Page sets the document title and moves focus to its heading when it opens, so screen readers announce the new page. */
export function Page({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  const { t } = useI18n()
  const h1 = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${title} · ${t('common.appName')}`
    h1.current?.focus({ preventScroll: true })
  }, [title])
  return (
    <div class={wide ? 'page page-wide' : 'page'}>
      <h1 tabIndex={-1} ref={h1}>{title}</h1>
      {children}
    </div>
  )
}

export function Loading() {
  const { t } = useI18n()
  return <p class="loading" role="status">{t('common.loading')}</p>
}

/** ErrorAlert says what went wrong with a call, in the reader's language. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t, locale } = useI18n()
  if (!error) return null
  let text = t('common.error')
  if (error instanceof ApiError) {
    if (error.status === 0 || error.status >= 500) text = t('common.unavailable')
    else if (error.errors.length > 0) text = error.errors.map((e) => (locale === 'en' ? e.messageEn : e.message)).join(' ')
    else if (error.detail) text = error.detail
  }
  return <div class="alert alert-error" role="alert">{text}</div>
}

export function Alert({ kind = 'info', children }: { kind?: 'info' | 'success' | 'warning' | 'error'; children: ComponentChildren }) {
  return <div class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>{children}</div>
}

type InputProps = {
  id: string
  label: string
  value: string
  onValue: (v: string) => void
  error?: string
  hint?: string
  type?: 'text' | 'email' | 'password' | 'tel' | 'number' | 'date' | 'search'
  required?: boolean
  autoComplete?: InputHTMLAttributes<HTMLInputElement>['autoComplete']
  inputMode?: InputHTMLAttributes<HTMLInputElement>['inputMode']
  maxLength?: number
  class?: string
  /** The id of a datalist of suggestions. */
  list?: string
  onFocus?: (e: FocusEvent) => void
  onKeyDown?: (e: KeyboardEvent) => void
}

/** FieldLabel: a field's label, with the required mark seen and the word "required" heard. */
export function FieldLabel({ id, label, required }: { id: string; label: string; required?: boolean }) {
  const { t } = useI18n()
  return (
    <label for={id}>
      {label}
      {required && <span class="required-mark" aria-hidden="true"> *</span>}
      {required && <span class="visually-hidden"> ({t('common.required')})</span>}
    </label>
  )
}

/**
 * useAction runs a page's call (a form's submit, a button's action) and
 * keeps whether it is running and how it failed.
 */
export function useAction(): { busy: boolean; error: unknown; setError: (e: unknown) => void; run: (fn: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await fn()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, setError, run }
}

type FieldProps = {
  id: string
  label: string
  error?: string
  hint?: string
  required?: boolean
  class?: string
  /** The control, given what to put in its aria-describedby and aria-invalid. */
  children: (described: string | undefined, invalid: 'true' | undefined) => ComponentChildren
}

/** Field: a label, a hint and an error around any control, tied to it by aria-describedby. */
export function Field({ id, label, error, hint, required, class: cls, children }: FieldProps) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
  return (
    <div class={[error ? 'field field-invalid' : 'field', cls].filter(Boolean).join(' ')}>
      <FieldLabel id={id} label={label} required={required} />
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
      {children(described, error ? 'true' : undefined)}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  )
}

/** TextField: a labelled input with its hint and error tied to it. */
export function TextField({ id, label, value, onValue, error, hint, required, type = 'text', autoComplete, inputMode, maxLength,
  class: cls, list, onFocus, onKeyDown }: InputProps) {
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required} class={cls}>
      {(described, invalid) => (
        // Preact's types tie each input type to its roles; a type chosen at run time needs the cast.
        <input id={id} name={id} type={type as 'search'} list={list} value={value} required={required} autoComplete={autoComplete}
          inputMode={inputMode} maxLength={maxLength} aria-invalid={invalid} aria-describedby={described} onFocus={onFocus}
          onKeyDown={onKeyDown} onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
      )}
    </Field>
  )
}

/** TextArea: a labelled text area. */
export function TextArea({ id, label, value, onValue, hint, error, required, maxLength }: {
  id: string
  label: string
  value: string
  onValue: (v: string) => void
  hint?: string
  error?: string
  required?: boolean
  maxLength?: number
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required}>
      {(described, invalid) => (
        <textarea id={id} name={id} value={value} required={required} maxLength={maxLength} rows={4}
          aria-invalid={invalid} aria-describedby={described}
          onInput={(e) => onValue((e.target as HTMLTextAreaElement).value)} />
      )}
    </Field>
  )
}

/** SelectField: a labelled choice, with an empty first option when placeholder is given. */
export function SelectField<T extends string>({ id, label, value, onValue, options, placeholder, hint, error, required, class: cls }: {
  id: string
  label: string
  value: T
  onValue: (v: T) => void
  options: { value: T; label: string }[]
  placeholder?: string
  hint?: string
  error?: string
  required?: boolean
  class?: string
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required} class={cls}>
      {(described, invalid) => (
        <select id={id} name={id} value={value} required={required} aria-invalid={invalid} aria-describedby={described}
          onChange={(e) => onValue((e.target as HTMLSelectElement).value as T)}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => <option value={o.value}>{o.label}</option>)}
        </select>
      )}
    </Field>
  )
}

export function Button({ kind = 'primary', busy, children, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { kind?: 'primary' | 'secondary' | 'danger' | 'link'; busy?: boolean }) {
  return (
    <button type="button" {...rest} class={`btn btn-${kind}`} disabled={busy || rest.disabled} aria-busy={busy ? 'true' : undefined}>
      {children}
    </button>
  )
}

/** fieldErrors turns the API's per-field errors into messages by field, in the reader's language. */
export function fieldErrors(error: unknown, locale: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(error instanceof ApiError)) return out
  for (const e of error.errors) {
    if (!e.field.startsWith(prefix)) continue
    const key = e.field.slice(prefix.length)
    if (!out[key]) out[key] = locale === 'en' ? e.messageEn : e.message
  }
  return out
}

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

/** TextField: a labelled input with its hint and error tied to it. */
export function TextField({ id, label, value, onValue, error, hint, required, type = 'text', autoComplete, inputMode, maxLength }: InputProps) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <FieldLabel id={id} label={label} required={required} />
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
      {/* Preact's types tie each input type to its roles; a type chosen at run time needs the cast. */}
      <input id={id} name={id} type={type as 'text'} value={value} required={required} autoComplete={autoComplete} inputMode={inputMode}
        maxLength={maxLength} aria-invalid={error ? 'true' : undefined} aria-describedby={described}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
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

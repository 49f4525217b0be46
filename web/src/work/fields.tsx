import { useI18n } from '../i18n/i18n'

// The fields the action forms need beside ui.tsx's TextField: a text area
// and a choice, labelled, with their hint and error tied to them as
// TextField ties its own.

function Label({ id, label, required }: { id: string; label: string; required?: boolean }) {
  const { t } = useI18n()
  return (
    <label for={id}>
      {label}
      {required && <span class="required-mark" aria-hidden="true"> *</span>}
      {required && <span class="visually-hidden"> ({t('common.required')})</span>}
    </label>
  )
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
}

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
    <div class={error ? 'field field-invalid' : 'field'}>
      <Label id={id} label={label} required={required} />
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
      <textarea id={id} name={id} value={value} required={required} maxLength={maxLength} rows={4}
        aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, hint, error)}
        onInput={(e) => onValue((e.target as HTMLTextAreaElement).value)} />
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  )
}

export function SelectField({ id, label, value, onValue, options, placeholder, hint, error, required }: {
  id: string
  label: string
  value: string
  onValue: (v: string) => void
  options: { value: string; label: string }[]
  placeholder?: string
  hint?: string
  error?: string
  required?: boolean
}) {
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <Label id={id} label={label} required={required} />
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
      <select id={id} name={id} value={value} required={required}
        aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, hint, error)}
        onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => <option value={o.value}>{o.label}</option>)}
      </select>
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  )
}

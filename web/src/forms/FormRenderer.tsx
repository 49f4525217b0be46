// FormRenderer shows a request form's fields from its JSON Schema: the body
// of a form, without the <form> element, which belongs to the page (with
// its submit button, its error summary, and noValidate, so that the
// messages shown are these and not the browser's).
//
// Markup rules, the same for every form:
// - a text field is an <input> (type email for format email, date for
//   date, datetime-local for date-time); it is a <textarea> when it is
//   meant to be long: maxLength over 200, or no maxLength and minLength 20
//   or more (isLongText);
// - a field with an enum is a group of radio buttons when it has at most 4
//   options (all visible, one click each), else a <select>, whose first
//   option is an empty "Alegeți…" unless the field is required, has a
//   default and a value (showsRadios);
// - a number is a text <input> with the numeric keyboard (inputMode), which
//   takes the decimal comma and the point (parseDecimal); its value a
//   number, or, while what is typed is not one, that text, which the
//   validator refuses as not a number;
// - a CNP (format cnp) is a text <input> with the numeric keyboard;
// - a boolean is a checkbox, its value true or false once touched (a
//   required boolean starts as false: a checkbox cannot say "no answer",
//   so it is never marked required);
// - an object is a <fieldset> with its title as <legend>; a list is a
//   <fieldset> with an ordered list of items, each with a "Remove" button
//   (an item of objects is itself a fieldset, "<title> <n>"; a scalar item
//   a field labelled so), and an "Add" button while maxItems allows;
// - a field shows its label (with the required mark), its hint (the
//   description, or else the pattern's x-pattern-hint), the control, then
//   its error; a group shows its own hint and error under its legend;
// - every control has the id `${idPrefix}-${path joined by "-"}`
//   ("f-address-street", "f-coSigners-1-name"; see paths.ts), is tied to
//   its hint and error by aria-describedby, has aria-invalid="true" with an
//   error, and data-path, its key in the errors ("coSigners[1].name").

import type { ComponentChildren, Ref, TargetedEvent } from 'preact'
import { useLayoutEffect, useMemo, useRef } from 'preact/hooks'
import { useI18n } from '../i18n/i18n'
import type { Locale } from '../i18n/i18n'
import { fromLocalInput, toLocalInput } from './datetime'
import { focusWithin } from './focus'
import { fieldId, partId, pathKey } from './paths'
import type { Path } from './paths'
import { parseSchema, SchemaError } from './schema'
import type { ArrayField, BooleanField, Field, FormTree, NumberField, ObjectField, Option, StringField } from './schema'
import type { Errors } from './validate'
import { emptyItem, isRecord, updateValue } from './value'
import type { FormValue } from './value'

/** Props of FormRenderer. */
export interface FormRendererProps {
  /** The form's JSON Schema as decoded JSON (or a tree parseSchema made). */
  schema: unknown
  /** The form's current value; start from initialValue(parseSchema(schema)). */
  value: FormValue
  /** Called with the whole new value on every change. */
  onChange: (value: FormValue) => void
  /** Errors by field key, from validate or serverErrors; shown inline. */
  errors?: Errors
  /** Start of every id; letters and digits. Two forms on a page need two prefixes. */
  idPrefix?: string
  /** Disables every control (while the form is being submitted, say). */
  disabled?: boolean
}

/** Enum fields with at most this many options are radio buttons; more, a select. */
export const maxRadios = 4

/** Whether an enum field is shown as radio buttons rather than a select. */
export function showsRadios(options: readonly Option[]): boolean {
  return options.length <= maxRadios
}

/** Whether a text field is shown as a <textarea>: see the rules at the top. */
export function isLongText(f: StringField): boolean {
  if (f.format || f.enum) return false
  return f.maxLength !== undefined ? f.maxLength > 200 : (f.minLength ?? 0) >= 20
}

// What every field needs from the form, passed down unchanged.
interface Ctx {
  idPrefix: string
  errors: Errors
  disabled: boolean
  locale: Locale
  t: (key: string, params?: Record<string, string | number>) => string
  /** Replaces the value at path by fn's answer to the current one. */
  update: (path: Path, fn: (cur: unknown) => unknown) => void
}

/** Renders the fields of a form. See the rules at the top of this file. */
export function FormRenderer({ schema, value, onChange, errors = {}, idPrefix = 'f', disabled = false }: FormRendererProps) {
  const { locale, t } = useI18n()
  const tree = useMemo((): FormTree | SchemaError => {
    try {
      return parseSchema(schema)
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e
      console.error('form schema refused:', e.message)
      return e
    }
  }, [schema])
  // Changes apply to the latest value, not to the one of the last render:
  // autofill changes several fields before the page renders again.
  const latest = useRef(value)
  latest.current = value

  if (tree instanceof SchemaError) {
    return (
      <p class="form-error" role="alert">
        {t('forms.badSchema')}
      </p>
    )
  }
  const ctx: Ctx = {
    idPrefix,
    errors,
    disabled,
    locale,
    t,
    update: (path, fn) => {
      latest.current = updateValue(tree, latest.current, path, fn)
      onChange(latest.current)
    },
  }
  return (
    <div class="form-fields">
      {hasRequired(tree) && <p class="form-note">{t('forms.requiredNote')}</p>}
      {tree.properties.map((f) => (
        <FieldView key={f.name} field={f} path={[f.name]} value={value[f.name]} ctx={ctx} />
      ))}
    </div>
  )
}

function hasRequired(f: Field): boolean {
  if (f.required && f.type !== 'boolean') return true
  return f.type === 'object' ? f.properties.some(hasRequired) : false
}

interface FieldProps<F extends Field = Field> {
  field: F
  path: Path
  value: unknown
  ctx: Ctx
  /** Replaces the title as the label: a list's item, "Anii fiscali 1". */
  label?: string
  /** Whether the field must be filled in: its schema's, or true for a list's item. */
  required?: boolean
}

function FieldView(props: FieldProps) {
  const { field } = props
  switch (field.type) {
    case 'object':
      return <ObjectView {...props} field={field} />
    case 'array':
      return <ListView {...props} field={field} />
    case 'boolean':
      return <CheckboxView {...props} field={field} />
    case 'string':
    case 'integer':
    case 'number':
      if (field.enum) return showsRadios(field.enum) ? <RadiosView {...props} field={field} options={field.enum} /> : <SelectView {...props} field={field} options={field.enum} />
      return field.type === 'string' ? <TextView {...props} field={field} /> : <NumberView {...props} field={field} />
  }
}

// What a field's parts need: its id, its label, whether it must be filled
// in, and its hint and error with their ids.
interface Parts {
  id: string
  key: string
  label: string
  required: boolean
  hint?: string
  error?: string
  /** aria-describedby: the hint then the error. */
  describedBy?: string
}

function partsOf({ field, path, ctx, label, required }: FieldProps): Parts {
  const id = fieldId(ctx.idPrefix, path)
  const key = pathKey(path)
  const error = Object.hasOwn(ctx.errors, key) ? ctx.errors[key] : undefined
  let hint = field.description?.[ctx.locale]
  // The pattern's meaning, when there is no description to say it.
  if (!hint && field.type === 'string' && field.patternHint) hint = ctx.t('forms.formatHint', { hint: field.patternHint[ctx.locale] })
  const ids = [hint ? partId(id, 'hint') : '', error ? partId(id, 'error') : ''].filter(Boolean)
  return {
    id,
    key,
    label: label ?? field.title[ctx.locale],
    required: required ?? field.required,
    hint,
    error,
    describedBy: ids.length ? ids.join(' ') : undefined,
  }
}

// The control's ARIA and state attributes, the same for every control.
function controlAttrs(p: Parts, ctx: Ctx) {
  return {
    id: p.id,
    'data-path': p.key,
    required: p.required,
    disabled: ctx.disabled,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    'aria-describedby': p.describedBy,
  }
}

// The mark is seen; screen readers hear the word instead (and the
// control's required state), as in the rest of the interface (ui.tsx).
function RequiredMark({ t }: { t: Ctx['t'] }) {
  return (
    <>
      <span class="required-mark" aria-hidden="true">
        {' '}*
      </span>
      <span class="visually-hidden"> ({t('forms.required')})</span>
    </>
  )
}

function LabelText({ p, ctx }: { p: Parts; ctx: Ctx }) {
  return (
    <>
      {p.label}
      {p.required && <RequiredMark t={ctx.t} />}
    </>
  )
}

function Hint({ p }: { p: Parts }) {
  return p.hint ? (
    <p class="field-hint" id={partId(p.id, 'hint')}>
      {p.hint}
    </p>
  ) : null
}

function ErrorText({ p }: { p: Parts }) {
  return p.error ? (
    <p class="field-error" id={partId(p.id, 'error')}>
      {p.error}
    </p>
  ) : null
}

function fieldClass(p: Parts, kind?: string): string {
  return ['field', kind, p.error ? 'field-invalid' : ''].filter(Boolean).join(' ')
}

// A labelled control: label, hint, the control, its error (the order of
// the interface's other forms, ui.tsx).
function Labelled({ p, ctx, children }: { p: Parts; ctx: Ctx; children: ComponentChildren }) {
  return (
    <div class={fieldClass(p)}>
      <label class="field-label" for={p.id}>
        <LabelText p={p} ctx={ctx} />
      </label>
      <Hint p={p} />
      {children}
      <ErrorText p={p} />
    </div>
  )
}

// Patterns made of digits only (a CNP, a land book number) get the numeric
// keyboard on phones; their value stays text (leading zeros, 13 digits).
const digitsOnly = /^\^?(?:\\d|\[0-9\]|\[1-9\]|\{\d+(?:,\d*)?\}|[?*+])+\$?$/

function TextView(props: FieldProps<StringField>) {
  const { field, path, value, ctx } = props
  const p = partsOf(props)
  const set = (v: string) => ctx.update(path, () => v)
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : ''
  const attrs = { ...controlAttrs(p, ctx), autocomplete: field.autocomplete }
  if (isLongText(field)) {
    return (
      <Labelled p={p} ctx={ctx}>
        <textarea {...attrs} rows={(field.maxLength ?? 1000) >= 1000 ? 8 : 4} value={text} onInput={(e) => set(e.currentTarget.value)} />
      </Labelled>
    )
  }
  if (field.format === 'date-time') {
    return (
      <Labelled p={p} ctx={ctx}>
        <input
          {...attrs}
          type="datetime-local"
          value={toLocalInput(value)}
          onInput={(e) => set(fromLocalInput(e.currentTarget.value) ?? '')}
        />
      </Labelled>
    )
  }
  const plain = { ...attrs, value: text, onInput: (e: TargetedEvent<HTMLInputElement>) => set(e.currentTarget.value) }
  return (
    <Labelled p={p} ctx={ctx}>
      {field.format === 'email' ? (
        <input {...plain} type="email" />
      ) : field.format === 'date' ? (
        <input {...plain} type="date" />
      ) : (
        <input {...plain} type="text" inputMode={field.format === 'cnp' || (field.pattern && digitsOnly.test(field.pattern)) ? 'numeric' : undefined} />
      )}
    </Labelled>
  )
}

function NumberView(props: FieldProps<NumberField>) {
  const { field, path, value, ctx } = props
  const p = partsOf(props)
  const ref = useRef<HTMLInputElement>(null)
  // The input is not controlled through its value attribute: "1,0" on the
  // way to "1,05" is the number 1, and writing 1 back would undo the typing.
  // The text is replaced only when it no longer says the value (a reset, an
  // item removed above it), and then written the locale's way.
  useLayoutEffect(() => {
    const el = ref.current
    if (el && parseDecimal(el.value) !== value) el.value = showDecimal(ctx.locale, value)
  })
  // A text input, not type="number": Chromium drops a comma it does not
  // expect, so 512,5 typed in Romanian became 5125. The keyboard on phones
  // is still the numeric one (inputMode).
  return (
    <Labelled p={p} ctx={ctx}>
      <input
        {...controlAttrs(p, ctx)}
        ref={ref as Ref<HTMLInputElement>}
        type="text"
        inputMode={field.type === 'integer' && (field.minimum ?? field.exclusiveMinimum ?? -1) >= 0 ? 'numeric' : 'decimal'}
        autocomplete={field.autocomplete ?? 'off'}
        spellcheck={false}
        onInput={(e) => {
          const v = parseDecimal(e.currentTarget.value)
          ctx.update(path, () => v)
        }}
      />
    </Labelled>
  )
}

// What a number field takes: digits with one decimal separator, a comma
// (the Romanian way) or a point, an optional sign and exponent. Grouping
// is not taken: "1.500" would be 1500 to a Romanian and 1.5 to the rest.
const decimalText = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$/

/**
 * parseDecimal reads what was typed in a number field: undefined for
 * nothing, the number for a number ("512,5" and "512.5" are 512.5), and
 * else the text itself, trimmed, which the validator then tells is not a
 * number (rather than the field silently left empty).
 */
export function parseDecimal(text: string): number | string | undefined {
  const s = text.trim().replace('\u2212', '-')
  if (s === '') return undefined
  if (decimalText.test(s)) {
    const n = Number(s.replace(',', '.'))
    if (Number.isFinite(n)) return n
  }
  return s
}

/** showDecimal writes a number field's value for its input, with the locale's decimal separator. */
export function showDecimal(locale: Locale, v: unknown): string {
  if (typeof v === 'number') return locale === 'ro' ? String(v).replace('.', ',') : String(v)
  return typeof v === 'string' ? v : ''
}

function CheckboxView(props: FieldProps<BooleanField>) {
  const { path, value, ctx } = props
  // A checkbox always answers, so it is never marked required (see top).
  const p = { ...partsOf(props), required: false }
  return (
    <div class={fieldClass(p, 'field-checkbox')}>
      <input {...controlAttrs(p, ctx)} type="checkbox" checked={value === true} onChange={(e) => ctx.update(path, () => e.currentTarget.checked)} />
      <label class="field-label" for={p.id}>
        {p.label}
      </label>
      <Hint p={p} />
      <ErrorText p={p} />
    </div>
  )
}

interface OptionsProps extends FieldProps<StringField | NumberField> {
  options: Option[]
}

function RadiosView(props: OptionsProps) {
  const { path, value, ctx, options } = props
  const p = partsOf(props)
  return (
    <fieldset
      class={fieldClass(p, 'field-radios')}
      id={p.id}
      data-path={p.key}
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.describedBy}
    >
      <legend class="field-label">
        <LabelText p={p} ctx={ctx} />
      </legend>
      <Hint p={p} />
      {options.map((o, i) => {
        const id = partId(p.id, String(i))
        return (
          <div class="field-option" key={String(o.value)}>
            <input
              type="radio"
              id={id}
              name={p.id}
              value={String(o.value)}
              checked={value === o.value}
              required={p.required}
              disabled={ctx.disabled}
              onChange={() => ctx.update(path, () => o.value)}
            />
            <label for={id}>{o.label[ctx.locale]}</label>
          </div>
        )
      })}
      <ErrorText p={p} />
    </fieldset>
  )
}

function SelectView(props: OptionsProps) {
  const { field, path, value, ctx, options } = props
  const p = partsOf(props)
  const chosen = options.findIndex((o) => o.value === value)
  const placeholder = !p.required || field.default === undefined || chosen < 0
  return (
    <Labelled p={p} ctx={ctx}>
      <select
        {...controlAttrs(p, ctx)}
        value={chosen < 0 ? '' : String(chosen)}
        onChange={(e) => {
          const i = e.currentTarget.value
          ctx.update(path, () => (i === '' ? undefined : options[Number(i)].value))
        }}
      >
        {placeholder && <option value="">{ctx.t('forms.choose')}</option>}
        {options.map((o, i) => (
          <option key={String(o.value)} value={String(i)}>
            {o.label[ctx.locale]}
          </option>
        ))}
      </select>
    </Labelled>
  )
}

// A group's attributes: a fieldset has no value, but its own errors (the
// object's type, the list's length) are told there.
function groupAttrs(p: Parts) {
  return {
    id: p.id,
    'data-path': p.key,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    'aria-describedby': p.describedBy,
  }
}

function ObjectView(props: FieldProps<ObjectField> & { children?: ComponentChildren }) {
  const { field, path, value, ctx } = props
  const p = partsOf(props)
  const obj = isRecord(value) ? value : {}
  return (
    <fieldset class={['field-group', p.error ? 'field-invalid' : ''].filter(Boolean).join(' ')} {...groupAttrs(p)}>
      <legend class="field-label">
        <LabelText p={p} ctx={ctx} />
      </legend>
      <Hint p={p} />
      <ErrorText p={p} />
      {field.properties.map((f) => (
        <FieldView key={f.name} field={f} path={[...path, f.name]} value={obj[f.name]} ctx={ctx} />
      ))}
      {props.children}
    </fieldset>
  )
}

function ListView(props: FieldProps<ArrayField>) {
  const { field, path, value, ctx } = props
  const p = partsOf(props)
  const items = Array.isArray(value) ? value : []
  const listRef = useRef<HTMLOListElement>(null)
  const addRef = useRef<HTMLButtonElement>(null)
  // After an item is added, the citizen continues in it; after one is
  // removed, on the Add button, rather than at the top of the page.
  const pendingFocus = useRef<number | 'add' | null>(null)
  useLayoutEffect(() => {
    const want = pendingFocus.current
    if (want === null) return
    pendingFocus.current = null
    if (want === 'add') {
      addRef.current?.focus()
      return
    }
    const li = listRef.current?.children[want]
    if (li) focusWithin(li)
  })

  const canAdd = field.maxItems === undefined || items.length < field.maxItems
  // Below minItems the last items cannot go, unless the list is optional
  // and may disappear altogether.
  const canRemove = items.length > (field.minItems ?? 0) || !p.required
  const title = field.title[ctx.locale]
  const add = () => {
    pendingFocus.current = items.length
    ctx.update(path, (cur) => [...(Array.isArray(cur) ? cur : []), emptyItem(field)])
  }
  const remove = (i: number) => {
    pendingFocus.current = 'add'
    ctx.update(path, (cur) => {
      const left = (Array.isArray(cur) ? cur : []).filter((_, j) => j !== i)
      return left.length > 0 || p.required ? left : undefined
    })
  }

  return (
    <fieldset class={['field-group', 'field-list', p.error ? 'field-invalid' : ''].filter(Boolean).join(' ')} {...groupAttrs(p)}>
      <legend class="field-label">
        <LabelText p={p} ctx={ctx} />
      </legend>
      <Hint p={p} />
      <ErrorText p={p} />
      {items.length > 0 && (
        <ol class="field-items" ref={listRef}>
          {items.map((item, i) => {
            const label = ctx.t('forms.item', { title, n: i + 1 })
            const removeButton = (
              <button
                type="button"
                class="btn btn-link field-remove"
                id={partId(fieldId(ctx.idPrefix, [...path, i]), 'remove')}
                aria-label={ctx.t('forms.removeItem', { item: label })}
                disabled={ctx.disabled || !canRemove}
                onClick={() => remove(i)}
              >
                {ctx.t('forms.remove')}
              </button>
            )
            return (
              <li class="field-item" key={i}>
                {field.items.type === 'object' ? (
                  <ObjectView field={field.items} path={[...path, i]} value={item} ctx={ctx} label={label} required={false}>
                    {removeButton}
                  </ObjectView>
                ) : (
                  <>
                    <FieldView field={field.items} path={[...path, i]} value={item} ctx={ctx} label={label} required />
                    {removeButton}
                  </>
                )}
              </li>
            )
          })}
        </ol>
      )}
      {canAdd ? (
        <button
          type="button"
          class="btn btn-secondary field-add"
          id={partId(p.id, 'add')}
          ref={addRef}
          aria-label={ctx.t('forms.addItem', { title })}
          disabled={ctx.disabled}
          onClick={add}
        >
          {ctx.t('forms.add')}
        </button>
      ) : (
        <p class="field-hint" id={partId(p.id, 'full')}>
          {ctx.t('forms.maxItemsReached', { count: field.maxItems ?? 0 })}
        </p>
      )}
    </fieldset>
  )
}

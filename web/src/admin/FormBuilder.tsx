import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'

import { FormRenderer, initialValue, parseSchema, SchemaError, validate } from '../forms'
import type { Errors, FormTree, FormValue } from '../forms'
import { useI18n } from '../i18n/i18n'
import { Button, SelectField, TextField } from '../ui/ui'
import {
  addField, changeKind, containerOf, fieldsOf, keptKeywords, kinds, moveField, moveOption, newField, newOption, readSchemaText,
  removeField, resolvedKeys, resolvedValues, schemaText, toSchema, updateField,
} from './formEditor'
import type { ChoiceOption, Container, Defaults, EditorField, EditorForm, Kind } from './formEditor'
import { usePendingFocus } from '../ui/focus'

// FormBuilder: a request form as a list of fields an administrator builds
// (labels in Romanian and English, required or not, help, options, limits),
// reordered with buttons, beside a live preview drawn by the citizens' own
// FormRenderer, and the JSON Schema itself for whoever wants it, kept in
// sync both ways. The model and its conversions are formEditor.ts.
//
// Ids: every control of a field is `fe-<uid>-<part>`, the field's fieldset
// `fe-<uid>`; problems come keyed `<uid>.<part>` (see formEditor.Problem).

export interface FormBuilderProps {
  form: EditorForm
  onChange: (form: EditorForm) => void
  /** Messages by `<uid>.<part>`; "form.<part>" for the form as a whole. */
  problems: Record<string, string>
  defaults: Defaults
  /** Told whether the JSON Schema box holds text that is not the form (invalid): saving must wait. */
  onJsonProblem?: (problem: string | undefined) => void
  disabled?: boolean
}

interface Ops {
  update: (id: string, fn: (f: EditorField) => EditorField) => void
  add: (container: Container, kind: Kind) => void
  remove: (id: string) => void
  move: (id: string, delta: number) => void
}

const autocompleteTokens = ['', 'name', 'given-name', 'family-name', 'email', 'tel', 'street-address', 'address-line1', 'address-level2',
  'postal-code', 'country-name', 'organization', 'bday']

export function FormBuilder({ form, onChange, problems, defaults, onJsonProblem, disabled }: FormBuilderProps) {
  const { t } = useI18n()
  const schema = useMemo(() => toSchema(form), [form])
  const [announce, setAnnounce] = useState('')
  // Where focus goes once the change is drawn: a control's id.
  const pendingFocus = usePendingFocus()
  const titleOf = (f: EditorField | undefined) => f?.title.ro.trim() || t(`requestTypes.kind.${f?.kind ?? 'text'}`)

  const ops: Ops = {
    update: (id, fn) => onChange(updateField(form, id, fn)),
    add: (container, kind) => {
      const f = newField(kind, defaults)
      const next = addField(form, container, f)
      pendingFocus.current = `fe-${f.uid}-title-ro`
      onChange(next)
      const count = fieldsOf(next, container)?.length ?? 0
      setAnnounce(t('requestTypes.fieldAdded', { kind: t(`requestTypes.kind.${kind}`), n: count, count }))
    },
    remove: (id) => {
      const container = containerOf(form, id)
      const siblings = container === undefined ? [] : fieldsOf(form, container) ?? []
      const i = siblings.findIndex((f) => f.uid === id)
      const next = siblings[i + 1] ?? siblings[i - 1]
      // Focus stays where the field was: on the one that took its place,
      // else on the button adding fields there.
      pendingFocus.current = next ? `fe-${next.uid}` : `fe-add-${container ?? 'root'}-kind`
      setAnnounce(t('requestTypes.fieldRemoved', { title: titleOf(siblings[i]) }))
      onChange(removeField(form, id))
    },
    move: (id, delta) => {
      const container = containerOf(form, id)
      const siblings = container === undefined ? [] : fieldsOf(form, container) ?? []
      const i = siblings.findIndex((f) => f.uid === id)
      const j = Math.max(0, Math.min(siblings.length - 1, i + delta))
      if (i === j) return
      // The same button, unless the field reached the end it moved to.
      const edge = j === 0 || j === siblings.length - 1
      pendingFocus.current = `fe-${id}-${edge ? (delta < 0 ? 'down' : 'up') : delta < 0 ? 'up' : 'down'}`
      setAnnounce(t('requestTypes.fieldMoved', { title: titleOf(siblings[i]), n: j + 1, count: siblings.length }))
      onChange(moveField(form, id, delta))
    },
  }

  return (
    <div class="fe">
      <div class="fe-editor">
        <p class="visually-hidden" role="status" aria-live="polite">{announce}</p>
        <fieldset class="fe-about" disabled={disabled}>
          <legend>{t('requestTypes.formTitle')}</legend>
          <p class="field-hint">{t('requestTypes.formTitleHint')}</p>
          <div class="fe-row">
            <TextField id="fe-form-title-ro" label={t('requestTypes.formTitleRo')} value={form.title.ro} maxLength={300}
              onValue={(v) => onChange({ ...form, title: { ...form.title, ro: v } })} />
            <TextField id="fe-form-title-en" label={t('requestTypes.formTitleEn')} value={form.title.en} maxLength={300}
              onValue={(v) => onChange({ ...form, title: { ...form.title, en: v } })} />
          </div>
        </fieldset>
        <h3 id="fe-fields-title">{t('requestTypes.fields')}</h3>
        {problems['form.fields'] && <p class="field-error" id="fe-form-fields-error">{problems['form.fields']}</p>}
        {problems['form.schema'] && <div class="alert alert-error" role="alert" id="fe-form-schema-error" tabIndex={-1}>{problems['form.schema']}</div>}
        <FieldList fields={form.fields} ops={ops} problems={problems} defaults={defaults} disabled={disabled}
          labelledBy="fe-fields-title" titleOf={titleOf} />
        <AddField container={null} ops={ops} disabled={disabled} />
        <JsonBox form={form} onChange={onChange} onProblem={onJsonProblem} disabled={disabled} />
      </div>
      <FormPreview schema={schema} title={form.title} />
    </div>
  )
}

// --------------------------------------------------------------- field list

function FieldList({ fields, ops, problems, defaults, disabled, labelledBy, titleOf, prefix = '' }: {
  fields: EditorField[]
  ops: Ops
  problems: Record<string, string>
  defaults: Defaults
  disabled?: boolean
  labelledBy: string
  titleOf: (f: EditorField | undefined) => string
  prefix?: string
}) {
  const { t } = useI18n()
  if (fields.length === 0) return <p class="meta">{t('requestTypes.noFieldsYet')}</p>
  const keys = resolvedKeys(fields)
  return (
    <ol class="fe-fields" aria-labelledby={labelledBy}>
      {fields.map((f, i) => (
        <li key={f.uid}>
          <FieldEditor field={f} number={`${prefix}${i + 1}`} resolvedKey={keys[i]} first={i === 0} last={i === fields.length - 1}
            ops={ops} problems={problems} defaults={defaults} disabled={disabled} titleOf={titleOf} />
        </li>
      ))}
    </ol>
  )
}

function AddField({ container, ops, disabled, within }: { container: Container; ops: Ops; disabled?: boolean; within?: string }) {
  const { t } = useI18n()
  const [kind, setKind] = useState<Kind>('text')
  const id = `fe-add-${container ?? 'root'}`
  return (
    <div class="fe-add">
      <SelectField id={`${id}-kind`} label={within ? t('requestTypes.newFieldKindIn', { group: within }) : t('requestTypes.newFieldKind')}
        value={kind} onValue={setKind} options={kinds.map((k) => ({ value: k, label: t(`requestTypes.kind.${k}`) }))} />
      <Button kind="secondary" disabled={disabled} onClick={() => ops.add(container, kind)}
        aria-label={within ? t('requestTypes.addFieldIn', { group: within }) : undefined}>
        {t('requestTypes.addField')}
      </Button>
    </div>
  )
}

// ------------------------------------------------------------- one field

function FieldEditor({ field: f, number, resolvedKey, first, last, ops, problems, defaults, disabled, titleOf, item, listTitle }: {
  field: EditorField
  number: string
  resolvedKey: string
  first: boolean
  last: boolean
  ops: Ops
  problems: Record<string, string>
  defaults: Defaults
  disabled?: boolean
  titleOf: (f: EditorField | undefined) => string
  /** The field is the items of a list: no key, no place, no "required". */
  item?: boolean
  listTitle?: string
}) {
  const { t } = useI18n()
  const id = (part: string) => `fe-${f.uid}-${part}`
  const err = (part: string) => problems[`${f.uid}.${part}`]
  const set = (changes: Partial<EditorField>) => ops.update(f.uid, (x) => ({ ...x, ...changes }))
  const title = titleOf(f)
  const legend = item ? t('requestTypes.itemLegend', { list: listTitle ?? '' }) : t('requestTypes.fieldLegend', { n: number, title })
  const kindOptions = (item ? kinds.filter((k) => k !== 'list') : kinds).map((k) => ({ value: k, label: t(`requestTypes.kind.${k}`) }))
  const num = (part: keyof EditorField, label: string, hint?: string) => (
    <NumberInput id={id(part)} label={label} hint={hint} value={f[part] as number | undefined} error={err(part)}
      onValue={(v) => set({ [part]: v } as Partial<EditorField>)} />
  )
  const texts = (part: 'title' | 'description' | 'patternHint', ro: string, en: string, required = false) => {
    const v = f[part] ?? { ro: '', en: '' }
    return (
      <div class="fe-row">
        <TextField id={id(`${part}-ro`)} label={ro} value={v.ro} required={required} maxLength={part === 'description' ? 2000 : 300}
          error={err(part)} onValue={(x) => set({ [part]: { ...v, ro: x } } as Partial<EditorField>)} />
        <TextField id={id(`${part}-en`)} label={en} value={v.en} maxLength={part === 'description' ? 2000 : 300}
          onValue={(x) => set({ [part]: { ...v, en: x } } as Partial<EditorField>)} />
      </div>
    )
  }
  const kept = keptKeywords(f)
  const more = advanced(f, id, err, set, num, texts, t)
  return (
    <fieldset class={item ? 'fe-field fe-item' : 'fe-field'} id={`fe-${f.uid}`} tabIndex={-1} disabled={disabled}>
      <legend>{legend}</legend>
      {err('server') && <p class="field-error" id={id('server-error')}>{err('server')}</p>}
      <SelectField id={id('kind')} label={t('requestTypes.kindLabel')} value={f.kind} options={kindOptions}
        error={err('item')} onValue={(k) => ops.update(f.uid, (x) => changeKind(x, k, defaults))} />
      {texts('title', item ? t('requestTypes.itemTitleRo') : t('requestTypes.titleRo'), t('requestTypes.titleEn'), !item)}
      {texts('description', t('requestTypes.helpRo'), t('requestTypes.helpEn'))}
      {!item && f.kind !== 'yesNo' && f.kind !== 'group' && (
        <Check id={id('required')} label={t('requestTypes.required')} checked={f.required} onValue={(v) => set({ required: v })} />
      )}
      {f.kind === 'yesNo' && (
        <Check id={id('default')} label={t('requestTypes.checkedByDefault')} hint={t('requestTypes.yesNoHint')} checked={f.default === true}
          onValue={(v) => set({ default: v ? true : undefined })} />
      )}
      {(f.kind === 'text' || f.kind === 'longText') && (
        <div class="fe-row">
          {num('minLength', t('requestTypes.minLength'))}
          {num('maxLength', t('requestTypes.maxLength'))}
        </div>
      )}
      {f.kind === 'number' && (
        <>
          <Check id={id('integer')} label={t('requestTypes.integer')} checked={!!f.integer} onValue={(v) => set({ integer: v })} />
          <div class="fe-row">
            {num('minimum', t('requestTypes.minimum'))}
            {num('maximum', t('requestTypes.maximum'))}
          </div>
        </>
      )}
      {f.kind === 'choice' && <OptionsEditor field={f} set={set} err={err} />}
      {f.kind === 'list' && (
        <div class="fe-row">
          {num('minItems', t('requestTypes.minItems'))}
          {num('maxItems', t('requestTypes.maxItems'))}
        </div>
      )}
      {f.kind === 'group' && (
        <div class="fe-nested">
          <h4 id={id('fields-title')}>{t('requestTypes.groupFields', { group: title })}</h4>
          {err('fields') && <p class="field-error">{err('fields')}</p>}
          <FieldList fields={f.fields ?? []} ops={ops} problems={problems} defaults={defaults} disabled={disabled}
            labelledBy={id('fields-title')} titleOf={titleOf} prefix={`${number}.`} />
          <AddField container={f.uid} ops={ops} disabled={disabled} within={title} />
        </div>
      )}
      {f.kind === 'list' && f.item && (
        <div class="fe-nested">
          <FieldEditor field={f.item} number={`${number}.1`} resolvedKey="" first last ops={ops} problems={problems} defaults={defaults}
            disabled={disabled} titleOf={titleOf} item listTitle={title} />
        </div>
      )}
      <details class="fe-more" open={Object.keys(problems).some((k) => k.startsWith(`${f.uid}.`) && folded(k.slice(f.uid.length + 1))) || undefined}>
        <summary>{t('requestTypes.moreSettings')}</summary>
        {!item && (
          <TextField id={id('key')} label={t('requestTypes.key')} value={f.key} error={err('key')} maxLength={64}
            hint={t('requestTypes.keyHint', { key: resolvedKey })} onValue={(v) => set({ key: v.trim() })} />
        )}
        {more}
      </details>
      {kept.length > 0 && (
        <div class="fe-kept">
          <p>{t('requestTypes.kept', { keywords: kept.join(', ') })}</p>
          <Button kind="link" onClick={() => set({ extra: {} })}>{t('requestTypes.dropKept')}</Button>
        </div>
      )}
      {!item && (
        <div class="fe-actions">
          <Button kind="secondary" id={id('up')} disabled={disabled || first} onClick={() => ops.move(f.uid, -1)}
            aria-label={t('requestTypes.moveUpField', { title })}>{t('requestTypes.moveUp')}</Button>
          <Button kind="secondary" id={id('down')} disabled={disabled || last} onClick={() => ops.move(f.uid, 1)}
            aria-label={t('requestTypes.moveDownField', { title })}>{t('requestTypes.moveDown')}</Button>
          <Button kind="danger" id={id('remove')} disabled={disabled} onClick={() => ops.remove(f.uid)}
            aria-label={t('requestTypes.removeField', { title })}>{t('requestTypes.remove')}</Button>
        </div>
      )}
    </fieldset>
  )
}

// folded says whether a problem's control is under "More settings".
const folded = (part: string) => part === 'key' || part === 'pattern' || part === 'default' || part === 'multipleOf' || part.startsWith('optionValue-')

// advanced draws the controls of "More settings" the field's kind has.
function advanced(f: EditorField, id: (p: string) => string, err: (p: string) => string | undefined, set: (c: Partial<EditorField>) => void,
  num: (part: keyof EditorField, label: string, hint?: string) => ComponentChildren,
  texts: (part: 'title' | 'description' | 'patternHint', ro: string, en: string) => ComponentChildren,
  t: (key: string, params?: Record<string, string | number>) => string): ComponentChildren {
  const autocomplete = (
    <SelectField id={id('autocomplete')} label={t('requestTypes.autocomplete')} hint={t('requestTypes.autocompleteHint')}
      value={f.autocomplete ?? ''} onValue={(v) => set({ autocomplete: v || undefined })}
      options={[...autocompleteTokens, ...(f.autocomplete && !autocompleteTokens.includes(f.autocomplete) ? [f.autocomplete] : [])]
        .map((v) => ({ value: v, label: v || t('requestTypes.autocompleteNone') }))} />
  )
  const textDefault = (
    <TextField id={id('default')} label={t('requestTypes.defaultValue')} value={typeof f.default === 'string' ? f.default : ''}
      onValue={(v) => set({ default: v || undefined })} />
  )
  switch (f.kind) {
    case 'text':
      return (
        <>
          <TextField id={id('pattern')} label={t('requestTypes.pattern')} hint={t('requestTypes.patternHelp')} value={f.pattern ?? ''}
            error={err('pattern')} onValue={(v) => set({ pattern: v || undefined })} />
          {f.pattern && texts('patternHint', t('requestTypes.patternHintRo'), t('requestTypes.patternHintEn'))}
          {textDefault}
          {autocomplete}
        </>
      )
    case 'longText':
      return textDefault
    case 'phone':
      return (
        <>
          {texts('patternHint', t('requestTypes.patternHintRo'), t('requestTypes.patternHintEn'))}
          {autocomplete}
        </>
      )
    case 'email':
    case 'cnp':
    case 'cui':
      return autocomplete
    case 'number':
      return (
        <>
          <div class="fe-row">
            {num('exclusiveMinimum', t('requestTypes.exclusiveMinimum'))}
            {num('exclusiveMaximum', t('requestTypes.exclusiveMaximum'))}
          </div>
          {num('multipleOf', t('requestTypes.multipleOf'), t('requestTypes.multipleOfHint'))}
          <NumberInput id={id('default')} label={t('requestTypes.defaultValue')} value={typeof f.default === 'number' ? f.default : undefined}
            error={err('default')} onValue={(v) => set({ default: v })} />
        </>
      )
    case 'choice': {
      const options = f.options ?? []
      const values = resolvedValues(options)
      return (
        <>
          {(f.valueType ?? 'string') === 'string' && options.length > 0 && (
            <fieldset class="fe-values">
              <legend>{t('requestTypes.optionValues')}</legend>
              <p class="field-hint">{t('requestTypes.optionValuesHint')}</p>
              {options.map((o, i) => (
                <TextField id={`fe-${f.uid}-option-${o.uid}-value`} label={t('requestTypes.optionValueOf', { option: o.label.ro || t('requestTypes.optionN', { n: i + 1 }) })}
                  value={o.value} maxLength={200} hint={t('requestTypes.optionValueHint', { value: values[i] })} error={err(`optionValue-${o.uid}`)}
                  onValue={(v) => set({ options: options.map((x) => (x.uid === o.uid ? { ...x, value: v } : x)) })} />
              ))}
            </fieldset>
          )}
          <SelectField id={id('valueType')} label={t('requestTypes.valueType')} value={f.valueType ?? 'string'}
            onValue={(v) => set({ valueType: v })} hint={t('requestTypes.valueTypeHint')}
            options={(['string', 'integer', 'number'] as const).map((v) => ({ value: v, label: t(`requestTypes.valueType.${v}`) }))} />
          <SelectField id={id('default')} label={t('requestTypes.defaultOption')} value={f.default === undefined ? '' : String(f.default)}
            placeholder={t('requestTypes.noDefault')} onValue={(v) => set({ default: v || undefined })}
            options={options.map((o, i) => ({ value: values[i], label: o.label.ro || values[i] }))} />
        </>
      )
    }
    case 'group':
      return (
        <Check id={id('closed')} label={t('requestTypes.closed')} hint={t('requestTypes.closedHint')} checked={!!f.closed}
          onValue={(v) => set({ closed: v })} />
      )
    case 'list':
      return <Check id={id('uniqueItems')} label={t('requestTypes.uniqueItems')} checked={!!f.uniqueItems} onValue={(v) => set({ uniqueItems: v })} />
    default:
      return null
  }
}

function OptionsEditor({ field: f, set, err }: { field: EditorField; set: (c: Partial<EditorField>) => void; err: (p: string) => string | undefined }) {
  const { t } = useI18n()
  const options = f.options ?? []
  const pendingFocus = usePendingFocus()
  const oid = (o: ChoiceOption, part: string) => `fe-${f.uid}-option-${o.uid}-${part}`
  const setOption = (o: ChoiceOption, changes: Partial<ChoiceOption>) =>
    set({ options: options.map((x) => (x.uid === o.uid ? { ...x, ...changes } : x)) })
  const numeric = (f.valueType ?? 'string') !== 'string'
  return (
    <div class="fe-options">
      <h4 id={`fe-${f.uid}-options-title`}>{t('requestTypes.options')}</h4>
      {err('options') && <p class="field-error">{err('options')}</p>}
      <ol aria-labelledby={`fe-${f.uid}-options-title`}>
        {options.map((o, i) => {
          const name = o.label.ro || t('requestTypes.optionN', { n: i + 1 })
          return (
            <li key={o.uid}>
              <fieldset class="fe-option" id={`fe-${f.uid}-option-${o.uid}`}>
                <legend>{t('requestTypes.optionN', { n: i + 1 })}</legend>
                <div class="fe-row">
                  <TextField id={oid(o, 'ro')} label={t('requestTypes.optionRo')} value={o.label.ro} maxLength={300}
                    error={err(`option-${o.uid}`)} onValue={(v) => setOption(o, { label: { ...o.label, ro: v } })} />
                  <TextField id={oid(o, 'en')} label={t('requestTypes.optionEn')} value={o.label.en} maxLength={300}
                    onValue={(v) => setOption(o, { label: { ...o.label, en: v } })} />
                  {numeric && (
                    <TextField id={oid(o, 'value')} label={t('requestTypes.optionValue')} value={o.value} maxLength={200} required
                      inputMode="decimal" error={err(`optionValue-${o.uid}`)} onValue={(v) => setOption(o, { value: v })} />
                  )}
                </div>
                <div class="fe-actions fe-actions-small">
                  <Button kind="secondary" id={oid(o, 'up')} disabled={i === 0} aria-label={t('requestTypes.moveUpOption', { option: name })}
                    onClick={() => {
                      pendingFocus.current = oid(o, i - 1 === 0 ? 'down' : 'up')
                      set({ options: moveOption(options, o.uid, -1) })
                    }}>{t('requestTypes.moveUp')}</Button>
                  <Button kind="secondary" id={oid(o, 'down')} disabled={i === options.length - 1}
                    aria-label={t('requestTypes.moveDownOption', { option: name })}
                    onClick={() => {
                      pendingFocus.current = oid(o, i + 1 === options.length - 1 ? 'up' : 'down')
                      set({ options: moveOption(options, o.uid, 1) })
                    }}>{t('requestTypes.moveDown')}</Button>
                  <Button kind="link" id={oid(o, 'remove')} aria-label={t('requestTypes.removeOption', { option: name })}
                    onClick={() => {
                      const next = options[i + 1] ?? options[i - 1]
                      pendingFocus.current = next ? oid(next, 'ro') : `fe-${f.uid}-add-option`
                      set({ options: options.filter((x) => x.uid !== o.uid) })
                    }}>{t('requestTypes.remove')}</Button>
                </div>
              </fieldset>
            </li>
          )
        })}
      </ol>
      <Button kind="secondary" id={`fe-${f.uid}-add-option`} onClick={() => {
        const o = newOption()
        pendingFocus.current = oid(o, 'ro')
        set({ options: [...options, o] })
      }}>{t('requestTypes.addOption')}</Button>
    </div>
  )
}

// ------------------------------------------------------------ small controls

/** A labelled checkbox, its hint tied to it. */
export function Check({ id, label, hint, checked, onValue, error }: {
  id: string
  label: string
  hint?: string
  checked: boolean
  onValue: (v: boolean) => void
  error?: string
}) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
  return (
    <div class={error ? 'field field-checkbox field-invalid' : 'field field-checkbox'}>
      <input type="checkbox" id={id} name={id} checked={checked} aria-describedby={described} aria-invalid={error ? 'true' : undefined}
        onChange={(e) => onValue((e.target as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  )
}

/** A number that may be left out: '' is undefined. */
export function NumberInput({ id, label, hint, value, error, onValue }: {
  id: string
  label: string
  hint?: string
  value: number | undefined
  error?: string
  onValue: (v: number | undefined) => void
}) {
  return (
    <TextField id={id} type="number" inputMode="decimal" label={label} hint={hint} error={error} value={value === undefined ? '' : String(value)}
      onValue={(s) => {
        const n = Number(s)
        onValue(s.trim() === '' || !Number.isFinite(n) ? undefined : n)
      }} />
  )
}

// --------------------------------------------------------- the JSON Schema

function JsonBox({ form, onChange, onProblem, disabled }: {
  form: EditorForm
  onChange: (f: EditorForm) => void
  onProblem?: (p: string | undefined) => void
  disabled?: boolean
}) {
  const { t } = useI18n()
  const [text, setText] = useState(() => schemaText(form))
  const [problem, setProblem] = useState<string>()
  // The form this box made last: drawing it again must not rewrite what
  // is being typed.
  const mine = useRef<EditorForm | null>(null)
  useEffect(() => {
    if (form === mine.current) return
    setText(schemaText(form))
    if (problem) {
      setProblem(undefined)
      onProblem?.(undefined)
    }
  }, [form])
  const edit = (v: string) => {
    setText(v)
    try {
      const next = readSchemaText(v)
      mine.current = next
      setProblem(undefined)
      onProblem?.(undefined)
      onChange(next)
    } catch (e) {
      const why = e instanceof SchemaError ? t('requestTypes.jsonRefused', { reason: e.message })
        : t('requestTypes.jsonInvalid', { reason: e instanceof Error ? e.message : String(e) })
      setProblem(why)
      onProblem?.(why)
    }
  }
  const kept = keptFields(form)
  return (
    <details class="fe-json" open={problem ? true : undefined}>
      <summary>{t('requestTypes.jsonSummary')}</summary>
      <p class="field-hint" id="fe-json-hint">{t('requestTypes.jsonHint')}</p>
      {kept.length > 0 && <p class="fe-kept" id="fe-json-kept">{t('requestTypes.jsonKept', { fields: kept.join('; ') })}</p>}
      <div class={problem ? 'field field-invalid' : 'field'}>
        <label for="fe-json">{t('requestTypes.jsonLabel')}</label>
        <textarea id="fe-json" spellcheck={false} value={text} disabled={disabled} rows={16}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={['fe-json-hint', kept.length > 0 && 'fe-json-kept', problem && 'fe-json-error'].filter(Boolean).join(' ')}
          onInput={(e) => edit((e.target as HTMLTextAreaElement).value)} />
        {problem && <p class="field-error" id="fe-json-error" role="alert">{problem}</p>}
      </div>
    </details>
  )
}

// keptFields says which fields keep keywords the editor has no control for.
function keptFields(form: EditorForm): string[] {
  const out: string[] = []
  if (Object.keys(form.extra).length > 0) out.push(`(${Object.keys(form.extra).join(', ')})`)
  const visit = (fields: EditorField[], prefix: string) => {
    const keys = resolvedKeys(fields)
    fields.forEach((f, i) => {
      const path = prefix + keys[i]
      if (keptKeywords(f).length > 0) out.push(`${path}: ${keptKeywords(f).join(', ')}`)
      if (f.fields) visit(f.fields, `${path}.`)
      if (f.item) {
        if (keptKeywords(f.item).length > 0) out.push(`${path}[]: ${keptKeywords(f.item).join(', ')}`)
        if (f.item.fields) visit(f.item.fields, `${path}[].`)
      }
    })
  }
  visit(form.fields, '')
  return out
}

// --------------------------------------------------------------- preview

/**
 * FormPreview shows a form as citizens will see it, drawn by their own
 * FormRenderer, to try: "Check" runs the citizens' checks on what was typed.
 */
export function FormPreview({ schema, title, idPrefix = 'preview' }: { schema: unknown; title?: { ro: string; en: string }; idPrefix?: string }) {
  const { t, locale } = useI18n()
  const tree = useMemo((): FormTree | SchemaError => {
    try {
      return parseSchema(schema)
    } catch (e) {
      if (e instanceof SchemaError) return e
      throw e
    }
  }, [schema])
  const [value, setValue] = useState<FormValue>({})
  const [errors, setErrors] = useState<Errors>({})
  const [checked, setChecked] = useState('')
  useEffect(() => {
    if (tree instanceof SchemaError) return
    // What was typed stays; new fields start as the citizen's would.
    setValue((v) => ({ ...initialValue(tree), ...v }))
    setErrors({})
    setChecked('')
  }, [tree])
  return (
    <aside class="fe-preview" aria-labelledby={`${idPrefix}-title`}>
      <div class="fe-preview-body" tabIndex={0} aria-labelledby={`${idPrefix}-title`}>
        <h3 id={`${idPrefix}-title`}>{t('requestTypes.preview')}</h3>
        <p class="meta">{t('requestTypes.previewHint')}</p>
        {tree instanceof SchemaError ? (
          <p class="field-error" role="alert">{t('requestTypes.previewBroken', { reason: tree.message })}</p>
        ) : (
          <form noValidate onSubmit={(e) => {
            e.preventDefault()
            const found = validate(tree, value, locale)
            setErrors(found)
            const n = Object.keys(found).length
            setChecked(n === 0 ? t('requestTypes.previewValid') : t('requestTypes.previewErrors', { count: n }))
          }}>
            {title?.ro && <p class="fe-preview-title">{locale === 'en' && title.en ? title.en : title.ro}</p>}
            <FormRenderer schema={tree} value={value} onChange={setValue} errors={errors} idPrefix={idPrefix} />
            <div class="form-actions">
              <Button type="submit" kind="secondary">{t('requestTypes.previewCheck')}</Button>
              <Button kind="link" onClick={() => {
                setValue(initialValue(tree))
                setErrors({})
                setChecked('')
              }}>{t('requestTypes.previewReset')}</Button>
            </div>
            <p role="status" class="meta">{checked}</p>
          </form>
        )}
      </div>
    </aside>
  )
}

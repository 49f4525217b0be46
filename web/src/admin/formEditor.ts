// The form editor's model: a request form as a list of fields an
// administrator builds without knowing JSON Schema, and its conversions to
// and from the JSON Schema the platform stores (package forms' subset,
// shared/forms/check.go, mirrored by web/src/forms/schema.ts).
//
// A field has a kind, what the administrator chooses from ("short text",
// "date", "choice from a list"...), which decides the JSON Schema written
// for it; reading a schema back finds the kind from what the schema says.
// Labels are in Romanian and English (title / x-title-en, description /
// x-description-en, x-labels, x-pattern-hint), as shared/forms reads them.
//
// Reading is lossless for every schema the platform accepts: whatever a
// field says that its kind has no control for (a "minimum" on a choice, a
// "$comment", an x- extension of someone else's) is kept as written, in
// `extra`, and written back; the editor lists those keywords beside the
// field. Only the shape changes: $ref are written out in full (and $defs
// dropped), and every object gets an x-order.
//
// Everything here is pure: the page keeps the model in its state and
// replaces it with what these functions return.

import { isLongText, parseSchema, SchemaError } from '../forms'
import type { StringField } from '../forms'

/** A text in both languages; en '' means "not given": the form shows the Romanian one. */
export interface Texts {
  ro: string
  en: string
}

/** What kind of field the administrator chose. */
export type Kind =
  | 'text'
  | 'longText'
  | 'number'
  | 'date'
  | 'dateTime'
  | 'yesNo'
  | 'choice'
  | 'email'
  | 'phone'
  | 'cnp'
  | 'cui'
  | 'group'
  | 'list'

/** The kinds in the order the editor offers them. */
export const kinds: readonly Kind[] = ['text', 'longText', 'number', 'date', 'dateTime', 'yesNo', 'choice', 'email', 'phone', 'cnp', 'cui', 'group', 'list']

/** The values a choice's options have in the data. */
export type ValueType = 'string' | 'integer' | 'number'

export interface ChoiceOption {
  /** The editor's own id, never written to the schema. */
  uid: string
  /** The value stored in the request's data; '' takes one from the Romanian label. */
  value: string
  /** x-labels; ro '' shows the value itself. */
  label: Texts
}

/**
 * One field of the form. Which properties matter depends on the kind;
 * the others are left undefined.
 */
export interface EditorField {
  /** The editor's own id (for ids, focus and keys), never written to the schema. */
  uid: string
  /** The property name in the request's data; '' takes one from the Romanian title. */
  key: string
  kind: Kind
  title: Texts
  /** The help text under the label. */
  description: Texts
  required: boolean
  // Texts (text, longText; email, phone, cnp, cui keep what they are given).
  minLength?: number
  maxLength?: number
  /** text only: phone has its own; cnp and cui are checked by their format. */
  pattern?: string
  /** What the pattern means, told to the citizen instead of the pattern. */
  patternHint?: Texts
  /** x-autocomplete: the HTML autocomplete token (name, email, tel...). */
  autocomplete?: string
  // Numbers.
  integer?: boolean
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
  // Choices.
  valueType?: ValueType
  options?: ChoiceOption[]
  /** The value the form starts with (text, number, yes/no, choice: the option's value as text). */
  default?: string | number | boolean
  // Groups (an object).
  fields?: EditorField[]
  /** additionalProperties: false. */
  closed?: boolean
  // Lists (an array).
  item?: EditorField
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  /** Keywords of the schema this kind has no control for, kept as written. */
  extra: Record<string, unknown>
}

/** The whole form: the root object of the schema. */
export interface EditorForm {
  title: Texts
  description: Texts
  fields: EditorField[]
  /** additionalProperties: false at the root. */
  closed: boolean
  /** Root keywords the editor has no control for, kept as written. */
  extra: Record<string, unknown>
}

/** Texts the editor writes into new fields, in both languages (from the message files). */
export interface Defaults {
  phoneHint: Texts
}

export const draft2020 = 'https://json-schema.org/draft/2020-12/schema'
/** A Romanian phone number, as the seeded forms write it. */
export const phonePattern = '^(\\+4)?0\\d{9}$'
/** A short text is an <input>: at most this many characters (see isLongText). */
export const shortTextMax = 200
/** What a new long text allows. */
export const longTextMax = 2000
/** A property name (shared/forms' fieldName). */
export const keyPattern = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

let counter = 0
/** A new editor id, unique in the page. */
export function uid(): string {
  counter += 1
  return `n${counter.toString(36)}`
}

const noTexts = (): Texts => ({ ro: '', en: '' })

// ---------------------------------------------------------------- new fields

/** A new field of a kind, with what the kind needs to be valid but its labels. */
export function newField(kind: Kind, defaults: Defaults): EditorField {
  const f: EditorField = { uid: uid(), key: '', kind, title: noTexts(), description: noTexts(), required: false, extra: {} }
  return { ...f, ...kindPart(kind, defaults) }
}

// kindPart is what a field of kind starts with besides its labels.
function kindPart(kind: Kind, defaults: Defaults): Partial<EditorField> {
  switch (kind) {
    case 'text':
      return { maxLength: shortTextMax }
    case 'longText':
      return { maxLength: longTextMax }
    case 'number':
      return { integer: false }
    case 'choice':
      return { valueType: 'string', options: [newOption(), newOption()] }
    case 'email':
      return { autocomplete: 'email' }
    case 'phone':
      return { patternHint: { ...defaults.phoneHint }, autocomplete: 'tel' }
    case 'group':
      return { fields: [newField('text', defaults)], closed: true }
    case 'list':
      return { item: newField('text', defaults) }
    default:
      return {}
  }
}

export function newOption(): ChoiceOption {
  return { uid: uid(), value: '', label: noTexts() }
}

/**
 * changeKind makes field a field of another kind: its key, labels, help and
 * whether it is required stay; what belonged to the old kind goes, and so
 * do the keywords kept as written (they were about the old kind). A choice
 * keeps its options when its values change type.
 */
export function changeKind(field: EditorField, kind: Kind, defaults: Defaults): EditorField {
  if (kind === field.kind) return field
  const { uid: id, key, title, description, required } = field
  const out: EditorField = { uid: id, key, kind, title, description, required, extra: {}, ...kindPart(kind, defaults) }
  return out
}

// ------------------------------------------------------------ schema → model

/** Thrown by readSchemaText for text that is not JSON. */
export class JsonError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JsonError'
  }
}

// What every field may say besides its kind's keywords; "required" is the
// parent's.
const common = new Set(['type', 'title', 'x-title-en', 'description', 'x-description-en'])

// The keywords each kind has a control for (and writes); the rest of a
// field's keywords are kept in extra. "default" is owned only when it has
// the kind's type (see readField).
const owned: Record<Kind, readonly string[]> = {
  text: ['minLength', 'maxLength', 'pattern', 'x-pattern-hint', 'x-autocomplete', 'default'],
  longText: ['minLength', 'maxLength', 'x-autocomplete', 'default'],
  email: ['format', 'x-autocomplete'],
  phone: ['pattern', 'x-pattern-hint', 'x-autocomplete'],
  // A CNP or a CUI is checked by its format as sign-up checks it
  // (shared/nationalid), not by a pattern.
  cnp: ['format', 'x-autocomplete'],
  cui: ['format', 'x-autocomplete'],
  date: ['format'],
  dateTime: ['format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'default'],
  yesNo: ['default'],
  choice: ['enum', 'x-labels', 'default'],
  group: ['properties', 'required', 'x-order', 'additionalProperties'],
  list: ['items', 'minItems', 'maxItems', 'uniqueItems'],
}

const rootOwned = new Set([...common, '$schema', '$defs', 'properties', 'required', 'x-order', 'additionalProperties'])

/**
 * fromSchema reads a form's JSON Schema (decoded) into the editor's model.
 * It throws the SchemaError of parseSchema for a schema the platform
 * refuses: the editor edits only forms a citizen can fill in.
 */
export function fromSchema(schema: unknown): EditorForm {
  parseSchema(schema)
  const root = schema as Json
  const r = new Reader(root)
  const extra: Json = {}
  for (const [k, v] of Object.entries(root)) if (!rootOwned.has(k)) extra[k] = v
  return {
    title: texts(root, 'title', 'x-title-en'),
    description: texts(root, 'description', 'x-description-en'),
    fields: r.properties(root),
    closed: root.additionalProperties === false,
    extra,
  }
}

/**
 * readSchemaText reads what an administrator typed in the JSON Schema box:
 * a JsonError when it is not JSON, a SchemaError when the platform would
 * refuse it.
 */
export function readSchemaText(text: string): EditorForm {
  let schema: unknown
  try {
    schema = JSON.parse(text)
  } catch (e) {
    throw new JsonError(e instanceof Error ? e.message : String(e))
  }
  return fromSchema(schema)
}

function texts(obj: Json, ro: string, en: string): Texts {
  return { ro: typeof obj[ro] === 'string' ? (obj[ro] as string) : '', en: typeof obj[en] === 'string' ? (obj[en] as string) : '' }
}

class Reader {
  constructor(private readonly doc: Json) {}

  // properties reads an object's fields in display order: x-order, then
  // the rest as written (schema.ts does the same).
  properties(obj: Json): EditorField[] {
    const props = obj.properties as Json
    const required = new Set(Array.isArray(obj.required) ? (obj.required as string[]) : [])
    const order = Array.isArray(obj['x-order']) ? [...(obj['x-order'] as string[])] : []
    for (const k of Object.keys(props)) if (!order.includes(k)) order.push(k)
    return order.map((k) => this.field(props[k], k, required.has(k)))
  }

  field(sch: unknown, key: string, required: boolean): EditorField {
    const obj = this.resolve(sch)
    const kind = kindOf(obj)
    const f: EditorField = {
      uid: uid(),
      key,
      kind,
      title: texts(obj, 'title', 'x-title-en'),
      description: texts(obj, 'description', 'x-description-en'),
      required,
      extra: {},
    }
    const mine = new Set(owned[kind])
    // A default of another type than the field's is not the editor's.
    const ownDefault = 'default' in obj && defaultFits(kind, obj)
    for (const [k, v] of Object.entries(obj)) {
      if (common.has(k) || (mine.has(k) && (k !== 'default' || ownDefault))) continue
      f.extra[k] = v
    }
    const num = (k: string) => (typeof obj[k] === 'number' ? (obj[k] as number) : undefined)
    switch (kind) {
      case 'text':
      case 'longText':
      case 'email':
      case 'phone':
      case 'cnp':
      case 'cui':
        if (mine.has('minLength')) {
          f.minLength = num('minLength')
          f.maxLength = num('maxLength')
        }
        if (kind === 'text' && typeof obj.pattern === 'string') f.pattern = obj.pattern
        if (mine.has('x-pattern-hint') && isObject(obj['x-pattern-hint'])) f.patternHint = texts(obj['x-pattern-hint'], 'ro', 'en')
        if (typeof obj['x-autocomplete'] === 'string') f.autocomplete = obj['x-autocomplete']
        break
      case 'number':
        f.integer = obj.type === 'integer'
        f.minimum = num('minimum')
        f.maximum = num('maximum')
        f.exclusiveMinimum = num('exclusiveMinimum')
        f.exclusiveMaximum = num('exclusiveMaximum')
        f.multipleOf = num('multipleOf')
        break
      case 'choice': {
        f.valueType = obj.type as ValueType
        const names = isObject(obj['x-labels']) ? obj['x-labels'] : {}
        f.options = (obj.enum as (string | number)[]).map((v) => {
          const label = isObject(names[String(v)]) ? texts(names[String(v)] as Json, 'ro', 'en') : noTexts()
          return { uid: uid(), value: String(v), label }
        })
        break
      }
      case 'group':
        f.fields = this.properties(obj)
        f.closed = obj.additionalProperties === false
        break
      case 'list':
        f.item = this.field(obj.items, '', false)
        f.minItems = num('minItems')
        f.maxItems = num('maxItems')
        f.uniqueItems = obj.uniqueItems === true
        break
    }
    if (ownDefault) f.default = kind === 'choice' ? String(obj.default) : (obj.default as string | number | boolean)
    return prune(f)
  }

  // resolve follows a $ref within the document, the referring schema's own
  // keywords taking precedence (as schema.ts and check.go do). parseSchema
  // has checked the references already.
  private resolve(sch: unknown): Json {
    let cur = sch as Json
    for (let hops = 0; '$ref' in cur && hops < 16; hops++) {
      const target = pointer(this.doc, String(cur.$ref).slice(1)) as Json
      const { $ref: _, ...own } = cur
      cur = { ...target, ...own }
    }
    return cur
  }
}

function pointer(doc: unknown, frag: string): unknown {
  const p = decodeURIComponent(frag)
  if (p === '') return doc
  let cur = doc
  for (const raw of p.slice(1).split('/')) {
    const tok = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    cur = Array.isArray(cur) ? cur[Number(tok)] : (cur as Json)[tok]
  }
  return cur
}

/** kindOf finds the kind of a (resolved) field schema. */
export function kindOf(obj: Json): Kind {
  switch (obj.type) {
    case 'boolean':
      return 'yesNo'
    case 'object':
      return 'group'
    case 'array':
      return 'list'
    case 'integer':
    case 'number':
      return 'enum' in obj ? 'choice' : 'number'
  }
  if ('enum' in obj) return 'choice'
  switch (obj.format) {
    case 'date':
      return 'date'
    case 'date-time':
      return 'dateTime'
    case 'email':
      return 'email'
    case 'cnp':
      return 'cnp'
    case 'cui':
      return 'cui'
  }
  // A CNP written as a pattern (before the format existed) reads as the
  // text it is: reading stays lossless, and the administrator may make it
  // a CNP field, which checks the control digit too.
  if (obj.pattern === phonePattern) return 'phone'
  const probe: StringField = { name: '', path: '', title: { ro: '', en: '' }, required: false, type: 'string' }
  if (typeof obj.minLength === 'number') probe.minLength = obj.minLength
  if (typeof obj.maxLength === 'number') probe.maxLength = obj.maxLength
  return isLongText(probe) ? 'longText' : 'text'
}

function defaultFits(kind: Kind, obj: Json): boolean {
  const d = obj.default
  switch (kind) {
    case 'text':
    case 'longText':
      return typeof d === 'string'
    case 'number':
      return typeof d === 'number'
    case 'yesNo':
      return typeof d === 'boolean'
    case 'choice':
      return (obj.enum as unknown[]).includes(d)
    default:
      return false
  }
}

// prune drops the optional properties left undefined, so that models
// compare as what they say.
function prune<T extends object>(f: T): T {
  for (const [k, v] of Object.entries(f)) if (v === undefined) delete (f as Record<string, unknown>)[k]
  return f
}

// ------------------------------------------------------------ model → schema

/** The property name a title gives: "Nume și prenume" → "numeSiPrenume". */
export function keyFrom(title: string): string {
  const words = title
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
  let k = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('')
  if (k && !/^[A-Za-z]/.test(k)) k = `f${k}`
  return k.slice(0, 64)
}

/** The value a label gives an option: "Persoană fizică" → "persoana-fizica". */
export function valueFrom(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
}

// unique returns want, or want2, want3... whichever taken does not have.
function unique(want: string, taken: Set<string>, join = ''): string {
  let out = want
  for (let n = 2; taken.has(out); n++) out = `${want}${join}${n}`
  taken.add(out)
  return out
}

/**
 * The property name of each field of a list of siblings, in order: its own
 * key when given, else one from its title ("camp" without one), made
 * unique among the siblings. Given keys are never changed.
 */
export function resolvedKeys(fields: readonly EditorField[]): string[] {
  const taken = new Set(fields.map((f) => f.key).filter(Boolean))
  return fields.map((f) => f.key || unique(keyFrom(f.title.ro) || 'camp', taken))
}

/**
 * The value of each option in the data, as text: its own when given, else
 * one from its Romanian label ("optiune" without one), made unique.
 */
export function resolvedValues(options: readonly ChoiceOption[]): string[] {
  const taken = new Set(options.map((o) => o.value.trim()).filter(Boolean))
  return options.map((o) => o.value.trim() || unique(valueFrom(o.label.ro) || 'optiune', taken, '-'))
}

/** toSchema writes the form as the JSON Schema the platform stores. */
export function toSchema(form: EditorForm): Json {
  const out: Json = { $schema: draft2020 }
  putTexts(out, form.title, 'title', 'x-title-en')
  putTexts(out, form.description, 'description', 'x-description-en')
  out.type = 'object'
  Object.assign(out, objectPart(form.fields, form.closed))
  return withExtra(out, form.extra, rootOwned)
}

function putTexts(out: Json, t: Texts, ro: string, en: string): void {
  if (t.ro) out[ro] = t.ro
  if (t.en) out[en] = t.en
}

// withExtra adds the keywords kept as written, never over the editor's own.
function withExtra(out: Json, extra: Json, mine: Set<string>): Json {
  for (const [k, v] of Object.entries(extra)) if (!(k in out) && !mine.has(k)) out[k] = v
  return out
}

function objectPart(fields: readonly EditorField[], closed: boolean): Json {
  const keys = resolvedKeys(fields)
  const out: Json = { 'x-order': keys }
  const required = keys.filter((_, i) => fields[i].required)
  if (required.length > 0) out.required = required
  if (closed) out.additionalProperties = false
  const props: Json = {}
  fields.forEach((f, i) => {
    props[keys[i]] = fieldSchema(f)
  })
  out.properties = props
  return out
}

const typeOf: Record<Kind, string> = {
  text: 'string',
  longText: 'string',
  email: 'string',
  phone: 'string',
  cnp: 'string',
  cui: 'string',
  date: 'string',
  dateTime: 'string',
  number: 'number',
  yesNo: 'boolean',
  choice: 'string',
  group: 'object',
  list: 'array',
}

/** fieldSchema writes one field (its key and whether it is required are its parent's). */
export function fieldSchema(f: EditorField): Json {
  const out: Json = { type: typeOf[f.kind] }
  putTexts(out, f.title, 'title', 'x-title-en')
  putTexts(out, f.description, 'description', 'x-description-en')
  const put = (k: string, v: unknown) => {
    if (v !== undefined && v !== '') out[k] = v
  }
  const hint = () => {
    if (f.patternHint?.ro) out['x-pattern-hint'] = f.patternHint.en ? { ro: f.patternHint.ro, en: f.patternHint.en } : { ro: f.patternHint.ro }
  }
  switch (f.kind) {
    case 'text':
    case 'longText':
      put('minLength', f.minLength)
      put('maxLength', f.maxLength)
      if (f.kind === 'text' && f.pattern) {
        put('pattern', f.pattern)
        hint()
      }
      put('x-autocomplete', f.autocomplete)
      if (typeof f.default === 'string') put('default', f.default)
      break
    case 'email':
      out.format = 'email'
      put('x-autocomplete', f.autocomplete)
      break
    case 'phone':
      out.pattern = phonePattern
      hint()
      put('x-autocomplete', f.autocomplete)
      break
    case 'cnp':
    case 'cui':
      out.format = f.kind
      put('x-autocomplete', f.autocomplete)
      break
    case 'date':
      out.format = 'date'
      break
    case 'dateTime':
      out.format = 'date-time'
      break
    case 'number':
      out.type = f.integer ? 'integer' : 'number'
      put('minimum', f.minimum)
      put('maximum', f.maximum)
      put('exclusiveMinimum', f.exclusiveMinimum)
      put('exclusiveMaximum', f.exclusiveMaximum)
      put('multipleOf', f.multipleOf)
      if (typeof f.default === 'number') out.default = f.default
      break
    case 'yesNo':
      if (typeof f.default === 'boolean') out.default = f.default
      break
    case 'choice': {
      const type = f.valueType ?? 'string'
      out.type = type
      const options = f.options ?? []
      const values = resolvedValues(options).map((v) => (type === 'string' ? v : Number(v)))
      out.enum = values
      const labels: Json = {}
      options.forEach((o, i) => {
        if (o.label.ro) labels[String(values[i])] = o.label.en ? { ro: o.label.ro, en: o.label.en } : { ro: o.label.ro }
      })
      if (Object.keys(labels).length > 0) out['x-labels'] = labels
      // The default names an option by its value, as text.
      if (f.default !== undefined && f.default !== '') {
        const want = type === 'string' ? String(f.default) : Number(f.default)
        if (values.includes(want)) out.default = want
      }
      break
    }
    case 'group':
      Object.assign(out, objectPart(f.fields ?? [], f.closed ?? false))
      break
    case 'list':
      out.items = fieldSchema(f.item ?? { uid: '', key: '', kind: 'text', title: noTexts(), description: noTexts(), required: false, extra: {} })
      put('minItems', f.minItems)
      put('maxItems', f.maxItems)
      if (f.uniqueItems) out.uniqueItems = true
      break
  }
  return withExtra(out, f.extra, new Set([...common, ...owned[f.kind], '$ref']))
}

/** The schema as the JSON Schema box shows it. */
export function schemaText(form: EditorForm): string {
  return JSON.stringify(toSchema(form), null, 2)
}

// ------------------------------------------------------------------- editing

/** Where fields live: the root (null) or a group's uid (an item of a list that is a group counts as a group). */
export type Container = string | null

/** The fields of a container, or undefined when there is no such group. */
export function fieldsOf(form: EditorForm, container: Container): EditorField[] | undefined {
  if (container === null) return form.fields
  const g = findField(form, container)
  return g?.kind === 'group' ? g.fields ?? [] : undefined
}

/** Every field, parents first, with the container it is in (items of lists are in no container). */
export function walk(form: EditorForm): { field: EditorField; container: Container | undefined }[] {
  const out: { field: EditorField; container: Container | undefined }[] = []
  const visit = (f: EditorField, container: Container | undefined) => {
    out.push({ field: f, container })
    f.fields?.forEach((c) => visit(c, f.uid))
    if (f.item) visit(f.item, undefined)
  }
  form.fields.forEach((f) => visit(f, null))
  return out
}

export function findField(form: EditorForm, id: string): EditorField | undefined {
  return walk(form).find((w) => w.field.uid === id)?.field
}

/** The container a field is in; undefined for the items of lists and unknown ids. */
export function containerOf(form: EditorForm, id: string): Container | undefined {
  return walk(form).find((w) => w.field.uid === id)?.container
}

// mapFields rebuilds the tree with fn applied to every list of siblings
// (the root's, then each group's), innermost first.
function mapFields(form: EditorForm, fn: (fields: EditorField[], container: Container) => EditorField[]): EditorForm {
  const inField = (f: EditorField): EditorField => {
    let out = f
    if (f.fields) out = { ...out, fields: fn(f.fields.map(inField), f.uid) }
    if (f.item) out = { ...out, item: inField(f.item) }
    return out
  }
  return { ...form, fields: fn(form.fields.map(inField), null) }
}

/** updateField replaces the field with id by what fn makes of it. */
export function updateField(form: EditorForm, id: string, fn: (f: EditorField) => EditorField): EditorForm {
  const inField = (f: EditorField): EditorField => {
    if (f.uid === id) return fn(f)
    let out = f
    if (f.fields) out = { ...out, fields: f.fields.map(inField) }
    if (f.item) out = { ...out, item: inField(f.item) }
    return out
  }
  return { ...form, fields: form.fields.map(inField) }
}

/** addField puts field into container, at index (the end when left out). */
export function addField(form: EditorForm, container: Container, field: EditorField, index?: number): EditorForm {
  return mapFields(form, (fields, c) => {
    if (c !== container) return fields
    const out = [...fields]
    out.splice(index ?? out.length, 0, field)
    return out
  })
}

/** removeField takes the field with id out of its container. */
export function removeField(form: EditorForm, id: string): EditorForm {
  return mapFields(form, (fields) => fields.filter((f) => f.uid !== id))
}

/** moveField moves the field with id by delta places among its siblings, as far as they go. */
export function moveField(form: EditorForm, id: string, delta: number): EditorForm {
  return mapFields(form, (fields) => {
    const i = fields.findIndex((f) => f.uid === id)
    if (i < 0) return fields
    const j = Math.max(0, Math.min(fields.length - 1, i + delta))
    if (i === j) return fields
    const out = [...fields]
    const [f] = out.splice(i, 1)
    out.splice(j, 0, f)
    return out
  })
}

/** moveOption moves an option of a choice by delta places. */
export function moveOption(options: readonly ChoiceOption[], id: string, delta: number): ChoiceOption[] {
  const i = options.findIndex((o) => o.uid === id)
  const j = Math.max(0, Math.min(options.length - 1, i + delta))
  const out = [...options]
  if (i < 0 || i === j) return out
  const [o] = out.splice(i, 1)
  out.splice(j, 0, o)
  return out
}

// -------------------------------------------------------------------- checks

/**
 * A problem of the model, to show next to a control: uid is the field's
 * (or "form"), part the control's ("title", "maxLength", "options",
 * "option-<uid>"), code the message's name in the requestTypes messages
 * ("problem.<code>").
 */
export interface Problem {
  uid: string
  part: string
  code: string
  params?: Record<string, string | number>
}

const isCount = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1)

/**
 * checkForm finds what would make the form refused, or not what the
 * administrator meant, field by field; the schema it writes is then
 * checked as the platform checks it (a "schema" problem of the form).
 */
export function checkForm(form: EditorForm): Problem[] {
  const out: Problem[] = []
  const add = (id: string, part: string, code: string, params?: Problem['params']) => out.push({ uid: id, part, code, params })
  if (form.fields.length === 0) add('form', 'fields', 'noFields')
  const siblings = (fields: readonly EditorField[]) => {
    const seen = new Set<string>()
    for (const f of fields) {
      if (!f.key) continue
      if (!keyPattern.test(f.key)) add(f.uid, 'key', 'keyInvalid')
      else if (seen.has(f.key)) add(f.uid, 'key', 'keyTaken', { key: f.key })
      seen.add(f.key)
    }
  }
  siblings(form.fields)
  const check = (f: EditorField, isItem: boolean) => {
    // An item without a title takes its list's; any other field needs one,
    // and an English title needs the Romanian one it translates.
    if ((!isItem || f.title.en.trim()) && !f.title.ro.trim()) add(f.uid, 'title', 'titleRequired')
    if (f.description.en.trim() && !f.description.ro.trim()) add(f.uid, 'description', 'descriptionRo')
    for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems'] as const) {
      if (!isCount(f[k])) add(f.uid, k, 'count')
    }
    const lengths = f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength
    if (lengths) add(f.uid, 'minLength', 'lengthOrder')
    switch (f.kind) {
      case 'text':
        if (f.maxLength !== undefined ? f.maxLength > shortTextMax : (f.minLength ?? 0) >= 20) {
          add(f.uid, 'maxLength', 'shortTooLong', { max: shortTextMax })
        }
        break
      case 'longText':
        if (f.maxLength !== undefined ? f.maxLength <= shortTextMax : (f.minLength ?? 0) < 20) {
          add(f.uid, 'maxLength', 'longTooShort', { max: shortTextMax })
        }
        break
      case 'number': {
        const lo = f.minimum ?? f.exclusiveMinimum
        const hi = f.maximum ?? f.exclusiveMaximum
        if (lo !== undefined && hi !== undefined && lo > hi) add(f.uid, 'minimum', 'rangeOrder')
        if (f.multipleOf !== undefined && f.multipleOf <= 0) add(f.uid, 'multipleOf', 'multipleOf')
        if (f.integer && f.default !== undefined && typeof f.default === 'number' && !Number.isInteger(f.default)) {
          add(f.uid, 'default', 'wholeNumber')
        }
        break
      }
      case 'choice': {
        const options = f.options ?? []
        if (options.length === 0) add(f.uid, 'options', 'noOptions')
        const values = resolvedValues(options)
        const seen = new Set<string>()
        options.forEach((o, i) => {
          if (!o.label.ro.trim() && !o.value.trim()) add(f.uid, `option-${o.uid}`, 'optionLabel')
          else if (o.label.en.trim() && !o.label.ro.trim()) add(f.uid, `option-${o.uid}`, 'optionLabel')
          const type = f.valueType ?? 'string'
          if (type !== 'string') {
            const n = Number(o.value)
            if (o.value.trim() === '' || !Number.isFinite(n)) {
              add(f.uid, `optionValue-${o.uid}`, 'optionNumber')
              return
            }
            if (type === 'integer' && !Number.isInteger(n)) add(f.uid, `optionValue-${o.uid}`, 'optionInteger')
          }
          // 1 and 1.0 are one number.
          const key = type === 'string' ? values[i] : String(Number(values[i]))
          if (seen.has(key)) add(f.uid, `optionValue-${o.uid}`, 'optionTaken', { value: values[i] })
          seen.add(key)
        })
        if (options.length > 500) add(f.uid, 'options', 'tooManyOptions', { max: 500 })
        break
      }
      case 'group':
        if ((f.fields ?? []).length === 0) add(f.uid, 'fields', 'noFields')
        siblings(f.fields ?? [])
        f.fields?.forEach((c) => check(c, false))
        break
      case 'list':
        if (f.minItems !== undefined && f.maxItems !== undefined && f.minItems > f.maxItems) add(f.uid, 'minItems', 'itemsOrder')
        if (f.item) {
          if (f.item.kind === 'list') add(f.uid, 'item', 'listOfLists')
          check(f.item, true)
        }
        break
    }
  }
  form.fields.forEach((f) => check(f, false))
  if (out.length === 0) {
    try {
      parseSchema(toSchema(form))
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e
      add('form', 'schema', 'schema', { message: e.message })
    }
  }
  return out
}

// ------------------------------------------------------------ server errors

/**
 * The field each path names, as the server's Field.Path does
 * ("address.street", "coSigners[]", "coSigners[].name"), with the keys
 * the schema gets.
 */
export function fieldPaths(form: EditorForm): Map<string, string> {
  const out = new Map<string, string>()
  const visit = (fields: readonly EditorField[], prefix: string) => {
    const keys = resolvedKeys(fields)
    fields.forEach((f, i) => {
      const path = prefix ? `${prefix}.${keys[i]}` : keys[i]
      out.set(path, f.uid)
      const inner = (g: EditorField, p: string) => {
        if (g.kind === 'group') visit(g.fields ?? [], p)
        if (g.kind === 'list' && g.item) {
          out.set(`${p}[]`, g.item.uid)
          inner(g.item, `${p}[]`)
        }
      }
      inner(f, path)
    })
  }
  visit(form.fields, '')
  return out
}

/**
 * fieldOfMessage finds the field a refusal of the form names (the server
 * and parseSchema write `field "address.street": ...`), or undefined.
 */
export function fieldOfMessage(form: EditorForm, message: string): string | undefined {
  const m = /field "([^"]+)"/.exec(message)
  return m ? fieldPaths(form).get(m[1]) : undefined
}

/** The keywords kept as written for a field, for the editor to list. */
export function keptKeywords(f: EditorField): string[] {
  return Object.keys(f.extra)
}

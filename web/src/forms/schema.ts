// A request form arrives as a JSON Schema (draft 2020-12) written by an
// institution's administrator. This module turns it into a tree of fields
// that the renderer and the client-side validator walk, so that neither
// has to know about $ref, x-order or the label extensions.
//
// The platform accepts only a subset of JSON Schema for forms
// (shared/forms/check.go refuses the rest when the form is saved). The
// checks here mirror those rules: a schema the server would refuse is
// refused here too, with a SchemaError naming the field, rather than
// rendered as a form that cannot be submitted.

/** A text in both languages of the interface; `en` falls back to `ro`. */
export interface Labels {
  ro: string
  en: string
}

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array'

/**
 * The formats the platform asserts (check.go refuses the others); cnp and
 * cui are the Romanian personal and fiscal codes (nationalid.ts).
 */
export type StringFormat = 'date' | 'date-time' | 'email' | 'cnp' | 'cui'

/** One allowed value of an enum, with its labels (x-labels, or the value itself). */
export interface Option {
  value: string | number
  label: Labels
}

/** What every field has. */
interface FieldBase {
  /** Property name; for an array's items, the array's name; '' for the root. */
  name: string
  /**
   * The field as the server's Field.Path names it: "address.street",
   * "coSigners[]" for an array's items, "coSigners[].name" for their fields.
   */
  path: string
  /** title / x-title-en; items without a title take their array's, other fields their name. */
  title: Labels
  /** description / x-description-en. */
  description?: Labels
  /** Listed in the parent object's `required`. */
  required: boolean
  /** The schema's `default`, as written. */
  default?: unknown
  /** x-autocomplete: an HTML autocomplete token for the input (WCAG 1.3.5). */
  autocomplete?: string
}

export interface StringField extends FieldBase {
  type: 'string'
  enum?: Option[]
  pattern?: string
  /**
   * The pattern compiled for the browser. Undefined when JavaScript cannot
   * compile a pattern the server (Go's RE2) accepted: the server still
   * checks it, the browser just cannot check it ahead.
   */
  regexp?: RegExp
  /** x-pattern-hint: what the pattern means, told instead of the regex. */
  patternHint?: Labels
  format?: StringFormat
  minLength?: number
  maxLength?: number
}

export interface NumberField extends FieldBase {
  type: 'integer' | 'number'
  enum?: Option[]
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
}

export interface BooleanField extends FieldBase {
  type: 'boolean'
}

export interface ObjectField extends FieldBase {
  type: 'object'
  /** In display order: x-order first, then the remaining properties as written. */
  properties: Field[]
  /** false when the schema says additionalProperties: false. */
  additionalProperties: boolean
}

export interface ArrayField extends FieldBase {
  type: 'array'
  /** Never an array: lists of lists are refused. */
  items: Field
  minItems?: number
  maxItems?: number
  uniqueItems: boolean
}

/** One field of a form, by type. */
export type Field = StringField | NumberField | BooleanField | ObjectField | ArrayField

/** A parsed form: the root object, whose title is the form's. */
export type FormTree = ObjectField

/** Thrown for a schema a form cannot be built from; the message names the field. */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SchemaError'
  }
}

// The server's limits (shared/forms/forms.go, check.go).
export const maxFields = 200
export const maxDepth = 4
const maxRefHops = 8
const maxEnum = 500
const draft2020 = 'https://json-schema.org/draft/2020-12/schema'

// What a property may be called: the paths in errors join names with "."
// and "[", and ids join them with "-" (see ids.ts).
const fieldName = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

// Parsing is pure and a schema is treated as immutable, so each schema
// object is parsed once: the renderer and the validator share the tree.
const cache = new WeakMap<object, FormTree>()
const trees = new WeakSet<object>()

/**
 * Parses a form's JSON Schema (the decoded object) into a field tree; a
 * tree it made is returned as it is. The same schema object gives the
 * same tree: do not change a schema once parsed. Throws SchemaError for
 * anything the platform does not accept.
 */
export function parseSchema(schema: unknown): FormTree {
  if (!isObject(schema)) throw new SchemaError('the schema must be a JSON object')
  if (trees.has(schema)) return schema as unknown as FormTree
  const hit = cache.get(schema)
  if (hit) return hit
  const tree = new Parser(schema).parse()
  cache.set(schema, tree)
  trees.add(tree)
  return tree
}

class Parser {
  private count = 0

  constructor(private readonly doc: unknown) {}

  parse(): FormTree {
    const root = this.doc
    if (!isObject(root)) throw new SchemaError('the schema must be a JSON object')
    if ('$schema' in root && root.$schema !== draft2020) {
      throw new SchemaError(`$schema ${String(root.$schema)}: forms use JSON Schema draft 2020-12 (${draft2020})`)
    }
    if (root.type !== 'object') throw new SchemaError('the root must have "type": "object"')
    if (!('properties' in root)) throw new SchemaError('the root must have "properties"')
    if ('$defs' in root && !isObject(root.$defs)) throw new SchemaError('$defs must be an object')
    noOtherDocuments(root)
    return this.walk(root, '', '', 0, true, false, undefined) as ObjectField
  }

  // walk parses the field at path (name is its property name, depth its
  // nesting below the root); listTitle is the title of the array whose
  // items this schema describes, which items without a title take.
  private walk(sch: unknown, name: string, path: string, depth: number, root: boolean, required: boolean, listTitle: Labels | undefined): Field {
    const where = root ? 'the root' : `field "${path}"`
    const obj = this.resolve(sch, where)
    const type = obj.type
    if (type !== 'string' && type !== 'integer' && type !== 'number' && type !== 'boolean' && type !== 'object' && type !== 'array') {
      throw new SchemaError(`${where}: "type" must be one of string, integer, number, boolean, object, array (one of them, as a string)`)
    }
    for (const k of Object.keys(obj)) {
      if (!allowedKeyword(type, k, root)) {
        throw new SchemaError(`${where}: keyword "${k}" is not supported in a form field of type ${type}`)
      }
    }
    if (!root && ++this.count > maxFields) throw new SchemaError(`more than ${maxFields} fields`)

    const titleRo = optString(obj, 'title', where)
    const titleEn = optString(obj, 'x-title-en', where)
    const descRo = optString(obj, 'description', where)
    const descEn = optString(obj, 'x-description-en', where)
    let title: Labels
    if (titleRo) title = { ro: titleRo, en: titleEn || titleRo }
    else if (listTitle) title = listTitle
    else title = { ro: name, en: titleEn || name }
    const base: FieldBase = { name, path, title, required }
    if (descRo || descEn) base.description = { ro: descRo || descEn, en: descEn || descRo }
    if ('default' in obj) base.default = obj.default
    const autocomplete = optString(obj, 'x-autocomplete', where)
    if (autocomplete) base.autocomplete = autocomplete
    if (type !== 'string' && type !== 'integer' && type !== 'number' && 'x-labels' in obj) {
      throw new SchemaError(`${where}: x-labels needs an enum`)
    }

    switch (type) {
      case 'string':
        return stringField(obj, base, where)
      case 'integer':
      case 'number':
        return numberField(obj, { ...base, type }, where)
      case 'boolean':
        return { ...base, type }
      case 'object':
        return this.objectField(obj, base, depth, where)
      case 'array': {
        if (depth + 1 > maxDepth) throw new SchemaError(`${where}: nested deeper than ${maxDepth} levels`)
        if (!('items' in obj)) throw new SchemaError(`${where}: an array needs "items"`)
        const minItems = optCount(obj, 'minItems', where)
        const maxItems = optCount(obj, 'maxItems', where)
        if (minItems !== undefined && maxItems !== undefined && minItems > maxItems) {
          throw new SchemaError(`${where}: minItems is greater than maxItems`)
        }
        if ('uniqueItems' in obj && typeof obj.uniqueItems !== 'boolean') {
          throw new SchemaError(`${where}: uniqueItems must be true or false`)
        }
        const items = this.walk(obj.items, name, `${path}[]`, depth + 1, false, false, title)
        if (items.type === 'array') throw new SchemaError(`${where}: a list of lists cannot be shown as a form`)
        return prune({ ...base, type, items, minItems, maxItems, uniqueItems: obj.uniqueItems === true })
      }
    }
  }

  private objectField(obj: Json, base: FieldBase, depth: number, where: string): ObjectField {
    const props = obj.properties
    if (!isObject(props) || Object.keys(props).length === 0) {
      throw new SchemaError(`${where}: an object needs "properties" with at least one field`)
    }
    if (depth + 1 > maxDepth) throw new SchemaError(`${where}: nested deeper than ${maxDepth} levels`)
    if ('additionalProperties' in obj && typeof obj.additionalProperties !== 'boolean') {
      throw new SchemaError(`${where}: additionalProperties must be true or false`)
    }
    const required = new Set('required' in obj ? nameList(obj.required, props, 'required', where) : [])
    // Request types are stored as jsonb, which does not keep the order of
    // keys: x-order fixes the order on screen; fields it does not list
    // follow in the order of "properties".
    const order = 'x-order' in obj ? nameList(obj['x-order'], props, 'x-order', where) : []
    for (const k of Object.keys(props)) if (!order.includes(k)) order.push(k)
    const field: ObjectField = { ...base, type: 'object', properties: [], additionalProperties: obj.additionalProperties !== false }
    for (const k of order) {
      if (!fieldName.test(k)) {
        throw new SchemaError(`${where}: property name "${k}": use letters, digits, _ and - only (at most 64), starting with a letter`)
      }
      const childPath = base.path ? `${base.path}.${k}` : k
      field.properties.push(this.walk(props[k], k, childPath, depth + 1, false, required.has(k), undefined))
    }
    return field
  }

  // resolve follows a field's $ref within the schema ("#/$defs/..."), the
  // referencing schema's own keywords (a title, say) taking precedence, as
  // check.go does.
  private resolve(sch: unknown, where: string): Json {
    for (let hops = 0; ; hops++) {
      if (!isObject(sch)) throw new SchemaError(`${where}: must be a schema object`)
      if (!('$ref' in sch)) return sch
      const ref = sch.$ref
      if (typeof ref !== 'string' || !ref.startsWith('#')) {
        throw new SchemaError(`${where}: $ref ${String(ref)} refers to another document; a form may only refer to its own $defs`)
      }
      if (hops >= maxRefHops) throw new SchemaError(`${where}: more than ${maxRefHops} $ref in a row`)
      const target = pointer(this.doc, ref.slice(1), where)
      if (!isObject(target)) throw new SchemaError(`${where}: $ref ${ref} is not a schema object`)
      const { $ref: _, ...own } = sch
      sch = { ...target, ...own }
    }
  }
}

const stringFormats: readonly StringFormat[] = ['date', 'date-time', 'email', 'cnp', 'cui']

function stringField(obj: Json, base: FieldBase, where: string): StringField {
  const f: StringField = { ...base, type: 'string' }
  const pattern = optString(obj, 'pattern', where)
  if (pattern) {
    f.pattern = pattern
    f.regexp = compilePattern(pattern)
  }
  if ('x-pattern-hint' in obj) {
    if (!pattern) throw new SchemaError(`${where}: x-pattern-hint needs a pattern`)
    f.patternHint = labels(obj['x-pattern-hint'], `${where}: x-pattern-hint`)
  }
  f.minLength = optCount(obj, 'minLength', where)
  f.maxLength = optCount(obj, 'maxLength', where)
  if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength) {
    throw new SchemaError(`${where}: minLength is greater than maxLength`)
  }
  const format = optString(obj, 'format', where)
  if (format) {
    if (!stringFormats.includes(format as StringFormat)) {
      throw new SchemaError(`${where}: format "${format}" is not supported (date, date-time, email, cnp, cui)`)
    }
    f.format = format as StringFormat
  }
  f.enum = enumOptions(obj, 'string', where)
  return prune(f)
}

function numberField(obj: Json, f: NumberField, where: string): NumberField {
  for (const kw of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const) {
    if (!(kw in obj)) continue
    const v = obj[kw]
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SchemaError(`${where}: ${kw} must be a number a float64 can hold`)
    f[kw] = v
  }
  if (f.multipleOf !== undefined && f.multipleOf <= 0) throw new SchemaError(`${where}: multipleOf must be greater than 0`)
  for (const lo of ['minimum', 'exclusiveMinimum'] as const) {
    for (const hi of ['maximum', 'exclusiveMaximum'] as const) {
      const a = f[lo]
      const b = f[hi]
      if (a !== undefined && b !== undefined && a > b) throw new SchemaError(`${where}: ${lo} is greater than ${hi}`)
    }
  }
  f.enum = enumOptions(obj, f.type, where)
  return prune(f)
}

// prune drops the optional keys left undefined, so a tree compares and
// prints as what the schema says.
function prune<T extends object>(f: T): T {
  for (const [k, v] of Object.entries(f)) if (v === undefined) delete (f as Record<string, unknown>)[k]
  return f
}

function enumOptions(obj: Json, type: 'string' | 'integer' | 'number', where: string): Option[] | undefined {
  if (!('enum' in obj)) {
    if ('x-labels' in obj) throw new SchemaError(`${where}: x-labels needs an enum`)
    return undefined
  }
  const vals = obj.enum
  if (!Array.isArray(vals) || vals.length === 0 || vals.length > maxEnum) {
    throw new SchemaError(`${where}: enum must be a list of 1 to ${maxEnum} values`)
  }
  let names: Json | undefined
  if ('x-labels' in obj) {
    if (!isObject(obj['x-labels'])) throw new SchemaError(`${where}: x-labels must map each value to {"ro": ..., "en": ...}`)
    names = obj['x-labels']
  }
  const seen = new Set<string>()
  const out: Option[] = []
  for (const v of vals) {
    let key: string
    if (type === 'string') {
      if (typeof v !== 'string') throw new SchemaError(`${where}: enum value ${JSON.stringify(v)}: must be a string`)
      key = v
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new SchemaError(`${where}: enum value ${JSON.stringify(v)}: must be a number a float64 can hold`)
      if (type === 'integer' && !Number.isInteger(v)) throw new SchemaError(`${where}: enum value ${v}: must be a whole number`)
      key = String(v)
    }
    if (seen.has(key)) throw new SchemaError(`${where}: enum lists "${key}" twice`)
    seen.add(key)
    const label = names && key in names ? labels(names[key], `${where}: x-labels "${key}"`) : { ro: key, en: key }
    out.push({ value: v, label })
  }
  if (names) {
    for (const k of Object.keys(names)) {
      if (!seen.has(k)) throw new SchemaError(`${where}: x-labels has "${k}", which is not in the enum`)
    }
  }
  return out
}

// compilePattern compiles a pattern for the browser. JSON Schema patterns
// are ECMA-262 with Unicode; the server compiles them with Go's RE2, whose
// syntax mostly agrees. A pattern only RE2 understands ((?i), \z...) is not
// checked in the browser rather than refused: the server accepted it.
function compilePattern(p: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(p, flags)
    } catch {
      // try without the Unicode flag, then give up
    }
  }
  return undefined
}

// noOtherDocuments refuses references to other documents anywhere in the
// schema, unused $defs included, and $id and anchors, which change what a
// reference resolves against (check.go's rule of the same name).
function noOtherDocuments(v: unknown): void {
  if (Array.isArray(v)) {
    v.forEach(noOtherDocuments)
    return
  }
  if (!isObject(v)) return
  for (const [k, e] of Object.entries(v)) {
    if (k === '$ref' || k === '$dynamicRef') {
      if (typeof e !== 'string' || !e.startsWith('#')) {
        throw new SchemaError(`${k} ${String(e)} refers to another document; a form may only refer to its own $defs`)
      }
    } else if (k === '$id' || k === '$anchor' || k === '$dynamicAnchor') {
      throw new SchemaError(`${k} is not allowed in a form`)
    }
    noOtherDocuments(e)
  }
}

// pointer resolves a JSON pointer written as a URI fragment (RFC 6901).
function pointer(doc: unknown, frag: string, where: string): unknown {
  let p: string
  try {
    p = decodeURIComponent(frag)
  } catch {
    throw new SchemaError(`${where}: $ref #${frag} is not a valid pointer`)
  }
  if (p === '') return doc
  if (!p.startsWith('/')) throw new SchemaError(`${where}: $ref #${frag}: only JSON pointers (#/...) are supported`)
  let cur = doc
  for (const raw of p.slice(1).split('/')) {
    const tok = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (Array.isArray(cur) && /^\d+$/.test(tok) && Number(tok) < cur.length) cur = cur[Number(tok)]
    else if (isObject(cur) && Object.hasOwn(cur, tok)) cur = cur[tok]
    else throw new SchemaError(`${where}: $ref #${frag}: no "${tok}"`)
  }
  return cur
}

// allowedKeyword lists what a field of each type may say (check.go): a
// keyword the renderer does not know would be enforced by the server
// without being shown to the citizen. x- keywords are extensions.
function allowedKeyword(type: FieldType, kw: string, root: boolean): boolean {
  switch (kw) {
    case 'type':
    case 'title':
    case 'description':
    case 'default':
    case 'examples':
    case '$comment':
      return true
    case '$schema':
    case '$defs':
      return root
  }
  if (kw.startsWith('x-')) return true
  const byType: Record<FieldType, string[]> = {
    string: ['pattern', 'minLength', 'maxLength', 'format', 'enum'],
    integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'enum'],
    number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'enum'],
    boolean: [],
    object: ['properties', 'required', 'additionalProperties'],
    array: ['items', 'minItems', 'maxItems', 'uniqueItems'],
  }
  return byType[type].includes(kw)
}

// nameList reads a list of distinct property names (required, x-order).
function nameList(v: unknown, props: Json, kw: string, where: string): string[] {
  if (!Array.isArray(v)) throw new SchemaError(`${where}: ${kw} must be a list of property names`)
  const out: string[] = []
  for (const e of v) {
    if (typeof e !== 'string') throw new SchemaError(`${where}: ${kw} must be a list of property names`)
    if (!Object.hasOwn(props, e)) throw new SchemaError(`${where}: ${kw} names "${e}", which is not among its properties`)
    if (out.includes(e)) throw new SchemaError(`${where}: ${kw} names "${e}" twice`)
    out.push(e)
  }
  return out
}

// labels reads {"ro": ..., "en": ...}; English falls back to Romanian.
function labels(v: unknown, where: string): Labels {
  if (!isObject(v)) throw new SchemaError(`${where}: must be {"ro": ..., "en": ...}`)
  const ro = typeof v.ro === 'string' ? v.ro : ''
  const en = typeof v.en === 'string' ? v.en : ''
  if (!ro) throw new SchemaError(`${where}: needs "ro"`)
  return { ro, en: en || ro }
}

function optString(obj: Json, kw: string, where: string): string {
  if (!(kw in obj)) return ''
  const v = obj[kw]
  if (typeof v !== 'string') throw new SchemaError(`${where}: ${kw} must be a string`)
  return v
}

// optCount reads a non-negative whole-number keyword (minLength, maxItems...).
function optCount(obj: Json, kw: string, where: string): number | undefined {
  if (!(kw in obj)) return undefined
  const v = obj[kw]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
    throw new SchemaError(`${where}: ${kw} must be a whole number from 0 to ${2 ** 31 - 1}`)
  }
  return v
}

/**
 * Every field of the tree, parents before children, in display order (the
 * order of the server's Form.Fields). The root itself is not included.
 */
export function flatten(tree: FormTree): Field[] {
  const out: Field[] = []
  const visit = (f: Field) => {
    out.push(f)
    if (f.type === 'object') f.properties.forEach(visit)
    if (f.type === 'array') visit(f.items)
  }
  tree.properties.forEach(visit)
  return out
}

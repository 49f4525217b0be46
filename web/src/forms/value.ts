// A form's value is the JSON object the citizen submits. These helpers
// keep it in the shape the server expects: a field left empty is absent
// (an empty string would fail minLength, or be submitted as an answer),
// and defaults are filled in before the citizen starts.

import type { ArrayField, Field, FormTree, ObjectField } from './schema'

/** A form's value: the JSON object submitted as the request's data. */
export type FormValue = Record<string, unknown>

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * The value a new form starts from: every default of the schema, booleans
 * that are required as false (a checkbox cannot say "no answer"), required
 * objects as objects, required lists with minItems empty items. Optional
 * objects and lists start absent: they take their children's defaults
 * when the citizen starts filling them in (see objectBase).
 */
export function initialValue(tree: FormTree): FormValue {
  return objectBase(tree)
}

/** The value an object starts from when it is first given one. */
export function objectBase(f: ObjectField): FormValue {
  const out: FormValue = {}
  for (const p of f.properties) {
    const v = initialOf(p)
    if (v !== undefined) out[p.name] = v
  }
  return out
}

function initialOf(f: Field): unknown {
  if (f.default !== undefined && f.default !== '') return structuredClone(f.default)
  switch (f.type) {
    case 'boolean':
      return f.required ? false : undefined
    case 'object':
      return f.required ? objectBase(f) : undefined
    case 'array':
      return f.required ? Array.from({ length: f.minItems ?? 0 }, () => emptyItem(f)) : undefined
    default:
      return undefined
  }
}

/**
 * The value of an item just added to a list: an object with its defaults,
 * or null for a scalar not yet filled in. A list keeps the places of its
 * items while they are edited, so an emptied item is null, not removed;
 * the validator tells it as required.
 */
export function emptyItem(list: ArrayField): unknown {
  const items = list.items
  if (items.default !== undefined && items.default !== '') return structuredClone(items.default)
  return items.type === 'object' ? objectBase(items) : null
}

/** obj with its property name set to v; undefined and '' remove it. */
export function withProp(obj: FormValue, name: string, v: unknown): FormValue {
  const out = { ...obj }
  if (v === undefined || v === '') delete out[name]
  else out[name] = v
  return out
}

/**
 * The form's value with the value at path replaced by fn's answer to the
 * current one. It keeps the value in shape on the way: '' and undefined
 * remove a property; an optional object left empty is removed, and one
 * filled in for the first time starts from its defaults; a list keeps the
 * places of its items (an emptied scalar item is null, an emptied object
 * item {}). Updates are functions of the current value so that several
 * in one go (a browser's autofill) do not undo each other.
 */
export function updateValue(tree: FormTree, value: FormValue, path: readonly (string | number)[], fn: (cur: unknown) => unknown): FormValue {
  const out = updateIn(tree, value, path, fn, true)
  return isRecord(out) ? out : {}
}

// keep: the object stays even when empty (the root, required objects, list items).
function updateIn(f: Field, cur: unknown, path: readonly (string | number)[], fn: (cur: unknown) => unknown, keep: boolean): unknown {
  if (path.length === 0) {
    const v = fn(cur)
    return v === '' ? undefined : v
  }
  const [head, ...rest] = path
  if (f.type === 'object' && typeof head === 'string') {
    const child = f.properties.find((p) => p.name === head)
    if (!child) return cur
    const base = isRecord(cur) ? cur : objectBase(f)
    const out = withProp(base, head, updateIn(child, base[head], rest, fn, child.required))
    return Object.keys(out).length === 0 && !keep ? undefined : out
  }
  if (f.type === 'array' && typeof head === 'number') {
    const list = Array.isArray(cur) ? [...cur] : []
    const v = updateIn(f.items, list[head], rest, fn, true)
    list[head] = v === undefined ? null : v
    return list
  }
  return cur
}

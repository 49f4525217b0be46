// A request's form data as a list of "what: value" rows a clerk reads:
// with the form's own titles and choice labels when the request type's
// form is at hand, with the data's keys otherwise.

import type { Field, FormTree, Labels } from '../forms'

export interface DataRow {
  /** The field's path in the data ("address.street", "coSigners[0].name"). */
  path: string
  label: string
  value: string
}

/** How values are written, in the reader's language. */
export interface DataFormat {
  locale: 'ro' | 'en'
  yes: string
  no: string
  date: (d: string) => string
  dateTime: (d: string) => string
  number: (n: number) => string
}

const separator = ' › '

/** dataRows flattens data into rows, in the form's order, then any keys the form does not name. */
export function dataRows(data: unknown, tree: FormTree | undefined, fmt: DataFormat): DataRow[] {
  const rows: DataRow[] = []
  walk(data, tree, '', [], rows, fmt)
  return rows
}

function label(l: Labels, locale: 'ro' | 'en'): string {
  return (locale === 'en' ? l.en : l.ro) || l.ro
}

function walk(value: unknown, field: Field | undefined, path: string, labels: string[], rows: DataRow[], fmt: DataFormat) {
  if (value === null || value === undefined || value === '') return
  if (Array.isArray(value)) {
    if (value.length === 0) return
    const items = field?.type === 'array' ? field.items : undefined
    if (value.every((v) => typeof v !== 'object' || v === null)) {
      rows.push({ path, label: labels.join(separator), value: value.map((v) => scalar(v, items, fmt)).join(', ') })
      return
    }
    const head = labels.slice(0, -1)
    const name = labels[labels.length - 1] ?? ''
    value.forEach((v, i) => walk(v, items, `${path}[${i}]`, [...head, `${name} ${i + 1}`.trim()], rows, fmt))
    return
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>
    const props = field?.type === 'object' ? field.properties : []
    const known = new Set(props.map((p) => p.name))
    const entries: [string, Field | undefined][] = [
      ...props.filter((p) => Object.hasOwn(obj, p.name)).map((p): [string, Field] => [p.name, p]),
      ...Object.keys(obj).filter((k) => !known.has(k)).map((k): [string, undefined] => [k, undefined]),
    ]
    for (const [k, f] of entries) {
      walk(obj[k], f, path ? `${path}.${k}` : k, [...labels, f ? label(f.title, fmt.locale) : k], rows, fmt)
    }
    return
  }
  rows.push({ path, label: labels.join(separator), value: scalar(value, field, fmt) })
}

function scalar(v: unknown, field: Field | undefined, fmt: DataFormat): string {
  if (typeof v === 'boolean') return v ? fmt.yes : fmt.no
  if (field && (field.type === 'string' || field.type === 'integer' || field.type === 'number') && field.enum) {
    const option = field.enum.find((o) => o.value === v)
    if (option) return label(option.label, fmt.locale)
  }
  if (typeof v === 'number') return fmt.number(v)
  if (typeof v === 'string' && field?.type === 'string') {
    if (field.format === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return fmt.date(v)
    if (field.format === 'date-time' && !Number.isNaN(Date.parse(v))) return fmt.dateTime(v)
  }
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

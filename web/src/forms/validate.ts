// Client-side validation of a form's value, so that the citizen learns what
// to fix before submitting. The server (shared/forms) stays the authority:
// this check follows its rules and its error paths, so that its errors and
// these land on the same fields, and it tells one error per field, the
// first thing to fix, in the order the server ranks them (messages.go).

import { translate } from '../i18n/i18n'
import type { Locale } from '../i18n/i18n'
import { pathKey } from './paths'
import type { Path } from './paths'
import type { Field, FieldType, FormTree, Labels, NumberField, StringField } from './schema'
import { identifierProblem } from './nationalid'
import type { IdentifierCode } from './nationalid'
import { isRecord } from './value'

/**
 * Errors by field, keyed as the server names fields without "data."
 * ("name", "address.street", "coSigners[1].name"; "" for the whole value),
 * each a sentence in the current locale.
 */
export type Errors = Record<string, string>

/** One element of the `errors` of a problem+json response (httpapi.FieldError). */
export interface ProblemFieldError {
  field: string
  code: string
  message: string
  messageEn: string
}

/** Checks value against the form; an empty object when it is valid. */
export function validate(tree: FormTree, value: unknown, locale: Locale): Errors {
  const out: Errors = {}
  check(tree, value, [], { locale, out, within: [], atElement: false })
  return out
}

/**
 * The server's field errors as Errors: those whose field starts with
 * prefix, the prefix removed, in the locale's language. Errors about
 * anything else (the request's other properties, the body as a whole) are
 * left out: the page tells them. The first error of a field wins.
 */
export function serverErrors(errors: readonly ProblemFieldError[] | null | undefined, locale: Locale, prefix = 'data.'): Errors {
  const out: Errors = {}
  for (const e of errors ?? []) {
    let key: string
    if (e.field.startsWith(prefix)) key = e.field.slice(prefix.length)
    else if (prefix.endsWith('.') && e.field === prefix.slice(0, -1)) key = ''
    else continue
    const message = locale === 'en' ? e.messageEn || e.message : e.message || e.messageEn
    if (!(key in out)) out[key] = message
  }
  return out
}

// Where the check is: the lists the field is inside of, for the message.
interface Context {
  locale: Locale
  out: Errors
  within: { list: Labels; index: number }[]
  atElement: boolean // the field is an element of a list, not a property
}

type Failure = [key: string, params?: Record<string, string | number>]

function check(f: Field, v: unknown, path: Path, ctx: Context): void {
  const failure = firstFailure(f, v, ctx.locale)
  if (failure) {
    report(ctx, path, f.title, failure)
    if (failure[0] === typeKeys[f.type]) return // nothing inside a value of the wrong type
  }
  if (f.type === 'object' && isRecord(v)) {
    const inner = { ...ctx, atElement: false }
    for (const p of f.properties) {
      const pv = v[p.name]
      if (pv === undefined) {
        if (p.required) report(inner, [...path, p.name], p.title, ['forms.error.required'])
        continue
      }
      check(p, pv, [...path, p.name], inner)
    }
    if (!f.additionalProperties) {
      for (const k of Object.keys(v)) {
        if (!f.properties.some((p) => p.name === k)) report(inner, [...path, k], { ro: k, en: k }, ['forms.error.additional'])
      }
    }
  }
  if (f.type === 'array' && Array.isArray(v)) {
    v.forEach((item: unknown, i) => {
      const inner = { ...ctx, within: [...ctx.within, { list: f.title, index: i }], atElement: true }
      // An item not filled in yet is null in the form's value (value.ts).
      if (item === null || item === undefined) report(inner, [...path, i], f.items.title, ['forms.error.required'])
      else check(f.items, item, [...path, i], inner)
    })
  }
}

function report(ctx: Context, path: Path, title: Labels, [key, params]: Failure): void {
  const k = pathKey(path)
  if (!(k in ctx.out)) ctx.out[k] = translate(ctx.locale, key, { ...params, field: subject(ctx, title) })
}

// subject names the field in a sentence as the server does: „Câmpul
// «Nume»”, and inside a list, which element: „Câmpul «Nume» (Cosemnatari,
// nr. 2)”; an element itself: „Câmpul «Anii fiscali» (nr. 1)”.
function subject(ctx: Context, title: Labels): string {
  const t = (key: string, params: Record<string, string | number>) => translate(ctx.locale, key, params)
  const within = ctx.atElement ? ctx.within.slice(0, -1) : ctx.within
  const parts = within.map((w) => t('forms.withinList', { title: w.list[ctx.locale], n: w.index + 1 }))
  if (ctx.atElement) parts.push(t('forms.withinElement', { n: ctx.within[ctx.within.length - 1].index + 1 }))
  const name = title[ctx.locale]
  return parts.length ? t('forms.subjectWithin', { title: name, within: parts.join('; ') }) : t('forms.subject', { title: name })
}

const typeKeys: Record<FieldType, string> = {
  string: 'forms.error.type.string',
  integer: 'forms.error.type.integer',
  number: 'forms.error.type.number',
  boolean: 'forms.error.type.boolean',
  object: 'forms.error.type.object',
  array: 'forms.error.type.array',
}

function hasType(type: FieldType, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string'
    case 'integer':
      return Number.isInteger(v)
    case 'number':
      return typeof v === 'number' && Number.isFinite(v)
    case 'boolean':
      return typeof v === 'boolean'
    case 'object':
      return isRecord(v)
    case 'array':
      return Array.isArray(v)
  }
}

// firstFailure is the first thing wrong with a present value, in the
// server's order (messages.go, rankOf).
function firstFailure(f: Field, v: unknown, locale: Locale): Failure | undefined {
  if (!hasType(f.type, v)) return [typeKeys[f.type]]
  switch (f.type) {
    case 'string':
      return stringFailure(f, v as string, locale)
    case 'integer':
    case 'number':
      return numberFailure(f, v as number, locale)
    case 'array': {
      const list = v as unknown[]
      if (f.minItems !== undefined && list.length < f.minItems) return ['forms.error.minItems', { count: f.minItems }]
      if (f.maxItems !== undefined && list.length > f.maxItems) return ['forms.error.maxItems', { count: f.maxItems }]
      if (f.uniqueItems && new Set(list.filter((e) => e !== null).map(canonical)).size < list.filter((e) => e !== null).length) {
        return ['forms.error.uniqueItems']
      }
      return undefined
    }
    default:
      return undefined
  }
}

function enumFailure(f: StringField | NumberField, v: string | number, locale: Locale): Failure | undefined {
  if (!f.enum || f.enum.some((o) => o.value === v)) return undefined
  const labels = f.enum.map((o) => o.label[locale])
  return labels.length === 1 ? ['forms.error.enumOne', { value: labels[0] }] : ['forms.error.enum', { values: labels.join(', ') }]
}

const formatKeys = {
  date: 'forms.error.format.date',
  'date-time': 'forms.error.format.dateTime',
  email: 'forms.error.format.email',
} as const

// Each code of shared/nationalid has its message, the one sign-up shows
// (the contract test checks them against the server's).
const identifierKeys: Record<IdentifierCode, string> = {
  'cnp.length': 'forms.error.id.cnp.length',
  'cnp.digits': 'forms.error.id.cnp.digits',
  'cnp.sex': 'forms.error.id.cnp.sex',
  'cnp.date': 'forms.error.id.cnp.date',
  'cnp.county': 'forms.error.id.cnp.county',
  'cnp.serial': 'forms.error.id.cnp.serial',
  'cnp.checksum': 'forms.error.id.cnp.checksum',
  'cui.format': 'forms.error.id.cui.format',
  'cui.length': 'forms.error.id.cui.length',
  'cui.checksum': 'forms.error.id.cui.checksum',
}

function stringFailure(f: StringField, s: string, locale: Locale): Failure | undefined {
  const e = enumFailure(f, s, locale)
  if (e) return e
  // A CNP or a CUI is refused as sign-up refuses it: the code of
  // shared/nationalid, whose message says what is wrong with it.
  if (f.format === 'cnp' || f.format === 'cui') {
    const code = identifierProblem(f.format, s)
    if (code) return [identifierKeys[code]]
  } else if (f.format && !formatOk(f.format, s)) return [formatKeys[f.format]]
  // Lengths count characters (code points), as JSON Schema and the server do.
  const length = [...s].length
  if (f.minLength !== undefined && length < f.minLength) return ['forms.error.minLength', { count: f.minLength }]
  if (f.maxLength !== undefined && length > f.maxLength) return ['forms.error.maxLength', { count: f.maxLength }]
  if (f.regexp && !f.regexp.test(s)) {
    return f.patternHint ? ['forms.error.patternHint', { hint: f.patternHint[locale] }] : ['forms.error.pattern']
  }
  return undefined
}

function numberFailure(f: NumberField, n: number, locale: Locale): Failure | undefined {
  const e = enumFailure(f, n, locale)
  if (e) return e
  const num = (x: number) => plainNumber(locale, x)
  if (f.minimum !== undefined && n < f.minimum) return ['forms.error.minimum', { limit: num(f.minimum) }]
  if (f.exclusiveMinimum !== undefined && n <= f.exclusiveMinimum) return ['forms.error.exclusiveMinimum', { limit: num(f.exclusiveMinimum) }]
  if (f.maximum !== undefined && n > f.maximum) return ['forms.error.maximum', { limit: num(f.maximum) }]
  if (f.exclusiveMaximum !== undefined && n >= f.exclusiveMaximum) return ['forms.error.exclusiveMaximum', { limit: num(f.exclusiveMaximum) }]
  if (f.multipleOf !== undefined && !isMultiple(n, f.multipleOf)) return ['forms.error.multipleOf', { limit: num(f.multipleOf) }]
  return undefined
}

// The server checks multipleOf exactly, on decimals; floating point makes
// 0.3 / 0.1 a hair from 3, hence the tolerance.
function isMultiple(n: number, m: number): boolean {
  const q = n / m
  return Math.abs(q - Math.round(q)) <= 1e-9 * Math.max(1, Math.abs(q))
}

// A bound is written as the server writes it, without grouping (a year is
// 2000, not 2.000), with the locale's decimal separator.
function plainNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale === 'ro' ? 'ro-RO' : 'en-GB', { useGrouping: false, maximumFractionDigits: 20 }).format(n)
}

function formatOk(format: 'date' | 'date-time' | 'email', s: string): boolean {
  switch (format) {
    case 'date':
      return isDate(s)
    case 'date-time':
      return isDateTime(s)
    case 'email':
      return isEmail(s)
  }
}

/** A calendar date as RFC 3339 writes it: "2026-03-15", and a day that exists. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (mo < 1 || mo > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate()
}

/** An RFC 3339 date-time with its time zone: "2026-03-15T10:30:00+02:00". */
export function isDateTime(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(s)
  if (!m || !isDate(m[1])) return false
  const [h, min, sec] = [Number(m[2]), Number(m[3]), Number(m[4])]
  if (h > 23 || min > 59 || sec > 60) return false
  return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59)
}

// isEmail is deliberately looser than the server: a browser that refuses
// an address the server would take blocks the citizen, while one that
// lets a bad address through only defers the error to the server.
function isEmail(s: string): boolean {
  const at = s.lastIndexOf('@')
  if (at < 1 || at > 64 || /\s/.test(s)) return false
  const domain = s.slice(at + 1)
  return domain.length > 0 && domain.split('.').every((label) => label.length > 0)
}

// canonical writes a JSON value with sorted keys, so that equal values
// compare equal for uniqueItems.
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

// Romanian identifiers in the browser: the personal numeric code (CNP) and
// the fiscal code (CUI), a faithful port of shared/nationalid, so that a
// form refuses in the browser exactly what the server refuses, with the
// same codes (and, through the message files, the same messages). Both run
// the vectors of shared/nationalid/testdata/vectors.json; change the two
// together.

/** The codes of shared/nationalid (errors.go): stable, APIs return them. */
export type IdentifierCode =
  | 'cnp.length'
  | 'cnp.digits'
  | 'cnp.sex'
  | 'cnp.date'
  | 'cnp.county'
  | 'cnp.serial'
  | 'cnp.checksum'
  | 'cui.format'
  | 'cui.length'
  | 'cui.checksum'

/** A valid CNP as ParseCNP reads it. */
export interface CNP {
  code: string
  /** The date of birth, "YYYY-MM-DD". */
  birth: string
  county: number
}

/** A valid CUI: its digits, and whether it was written with RO (canonical: "RO" + digits). */
export interface CUI {
  digits: string
  vat: boolean
  canonical: string
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: IdentifierCode }

// Go's strings.TrimSpace trims what unicode.IsSpace calls space. JavaScript's
// trim() differs on two: it keeps U+0085 and trims U+FEFF. A CNP the server
// refuses must not be taken here, nor the other way round.
const goSpace = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const spaceAround = new RegExp(`^[${goSpace}]+|[${goSpace}]+$`, 'g')

/** strings.TrimSpace of Go. */
export function trimSpace(s: string): string {
  return s.replace(spaceAround, '')
}

// ASCII digits only: \d in JavaScript is ASCII too, but spelt out it cannot
// become Unicode-aware by a flag.
const allDigits = (s: string) => /^[0-9]*$/.test(s)

/**
 * The calendar date it already is somewhere on Earth at instant now (UTC+14
 * is the easternmost time zone), "YYYY-MM-DD": a date of birth after it is
 * certainly in the future (latestDate in cnp.go).
 */
export function latestDate(now: Date = new Date()): string {
  return new Date(now.getTime() + 14 * 3600 * 1000).toISOString().slice(0, 10)
}

// date returns y-m-d as "YYYY-MM-DD" if the day exists in the calendar.
function date(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1) return undefined
  const t = new Date(Date.UTC(2000, m - 1, d))
  t.setUTCFullYear(y) // Date.UTC maps years 0 to 99 to 1900 to 1999
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/**
 * validCounty: 01 to 46 (the counties and the six sectors of Bucharest), 51
 * (Călărași), 52 (Giurgiu), and 70, given to every code issued since May
 * 2024 whatever the place.
 */
function validCounty(jj: number): boolean {
  return (jj >= 1 && jj <= 46) || jj === 51 || jj === 52 || jj === 70
}

/** The control digit of the first 12 digits: the weighted sum modulo 11, 10 written as 1. */
function cnpControl(d: readonly number[]): number {
  const weights = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]
  let sum = 0
  weights.forEach((w, i) => {
    sum += d[i] * w
  })
  const c = sum % 11
  return c === 10 ? 1 : c
}

/**
 * parseCNP validates a CNP as shared/nationalid's ParseCNP does: spaces
 * around it ignored, nothing else tolerated. today ("YYYY-MM-DD") is the
 * latest date of birth possible; by default latestDate().
 */
export function parseCNP(input: string, today: string = latestDate()): Parsed<CNP> {
  const s = trimSpace(input)
  // Characters before length: "abc" is told as not digits.
  if (!allDigits(s)) return { ok: false, code: 'cnp.digits' }
  if (s.length !== 13) return { ok: false, code: 'cnp.length' }
  const d = [...s].map(Number)
  if (d[0] === 0) return { ok: false, code: 'cnp.sex' }

  const yy = 10 * d[1] + d[2]
  const mm = 10 * d[3] + d[4]
  const dd = 10 * d[5] + d[6]
  let birth: string | undefined
  switch (d[0]) {
    case 1:
    case 2:
      birth = date(1900 + yy, mm, dd)
      break
    case 3:
    case 4:
      birth = date(1800 + yy, mm, dd)
      break
    case 5:
    case 6:
      birth = date(2000 + yy, mm, dd)
      break
    default:
      // 7, 8 (foreign residents) and 9 (foreigners) do not encode the
      // century: the 2000s unless that date is still to come, then the 1900s.
      birth = date(2000 + yy, mm, dd)
      if (birth === undefined || birth > today) birth = date(1900 + yy, mm, dd)
  }
  if (birth === undefined || birth > today) return { ok: false, code: 'cnp.date' }

  const county = 10 * d[7] + d[8]
  if (!validCounty(county)) return { ok: false, code: 'cnp.county' }
  if (100 * d[9] + 10 * d[10] + d[11] === 0) return { ok: false, code: 'cnp.serial' }
  if (cnpControl(d) !== d[12]) return { ok: false, code: 'cnp.checksum' }
  return { ok: true, value: { code: s, birth, county } }
}

/** The control digit of at most 9 digits: padded left to 9, weighted, ten times the sum modulo 11, 10 written as 0. */
function cuiControl(body: string): number {
  const weights = [7, 5, 3, 2, 1, 7, 5, 3, 2]
  const pad = weights.length - body.length
  let sum = 0
  for (let i = 0; i < body.length; i++) sum += Number(body[i]) * weights[pad + i]
  const c = (sum * 10) % 11
  return c === 10 ? 0 : c
}

/**
 * parseCUI validates a CUI as shared/nationalid's ParseCUI does: 2 to 10
 * digits, the last the control digit, optionally preceded by RO in any case
 * and spaces; no leading zero.
 */
export function parseCUI(input: string): Parsed<CUI> {
  let s = trimSpace(input)
  let vat = false
  if (s.length >= 2 && (s[0] === 'R' || s[0] === 'r') && (s[1] === 'O' || s[1] === 'o')) {
    vat = true
    s = trimSpace(s.slice(2))
  }
  if (!allDigits(s)) return { ok: false, code: 'cui.format' }
  if (s.length < 2 || s.length > 10) return { ok: false, code: 'cui.length' }
  if (s[0] === '0') return { ok: false, code: 'cui.format' }
  if (cuiControl(s.slice(0, -1)) !== Number(s[s.length - 1])) return { ok: false, code: 'cui.checksum' }
  return { ok: true, value: { digits: s, vat, canonical: vat ? `RO${s}` : s } }
}

/** The code of what is wrong with s as an identifier of format, or undefined when it is valid. */
export function identifierProblem(format: 'cnp' | 'cui', s: string): IdentifierCode | undefined {
  const r = format === 'cnp' ? parseCNP(s) : parseCUI(s)
  return r.ok ? undefined : r.code
}

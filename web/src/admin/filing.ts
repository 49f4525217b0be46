// The filing plan (nomenclatorul arhivistic; filing-plan's API, as
// openapi/filing-plan.json describes it): a year's files, the year in the
// page's URL, a new file's draft and what the API would refuse in it, the
// PATCH of an open file (only what changed, If-Match its revision).

export const retentions = ['1', '3', '5', '10', '30', '50', '100', 'permanent'] as const
export type Retention = (typeof retentions)[number]

export interface FilingFile {
  institutionId: string
  id: string
  year: number
  indicator: string
  title: string
  retention: Retention
  departmentId: string
  revision: number
  createdAt: string
  createdBy: string | null
  updatedAt: string
  updatedBy: string | null
  closedAt: string | null
  closedBy: string | null
}

export interface FilingFileList {
  year: number
  files: FilingFile[]
  next: string | null
}

export interface CopyResult {
  fromYear: number
  toYear: number
  created: FilingFile[]
  skipped: string[]
}

export const minYear = 1990
export const maxYear = 9999

/** yearOf reads the plan's year from the page's URL: the current one when it has none, or none that can be. */
export function yearOf(query: Record<string, string | undefined>, current: number): number {
  const v = (query.year ?? '').trim()
  if (!/^\d{4}$/.test(v)) return current
  const n = Number(v)
  return n >= minYear && n <= maxYear ? n : current
}

/** The page's address for a year's plan; the current year's is the plain one. */
export function planHref(year: number, current: number): string {
  return year === current ? '/birou/nomenclator' : `/birou/nomenclator?year=${year}`
}

/** yearChoices: the years the picker offers, newest first: next year back to ten years ago, and year itself. */
export function yearChoices(current: number, year: number, back = 10): number[] {
  const out: number[] = []
  for (let y = current + 1; y >= Math.max(minYear, current - back); y--) out.push(y)
  if (!out.includes(year)) out.push(year)
  return out.sort((a, b) => b - a)
}

/** The file's version, as If-Match wants it. */
export const fileETag = (f: Pick<FilingFile, 'revision'>) => `"${f.revision}"`

export interface FileDraft {
  indicator: string
  title: string
  retention: '' | Retention
  departmentId: string
}

export const emptyFile: FileDraft = { indicator: '', title: '', retention: '', departmentId: '' }

const indicatorPattern = /^[\p{L}\p{N}][\p{L}\p{N} ./_-]*$/u
// Control characters: the title is one line.
const control = /\p{Cc}/u

export type FileProblem = 'indicatorInvalid' | 'titleRequired' | 'titleInvalid' | 'retentionRequired' | 'departmentRequired'

/** checkFile finds what the API would refuse, by its field names; a change has no indicator. */
export function checkFile(d: FileDraft, create: boolean): Record<string, FileProblem> {
  const out: Record<string, FileProblem> = {}
  const indicator = d.indicator.trim()
  if (create && (!indicatorPattern.test(indicator) || [...indicator].length > 40)) out.indicator = 'indicatorInvalid'
  const title = d.title.trim()
  if (!title) out.title = 'titleRequired'
  else if ([...title].length > 500 || control.test(title)) out.title = 'titleInvalid'
  if (!d.retention) out.retention = 'retentionRequired'
  if (!d.departmentId) out.departmentId = 'departmentRequired'
  return out
}

/** createBody is the POST body of a new file of year. */
export function createBody(year: number, d: FileDraft): Record<string, unknown> {
  return { year, indicator: d.indicator.trim(), title: d.title.trim(), retention: d.retention, departmentId: d.departmentId }
}

export function draftOf(f: FilingFile): FileDraft {
  return { indicator: f.indicator, title: f.title, retention: f.retention, departmentId: f.departmentId }
}

/** patchBody is the PATCH body of a change: only what differs from f. */
export function patchBody(f: FilingFile, d: FileDraft): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (d.title.trim() !== f.title) out.title = d.title.trim()
  if (d.retention && d.retention !== f.retention) out.retention = d.retention
  if (d.departmentId && d.departmentId !== f.departmentId) out.departmentId = d.departmentId
  return out
}

/** inventoryURL is where a closed file's inventory downloads from. */
export function inventoryURL(inst: string, file: string, format: 'csv' | 'pdf'): string {
  return `/api/institutions/${encodeURIComponent(inst)}/filing-plan/${encodeURIComponent(file)}/inventory?format=${format}`
}

/** replace puts f in the list in place of the file with its id, or adds it, keeping the order by indicator the API uses. */
export function replace(list: FilingFile[], f: FilingFile): FilingFile[] {
  const i = list.findIndex((x) => x.id === f.id)
  if (i >= 0) return list.map((x) => (x.id === f.id ? f : x))
  return [...list, f].sort((a, b) => compareIndicators(a.indicator, b.indicator))
}

/** compareIndicators sorts as the API does: numbers inside indicators by value (II-9 before II-10). */
export function compareIndicators(a: string, b: string): number {
  return a.localeCompare(b, 'ro', { numeric: true, sensitivity: 'base' })
}

// The registry desk's shapes (register-document's API, as openapi/
// register-document.json describes them) and its pure helpers: what the
// desk remembers between registrations, the search's filters as URL
// parameters, periods and export links, corrections.
import type { Me } from '../api/types'

export type Direction = 'incoming' | 'outgoing' | 'internal'
export type Channel = 'counter' | 'portal' | 'email' | 'post' | 'institution_system' | 'internal'
export type Confidentiality = 'public' | 'internal' | 'confidential'

export const directions: Direction[] = ['incoming', 'outgoing', 'internal']
export const channels: Channel[] = ['counter', 'email', 'post', 'portal', 'institution_system', 'internal']
export const confidentialities: Confidentiality[] = ['public', 'internal', 'confidential']

export interface Register {
  id: string
  code: string
  name: string
  kind: 'incoming' | 'outgoing' | 'internal' | 'other'
  description: string
  /** Departments whose registrars may register in it; empty: everyone with registry.register. */
  departments: string[]
  createdAt: string
  closedAt: string | null
}

export interface RegisterList {
  items: Register[]
}

export interface DocumentVersion {
  version: number
  sha256: string
  size: number
  mediaType: string
  name: string
  createdAt: string
  /** Where to download it. */
  content: string
}

export interface EntryDocument {
  id: string
  title: string
  createdAt: string
  versions: DocumentVersion[]
}

export interface EntryRevision {
  revision: number
  changedAt: string
  changedBy: string | null
  reason: string
  before: Record<string, unknown>
  after: Record<string, unknown>
}

export interface Entry {
  id: string
  institutionId: string
  registerId: string
  registerCode: string
  year: number
  number: number
  registeredAt: string
  direction: Direction
  channel: Channel
  sender: string
  recipient: string
  subject: string
  pages: number
  attachments: number
  confidentiality: Confidentiality
  answersEntryId: string | null
  fileId: string | null
  registeredBy: string | null
  verificationCode: string
  annulment: { at: string; by: string | null; reason: string } | null
  revision: number
  updatedAt: string | null
  /** The receipt's URL (a PDF). */
  receipt: string
  documents: EntryDocument[]
  revisions?: EntryRevision[]
  /** One entry's links both ways (conexare, answers, identical petitions); absent when none. */
  links?: EntryLink[]
  /** Answers recorded under the entry's own number; absent when none. */
  dispatches?: EntryDispatch[]
  /** Search results: what answers the entry. */
  answeredBy?: string[]
}

export interface EntryLink {
  kind: 'related' | 'answer' | 'duplicate'
  /** "to" when made from this entry, "from" for a back-link. */
  direction: 'to' | 'from'
  entryId: string
  reference: string
  number: number
  year: number
  linkedAt: string
  linkedBy: string | null
  note: string
}

export interface EntryDispatch {
  id: string
  dispatchedAt: string
  recipient: string
  subject: string
  registeredBy: string | null
}

/** The institution's registry practice (GET registry-practice). */
export interface RegistryPractice {
  answerNumbering: 'answer_register' | 'same_number'
  answerRegisterId: string | null
  ownAnnulMinutes: number
  updatedAt: string | null
}

/**
 * mayAnnulOwn: the registrar who registered an entry may annul it within
 * the institution's window (the server decides; this only offers the button).
 */
export function mayAnnulOwn(e: Pick<Entry, 'registeredBy' | 'registeredAt' | 'annulment'>, me: string, minutes: number, now: number): boolean {
  if (e.annulment || !e.registeredBy || e.registeredBy !== me) return false
  return now - Date.parse(e.registeredAt) <= minutes * 60_000
}

export interface EntryPage {
  items: Entry[]
  next: string | null
}

export const institutionPath = (inst: string) => `/api/institutions/${encodeURIComponent(inst)}`
export const entryPath = (inst: string, entry: string) => `${institutionPath(inst)}/registry-entries/${encodeURIComponent(entry)}`

/** The number as people write it: 12/2026. */
export const entryNumber = (e: Pick<Entry, 'number' | 'year'>) => `${e.number}/${e.year}`

// ---- What the desk remembers ----------------------------------------------

/** Where the desk keeps its memory in localStorage. */
export const memory = {
  register: 'ghiseu.desk.register',
  channel: 'ghiseu.desk.channel',
  senders: 'ghiseu.desk.senders',
  recipients: 'ghiseu.desk.recipients',
  /** The registrations of this browser session (sessionStorage). */
  session: 'ghiseu.desk.session',
}

/** How many recent senders (and recipients) the desk offers. */
export const recentMax = 20

const spaces = (s: string) => s.replace(/\s+/g, ' ').trim()

/**
 * remember puts value first in a list of recent names: spaces tidied, an
 * earlier spelling of the same name (case aside) replaced, at most max kept.
 */
export function remember(list: string[], value: string, max = recentMax): string[] {
  const v = spaces(value)
  if (!v) return list.slice(0, max)
  const key = v.toLocaleLowerCase('ro')
  return [v, ...list.filter((x) => spaces(x).toLocaleLowerCase('ro') !== key)].slice(0, max)
}

function storage(kind: 'local' | 'session'): Storage | undefined {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage
  } catch {
    return undefined // refused (private mode, a sandbox): nothing remembered
  }
}

export function loadString(key: string, kind: 'local' | 'session' = 'local'): string {
  try {
    return storage(kind)?.getItem(key) ?? ''
  } catch {
    return ''
  }
}

export function saveString(key: string, value: string, kind: 'local' | 'session' = 'local'): void {
  try {
    storage(kind)?.setItem(key, value)
  } catch {
    // full or refused: not remembered, which is fine
  }
}

/** loadJSON reads a remembered value, or fallback when there is none or it is not what valid says. */
export function loadJSON<T>(key: string, fallback: T, valid: (v: unknown) => v is T, kind: 'local' | 'session' = 'local'): T {
  try {
    const v: unknown = JSON.parse(loadString(key, kind) || 'null')
    return valid(v) ? v : fallback
  } catch {
    return fallback
  }
}

export const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

export function loadList(key: string): string[] {
  return loadJSON(key, [], isStringList).slice(0, recentMax)
}

export function saveList(key: string, list: string[]): void {
  saveString(key, JSON.stringify(list))
}

/** A registration of this session, as the desk lists it for a reprint. */
export interface Registered {
  id: string
  registerCode: string
  number: number
  year: number
  registeredAt: string
  subject: string
  receipt: string
}

export const isRegisteredList = (v: unknown): v is Registered[] =>
  Array.isArray(v) && v.every((x) => !!x && typeof x === 'object' && typeof (x as Registered).id === 'string' &&
    typeof (x as Registered).number === 'number' && typeof (x as Registered).receipt === 'string')

/** registered adds e to the session's list, newest first, at most max. */
export function registered(list: Registered[], e: Entry, max = 10): Registered[] {
  const r: Registered = { id: e.id, registerCode: e.registerCode, number: e.number, year: e.year, registeredAt: e.registeredAt,
    subject: e.subject, receipt: e.receipt }
  return [r, ...list.filter((x) => x.id !== e.id)].slice(0, max)
}

// ---- Registers -------------------------------------------------------------

/**
 * registerable: the open registers me may register in, as the API decides
 * it: a register kept by some departments takes the registrars of those
 * departments and those whose role is not limited to a department.
 */
export function registerable(registers: Register[], me: Me | null | undefined, inst: string | undefined): Register[] {
  if (!me || !inst) return []
  const grants = me.grants.filter((g) => g.institution === inst && g.permissions.includes('registry.register'))
  return registers.filter((r) => !r.closedAt &&
    grants.some((g) => r.departments.length === 0 || g.department === null || r.departments.includes(g.department)))
}

/** defaultRegister: the one used last if it is still there, else the first incoming one, else the first. */
export function defaultRegister(registers: Register[], last: string): Register | undefined {
  return registers.find((r) => r.id === last) ?? registers.find((r) => r.kind === 'incoming') ?? registers[0]
}

/** The direction a register's documents usually have (the API's default too). */
export function defaultDirection(kind: Register['kind'] | undefined): Direction {
  return kind === 'outgoing' || kind === 'internal' ? kind : 'incoming'
}

// ---- A registration --------------------------------------------------------

export interface Draft {
  registerId: string
  direction: Direction
  channel: Channel
  sender: string
  recipient: string
  subject: string
  pages: string
  attachments: string
  confidentiality: Confidentiality
}

/** Which parties a direction names: who sent it, who it goes to. */
export function parties(direction: Direction): { sender: boolean; recipient: boolean } {
  return { sender: direction !== 'outgoing', recipient: direction !== 'incoming' }
}

/** A count typed in a box: '' is none, else a whole number from 0 to 100000; undefined when it is not one. */
export function parseCount(s: string): number | null | undefined {
  const v = s.trim()
  if (v === '') return null
  if (!/^\d{1,6}$/.test(v)) return undefined
  const n = Number(v)
  return n <= 100000 ? n : undefined
}

export type DraftProblem = 'subjectRequired' | 'senderRequired' | 'recipientRequired' | 'countInvalid'

/** checkDraft finds what the API would refuse in a draft, by field (the API's field names). */
export function checkDraft(d: Draft): Record<string, DraftProblem> {
  const out: Record<string, DraftProblem> = {}
  const p = parties(d.direction)
  if (p.sender && d.direction === 'incoming' && !d.sender.trim()) out.sender = 'senderRequired'
  if (p.recipient && d.direction === 'outgoing' && !d.recipient.trim()) out.recipient = 'recipientRequired'
  if (!d.subject.trim()) out.subject = 'subjectRequired'
  if (parseCount(d.pages) === undefined) out.pages = 'countInvalid'
  if (parseCount(d.attachments) === undefined) out.attachments = 'countInvalid'
  return out
}

/** entryInput is the API's EntryInput for a draft: only the parties its direction names, counts only when given. */
export function entryInput(d: Draft): Record<string, unknown> {
  const p = parties(d.direction)
  const out: Record<string, unknown> = {
    registerId: d.registerId, direction: d.direction, channel: d.channel, subject: d.subject.trim(), confidentiality: d.confidentiality,
  }
  if (p.sender) out.sender = spaces(d.sender)
  if (p.recipient) out.recipient = spaces(d.recipient)
  const pages = parseCount(d.pages)
  const attachments = parseCount(d.attachments)
  if (typeof pages === 'number') out.pages = pages
  if (typeof attachments === 'number') out.attachments = attachments
  return out
}

/**
 * deskField is the form field an API field error belongs to: the files'
 * errors ("file", "documents[0].title") go to the file picker.
 */
export function deskField(apiField: string): string {
  if (apiField === 'file' || apiField.startsWith('documents')) return 'files'
  return apiField
}

// ---- Search ----------------------------------------------------------------

export interface Filters {
  q: string
  register: string
  direction: '' | Direction
  /** '' all, 'active' not annulled, 'annulled' annulled only. */
  status: '' | 'active' | 'annulled'
  year: string
  from: string
  to: string
  party: string
  number: string
}

export const noFilters: Filters = { q: '', register: '', direction: '', status: '', year: '', from: '', to: '', party: '', number: '' }
const filterNames = Object.keys(noFilters) as (keyof Filters)[]

/** filtersFromQuery reads a search from the page's URL parameters; unknown values are dropped. */
export function filtersFromQuery(query: Record<string, string | undefined>): Filters {
  const f: Filters = { ...noFilters }
  for (const k of filterNames) {
    const v = query[k]
    if (typeof v === 'string') (f as unknown as Record<string, string>)[k] = v.trim()
  }
  if (!(directions as string[]).includes(f.direction)) f.direction = ''
  if (f.status !== 'active' && f.status !== 'annulled') f.status = ''
  return f
}

/** filtersToQuery is the page's URL query for a search: only what is set, always in the same order. */
export function filtersToQuery(f: Filters): string {
  const p = new URLSearchParams()
  for (const k of filterNames) {
    const v = f[k].trim()
    if (v) p.set(k, v)
  }
  return p.toString()
}

/** searchQuery is the API's query for a search, one page of limit from cursor. */
export function searchQuery(f: Filters, cursor?: string, limit = 25): string {
  const p = new URLSearchParams()
  for (const k of ['q', 'register', 'direction', 'year', 'from', 'to', 'party', 'number'] as const) {
    const v = f[k].trim()
    if (v) p.set(k, v)
  }
  if (f.status) p.set('annulled', f.status === 'annulled' ? 'true' : 'false')
  p.set('limit', String(limit))
  if (cursor) p.set('cursor', cursor)
  return p.toString()
}

/** The party a row shows: who sent an incoming document, who an outgoing one goes to, both for an internal one. */
export function partyOf(e: Pick<Entry, 'direction' | 'sender' | 'recipient'>): string {
  if (e.direction === 'incoming') return e.sender
  if (e.direction === 'outgoing') return e.recipient
  return [e.sender, e.recipient].filter(Boolean).join(' → ')
}

// ---- Periods and exports -----------------------------------------------------

/** today is the calendar day (YYYY-MM-DD) it is in zone, Romania's by default. */
export function today(now = new Date(), zone = 'Europe/Bucharest'): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))

/** periodProblem says what is wrong with a period, if anything. */
export function periodProblem(from: string, to: string): 'fromRequired' | 'toRequired' | 'periodOrder' | undefined {
  if (!isDay(from)) return 'fromRequired'
  if (!isDay(to)) return 'toRequired'
  if (to < from) return 'periodOrder'
  return undefined
}

export type ExportFormat = 'csv' | 'pdf'

export function exportURL(inst: string, register: string, from: string, to: string, format: ExportFormat): string {
  const q = new URLSearchParams({ from, to, format })
  return `${institutionPath(inst)}/registers/${encodeURIComponent(register)}/export?${q}`
}

// ---- Corrections -----------------------------------------------------------

/** The facts a correction may change, in the order the page shows them. */
export const correctable = ['sender', 'recipient', 'subject', 'pages', 'attachments', 'confidentiality'] as const
export type Correctable = (typeof correctable)[number]

export interface CorrectionDraft {
  sender: string
  recipient: string
  subject: string
  pages: string
  attachments: string
  confidentiality: Confidentiality
  reason: string
}

export function correctionDraft(e: Entry): CorrectionDraft {
  return { sender: e.sender, recipient: e.recipient, subject: e.subject, pages: String(e.pages), attachments: String(e.attachments),
    confidentiality: e.confidentiality, reason: '' }
}

/**
 * correctionBody is the PATCH body of a correction: the reason and only
 * what changed; undefined values mark fields that are not valid.
 */
export function correctionBody(e: Entry, d: CorrectionDraft): { body: Record<string, unknown>; changed: number; invalid: string[] } {
  const body: Record<string, unknown> = { reason: d.reason.trim() }
  const invalid: string[] = []
  let changed = 0
  for (const k of ['sender', 'recipient', 'subject'] as const) {
    const v = k === 'subject' ? d[k].trim() : spaces(d[k])
    if (v !== e[k]) {
      body[k] = v
      changed++
    }
  }
  for (const k of ['pages', 'attachments'] as const) {
    const n = parseCount(d[k])
    if (typeof n !== 'number') {
      invalid.push(k)
      continue
    }
    if (n !== e[k]) {
      body[k] = n
      changed++
    }
  }
  if (d.confidentiality !== e.confidentiality) {
    body.confidentiality = d.confidentiality
    changed++
  }
  return { body, changed, invalid }
}

/** changes lists what a revision changed among the correctable facts. */
export function changes(r: Pick<EntryRevision, 'before' | 'after'>): { field: Correctable; before: unknown; after: unknown }[] {
  return correctable
    .filter((k) => JSON.stringify(r.before?.[k]) !== JSON.stringify(r.after?.[k]))
    .map((k) => ({ field: k, before: r.before?.[k], after: r.after?.[k] }))
}

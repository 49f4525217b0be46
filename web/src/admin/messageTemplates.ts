// The notification templates (notify's API, as openapi/notify.json
// describes it): which template the page shows (in its URL), the parts of a
// template, the data each kind of notification gives its template, and the
// messages that failed or wait.

export type TemplateLocale = 'ro' | 'en'
export const templateLocales: TemplateLocale[] = ['ro', 'en']

export interface TemplateSummary {
  name: string
  locale: TemplateLocale
  /** 0: the built-in one. */
  version: number
  builtIn: boolean
  updatedAt: string | null
}

export interface TemplateList {
  items: TemplateSummary[]
}

/** The parts of a template, in the order the editor shows them. */
export const parts = ['subject', 'text', 'html', 'sms', 'notice'] as const
export type Part = (typeof parts)[number]
export type Parts = Record<Part, string>

export interface MessageTemplate extends Parts {
  name: string
  locale: TemplateLocale
  version: number
  builtIn: boolean
  createdAt: string | null
  createdBy: string | null
}

/** The longest each part may be, as the API allows. */
export const partMax: Record<Part, number> = { subject: 1000, text: 20000, html: 50000, sms: 1000, notice: 2000 }

/** The version as If-Match wants it. */
export const templateETag = (version: number) => `"v${version}"`

export interface Message {
  id: number
  eventType: string
  eventId: string
  channel: 'email' | 'sms'
  accountId: string
  template: string
  locale: TemplateLocale
  templateVersion: number
  status: 'queued' | 'failed'
  attempts: number
  nextAttemptAt: string | null
  lastError: string | null
  createdAt: string
  failedAt: string | null
}

export interface MessageList {
  items: Message[]
  next?: string
}

export type MessageStatus = 'failed' | 'queued'

/** Which template the page has open, from its URL: none unless both the name and a known locale are there. */
export function openedFrom(query: Record<string, string | undefined>): { name: string; locale: TemplateLocale } | undefined {
  const name = (query.name ?? '').trim()
  const locale = query.locale
  if (!/^[a-z0-9-]{1,60}$/.test(name) || (locale !== 'ro' && locale !== 'en')) return undefined
  return { name, locale }
}

/** The page's address with a template open. */
export function templateHref(name: string, locale: TemplateLocale): string {
  return `/birou/sabloane?${new URLSearchParams({ name, locale })}`
}

/** The messages shown, from the page's URL: the failed ones unless it asks for those waiting. */
export function messageStatusOf(query: Record<string, string | undefined>): MessageStatus {
  return query.messages === 'queued' ? 'queued' : 'failed'
}

export function partsOf(t: Parts): Parts {
  return { subject: t.subject, text: t.text, html: t.html, sms: t.sms, notice: t.notice }
}

/** changed reports whether the parts differ from the version they started from. */
export function changed(from: Parts, now: Parts): boolean {
  return parts.some((p) => from[p] !== now[p])
}

export type PartProblem = 'required' | 'tooLong'

/** checkParts finds what the API refuses before parsing: a missing subject or text, a part too long. */
export function checkParts(p: Parts): Partial<Record<Part, PartProblem>> {
  const out: Partial<Record<Part, PartProblem>> = {}
  for (const part of parts) {
    if ((part === 'subject' || part === 'text') && !p[part].trim()) out[part] = 'required'
    else if ([...p[part]].length > partMax[part]) out[part] = 'tooLong'
  }
  return out
}

/**
 * The data a template is written over (shared/mail's Data): the account's
 * notifications have a one-time link; the request's have the request's
 * facts. Each name is shown as {{.Name}}; the message files describe them.
 */
const accountData = ['Name', 'Link', 'ExpiresAt']
const requestData = ['Name', 'Link', 'Institution', 'RequestType', 'RegisterCode', 'Number', 'Year', 'RegisteredAt', 'Deadline']
const requestExtra: Record<string, string[]> = {
  'request-extended': ['Days', 'Note'],
  'request-info-requested': ['Note'],
  'request-rejected': ['Note'],
  'request-filed': ['Note'],
  'request-forwarded': ['Destination', 'Note'],
  'request-resolved': ['Note'],
  'request-deadline-approaching': ['DaysLeft', 'Term'],
}

/** placeholders lists the data a template named name may use. */
export function placeholders(name: string): string[] {
  if (name === 'account-verification' || name === 'password-reset' || name === 'staff-invitation') return accountData
  if (!name.startsWith('request-')) return ['Name', 'Link', 'OccurredAt']
  return [...requestData, ...(requestExtra[name] ?? [])]
}

/** The data given as times, which the date and datetime functions write out. */
export const timeData = new Set(['ExpiresAt', 'RegisteredAt', 'Deadline', 'OccurredAt'])

/** A placeholder as a template writes it: {{.Number}}, {{date .RegisteredAt}} for a time; a request may have no deadline. */
export function placeholderText(data: string): string {
  if (data === 'Deadline') return '{{with .Deadline}}{{date .}}{{end}}'
  return timeData.has(data) ? `{{date .${data}}}` : `{{.${data}}}`
}

/** byName groups the list by template, each with its locales in the order of templateLocales. */
export function byName(items: TemplateSummary[]): { name: string; locales: TemplateSummary[] }[] {
  const out = new Map<string, TemplateSummary[]>()
  for (const t of items) out.set(t.name, [...(out.get(t.name) ?? []), t])
  return [...out].map(([name, locales]) => ({
    name, locales: locales.sort((a, b) => templateLocales.indexOf(a.locale) - templateLocales.indexOf(b.locale)),
  }))
}

import { createContext } from 'preact'
import type { ComponentChildren } from 'preact'
import { useContext, useMemo, useState } from 'preact/hooks'

// Every text the interface shows lives in the message files under ro/ and
// en/, one file per area; a key is "<file>.<name>" ("auth.signIn"). The
// back office's areas are under office/ro and office/en, loaded with its
// pages (office.tsx), so a citizen's first visit does not carry them. Romanian
// is the reference: a key missing in English falls back to it, and a key
// missing in both is shown as itself, which the tests catch.

export type Locale = 'ro' | 'en'
export const locales: Locale[] = ['ro', 'en']

type Messages = Record<string, string>
export type Catalogs = Record<Locale, Messages>

export function load(files: Record<string, { default: Record<string, string> }>): Messages {
  const out: Messages = {}
  for (const [path, mod] of Object.entries(files)) {
    const area = path.replace(/^.*\/([^/]+)\.json$/, '$1')
    for (const [k, v] of Object.entries(mod.default)) out[`${area}.${k}`] = v
  }
  return out
}

/** The portal's texts, which every page may use. */
export const catalogs: Catalogs = {
  ro: load(import.meta.glob('./ro/*.json', { eager: true })),
  en: load(import.meta.glob('./en/*.json', { eager: true })),
}

export type Params = Record<string, string | number>

// {count, plural, =0 {…} one {…} few {…} other {…}}: the choices are
// exact values (=0) or Intl.PluralRules categories.
export const pluralPattern = /\{(\w+), plural, ((?:[=\w]+ \{[^}]*\} ?)+)\}/g

// translate fills {name} placeholders; {count, plural, one {…} few {…} other {…}}
// chooses by Intl.PluralRules (Romanian has one, few and other).
export function translate(locale: Locale, key: string, params?: Params, from: Catalogs = catalogs): string {
  const text = from[locale][key] ?? from.ro[key] ?? key
  if (!params) return text
  const rules = new Intl.PluralRules(tag(locale))
  return text
    .replace(pluralPattern, (_, name: string, forms: string) => {
      const n = Number(params[name])
      const choices = Object.fromEntries([...forms.matchAll(/([=\w]+) \{([^}]*)\}/g)].map((m) => [m[1], m[2]]))
      const chosen = choices[`=${n}`] ?? choices[rules.select(n)] ?? choices.other ?? ''
      return chosen.replace(/#/g, formatNumber(locale, n))
    })
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

export function tag(locale: Locale): string {
  return locale === 'ro' ? 'ro-RO' : 'en-GB'
}

// Dates are shown in the institution's time zone, Romania's.
const zone = 'Europe/Bucharest'

export function formatDate(locale: Locale, d: string | Date): string {
  // A calendar day ("2026-12-01") is not an instant: shown as it is.
  if (typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d)) {
    const [y, m, day] = d.split('-').map(Number)
    return new Intl.DateTimeFormat(tag(locale), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(Date.UTC(y, m - 1, day)),
    )
  }
  return new Intl.DateTimeFormat(tag(locale), { day: 'numeric', month: 'long', year: 'numeric', timeZone: zone }).format(new Date(d))
}

export function formatDateTime(locale: Locale, d: string | Date): string {
  return new Intl.DateTimeFormat(tag(locale), {
    day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone,
  }).format(new Date(d))
}

export function formatNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(tag(locale)).format(n)
}

export function formatBytes(locale: Locale, n: number): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${new Intl.NumberFormat(tag(locale), { maximumFractionDigits: i === 0 ? 0 : 1 }).format(n)} ${units[i]}`
}

export interface I18n {
  locale: Locale
  setLocale: (l: Locale) => void
  t: (key: string, params?: Params) => string
  date: (d: string | Date) => string
  dateTime: (d: string | Date) => string
  number: (n: number) => string
  bytes: (n: number) => string
}

export function makeI18n(locale: Locale, setLocale: (l: Locale) => void = () => {}, from: Catalogs = catalogs): I18n {
  return {
    locale,
    setLocale,
    t: (key, params) => translate(locale, key, params, from),
    date: (d) => formatDate(locale, d),
    dateTime: (d) => formatDateTime(locale, d),
    number: (n) => formatNumber(locale, n),
    bytes: (n) => formatBytes(locale, n),
  }
}

const I18nContext = createContext<I18n>(makeI18n('ro'))

const storageKey = 'ghiseu.locale'

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(storageKey)
    if (saved === 'ro' || saved === 'en') return saved
  } catch {
    // storage refused (private mode): Romanian
  }
  return 'ro'
}

export function I18nProvider({ children, locale: fixed }: { children: ComponentChildren; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(fixed ?? initialLocale)
  const value = useMemo(() => {
    const set = (l: Locale) => {
      setLocaleState(l)
      document.documentElement.lang = l
      try {
        localStorage.setItem(storageKey, l)
      } catch {
        // not remembered: fine
      }
    }
    return makeI18n(locale, set)
  }, [locale])
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

/** WithMessages gives its children texts from more catalogs (a superset of the portal's), in the same locale. */
export function WithMessages({ catalogs: from, children }: { catalogs: Catalogs; children: ComponentChildren }) {
  const { locale, setLocale } = useI18n()
  const value = useMemo(() => makeI18n(locale, setLocale, from), [locale, setLocale, from])
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  return useContext(I18nContext)
}

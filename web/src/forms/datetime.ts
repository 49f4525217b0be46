// A date-time field holds an RFC 3339 instant with its offset
// ("2026-03-15T10:30:00+02:00"), which is what the server asserts, while
// <input type="datetime-local"> shows and gives a wall-clock time without
// one ("2026-03-15T10:30"). The wall clock is the institution's, Romania's,
// as everywhere else in the interface (i18n.tsx), whatever the browser's
// time zone is.

const zone = 'Europe/Bucharest'

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: zone,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

// wall is the wall-clock time in the zone at instant t, as fields.
function wall(t: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of parts.formatToParts(new Date(t))) if (p.type !== 'literal') out[p.type] = Number(p.value)
  return out
}

// offsetAt is the zone's offset from UTC at instant t, in minutes.
function offsetAt(t: number): number {
  const w = wall(t)
  const asUTC = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return Math.round((asUTC - Math.floor(t / 1000) * 1000) / 60000)
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/**
 * The instant a datetime-local value ("2026-03-15T10:30") names in
 * Romania, as RFC 3339 with the offset ("2026-03-15T10:30:00+02:00");
 * undefined for anything else.
 */
export function fromLocalInput(local: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(local)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0))
  const guess = Date.UTC(y, mo - 1, d, h, mi, s)
  // The offset at the guessed instant, then at the corrected one: twice is
  // enough around a change of summer time.
  let offset = offsetAt(guess - offsetAt(guess) * 60000)
  offset = offsetAt(guess - offset * 60000)
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** The datetime-local value showing an RFC 3339 instant in Romania; '' when it is not one. */
export function toLocalInput(value: unknown): string {
  if (typeof value !== 'string') return ''
  const t = Date.parse(value)
  if (Number.isNaN(t) || !/(?:[Zz]|[+-]\d{2}:\d{2})$/.test(value)) return ''
  const w = wall(t)
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`
  return w.second ? `${base}:${pad(w.second)}` : base
}

// The dashboard's arithmetic: the period asked for, the totals shown above
// the charts, and the scale the bars are drawn to.

export interface OverviewDay {
  day: string
  received: number
  resolved: number
  closedOtherwise: number
  overdue: number
}

export interface DepartmentLoad {
  id: string
  name: string
  open: number
  overdue: number
  dueSoon: number
}

export interface RequestOverview {
  from: string
  to: string
  today: string
  days: OverviewDay[]
  departments: DepartmentLoad[]
}

/** The periods offered, in days; the first is the default. */
export const periods = [30, 7, 90, 365] as const

/** periodDays reads the period from the page's query, the default when it is not one offered. */
export function periodDays(query: string | undefined): number {
  const n = Number(query)
  return (periods as readonly number[]).includes(n) ? n : periods[0]
}

/** periodStart is the first day of a period of days ending on today (both YYYY-MM-DD). */
export function periodStart(today: string, days: number): string {
  const [y, m, d] = today.split('-').map(Number)
  const start = new Date(Date.UTC(y, m - 1, d - (days - 1)))
  return start.toISOString().slice(0, 10)
}

export interface Totals {
  received: number
  resolved: number
  closedOtherwise: number
  open: number
  overdue: number
  dueSoon: number
}

/** totals sums the period's days and the departments' load today. */
export function totals(o: RequestOverview): Totals {
  const t: Totals = { received: 0, resolved: 0, closedOtherwise: 0, open: 0, overdue: 0, dueSoon: 0 }
  for (const d of o.days) {
    t.received += d.received
    t.resolved += d.resolved
    t.closedOtherwise += d.closedOtherwise
  }
  for (const l of o.departments) {
    t.open += l.open
    t.overdue += l.overdue
    t.dueSoon += l.dueSoon
  }
  return t
}

/**
 * scaleMax is the top of a chart's axis: the largest value rounded up to
 * 1, 2 or 5 times a power of ten, so the axis reads in round numbers; at
 * least 1, so an empty period still draws an axis.
 */
export function scaleMax(values: number[]): number {
  const max = Math.max(0, ...values)
  if (max <= 1) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power
  }
  return 10 * power
}

/** busiest is the day with the most received requests, the first of equals; undefined for no days. */
export function busiest(days: OverviewDay[]): OverviewDay | undefined {
  let best: OverviewDay | undefined
  for (const d of days) if (!best || d.received > best.received) best = d
  return best
}

import { describe, expect, test } from 'vitest'

import { busiest, periodDays, periodStart, scaleMax, totals } from './dashboard'
import type { OverviewDay, RequestOverview } from './dashboard'

const day = (d: string, received = 0, resolved = 0, closedOtherwise = 0, overdue = 0): OverviewDay =>
  ({ day: d, received, resolved, closedOtherwise, overdue })

describe('periodDays', () => {
  test.each([
    [undefined, 30], ['7', 7], ['30', 30], ['90', 90], ['365', 365], ['14', 30], ['abc', 30], ['', 30], ['-7', 30],
  ])('%s is %d days', (q, want) => {
    expect(periodDays(q)).toBe(want)
  })
})

describe('periodStart', () => {
  test.each([
    ['2026-11-24', 1, '2026-11-24'],
    ['2026-11-24', 7, '2026-11-18'],
    ['2026-03-01', 2, '2026-02-28'],
    ['2028-03-01', 2, '2028-02-29'],
    ['2026-01-05', 30, '2025-12-07'],
    ['2026-11-24', 365, '2025-11-25'],
    // The change to summer time (29 March 2026) changes no day count.
    ['2026-04-01', 7, '2026-03-26'],
  ])('%s back %d days starts %s', (today, days, want) => {
    expect(periodStart(today, days)).toBe(want)
  })
})

describe('scaleMax', () => {
  test.each([
    [[], 1], [[0, 0], 1], [[1], 1], [[2], 2], [[3], 5], [[5], 5], [[6], 10], [[10], 10], [[11], 20],
    [[19, 4], 20], [[21], 50], [[99], 100], [[101], 200], [[480], 500], [[501], 1000],
  ])('%j is drawn to %d', (values, want) => {
    expect(scaleMax(values)).toBe(want)
  })
})

test('totals add the days and the departments', () => {
  const o: RequestOverview = {
    from: '2026-11-22', to: '2026-11-24', today: '2026-11-24',
    days: [day('2026-11-22', 3, 1, 0, 2), day('2026-11-23', 0, 2, 1, 1), day('2026-11-24', 4, 0, 0, 1)],
    departments: [
      { id: 'a', name: 'Urbanism', open: 5, overdue: 1, dueSoon: 2 },
      { id: 'b', name: 'Taxe', open: 2, overdue: 0, dueSoon: 1 },
    ],
  }
  expect(totals(o)).toEqual({ received: 7, resolved: 3, closedOtherwise: 1, open: 7, overdue: 1, dueSoon: 3 })
})

test('the busiest day is the first with the most received', () => {
  expect(busiest([])).toBeUndefined()
  expect(busiest([day('a', 1), day('b', 3), day('c', 3), day('d', 2)])?.day).toBe('b')
})

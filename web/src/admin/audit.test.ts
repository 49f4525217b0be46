import { describe, expect, test } from 'vitest'

import {
  auditAPIQuery, auditFiltersFromQuery, auditFiltersToQuery, auditTime, brief, changesOf, checkAuditFilters, nextDay, noAuditFilters, objectFilterHref,
  objectHref, objectName, valueText, zonedStart,
} from './audit'
import type { AuditFilters } from './audit'

const actor = '0190e3c8-0000-7000-8000-000000000001'
const f = (over: Partial<AuditFilters>): AuditFilters => ({ ...noAuditFilters, ...over })

describe('the filters in the URL', () => {
  test.each([
    [{}, noAuditFilters, ''],
    [{ action: 'register.create' }, f({ action: 'register.create' }), 'action=register.create'],
    [{ to: '2026-03-31', actor: ` ${actor} `, from: '2026-03-01' }, f({ actor, from: '2026-03-01', to: '2026-03-31' }),
      `actor=${actor}&from=2026-03-01&to=2026-03-31`],
    [{ objectType: 'register', objectId: 'x y', unknown: 'z' }, f({ objectType: 'register', objectId: 'x y' }), 'objectType=register&objectId=x+y'],
    [{ action: '   ' }, noAuditFilters, ''],
  ])('%j reads as filters and back', (query, filters, back) => {
    expect(auditFiltersFromQuery(query)).toEqual(filters)
    expect(auditFiltersToQuery(filters)).toBe(back)
    // The round trip through the URL keeps the view.
    expect(auditFiltersFromQuery(Object.fromEntries(new URLSearchParams(back)))).toEqual(filters)
  })
})

describe('what the filters ask of the API', () => {
  test.each([
    [noAuditFilters, undefined, 'limit=50'],
    [f({ actor, action: 'register.create' }), undefined, `actor=${actor}&action=register.create&limit=50`],
    // Romanian time: UTC+2 in winter, UTC+3 in summer; the last day is included.
    [f({ from: '2026-01-15', to: '2026-01-15' }), undefined, 'from=2026-01-14T22%3A00%3A00Z&to=2026-01-15T22%3A00%3A00Z&limit=50'],
    [f({ from: '2026-07-01', to: '2026-07-31' }), undefined, 'from=2026-06-30T21%3A00%3A00Z&to=2026-07-31T21%3A00%3A00Z&limit=50'],
    [f({ objectType: 'register', objectId: 'abc' }), 1234, 'objectType=register&objectId=abc&after=1234&limit=50'],
  ])('%j after %s', (filters, after, want) => {
    expect(auditAPIQuery(filters, after)).toBe(want)
  })
})

test.each([
  ['2026-03-29', '2026-03-28T22:00:00Z'], // the night summer time starts (at 03:00)
  ['2026-03-30', '2026-03-29T21:00:00Z'],
  ['2026-10-25', '2026-10-24T21:00:00Z'], // the night it ends (at 04:00)
  ['2026-10-26', '2026-10-25T22:00:00Z'],
  ['2024-02-29', '2024-02-28T22:00:00Z'],
])('a day in Romania starts at the right instant: %s', (day, want) => {
  expect(zonedStart(day)).toBe(want)
})

test.each([
  ['2026-01-31', '2026-02-01'], ['2026-12-31', '2027-01-01'], ['2028-02-28', '2028-02-29'], ['2026-02-28', '2026-03-01'],
])('the day after %s is %s', (day, want) => {
  expect(nextDay(day)).toBe(want)
})

test.each([
  [noAuditFilters, {}],
  [f({ actor }), {}],
  [f({ actor: 'Andrei' }), { actor: 'actorInvalid' }],
  [f({ from: '2026-02-30' }), { from: 'dayInvalid' }],
  [f({ to: 'mâine' }), { to: 'dayInvalid' }],
  [f({ from: '2026-03-02', to: '2026-03-01' }), { to: 'periodOrder' }],
  [f({ from: '2026-03-01', to: '2026-03-01' }), {}],
])('checkAuditFilters %j', (filters, want) => {
  expect(checkAuditFilters(filters)).toEqual(want)
})

describe('a record made readable', () => {
  const register = { id: 'r1', code: 'PET', name: 'Petiții', kind: 'other', description: '', departments: [], createdAt: 't', closedAt: null }
  test.each([
    ['a creation names what it was made with', { old: null, new: register }, [
      { field: 'code', after: 'PET' }, { field: 'name', after: 'Petiții' }, { field: 'kind', after: 'other' }]],
    ['an update names what differs', { old: register, new: { ...register, name: 'Petiții și sesizări', closedAt: '2026-03-02T10:00:00Z' } }, [
      { field: 'name', before: 'Petiții', after: 'Petiții și sesizări' }, { field: 'closedAt', before: null, after: '2026-03-02T10:00:00Z' }]],
    ['a removal names what it had', { old: { name: 'Urbanism', code: 'URB' }, new: null }, [
      { field: 'name', before: 'Urbanism' }, { field: 'code', before: 'URB' }]],
    ['a read changes nothing', { old: null, new: null }, []],
    ['a value that is not an object', { old: { version: 1 }, new: { version: 2 } }, [{ field: 'version', before: 1, after: 2 }]],
    ['plain values', { old: 'a', new: 'b' }, [{ field: '', before: 'a', after: 'b' }]],
  ])('%s', (_, record, want) => {
    expect(changesOf(record)).toEqual(want)
  })

  test('all: bookkeeping included', () => {
    expect(changesOf({ old: null, new: register }, true).map((c) => c.field)).toEqual(['id', 'code', 'name', 'kind', 'createdAt'])
  })

  test.each([
    [null, '—'], ['text', 'text'], [3, '3'], [false, 'false'], [[], '—'], [['a', 'b'], 'a, b'], [{ a: 1 }, '{"a":1}'],
  ])('valueText(%j) = %s', (v, want) => {
    expect(valueText(v)).toBe(want)
  })

  test.each([
    [{ old: null, new: register }, 'PET'],
    [{ old: { indicator: 'II-3', title: 'Petiții' }, new: null }, 'II-3'],
    [{ old: null, new: { version: 2 } }, ''],
    [{ old: null, new: null }, ''],
  ])('objectName %j', (record, want) => {
    expect(objectName(record)).toBe(want)
  })

  test.each([
    ['registry_entry', actor, `/birou/registru/${actor}`],
    ['request', actor, `/birou/cereri/${actor}`],
    ['register', actor, undefined],
    ['message_template', 'request-filed/en', undefined],
  ])('objectHref %s %s', (objectType, objectId, want) => {
    expect(objectHref({ objectType, objectId })).toBe(want)
  })

  test('the records of one object, as a link', () => {
    expect(objectFilterHref({ objectType: 'message_template', objectId: 'request-filed/en' }))
      .toBe('/birou/audit?objectType=message_template&objectId=request-filed%2Fen')
  })
})

test.each([
  ['ro', '2026-03-02T08:30:05Z', '02.03.2026, 10:30:05'],
  ['ro', '2026-07-01T21:00:00Z', '02.07.2026, 00:00:00'],
  ['en', '2026-03-02T08:30:05Z', '02/03/2026, 10:30:05'],
] as const)('auditTime %s %s', (locale, iso, want) => {
  expect(auditTime(locale, iso)).toBe(want)
})

test.each([
  ['scurt', 'scurt'],
  ['x'.repeat(100), `${'x'.repeat(79)}…`],
  [['a', 'b', 'c'], 'a, b, c'],
  [['a', 'b', 'c', 'd', 'e'], 'a, b, c … (+2)'],
])('brief(%j)', (v, want) => {
  expect(brief(v)).toBe(want)
})

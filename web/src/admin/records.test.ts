import { describe, expect, test } from 'vitest'

import {
  changed, checkParts, messageStatusOf, openedFrom, placeholderText, placeholders, templateETag, templateHref,
} from './messageTemplates'
import type { Parts } from './messageTemplates'
import {
  checkFile, createBody as fileCreateBody, fileETag, patchBody, planHref, replace, yearChoices, yearOf,
} from './filing'
import type { FileDraft, FilingFile } from './filing'
import { currentYear } from './records'
import {
  changeBody, checkRegister, closeBody, createBody, emptyRegister, normaliseCode, toggle,
} from './registerConfig'
import type { Register } from './registerConfig'

// The pure logic of the records administration pages, by tables.

describe('registers', () => {
  test.each([
    ['pet', 'PET'], [' ab c ', 'ABC'], ['i-2', 'I-2'], ['ș1', 'Ș1'],
  ])('normaliseCode(%j) = %s', (s, want) => {
    expect(normaliseCode(s)).toBe(want)
  })

  test.each([
    [{ code: 'PET', name: 'Petiții' }, true, {}],
    [{ code: '', name: 'Petiții' }, true, { code: 'codeInvalid' }],
    [{ code: '-A', name: 'x' }, true, { code: 'codeInvalid' }],
    [{ code: 'ABCDEFGHIJKLMNOPQRSTU', name: 'x' }, true, { code: 'codeInvalid' }],
    [{ code: 'HCL.2', name: '  ' }, true, { name: 'nameRequired' }],
    [{ code: '', name: 'x'.repeat(201) }, false, { name: 'nameTooLong' }],
    [{ code: '', name: 'x', description: 'd'.repeat(2001) }, false, { description: 'descriptionTooLong' }],
    // A change has no code to check.
    [{ code: '', name: 'Registrul de intrare' }, false, {}],
  ])('checkRegister %j (create: %s)', (over, create, want) => {
    expect(checkRegister({ ...emptyRegister, ...over }, create)).toEqual(want)
  })

  const reg: Register = { id: 'r', code: 'PET', name: 'Petiții', kind: 'other', description: 'd', departments: ['b', 'a'], createdAt: 't', closedAt: null }

  test('a new register is sent whole, tidied', () => {
    expect(createBody({ code: ' pet ', name: ' Petiții ', kind: 'incoming', description: ' ', departments: ['a'] }))
      .toEqual({ code: 'PET', name: 'Petiții', kind: 'incoming', description: '', departments: ['a'] })
  })

  test.each([
    [true, { name: 'Petiții', description: 'd', departments: ['b', 'a'], closed: true }],
    [false, { name: 'Petiții', description: 'd', departments: ['b', 'a'], closed: false }],
  ])('closing (%s) keeps everything else as it is', (closed, want) => {
    expect(closeBody(reg, closed)).toEqual(want)
  })

  test('a change keeps the register open or closed as it is', () => {
    expect(changeBody({ name: ' Nou ', description: '', departments: [] }, true)).toEqual({ name: 'Nou', description: '', departments: [], closed: true })
  })

  test.each([
    [[], 'b', true, ['b']],
    [['c'], 'a', true, ['a', 'c']],
    [['a', 'c'], 'a', false, ['c']],
    [['a'], 'a', true, ['a']],
  ])('toggle(%j, %s, %s) keeps the chart order', (list, id, on, want) => {
    expect(toggle(list, id, on, ['a', 'b', 'c'])).toEqual(want)
  })
})

describe('the filing plan', () => {
  test.each([
    [{}, 2026, 2026], [{ year: '2025' }, 2026, 2025], [{ year: '1989' }, 2026, 2026], [{ year: 'anul' }, 2026, 2026],
    [{ year: ' 2030 ' }, 2026, 2030], [{ year: '20255' }, 2026, 2026],
  ])('yearOf(%j) in %d is %d', (query, current, want) => {
    expect(yearOf(query, current)).toBe(want)
  })

  test.each([
    [2026, 2026, '/birou/nomenclator'], [2025, 2026, '/birou/nomenclator?year=2025'],
  ])('planHref(%d)', (year, current, want) => {
    expect(planHref(year, current)).toBe(want)
  })

  test('yearChoices: next year to ten back, and the year shown', () => {
    expect(yearChoices(2026, 2026, 2)).toEqual([2027, 2026, 2025, 2024])
    expect(yearChoices(2026, 2001, 2)).toEqual([2027, 2026, 2025, 2024, 2001])
    expect(yearChoices(1991, 1991, 5)).toEqual([1992, 1991, 1990])
  })

  const good: FileDraft = { indicator: 'II-3', title: 'Petiții', retention: '10', departmentId: 'd1' }
  test.each([
    [good, true, {}],
    [{ ...good, indicator: '3/a' }, true, {}],
    [{ ...good, indicator: 'DT-UAT 12' }, true, {}],
    [{ ...good, indicator: 'Ș.1' }, true, {}],
    [{ ...good, indicator: '' }, true, { indicator: 'indicatorInvalid' }],
    [{ ...good, indicator: '-3' }, true, { indicator: 'indicatorInvalid' }],
    [{ ...good, indicator: 'II#3' }, true, { indicator: 'indicatorInvalid' }],
    [{ ...good, indicator: 'x'.repeat(41) }, true, { indicator: 'indicatorInvalid' }],
    [{ ...good, indicator: '' }, false, {}],
    [{ ...good, title: ' ' }, true, { title: 'titleRequired' }],
    [{ ...good, title: 'a\nb' }, true, { title: 'titleInvalid' }],
    [{ ...good, retention: '' as const }, true, { retention: 'retentionRequired' }],
    [{ ...good, departmentId: '' }, true, { departmentId: 'departmentRequired' }],
  ])('checkFile %j (create: %s)', (draft, create, want) => {
    expect(checkFile(draft, create)).toEqual(want)
  })

  test('a new file is sent tidied', () => {
    expect(fileCreateBody(2026, { ...good, indicator: ' II-3 ', title: ' Petiții ' }))
      .toEqual({ year: 2026, indicator: 'II-3', title: 'Petiții', retention: '10', departmentId: 'd1' })
  })

  const file: FilingFile = {
    institutionId: 'i', id: 'f1', year: 2026, indicator: 'II-3', title: 'Petiții', retention: '10', departmentId: 'd1', revision: 4,
    createdAt: 't', createdBy: null, updatedAt: 't', updatedBy: null, closedAt: null, closedBy: null,
  }
  test.each([
    [good, {}],
    [{ ...good, title: 'Petiții și sesizări ' }, { title: 'Petiții și sesizări' }],
    [{ ...good, retention: 'permanent' as const, departmentId: 'd2' }, { retention: 'permanent', departmentId: 'd2' }],
  ])('patchBody sends only what changed: %j', (draft, want) => {
    expect(patchBody(file, draft)).toEqual(want)
  })

  test('the ETag is the revision', () => {
    expect(fileETag(file)).toBe('"4"')
  })

  test('replace keeps the order of the indicators, numbers by value', () => {
    const list = [{ ...file, id: 'a', indicator: 'II-2' }, { ...file, id: 'b', indicator: 'II-9' }]
    expect(replace(list, { ...file, id: 'c', indicator: 'II-10' }).map((f) => f.indicator)).toEqual(['II-2', 'II-9', 'II-10'])
    expect(replace(list, { ...file, id: 'a', indicator: 'II-2', title: 'Nou' }).map((f) => f.title)).toEqual(['Nou', 'Petiții'])
  })
})

describe('notification templates', () => {
  test.each([
    [{}, undefined],
    [{ name: 'request-filed', locale: 'en' }, { name: 'request-filed', locale: 'en' }],
    [{ name: 'request-filed', locale: 'fr' }, undefined],
    [{ name: '../x', locale: 'ro' }, undefined],
  ])('openedFrom(%j)', (query, want) => {
    expect(openedFrom(query)).toEqual(want)
  })

  test('a template opened is in the URL', () => {
    expect(templateHref('request-filed', 'en')).toBe('/birou/sabloane?name=request-filed&locale=en')
    expect(openedFrom(Object.fromEntries(new URL(templateHref('request-filed', 'en'), 'http://x').searchParams))).toEqual({ name: 'request-filed', locale: 'en' })
  })

  test.each([[{}, 'failed'], [{ messages: 'queued' }, 'queued'], [{ messages: 'other' }, 'failed']] as const)('messageStatusOf(%j)', (q, want) => {
    expect(messageStatusOf(q)).toBe(want)
  })

  test('the version is the ETag', () => {
    expect(templateETag(0)).toBe('"v0"')
    expect(templateETag(12)).toBe('"v12"')
  })

  const p: Parts = { subject: 'Nr. {{.Number}}', text: 'Bună ziua', html: '', sms: '', notice: '' }
  test.each([
    [p, {}],
    [{ ...p, subject: ' ' }, { subject: 'required' }],
    [{ ...p, text: '' }, { text: 'required' }],
    [{ ...p, sms: 'x'.repeat(1001) }, { sms: 'tooLong' }],
    [{ ...p, notice: 'ă'.repeat(2000) }, {}],
  ])('checkParts %j', (parts, want) => {
    expect(checkParts(parts)).toEqual(want)
  })

  test('changed', () => {
    expect(changed(p, { ...p })).toBe(false)
    expect(changed(p, { ...p, sms: 'x' })).toBe(true)
  })

  test.each([
    ['account-verification', ['Name', 'Link', 'ExpiresAt']],
    ['request-forwarded', ['Name', 'Link', 'Institution', 'RequestType', 'RegisterCode', 'Number', 'Year', 'RegisteredAt', 'Deadline', 'Destination', 'Note']],
    ['request-deadline-approaching', ['Name', 'Link', 'Institution', 'RequestType', 'RegisterCode', 'Number', 'Year', 'RegisteredAt', 'Deadline', 'DaysLeft', 'Term']],
    ['backup-failed', ['Name', 'Link', 'OccurredAt']],
  ])('placeholders(%s)', (name, want) => {
    expect(placeholders(name)).toEqual(want)
  })

  test.each([
    ['Number', '{{.Number}}'], ['RegisteredAt', '{{date .RegisteredAt}}'], ['Deadline', '{{with .Deadline}}{{date .}}{{end}}'],
  ])('placeholderText(%s)', (data, want) => {
    expect(placeholderText(data)).toBe(want)
  })
})

test.each([
  ['2026-12-31T21:59:59Z', 2026], ['2026-12-31T22:00:00Z', 2027], ['2026-06-30T12:00:00Z', 2026],
])('the current year in Romania at %s', (at, want) => {
  expect(currentYear(new Date(at))).toBe(want)
})

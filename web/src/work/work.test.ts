import { describe, expect, test } from 'vitest'

import { ApiError } from '../api/client'
import type { Grant, Me } from '../api/types'
import { parseSchema } from '../forms'
import { seeds } from '../forms/fixtures'
import { dataRows } from './data'
import type { DataFormat } from './data'
import {
  actorOf, allowedActions, awaitsRegistry, canInDepartment, eligibleAssignees, ifMatch, readableDepartments, refusal, todayInRomania, validDays,
} from './work'
import type { StaffMember } from './work'

const inst = '11111111-1111-1111-1111-111111111111'
const other = '99999999-9999-9999-9999-999999999999'
const uat = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
const itl = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'

function me(...grants: Grant[]): Me {
  return {
    id: 'me', kind: 'staff', email: 'x@primarialugoj.ro', emailVerified: true, displayName: 'X', phone: null, locale: 'ro', cnpMasked: null,
    cui: null, institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false, grants,
  }
}

const clerk: Grant = { institution: inst, department: uat, role: 'clerk', permissions: ['requests.read', 'requests.resolve'] }
const head: Grant = { institution: inst, department: uat, role: 'head_of_department', permissions: ['requests.read', 'requests.resolve', 'requests.assign', 'users.read'] }
const secretary: Grant = { institution: inst, department: null, role: 'secretary_general', permissions: ['requests.read', 'users.read'] }

const request = (status: string, extendedDays = 0, maxExtensionDays = extendedDays > 0 ? 0 : 15) =>
  ({ status: status as never, extendedDays, maxExtensionDays, departmentId: uat, institutionId: inst })

describe('allowedActions', () => {
  test.each([
    ['registered', ['assign', 'start', 'ask_info', 'extend', 'resolve', 'reject', 'forward', 'file']],
    ['assigned', ['assign', 'start', 'ask_info', 'extend', 'resolve', 'reject', 'forward', 'file']],
    ['in_progress', ['assign', 'ask_info', 'extend', 'resolve', 'reject', 'forward', 'file']],
    // Waiting for the applicant: no new question, no extension.
    ['info_requested', ['assign', 'resolve', 'reject', 'forward', 'file']],
    ['submitted', []],
    ['resolved', []],
    ['rejected', []],
    ['filed_away', []],
    ['forwarded', []],
  ])('a head of department, %s', (status, want) => {
    expect(allowedActions(request(status), me(head))).toEqual(want)
  })

  test('a clerk may not assign', () => {
    expect(allowedActions(request('registered'), me(clerk))).toEqual(['start', 'ask_info', 'extend', 'resolve', 'reject', 'forward', 'file'])
  })

  test('the term is extended once', () => {
    expect(allowedActions(request('extended', 10), me(clerk))).toEqual(['ask_info', 'resolve', 'reject', 'forward', 'file'])
    expect(allowedActions(request('in_progress', 5), me(clerk))).not.toContain('extend')
  })

  test('nor once its term is over (maxExtensionDays 0)', () => {
    expect(allowedActions(request('in_progress', 0, 0), me(clerk))).not.toContain('extend')
  })

  test('who only reads does nothing', () => {
    expect(allowedActions(request('registered'), me(secretary))).toEqual([])
  })

  test('a grant in another department or institution does not count', () => {
    expect(allowedActions(request('registered'), me({ ...clerk, department: itl }))).toEqual([])
    expect(allowedActions(request('registered'), me({ ...head, institution: other }))).toEqual([])
    expect(allowedActions(request('registered'), null)).toEqual([])
  })

  test('a whole-institution grant counts for every department', () => {
    expect(allowedActions(request('registered'), me({ ...clerk, department: null }))).toContain('resolve')
  })
})

test('canInDepartment and readableDepartments', () => {
  expect(canInDepartment(me(head), 'requests.assign', inst, uat)).toBe(true)
  expect(canInDepartment(me(head), 'requests.assign', inst, itl)).toBe(false)
  expect(canInDepartment(me(head), 'requests.assign', undefined, uat)).toBe(false)
  expect(readableDepartments(me(head), inst)).toEqual([uat])
  expect(readableDepartments(me(head, { ...clerk, department: itl }), inst)).toEqual([uat, itl])
  expect(readableDepartments(me(head, secretary), inst)).toBe('all')
  expect(readableDepartments(me(head), other)).toEqual([])
})

describe('eligibleAssignees', () => {
  const role = (r: string, departmentId: string | null, validFrom = '2020-01-01', validUntil: string | null = null) => ({ role: r, departmentId, validFrom, validUntil })
  const person = (id: string, displayName: string, roles: StaffMember['roles'], status: StaffMember['status'] = 'active'): StaffMember =>
    ({ id, email: `${id}@x.ro`, displayName, status, roles })
  const staff = [
    person('radu', 'Radu Stoica', [role('clerk', uat)]),
    person('elena', 'Elena Dumitrescu', [role('head_of_department', uat)]),
    person('maria', 'Maria Ionescu', [role('registrar', null)]),
    person('fiscal', 'Florin Fiscal', [role('clerk', itl)]),
    person('admin', 'Andrei Munteanu', [role('administrator', null)]),
    person('gone', 'Gheorghe Plecat', [role('clerk', uat)], 'closed'),
    person('later', 'Liviu Viitor', [role('clerk', uat, '2030-01-01')]),
    person('past', 'Paula Trecut', [role('clerk', uat, '2020-01-01', '2025-12-31')]),
  ]
  test('who resolves the department requests, today, by name', () => {
    expect(eligibleAssignees(staff, uat, '2026-03-01').map((s) => s.id)).toEqual(['admin', 'elena', 'radu'])
  })
})

test('refusal tells a stale page, a known conflict, field errors and the rest apart', () => {
  expect(refusal(new ApiError(412, {}))).toEqual({ kind: 'stale' })
  expect(refusal(new ApiError(409, { code: 'already_extended' }))).toEqual({ kind: 'conflict', code: 'already_extended' })
  expect(refusal(new ApiError(409, { code: 'something_new' }))).toEqual({ kind: 'other' })
  expect(refusal(new ApiError(422, { errors: [{ field: 'reason', code: 'reason.required', message: 'm', messageEn: 'm' }] }))).toEqual({ kind: 'fields' })
  expect(refusal(new ApiError(500, {}))).toEqual({ kind: 'other' })
  expect(refusal(new Error('x'))).toEqual({ kind: 'other' })
})

test('ifMatch quotes the revision', () => {
  expect(ifMatch(7)).toEqual({ 'If-Match': '"7"' })
})

// The cap is the request's: 15 days for a petition, 20 for public information (30 in all).
test.each([
  ['1', 15, 1], ['15', 15, 15], [' 10 ', 15, 10], ['0', 15, undefined], ['16', 15, undefined], ['20', 20, 20], ['21', 20, undefined],
  ['1', 0, undefined], ['1.5', 15, undefined], ['', 15, undefined], ['abc', 15, undefined], ['-3', 15, undefined],
])('validDays(%j) up to %i', (text, max, want) => {
  expect(validDays(text, max)).toBe(want)
})

test('todayInRomania is the calendar day in Bucharest', () => {
  // 22:30 UTC on 31 December is already the new year in Romania (UTC+2).
  expect(todayInRomania(new Date('2025-12-31T22:30:00Z'))).toBe('2026-01-01')
})

test('actorOf names who acted', () => {
  const names = new Map([['radu', 'Radu Stoica']])
  const row = (actorKind: string, actorId: string | null) => ({ id: 1, at: '', action: 'x', status: 's', actorKind, note: '', details: {}, actorId })
  expect(actorOf(row('system', null), 'me', names)).toEqual({ kind: 'system' })
  expect(actorOf(row('citizen', 'c'), 'me', names)).toEqual({ kind: 'applicant' })
  expect(actorOf(row('staff', 'me'), 'me', names)).toEqual({ kind: 'me' })
  expect(actorOf(row('staff', 'radu'), 'me', names)).toEqual({ kind: 'staff', name: 'Radu Stoica' })
  expect(actorOf(row('staff', 'unknown'), 'me', names)).toEqual({ kind: 'staff', name: undefined })
  expect(actorOf(row('machine', 'm'), 'me', names)).toEqual({ kind: 'machine' })
  // The change's own signature wins, and needs no staff list.
  const signed = { ...row('staff', 'unknown'), actorName: 'Elena Dumitrescu', actorDepartment: 'Serviciul Urbanism' }
  expect(actorOf(signed, 'me', new Map())).toEqual({ kind: 'staff', name: 'Elena Dumitrescu', department: 'Serviciul Urbanism' })
})

test('awaitsRegistry: a number or an answer on its way', () => {
  const reg = { entryId: '', registerCode: '', number: 1, year: 2026, registeredAt: '', verificationCode: '', receiptUrl: '' }
  expect(awaitsRegistry({ status: 'submitted', registration: null, answer: null })).toBe(true)
  expect(awaitsRegistry({ status: 'registered', registration: reg, answer: null })).toBe(false)
  expect(awaitsRegistry({ status: 'resolved', registration: reg, answer: null })).toBe(true)
  expect(awaitsRegistry({ status: 'resolved', registration: reg, answer: { entryId: '', number: 3 } })).toBe(false)
})

describe('dataRows', () => {
  const fmt = (locale: 'ro' | 'en'): DataFormat => ({
    locale, yes: locale === 'ro' ? 'Da' : 'Yes', no: locale === 'ro' ? 'Nu' : 'No',
    date: (d) => `D(${d})`, dateTime: (d) => `DT(${d})`, number: (n) => `N(${n})`,
  })

  test('with the form: its titles, its order, its choices', () => {
    const tree = parseSchema(seeds['certificat-urbanism'])
    const data = { area: 540, purpose: 'construire', landBookNumber: '401234', cadastralNumber: '401234', inIntravilan: true, extra: 'x' }
    expect(dataRows(data, tree, fmt('ro'))).toEqual([
      { path: 'cadastralNumber', label: 'Număr cadastral', value: '401234' },
      { path: 'landBookNumber', label: 'Număr carte funciară (CF)', value: '401234' },
      { path: 'purpose', label: 'Scopul certificatului', value: 'Construire' },
      { path: 'area', label: 'Suprafața terenului (mp)', value: 'N(540)' },
      { path: 'inIntravilan', label: 'Teren în intravilan', value: 'Da' },
      { path: 'extra', label: 'extra', value: 'x' },
    ])
    expect(dataRows({ purpose: 'vanzare' }, tree, fmt('en'))).toEqual([{ path: 'purpose', label: 'Purpose of the certificate', value: 'Sale / purchase' }])
  })

  test('nested objects and lists of objects', () => {
    const tree = parseSchema(seeds.petitie)
    const rows = dataRows({ name: 'Ștefan Țăranu', address: { street: 'Str. Făgetului 12', locality: 'Lugoj' } }, tree, fmt('ro'))
    expect(rows.find((r) => r.path === 'address.street')?.label).toMatch(/ › /)
    expect(rows.map((r) => r.value)).toEqual(['Ștefan Țăranu', 'Str. Făgetului 12', 'Lugoj'])
  })

  test('without the form: the keys, and nothing empty', () => {
    const data = { a: 'x', empty: '', none: null, list: [1, 2], people: [{ name: 'A' }, { name: 'B' }], nested: { deep: false } }
    expect(dataRows(data, undefined, fmt('ro'))).toEqual([
      { path: 'a', label: 'a', value: 'x' },
      { path: 'list', label: 'list', value: 'N(1), N(2)' },
      { path: 'people[0].name', label: 'people 1 › name', value: 'A' },
      { path: 'people[1].name', label: 'people 2 › name', value: 'B' },
      { path: 'nested.deep', label: 'nested › deep', value: 'Nu' },
    ])
    expect(dataRows(null, undefined, fmt('ro'))).toEqual([])
  })
})

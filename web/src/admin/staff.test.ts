import { describe, expect, test } from 'vitest'

import { officeCatalogs as catalogs } from '../i18n/office'
import {
  allPages, assignBody, assignmentState, checkAssign, checkReason, isKnownRole, mayRevoke, memberState, roleCodes, sortAssignments, todayIn,
} from './staff'
import type { RoleAssignment } from './staff'

function assignment(over: Partial<RoleAssignment>): RoleAssignment {
  return {
    id: 'a', institutionId: 'i', accountId: 'p', role: 'clerk', departmentId: null, validFrom: '2026-03-01', validUntil: null, grantedBy: null,
    reason: 'Angajare', createdAt: '2026-03-01T08:00:00Z', revokedAt: null, revokedBy: null, revokeReason: null, ...over,
  }
}

describe('assignmentState', () => {
  const today = '2026-03-10'
  test.each([
    ['in force, with no end', { validFrom: '2026-03-01' }, 'current'],
    ['in force from today', { validFrom: '2026-03-10' }, 'current'],
    ['in force through its last day, today', { validFrom: '2026-03-01', validUntil: '2026-03-10' }, 'current'],
    ['to come from tomorrow', { validFrom: '2026-03-11' }, 'future'],
    ['to come, with an end', { validFrom: '2026-04-01', validUntil: '2026-04-30' }, 'future'],
    ['ended yesterday', { validFrom: '2026-01-01', validUntil: '2026-03-09' }, 'past'],
    ['revoked while in force', { revokedAt: '2026-03-05T10:00:00Z' }, 'revoked'],
    ['revoked before it began', { validFrom: '2026-04-01', revokedAt: '2026-03-05T10:00:00Z' }, 'revoked'],
    ['revoked after it ended', { validUntil: '2026-03-02', revokedAt: '2026-03-05T10:00:00Z' }, 'revoked'],
  ] as const)('%s', (_, over, want) => {
    expect(assignmentState(assignment(over), today)).toBe(want)
    expect(mayRevoke(assignment(over), today)).toBe(want === 'current' || want === 'future')
  })

  test('the staff list’s roles, without a revocation, are classified alike', () => {
    expect(assignmentState({ validFrom: '2026-05-01', validUntil: null }, today)).toBe('future')
  })
})

test('sortAssignments: in force, to come, ended, revoked; the newest first within each', () => {
  const today = '2026-03-10'
  const list = [
    assignment({ id: 'revoked', revokedAt: '2026-03-05T10:00:00Z' }),
    assignment({ id: 'past', validFrom: '2025-01-01', validUntil: '2025-12-31' }),
    assignment({ id: 'current-old', validFrom: '2025-01-01' }),
    assignment({ id: 'future', validFrom: '2026-06-01' }),
    assignment({ id: 'current-new', validFrom: '2026-03-01' }),
  ]
  expect(sortAssignments(list, today).map((a) => a.id)).toEqual(['current-new', 'current-old', 'future', 'past', 'revoked'])
  // The list given is left as it was.
  expect(list[0].id).toBe('revoked')
})

describe('todayIn', () => {
  test.each([
    // 22:30 UTC on 31 December is already 1 January in Bucharest (UTC+2).
    ['2026-12-31T22:30:00Z', 'Europe/Bucharest', '2027-01-01'],
    ['2026-12-31T22:30:00Z', 'UTC', '2026-12-31'],
    // In summer, UTC+3.
    ['2026-07-14T20:59:00Z', 'Europe/Bucharest', '2026-07-14'],
    ['2026-07-14T21:00:00Z', 'Europe/Bucharest', '2026-07-15'],
    // An unknown zone counts as Romania's.
    ['2026-12-31T22:30:00Z', 'Nowhere/Else', '2027-01-01'],
  ])('%s in %s', (at, zone, want) => {
    expect(todayIn(zone, new Date(at))).toBe(want)
  })
})

describe('checkAssign', () => {
  const ok = { role: 'registrar', departmentId: '', validFrom: '', validUntil: '', reason: 'Înlocuiește registratura în concediu' }
  test.each([
    ['a whole form', ok, {}],
    ['a period', { ...ok, validFrom: '2026-03-01', validUntil: '2026-03-31' }, {}],
    ['a one-day period', { ...ok, validFrom: '2026-03-01', validUntil: '2026-03-01' }, {}],
    ['an end with no start (today)', { ...ok, validUntil: '2026-03-31' }, {}],
    ['no role', { ...ok, role: '' }, { role: 'role' }],
    ['an end before the start', { ...ok, validFrom: '2026-03-10', validUntil: '2026-03-09' }, { validUntil: 'period' }],
    ['a date not a date', { ...ok, validFrom: '1.3.2026' }, { validFrom: 'date' }],
    ['an end not a date', { ...ok, validUntil: 'mâine' }, { validUntil: 'date' }],
    ['a short reason', { ...ok, reason: ' abc ' }, { reason: 'reasonShort' }],
    ['a reason of five letters with diacritics', { ...ok, reason: 'ștață' }, {}],
    ['a long reason', { ...ok, reason: 'x'.repeat(1001) }, { reason: 'reasonLong' }],
    ['everything wrong', { role: '', departmentId: '', validFrom: 'x', validUntil: 'y', reason: '' },
      { role: 'role', validFrom: 'date', validUntil: 'date', reason: 'reasonShort' }],
  ])('%s', (_, form, want) => {
    expect(checkAssign(form)).toEqual(want)
  })

  test('checkReason counts characters, not bytes', () => {
    expect(checkReason('țțțțț')).toBeUndefined()
    expect(checkReason('ț'.repeat(1000))).toBeUndefined()
  })
})

test('assignBody leaves the defaults to the API', () => {
  expect(assignBody('p', { role: 'clerk', departmentId: '', validFrom: '', validUntil: '', reason: ' Angajare nouă ' }))
    .toEqual({ accountId: 'p', role: 'clerk', reason: 'Angajare nouă' })
  expect(assignBody('p', { role: 'clerk', departmentId: 'd', validFrom: '2026-03-01', validUntil: '2026-03-31', reason: 'Detașare' }))
    .toEqual({ accountId: 'p', role: 'clerk', departmentId: 'd', validFrom: '2026-03-01', validUntil: '2026-03-31', reason: 'Detașare' })
})

test.each([
  [{ status: 'active', emailVerified: true }, 'active'],
  [{ status: 'active', emailVerified: false }, 'invited'],
  [{ status: 'closed', emailVerified: true }, 'closed'],
] as const)('memberState %j', (m, want) => {
  expect(memberState(m)).toBe(want)
})

test('every role that may be assigned has a name in both languages', () => {
  for (const r of roleCodes) {
    expect(catalogs.ro[`staff.role.${r}`], r).toBeTruthy()
    expect(catalogs.en[`staff.role.${r}`], r).toBeTruthy()
  }
  expect(catalogs.ro['staff.role.registrar']).toBe('Registratură')
  expect(isKnownRole('registrar')).toBe(true)
  expect(isKnownRole('citizen')).toBe(false)
})

test('allPages follows the cursor to the last page', async () => {
  const asked: string[] = []
  const pages: Record<string, { items: number[]; next: string | null }> = {
    '/x?account=a': { items: [1, 2], next: 'c1' },
    '/x?account=a&after=c1': { items: [3], next: 'c2' },
    '/x?account=a&after=c2': { items: [], next: null },
  }
  const got = await allPages('/x?account=a', async (p) => { asked.push(p); return pages[p] }, (p) => p.items)
  expect(got).toEqual([1, 2, 3])
  expect(asked).toHaveLength(3)
})

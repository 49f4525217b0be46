import { describe, expect, test } from 'vitest'

import {
  buildTree, checkDepartment, countDepartments, departmentBody, departmentPatch, institutionPatch, moveTargets, problemKey,
  organisationProblems, subtree, timeZones,
} from './organisation'
import type { InstitutionDetail } from './organisation'
import { departmentLabel, flattenDepartments } from './departments'
import { ApiError } from '../api/client'
import type { Department, DepartmentNode } from '../api/types'

const inst = '11111111-1111-1111-1111-111111111111'

function dept(id: string, name: string, parentId: string | null = null, kind: Department['kind'] = 'service'): Department {
  return { id, institutionId: inst, parentId, kind, code: id.toUpperCase(), name, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }
}

// Direcția tehnică ─┬─ Serviciul Urbanism ── Biroul Autorizații
//                   └─ Serviciul Drumuri
// Direcția economică ── Serviciul Taxe
const flat = [
  dept('dt', 'Direcția tehnică', null, 'direction'),
  dept('uat', 'Serviciul Urbanism', 'dt'),
  dept('aut', 'Biroul Autorizații', 'uat', 'office'),
  dept('drm', 'Serviciul Drumuri', 'dt'),
  dept('de', 'Direcția economică', null, 'direction'),
  dept('itl', 'Serviciul Taxe', 'de'),
]
const tree = buildTree(flat)
const names = (ns: DepartmentNode[]): unknown => ns.map((n) => (n.children.length ? [n.name, names(n.children)] : n.name))

describe('buildTree', () => {
  test('nests by parent and sorts by name, Romanian letters in their place', () => {
    expect(names(tree)).toEqual([
      ['Direcția economică', ['Serviciul Taxe']],
      ['Direcția tehnică', ['Serviciul Drumuri', ['Serviciul Urbanism', ['Biroul Autorizații']]]],
    ])
  })

  test.each([
    ['an empty chart', [], []],
    ['a parent not in the list hangs from the top', [dept('a', 'A', 'missing')], ['A']],
    ['a department that is its own parent hangs from the top', [dept('a', 'A', 'a')], ['A']],
    ['a cycle is cut, not looped', [dept('a', 'A', 'b'), dept('b', 'B', 'a')], [['A', ['B']]]],
    ['a cycle under a sound root is cut too', [dept('r', 'R'), dept('b', 'B', 'c'), dept('c', 'C', 'b')], ['R', ['B', ['C']]]],
    ['ș and ț sort after s and t', [dept('x', 'Ținutul'), dept('y', 'Tinerețe'), dept('z', 'Șanț'), dept('w', 'Sat')],
      ['Sat', 'Șanț', 'Tinerețe', 'Ținutul']],
  ])('%s', (_, input, want) => {
    expect(names(buildTree(input as Department[]))).toEqual(want)
  })
})

describe('flatten and moving', () => {
  test('depth first, each before its sub-departments, with its depth', () => {
    expect(flattenDepartments(tree).map((f) => [f.id, f.depth])).toEqual([
      ['de', 0], ['itl', 1], ['dt', 0], ['drm', 1], ['uat', 1], ['aut', 2],
    ])
    expect(countDepartments(tree)).toBe(6)
    expect(countDepartments([])).toBe(0)
  })

  test.each([
    ['uat', ['uat', 'aut']],
    ['dt', ['dt', 'drm', 'uat', 'aut']],
    ['aut', ['aut']],
    ['none', []],
  ])('the subtree of %s', (id, want) => {
    expect([...subtree(tree, id)]).toEqual(want)
  })

  test.each([
    // A department moves anywhere but under itself or its own sub-departments.
    ['uat', ['de', 'itl', 'dt', 'drm']],
    ['dt', ['de', 'itl']],
    ['aut', ['de', 'itl', 'dt', 'drm', 'uat']],
    // A new one goes anywhere.
    [undefined, ['de', 'itl', 'dt', 'drm', 'uat', 'aut']],
  ])('where %s may move', (id, want) => {
    expect(moveTargets(tree, id).map((f) => f.id)).toEqual(want)
  })

  test('an option shows its depth', () => {
    const aut = flattenDepartments(tree).find((f) => f.id === 'aut')!
    expect(departmentLabel(aut)).toBe('\u2003\u2003Biroul Autorizații')
  })
})

describe('department forms', () => {
  test.each([
    [{ kind: 'service', code: 'DT-UAT', name: 'Urbanism', parentId: '' }, {}],
    [{ kind: '', code: 'DT-UAT', name: 'Urbanism', parentId: '' }, { kind: 'kind' }],
    [{ kind: 'office', code: '-X', name: 'Urbanism', parentId: '' }, { code: 'code' }],
    [{ kind: 'office', code: 'A B', name: 'Urbanism', parentId: '' }, { code: 'code' }],
    [{ kind: 'office', code: 'A'.repeat(33), name: 'Urbanism', parentId: '' }, { code: 'code' }],
    [{ kind: 'office', code: 'a.b_c-1', name: '  ', parentId: '' }, { name: 'name' }],
    [{ kind: 'office', code: 'X', name: 'ș'.repeat(301), parentId: '' }, { name: 'name' }],
  ] as const)('checkDepartment %j', (form, want) => {
    expect(checkDepartment(form)).toEqual(want)
  })

  test('a new department is sent trimmed, its parent null at the top', () => {
    expect(departmentBody({ kind: 'office', code: ' AUT ', name: ' Biroul ', parentId: '' }))
      .toEqual({ kind: 'office', code: 'AUT', name: 'Biroul', parentId: null })
    expect(departmentBody({ kind: 'office', code: 'AUT', name: 'Biroul', parentId: 'uat' }).parentId).toBe('uat')
  })

  test.each([
    ['nothing changed', { kind: 'service', code: 'UAT', name: 'Serviciul Urbanism', parentId: 'dt' }, {}],
    ['renamed', { kind: 'service', code: 'UAT', name: ' Urbanism ', parentId: 'dt' }, { name: 'Urbanism' }],
    ['recoded and retyped', { kind: 'office', code: 'U2', name: 'Serviciul Urbanism', parentId: 'dt' }, { kind: 'office', code: 'U2' }],
    ['moved', { kind: 'service', code: 'UAT', name: 'Serviciul Urbanism', parentId: 'de' }, { parentId: 'de' }],
    ['moved to the top', { kind: 'service', code: 'UAT', name: 'Serviciul Urbanism', parentId: '' }, { parentId: null }],
  ] as const)('departmentPatch: %s', (_, form, want) => {
    expect(departmentPatch(flat[1], form)).toEqual(want)
  })
})

describe('institutionPatch', () => {
  const cur = { id: inst, parentId: null, cif: '4358180', name: 'Primăria Lugoj', address: 'Piața Victoriei 4', timeZone: 'Europe/Bucharest',
    requireStaffMfa: false, createdAt: '', updatedAt: '', departments: [] } as InstitutionDetail
  test.each([
    ['nothing', { name: 'Primăria Lugoj', address: 'Piața Victoriei 4', timeZone: 'Europe/Bucharest', requireStaffMfa: false }, {}],
    ['only what differs, trimmed', { name: ' Primăria Municipiului Lugoj ', address: 'Piața Victoriei 4', timeZone: 'Europe/Bucharest', requireStaffMfa: true },
      { name: 'Primăria Municipiului Lugoj', requireStaffMfa: true }],
    ['the address emptied', { name: 'Primăria Lugoj', address: '', timeZone: 'Europe/Bucharest', requireStaffMfa: false }, { address: '' }],
    ['the zone', { name: 'Primăria Lugoj', address: 'Piața Victoriei 4', timeZone: 'Europe/Chisinau', requireStaffMfa: false }, { timeZone: 'Europe/Chisinau' }],
    ['the administrators\' second factor kept (the default)', { name: 'Primăria Lugoj', address: 'Piața Victoriei 4', timeZone: 'Europe/Bucharest',
      requireStaffMfa: false, requireAdminMfa: true }, {}],
    ['the administrators\' second factor relaxed', { name: 'Primăria Lugoj', address: 'Piața Victoriei 4', timeZone: 'Europe/Bucharest',
      requireStaffMfa: false, requireAdminMfa: false }, { requireAdminMfa: false }],
  ])('%s', (_, form, want) => {
    expect(institutionPatch(cur, form)).toEqual(want)
  })
})

test('the time zones start with Romania’s and hold it once', () => {
  const zones = timeZones()
  expect(zones[0]).toBe('Europe/Bucharest')
  expect(zones.filter((z) => z === 'Europe/Bucharest')).toHaveLength(1)
})

test.each([
  [new ApiError(409, { code: 'department_has_roles' }), 'organisation.problem.hasRoles'],
  [new ApiError(412, { code: 'whatever' }), 'organisation.problem.stale'],
  [new ApiError(403, {}), 'organisation.problem.forbidden'],
  [new ApiError(422, { code: 'invalid', errors: [{ field: 'code', code: 'x', message: 'm', messageEn: 'm' }] }), undefined],
  [new ApiError(500, { code: 'internal' }), undefined],
  [new Error('x'), undefined],
])('problemKey %#', (e, want) => {
  expect(problemKey(e, organisationProblems)).toBe(want)
})

import { expect, test } from 'vitest'

import type { DepartmentNode } from '../api/types'
import { departmentLabel, flattenDepartments } from './departments'

function node(id: string, name: string, children: DepartmentNode[] = []): DepartmentNode {
  return {
    id, name, children, institutionId: 'i', parentId: null, kind: 'service', code: id.toUpperCase(),
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  }
}

test('the organisation chart, depth first', () => {
  expect(flattenDepartments([
    node('a', 'Direcția tehnică', [node('b', 'Urbanism', [node('c', 'Autorizări')])]),
    node('d', 'Registratura'),
  ])).toEqual([
    { id: 'a', name: 'Direcția tehnică', depth: 0 }, { id: 'b', name: 'Urbanism', depth: 1 }, { id: 'c', name: 'Autorizări', depth: 2 },
    { id: 'd', name: 'Registratura', depth: 0 },
  ])
})

test('a sub-department is indented under its parent', () => {
  expect(departmentLabel({ id: 'c', name: 'Autorizări', depth: 2 })).toBe('\u2003\u2003Autorizări')
  expect(departmentLabel({ id: 'a', name: 'Direcția tehnică', depth: 0 })).toBe('Direcția tehnică')
})

import type { DepartmentNode } from '../api/types'

// The organisation chart as the forms need it: the API gives a tree
// (DepartmentNode), a choice of department wants a flat list in the
// chart's order.

/** A department in a flat list, with how deep it sits in the chart (0: top level). */
export interface FlatDepartment {
  id: string
  name: string
  depth: number
}

/** flattenDepartments lists the chart depth first, each department before its sub-departments. */
export function flattenDepartments(nodes: readonly DepartmentNode[], depth = 0): FlatDepartment[] {
  return nodes.flatMap((n) => [{ id: n.id, name: n.name, depth }, ...flattenDepartments(n.children ?? [], depth + 1)])
}

/** A department's option label: sub-departments indented under their parent. */
export function departmentLabel(d: FlatDepartment): string {
  return `${'\u2003'.repeat(d.depth)}${d.name}`
}

import { useEffect, useState } from 'preact/hooks'

import { flattenDepartments } from '../admin/departments'
import { api } from '../api/client'
import type { DepartmentNode, Me } from '../api/types'
import { holds } from '../office/office'
import type { StaffList, StaffMember } from './work'

// What the work pages read besides the requests: the names of the
// institution's departments (public, the organisation chart) and of its
// staff (for whoever holds users.read: the head of a department does).

/** The institution's departments by id, with their names; empty until read (or when it cannot be). */
export function useDepartments(inst: string | undefined): Map<string, string> {
  const [names, setNames] = useState(new Map<string, string>())
  useEffect(() => {
    if (!inst) return
    let live = true
    api.get<{ departments: DepartmentNode[] }>(`/api/institutions/${inst}`).then((d) => {
      if (live) setNames(new Map(flattenDepartments(d.departments).map((f) => [f.id, f.name])))
    }, () => {
      // The names are a help, not the page: ids are shown without them.
    })
    return () => {
      live = false
    }
  }, [inst])
  return names
}

// The most staff pages read: a municipality has a few hundred people.
const maxPages = 10

export interface Staff {
  /** undefined while read, or when me may not read the staff list. */
  list?: StaffMember[]
  /** id → name. */
  names: Map<string, string>
  error?: unknown
  /** Whether me may read the staff list at all. */
  readable: boolean
}

export function useStaff(me: Me | null | undefined, inst: string | undefined): Staff {
  const readable = holds(me, 'users.read', inst)
  const [list, setList] = useState<StaffMember[]>()
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    if (!readable || !inst) return
    let live = true
    ;(async () => {
      const all: StaffMember[] = []
      let after: string | null = null
      for (let i = 0; i < maxPages; i++) {
        const q = new URLSearchParams({ limit: '200', ...(after ? { after } : {}) })
        const page: StaffList = await api.get<StaffList>(`/api/institutions/${inst}/staff?${q}`)
        all.push(...page.staff)
        after = page.next
        if (!after) break
      }
      return all
    })().then((all) => live && setList(all), (e) => live && setError(e))
    return () => {
      live = false
    }
  }, [inst, readable])
  const names = new Map((list ?? []).map((s) => [s.id, s.displayName]))
  if (me) names.set(me.id, me.displayName)
  return { list, names, error, readable }
}

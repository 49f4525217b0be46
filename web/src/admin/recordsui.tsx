import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

import { ApiError, api } from '../api/client'
import type { DepartmentNode } from '../api/types'
import { Alert, ErrorAlert } from '../ui/ui'
import { flattenDepartments } from './departments'
import type { FlatDepartment } from './departments'
import { institutionPath } from './records'
import './records.css'

// The pieces the records administration pages share: refusals in the
// page's words, the organisation chart, a confirmation.

/**
 * Problem says what went wrong: the refusals the page knows (by the
 * problem's code, or its status) in its own words, the rest as the API
 * says them. With an id it can take the focus.
 */
export function Problem({ error, known = {}, id }: { error: unknown; known?: Record<string, string>; id?: string }) {
  if (!error) return null
  if (error instanceof ApiError) {
    const text = known[error.code] ?? known[String(error.status)]
    if (text) return <div class="alert alert-error" role="alert" id={id} tabIndex={id ? -1 : undefined}>{text}</div>
  }
  return id ? <div id={id} tabIndex={-1}><ErrorAlert error={error} /></div> : <ErrorAlert error={error} />
}

/** Done: what just happened, announced, and focusable so focus can land on it after an action. */
export function Done({ id, text }: { id: string; text: string }) {
  if (!text) return null
  return <div id={id} tabIndex={-1} class="records-done"><Alert kind="success">{text}</Alert></div>
}

/** The institution's departments, depth first; empty until read (or when they cannot be). */
export function useDepartmentList(inst: string): { list: FlatDepartment[]; names: Map<string, string> } {
  const [list, setList] = useState<FlatDepartment[]>([])
  useEffect(() => {
    let live = true
    api.get<{ departments: DepartmentNode[] }>(institutionPath(inst)).then((d) => {
      if (live) setList(flattenDepartments(d.departments ?? []))
    }, () => {
      // The names help; without them ids are shown.
    })
    return () => {
      live = false
    }
  }, [inst])
  return { list, names: new Map(list.map((d) => [d.id, d.name])) }
}

/**
 * Confirm: a question before an action that matters, with the action and a
 * way back; it takes the focus when it opens so the question is read.
 */
export function Confirm({ id, title, children, confirm, cancel, busy, danger = true, onConfirm, onCancel }: {
  id: string
  title: string
  children?: ComponentChildren
  confirm: string
  cancel: string
  busy?: boolean
  danger?: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [id])
  return (
    <div class="records-confirm" id={id} ref={ref} tabIndex={-1} role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
      <div class="form-actions">
        <button type="button" class={danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={busy} aria-busy={busy ? 'true' : undefined}
          onClick={onConfirm}>{confirm}</button>
        <button type="button" class="btn btn-secondary" onClick={onCancel}>{cancel}</button>
      </div>
    </div>
  )
}

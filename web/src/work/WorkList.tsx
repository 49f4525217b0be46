import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import type { RequestList, RequestSummary } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { officeInstitution } from '../office/office'
import { SignInFirst } from '../portal/SignInFirst'
import { useSession } from '../session'
import { DaysLeft, StatusBadge, registrationNumber } from '../ui/requests'
import { Alert, Button, ErrorAlert, Loading, Page } from '../ui/ui'
import { useDepartments, useStaff } from './hooks'
import { readableDepartments, todayInRomania } from './work'
import './work.css'

// A term this close is flagged beside the days left.
const soonDays = 3
const pageSize = 50

type View = 'mine' | 'department'

// WorkList: the open requests of the departments the staff member works
// for, or those assigned to them, the most urgent first (the API's order:
// by deadline), with the days left and what is overdue marked in words.
export function WorkList() {
  const { t, date } = useI18n()
  const { me } = useSession()
  const { query, route, path } = useLocation()
  const inst = officeInstitution(me)
  const readable = readableDepartments(me, inst)
  const mayRead = readable === 'all' || readable.length > 0
  // Who assigns starts on the department's requests, who resolves on theirs.
  const mayAssign = !!me?.grants.some((g) => g.institution === inst && g.permissions.includes('requests.assign'))
  const view: View = query.vedere === 'mine' || query.vedere === 'department' ? query.vedere : mayAssign ? 'department' : 'mine'
  const department = query.compartiment ?? ''
  const departments = useDepartments(mayRead ? inst : undefined)
  const staff = useStaff(me, mayRead ? inst : undefined)

  const [items, setItems] = useState<RequestSummary[]>()
  const [next, setNext] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)

  const load = async (cursor?: string) => {
    setBusy(true)
    setError(undefined)
    try {
      const q = new URLSearchParams({ limit: String(pageSize) })
      if (view === 'mine') q.set('assignee', 'me')
      if (department) q.set('department', department)
      if (cursor) q.set('cursor', cursor)
      const page = await api.get<RequestList>(`/api/institutions/${inst}/requests?${q}`)
      setItems((prev) => (cursor ? [...(prev ?? []), ...page.items] : page.items))
      setNext(page.next || undefined)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    setItems(undefined)
    if (me && inst && mayRead) load()
  }, [me?.id, inst, view, department])

  if (me === null) return <SignInFirst />
  if (me === undefined) return <Loading />
  if (!mayRead) {
    return <Page title={t('work.listTitle')}><Alert kind="warning">{t('work.notAllowed')}</Alert></Page>
  }

  // Departments to choose from: those the grants name, or all of them.
  const choices = readable === 'all' ? [...departments.keys()] : readable
  const several = choices.length > 1
  const href = (v: View, d = department) => {
    const q = new URLSearchParams({ vedere: v, ...(d ? { compartiment: d } : {}) })
    return `${path}?${q}`
  }
  const assignee = (r: RequestSummary) => {
    if (!r.assigneeId) return <span class="meta">{t('work.unassigned')}</span>
    if (r.assigneeId === me.id) return t('work.assigneeMe')
    return staff.names.get(r.assigneeId) ?? t('work.assigneeOther')
  }
  const urgency = (r: RequestSummary) => {
    if (r.overdue) return 'work-row work-overdue'
    if (r.daysLeft !== null && r.daysLeft <= soonDays) return 'work-row work-soon'
    return 'work-row'
  }
  const soon = (r: RequestSummary) =>
    !r.overdue && r.daysLeft !== null && r.daysLeft <= soonDays ? <> <span class="badge badge-soon">{t('work.soon')}</span></> : null
  // The law's own term for a reasoned refusal (public information: 5 days), while it runs.
  const refusalBy = (r: RequestSummary) =>
    r.refusalDeadline && r.refusalDeadline >= todayInRomania()
      ? <div class="meta">{t('work.refusalBy', { date: date(r.refusalDeadline) })}</div> : null
  const link = (r: RequestSummary) => (
    <a href={`/birou/cereri/${r.id}`}>
      {r.type.name}
      {registrationNumber(r) && <>{' '}<span class="visually-hidden">{t('work.numberShort', { number: registrationNumber(r) })}</span></>}
    </a>
  )

  return (
    <Page title={t('work.listTitle')} wide>
      <nav class="work-tabs" aria-label={t('work.views')}>
        <ul>
          <li><a href={href('mine')} aria-current={view === 'mine' ? 'page' : undefined}>{t('work.viewMine')}</a></li>
          <li><a href={href('department')} aria-current={view === 'department' ? 'page' : undefined}>{t('work.viewDepartment')}</a></li>
        </ul>
      </nav>
      {several && (
        <div class="field work-filter">
          <label for="department">{t('work.department')}</label>
          <select id="department" value={department}
            onChange={(e) => route(href(view, (e.target as HTMLSelectElement).value))}>
            <option value="">{t('work.allDepartments')}</option>
            {choices.map((d) => <option value={d}>{departments.get(d) ?? d}</option>)}
          </select>
        </div>
      )}
      <ErrorAlert error={error} />
      {!items && !error && <Loading />}
      {items && items.length === 0 && (
        <p>{view === 'mine' ? t('work.noneMine') : t('work.noneDepartment')}</p>
      )}
      {items && items.length > 0 && (
        <>
          <p class="meta" role="status">{t('work.count', { count: items.length })}</p>
          <div class="table-scroll work-table">
            <table>
              <caption class="visually-hidden">{view === 'mine' ? t('work.captionMine') : t('work.captionDepartment')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('work.colNumber')}</th>
                  <th scope="col">{t('work.colRequest')}</th>
                  <th scope="col">{t('work.colStatus')}</th>
                  <th scope="col">{t('work.colDeadline')}</th>
                  {several && <th scope="col">{t('work.colDepartment')}</th>}
                  <th scope="col">{t('work.colAssignee')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr class={urgency(r)}>
                    <td>{registrationNumber(r) || <span class="meta">{t('work.numberPending')}</span>}</td>
                    <td>{link(r)}{r.title !== r.type.name && <div class="meta">{r.title}</div>}</td>
                    <td><StatusBadge status={r.status} /></td>
                    <td><DaysLeft r={r} />{soon(r)}{refusalBy(r)}</td>
                    {several && <td>{departments.get(r.departmentId) ?? ''}</td>}
                    <td>{assignee(r)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul class="cards work-cards">
            {items.map((r) => (
              <li class={`card ${urgency(r)}`}>
                <h2>{link(r)}</h2>
                {r.title !== r.type.name && <p>{r.title}</p>}
                <dl class="facts">
                  <dt>{t('work.colNumber')}</dt><dd>{registrationNumber(r) || t('work.numberPending')}</dd>
                  <dt>{t('work.colStatus')}</dt><dd><StatusBadge status={r.status} /></dd>
                  <dt>{t('work.colDeadline')}</dt><dd><DaysLeft r={r} />{soon(r)}{refusalBy(r)}</dd>
                  {several && <><dt>{t('work.colDepartment')}</dt><dd>{departments.get(r.departmentId) ?? ''}</dd></>}
                  <dt>{t('work.colAssignee')}</dt><dd>{assignee(r)}</dd>
                </dl>
              </li>
            ))}
          </ul>
        </>
      )}
      {next && <div class="form-actions"><Button kind="secondary" busy={busy} onClick={() => load(next)}>{t('work.more')}</Button></div>}
    </Page>
  )
}

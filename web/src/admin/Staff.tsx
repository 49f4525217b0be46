import { useEffect, useRef, useState } from 'preact/hooks'

import { ApiError, api, idempotencyKey } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { holds } from '../office/office'
import { focusFirst } from '../ui/focus'
import { Alert, Button, ErrorAlert, Loading, Page, SelectField, TextField, fieldErrors } from '../ui/ui'
import { departmentLabel, flattenDepartments } from './departments'
import type { FlatDepartment } from './departments'
import { problemKey } from './organisation'
import type { InstitutionDetail } from './organisation'
import { usePagedList } from './paging'
import {
  allPages, assignBody, assignmentState, checkAssign, checkReason, isKnownRole, mayRevoke, maxReason, memberState, roleCodes,
  sortAssignments, staffProblems, todayIn,
} from './staff'
import type { AssignField, AssignForm, RoleAssignment, RoleAssignmentPage, StaffList, StaffMember, StaffRole } from './staff'
import './admin.css'

const pageSize = 100

// Staff: the institution's staff (users.read), a new account that is
// mailed its invitation (users.manage), and each person's roles: those in
// force, to come, ended and revoked, told apart in words; a role assigned,
// optionally in one department and for a period, or revoked with a reason
// (roles.assign). A role takes effect at the next request its holder makes:
// the platform reads grants on every request.
export function Staff() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="users.read" title={t('staff.title')} denied={t('staff.notAllowed')}>
      {(me, inst) => <StaffPage me={me} inst={inst} />}
    </OfficeGate>
  )
}

/** The institution's chart and time zone, which the role forms need: its departments, flat, and its day. */
export interface Chart {
  departments: FlatDepartment[]
  names: Map<string, string>
  timeZone: string
}

export function useChart(inst: string): Chart {
  const [detail, setDetail] = useState<InstitutionDetail>()
  useEffect(() => {
    let live = true
    api.get<InstitutionDetail>(`/api/institutions/${inst}`).then((d) => { if (live) setDetail(d) }, () => {
      // Without the chart, roles are assigned for the whole institution only.
    })
    return () => { live = false }
  }, [inst])
  const departments = detail ? flattenDepartments(detail.departments) : []
  return {
    departments,
    names: new Map(departments.map((f) => [f.id, f.name])),
    timeZone: detail?.timeZone ?? 'Europe/Bucharest',
  }
}

/** Notice: what an action did, said at once and focused, so the next Tab goes on from there. */
export function Notice({ notice, id }: { notice: { text: string; n: number } | undefined; id: string }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (notice) ref.current?.focus()
  }, [notice])
  if (!notice) return null
  return <div id={id} class="alert alert-success admin-notice" role="status" tabIndex={-1} ref={ref} key={notice.n}>{notice.text}</div>
}

export function useNotice() {
  const [notice, setNotice] = useState<{ text: string; n: number }>()
  return { notice, say: (text: string) => setNotice({ text, n: Date.now() + Math.random() }), clear: () => setNotice(undefined) }
}

/** The name of a role in the reader's language, or its code for a role this page does not know. */
export function useRoleName(): (code: string) => string {
  const { t } = useI18n()
  return (code) => (isKnownRole(code) ? t(`staff.role.${code}`) : code)
}

/** Refusal: a refusal the pages explain in the reader's words, or what the API said. */
export function Refusal({ error, known }: { error: unknown; known: Record<string, string> }) {
  const { t } = useI18n()
  if (!error) return null
  const key = problemKey(error, known)
  if (key) return <div class="alert alert-error" role="alert">{t(key)}</div>
  return <ErrorAlert error={error} />
}

function StaffPage({ me, inst }: { me: Me; inst: string }) {
  const { t, date } = useI18n()
  const chart = useChart(inst)
  const path = `/api/institutions/${inst}/staff`
  const { items, next, error, busy, load } = usePagedList(path, { limit: String(pageSize) }, (p: StaffList) => p.staff)
  const [open, setOpen] = useState<StaffMember>()
  const [adding, setAdding] = useState(false)
  const { notice, say } = useNotice()
  const mayManage = holds(me, 'users.manage', inst)
  const mayAssign = holds(me, 'roles.assign', inst)
  const roleName = useRoleName()

  // Back to the button that opened the roles: the table's or, on a phone, the card's (the hidden one takes no focus).
  const focusRolesButton = (id: string) => requestAnimationFrame(() => {
    document.getElementById(`roles-card-${id}`)?.focus()
    document.getElementById(`roles-${id}`)?.focus()
  })
  const today = todayIn(chart.timeZone)
  const roleLine = (r: StaffRole): string => {
    const where = r.departmentId ? chart.names.get(r.departmentId) ?? t('staff.someDepartment') : undefined
    const name = where ? t('staff.roleIn', { role: roleName(r.role), department: where }) : roleName(r.role)
    return assignmentState(r, today) === 'future' ? t('staff.roleFrom', { role: name, date: date(r.validFrom) }) : name
  }

  return (
    <Page title={t('staff.title')} wide>
      <Notice notice={notice} id="staff-notice" />
      {mayManage && (
        <section aria-labelledby="staff-new-title">
          <h2 id="staff-new-title">{t('staff.newTitle')}</h2>
          {adding ? (
            <NewStaff path={path} onCancel={() => {
              setAdding(false)
              requestAnimationFrame(() => document.getElementById('staff-add')?.focus())
            }} onDone={(m, created) => {
              setAdding(false)
              say(created ? t('staff.created', { name: m.displayName, email: m.email }) : t('staff.existed', { name: m.displayName }))
              load()
            }} />
          ) : (
            <>
              <p>{t('staff.newText')}</p>
              <Button id="staff-add" kind="secondary" onClick={() => setAdding(true)}>{t('staff.add')}</Button>
            </>
          )}
        </section>
      )}

      {open && (
        <RoleAssignments key={open.id} inst={inst} account={{ id: open.id, name: open.displayName }} self={open.id === me.id}
          mayAssign={mayAssign} chart={chart} onChanged={() => load()}
          onClose={() => { const id = open.id; setOpen(undefined); focusRolesButton(id) }} />
      )}

      <section aria-labelledby="staff-list-title">
        <h2 id="staff-list-title">{t('staff.listTitle')}</h2>
        <ErrorAlert error={error} />
        {!items && !error && <Loading />}
        {items && items.length === 0 && <p>{t('staff.none')}</p>}
        {items && items.length > 0 && (
          <>
            <div class="table-scroll admin-scroll admin-staff-table">
              <table class="admin-table">
                <caption class="visually-hidden">{t('staff.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('staff.colName')}</th>
                    <th scope="col">{t('staff.colStatus')}</th>
                    <th scope="col">{t('staff.colRoles')}</th>
                    <th scope="col"><span class="visually-hidden">{t('staff.colActions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((m) => (
                    <tr>
                      <th scope="row">
                        {m.displayName}{m.id === me.id && <span class="meta"> {t('staff.you')}</span>}
                        <div class="meta admin-email">{m.email}</div>
                      </th>
                      <td><MemberState m={m} /></td>
                      <td><MemberRoles m={m} line={roleLine} /></td>
                      <td><RolesButton id={`roles-${m.id}`} m={m} open={open?.id === m.id} onClick={() => setOpen(open?.id === m.id ? undefined : m)} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {/* On a phone, a card each: the same, one under the other. */}
            <ul class="admin-staff-cards" aria-label={t('staff.caption')}>
              {items.map((m) => (
                <li class="card">
                  <h3>{m.displayName}{m.id === me.id && <span class="meta"> {t('staff.you')}</span>}</h3>
                  <p class="meta admin-email">{m.email}</p>
                  <p><MemberState m={m} /></p>
                  <MemberRoles m={m} line={roleLine} />
                  <RolesButton id={`roles-card-${m.id}`} m={m} open={open?.id === m.id} onClick={() => setOpen(open?.id === m.id ? undefined : m)} />
                </li>
              ))}
            </ul>
          </>
        )}
        {next && <div class="form-actions"><Button kind="secondary" busy={busy} onClick={() => load(next)}>{t('staff.more')}</Button></div>}
      </section>
    </Page>
  )
}

function MemberState({ m }: { m: StaffMember }) {
  const { t } = useI18n()
  const state = memberState(m)
  return (
    <>
      <span class={`badge admin-member-${state}`}>{t(`staff.state.${state}`)}</span>
      {m.mfaEnabled && <span class="meta admin-block">{t('staff.mfaOn')}</span>}
    </>
  )
}

function MemberRoles({ m, line }: { m: StaffMember; line: (r: StaffRole) => string }) {
  const { t } = useI18n()
  if (m.roles.length === 0) return <p class="meta admin-tight">{t('staff.noRoles')}</p>
  return <ul class="admin-plain">{m.roles.map((r) => <li>{line(r)}</li>)}</ul>
}

function RolesButton({ id, m, open, onClick }: { id: string; m: StaffMember; open: boolean; onClick: () => void }) {
  const { t } = useI18n()
  return (
    <Button id={id} kind="secondary" aria-expanded={open ? 'true' : 'false'} aria-controls={open ? 'roles-panel' : undefined} onClick={onClick}>
      {t('staff.roles')}{' '}<span class="visually-hidden">{t('staff.rolesFor', { name: m.displayName })}</span>
    </Button>
  )
}

// NewStaff: a staff account, mailed a link to set its password. The
// address is the natural key: sending the same again creates nothing.
function NewStaff({ path, onDone, onCancel }: {
  path: string
  onDone: (m: StaffMember, created: boolean) => void
  onCancel: () => void
}) {
  const { t, locale } = useI18n()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [phone, setPhone] = useState('')
  const [lang, setLang] = useState<'ro' | 'en'>('ro')
  const [checked, setChecked] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const key = useRef(idempotencyKey())
  useEffect(() => { document.getElementById('new-displayName')?.focus() }, [])

  const order = ['displayName', 'email', 'phone', 'locale']
  const focusInvalid = (errs: Record<string, string>) => focusFirst(order, errs, (k) => `new-${k}`)
  const submit = async (e: Event) => {
    e.preventDefault()
    const found: Record<string, string> = {}
    if (!name.trim()) found.displayName = t('staff.err.name')
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) found.email = t('staff.err.email')
    setChecked(found)
    setError(undefined)
    if (Object.keys(found).length > 0) {
      focusInvalid(found)
      return
    }
    setBusy(true)
    try {
      const res = await api.tagged<StaffMember>('POST', path, {
        email: email.trim(), displayName: name.trim(), ...(phone.trim() ? { phone: phone.trim() } : {}), locale: lang,
      }, { 'Idempotency-Key': key.current })
      onDone(res.body, res.status === 201)
    } catch (err) {
      setError(err)
      const byField = { ...fieldErrors(err, locale), ...(emailConflict(err) ? { email: 'taken' } : {}) }
      if (Object.keys(byField).length > 0) focusInvalid(byField)
    } finally {
      setBusy(false)
    }
  }
  const conflict = emailConflict(error)
  const server: Record<string, string> = { ...fieldErrors(error, locale), ...(conflict ? { email: t(staffProblems[conflict]) } : {}) }
  const errs = { ...server, ...checked }
  const shownByField = Object.keys(server).length > 0
  return (
    <form class="admin-form" onSubmit={submit} noValidate aria-labelledby="staff-new-title">
      {!shownByField && <Refusal error={error} known={staffProblems} />}
      <div class="admin-grid">
        <TextField id="new-displayName" label={t('staff.name')} required maxLength={200} autoComplete="off" value={name} onValue={setName}
          error={errs.displayName} />
        <TextField id="new-email" type="email" label={t('staff.email')} required maxLength={254} autoComplete="off" value={email}
          onValue={setEmail} error={errs.email} hint={t('staff.emailHint')} />
        <TextField id="new-phone" type="tel" label={t('staff.phone')} maxLength={30} autoComplete="off" value={phone} onValue={setPhone}
          error={errs.phone} hint={t('staff.phoneHint')} />
        <SelectField id="new-locale" label={t('staff.locale')} value={lang} onValue={setLang} error={errs.locale}
          options={[{ value: 'ro', label: 'Română' }, { value: 'en', label: 'English' }]} hint={t('staff.localeHint')} />
      </div>
      <div class="form-actions">
        <Button type="submit" busy={busy}>{t('staff.create')}</Button>
        <Button kind="link" onClick={onCancel}>{t('staff.cancel')}</Button>
      </div>
    </form>
  )
}

/** The refusals of a new account that are about its address: shown by the address. */
function emailConflict(e: unknown): 'staff_exists' | 'email_taken' | undefined {
  return e instanceof ApiError && (e.code === 'staff_exists' || e.code === 'email_taken') ? e.code : undefined
}

const assignOrder: AssignField[] = ['role', 'departmentId', 'validFrom', 'validUntil', 'reason']

/**
 * RoleAssignments: one account's role assignments (a staff member's or a
 * machine client's), every one of them, their state in words, and the
 * forms that assign a role or revoke one. One's own roles are another
 * administrator's to change.
 */
export function RoleAssignments({ inst, account, self, mayAssign, chart, onChanged, onClose }: {
  inst: string
  account: { id: string; name: string }
  self: boolean
  mayAssign: boolean
  chart: Chart
  onChanged: () => void
  onClose: () => void
}) {
  const { t, date, dateTime } = useI18n()
  const roleName = useRoleName()
  const base = `/api/institutions/${inst}/role-assignments`
  const [list, setList] = useState<RoleAssignment[]>()
  const [error, setError] = useState<unknown>()
  const [revoking, setRevoking] = useState<string>()
  const { notice, say } = useNotice()
  const heading = useRef<HTMLHeadingElement>(null)
  const today = todayIn(chart.timeZone)

  const load = async () => {
    try {
      const q = new URLSearchParams({ account: account.id, includeRevoked: 'true', limit: '200' })
      setList(await allPages(`${base}?${q}`, (p) => api.get<RoleAssignmentPage>(p), (p) => p.assignments))
      setError(undefined)
    } catch (e) {
      setError(e)
    }
  }
  useEffect(() => {
    load()
    heading.current?.focus()
  }, [account.id])

  const where = (a: { departmentId: string | null }) =>
    a.departmentId ? chart.names.get(a.departmentId) ?? t('staff.someDepartment') : t('staff.wholeInstitution')
  const period = (a: RoleAssignment) => (a.validUntil
    ? t('staff.periodBetween', { from: date(a.validFrom), until: date(a.validUntil) })
    : t('staff.periodFrom', { from: date(a.validFrom) }))
  const stateText = (a: RoleAssignment) => {
    const s = assignmentState(a, today)
    if (s === 'future') return t('staff.assignment.future', { date: date(a.validFrom) })
    if (s === 'past') return t('staff.assignment.past', { date: date(a.validUntil!) })
    if (s === 'revoked') return t('staff.assignment.revoked', { at: dateTime(a.revokedAt!) })
    return t('staff.assignment.current')
  }
  const changed = (text: string) => {
    say(text)
    load()
    onChanged()
  }
  const sorted = list ? sortAssignments(list, today) : []

  return (
    <section id="roles-panel" class="admin-panel" aria-labelledby="roles-title">
      <h2 id="roles-title" tabIndex={-1} ref={heading}>{t('staff.rolesOf', { name: account.name })}</h2>
      <Notice notice={notice} id="roles-notice" />
      <ErrorAlert error={error} />
      {!list && !error && <Loading />}
      {list && list.length === 0 && <p>{t('staff.noAssignments')}</p>}
      {list && list.length > 0 && (
        <ul class="admin-assignments" aria-label={t('staff.assignmentsOf', { name: account.name })}>
          {sorted.map((a) => {
            const state = assignmentState(a, today)
            return (
              <li class={`admin-assignment admin-assignment-${state}`}>
                <p class="admin-assignment-head">
                  <strong class="admin-assignment-role">{roleName(a.role)}</strong>{' '}
                  <span class={`badge admin-state-${state}`}>{stateText(a)}</span>
                </p>
                <dl class="facts admin-facts">
                  <dt>{t('staff.department')}</dt><dd>{where(a)}</dd>
                  <dt>{t('staff.period')}</dt><dd>{period(a)}</dd>
                  <dt>{t('staff.reason')}</dt><dd class="admin-wrap">{a.reason}</dd>
                  {a.revokedAt && <><dt>{t('staff.revokeReason')}</dt><dd class="admin-wrap">{a.revokeReason ?? ''}</dd></>}
                </dl>
                {mayAssign && !self && mayRevoke(a, today) && revoking !== a.id && (
                  <Button kind="secondary" id={`revoke-${a.id}`} onClick={() => setRevoking(a.id)}>
                    {t('staff.revoke')}{' '}<span class="visually-hidden">{t('staff.revokeWhat', { role: roleName(a.role), department: where(a) })}</span>
                  </Button>
                )}
                {revoking === a.id && (
                  <Revoke path={`${base}/${a.id}`} what={t('staff.revokeQuestion', { role: roleName(a.role), department: where(a), name: account.name })}
                    onCancel={() => {
                      setRevoking(undefined)
                      requestAnimationFrame(() => document.getElementById(`revoke-${a.id}`)?.focus())
                    }}
                    onDone={() => {
                      setRevoking(undefined)
                      changed(t('staff.revoked', { role: roleName(a.role), name: account.name }))
                    }} />
                )}
              </li>
            )
          })}
        </ul>
      )}
      {self && <Alert kind="info">{t('staff.ownRolesNote')}</Alert>}
      {!self && mayAssign && (
        <Assign base={base} account={account} chart={chart}
          onDone={(a) => changed(t('staff.assigned', { role: roleName(a.role), name: account.name }))} />
      )}
      <div class="form-actions">
        <Button kind="secondary" onClick={onClose}>{t('staff.closeRoles')}</Button>
      </div>
    </section>
  )
}

const emptyAssign: AssignForm = { role: '', departmentId: '', validFrom: '', validUntil: '', reason: '' }

// Assign: a role for the account, optionally in a department and for a
// period, with the reason the audit trail keeps.
function Assign({ base, account, chart, onDone }: {
  base: string
  account: { id: string; name: string }
  chart: Chart
  onDone: (a: RoleAssignment) => void
}) {
  const { t, locale } = useI18n()
  const [f, setF] = useState<AssignForm>(emptyAssign)
  const [checked, setChecked] = useState<Partial<Record<AssignField, string>>>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const set = <K extends AssignField>(k: K, v: AssignForm[K]) => setF((prev) => ({ ...prev, [k]: v }))
  const focusInvalid = (errs: Partial<Record<string, string>>) => focusFirst(assignOrder, errs, (k) => `assign-${k}`)
  const submit = async (e: Event) => {
    e.preventDefault()
    const problems = checkAssign(f)
    const found: Partial<Record<AssignField, string>> = {}
    for (const [k, p] of Object.entries(problems)) found[k as AssignField] = t(`staff.err.${p}`, { min: 5, max: maxReason })
    setChecked(found)
    setError(undefined)
    if (Object.keys(found).length > 0) {
      focusInvalid(found)
      return
    }
    setBusy(true)
    try {
      const a = await api.post<RoleAssignment>(base, assignBody(account.id, f))
      setF(emptyAssign)
      onDone(a)
    } catch (err) {
      setError(err)
      focusInvalid(fieldErrors(err, locale))
    } finally {
      setBusy(false)
    }
  }
  const server = fieldErrors(error, locale)
  const errs: Partial<Record<string, string>> = { ...server, ...checked }
  const unshown = Object.keys(server).filter((k) => !(assignOrder as string[]).includes(k))
  return (
    <form class="admin-form" onSubmit={submit} noValidate aria-labelledby="assign-title">
      <h3 id="assign-title">{t('staff.assignTitle', { name: account.name })}</h3>
      {(Object.keys(server).length === 0 || unshown.length > 0) && <Refusal error={error} known={staffProblems} />}
      <div class="admin-grid">
        <SelectField id="assign-role" label={t('staff.role')} required value={f.role} onValue={(v) => set('role', v)} error={errs.role}
          placeholder={t('staff.choose')} options={roleCodes.map((r) => ({ value: r, label: t(`staff.role.${r}`) }))} />
        <SelectField id="assign-departmentId" label={t('staff.department')} hint={t('staff.departmentHint')} value={f.departmentId}
          onValue={(v) => set('departmentId', v)} error={errs.departmentId}
          options={[{ value: '', label: t('staff.wholeInstitution') },
            ...chart.departments.map((d) => ({ value: d.id, label: departmentLabel(d) }))]} />
        <TextField id="assign-validFrom" type="date" label={t('staff.validFrom')} hint={t('staff.validFromHint')} value={f.validFrom}
          onValue={(v) => set('validFrom', v)} error={errs.validFrom} />
        <TextField id="assign-validUntil" type="date" label={t('staff.validUntil')} hint={t('staff.validUntilHint')} value={f.validUntil}
          onValue={(v) => set('validUntil', v)} error={errs.validUntil} />
      </div>
      <TextField id="assign-reason" label={t('staff.reason')} hint={t('staff.reasonHint')} required maxLength={maxReason} value={f.reason}
        onValue={(v) => set('reason', v)} error={errs.reason} />
      <div class="form-actions">
        <Button type="submit" busy={busy}>{t('staff.assign')}</Button>
      </div>
    </form>
  )
}

// Revoke: asks first, with the reason the audit trail keeps.
function Revoke({ path, what, onDone, onCancel }: { path: string; what: string; onDone: () => void; onCancel: () => void }) {
  const { t, locale } = useI18n()
  const [reason, setReason] = useState('')
  const [checked, setChecked] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  useEffect(() => { document.getElementById('revoke-reason')?.focus() }, [])
  const send = async (e: Event) => {
    e.preventDefault()
    const p = checkReason(reason)
    setChecked(p ? t(`staff.err.${p}`, { min: 5, max: maxReason }) : undefined)
    setError(undefined)
    if (p) {
      document.getElementById('revoke-reason')?.focus()
      return
    }
    setBusy(true)
    try {
      await api.tagged('DELETE', path, { reason: reason.trim() })
      onDone()
    } catch (err) {
      setError(err)
      requestAnimationFrame(() => document.getElementById('revoke-reason')?.focus())
    } finally {
      setBusy(false)
    }
  }
  const server = fieldErrors(error, locale)
  return (
    <form class="confirm admin-confirm" onSubmit={send} noValidate aria-labelledby="revoke-question">
      <p id="revoke-question"><strong>{what}</strong></p>
      <p class="meta">{t('staff.revokeText')}</p>
      {!server.reason && <Refusal error={error} known={staffProblems} />}
      <TextField id="revoke-reason" label={t('staff.revokeReasonLabel')} hint={t('staff.reasonHint')} required maxLength={maxReason}
        value={reason} onValue={setReason} error={checked ?? server.reason} />
      <div class="form-actions">
        <Button type="submit" kind="danger" busy={busy}>{t('staff.revokeConfirm')}</Button>
        <Button kind="secondary" onClick={onCancel}>{t('staff.revokeBack')}</Button>
      </div>
    </form>
  )
}

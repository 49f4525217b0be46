import { useEffect, useRef, useState } from 'preact/hooks'

import { ApiError, api, idempotencyKey } from '../api/client'
import type { Department, DepartmentNode, Institution, InstitutionList, Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { holds } from '../office/office'
import { Button, ErrorAlert, Loading, Page, SelectField, TextField, fieldErrors } from '../ui/ui'
import { departmentLabel } from './departments'
import { focusSoon } from '../ui/focus'
import {
  checkDepartment, countDepartments, departmentBody, departmentKinds, departmentPatch, institutionPatch, moveTargets,
  organisationProblems, problemKey, timeZones,
} from './organisation'
import type { DepartmentField, DepartmentForm, InstitutionDetail, InstitutionForm } from './organisation'
import { usePagedList } from './paging'
import './admin.css'

// Organisation: the staff member's institution: its details (changed by
// whoever holds institutions.manage, against the version read), its
// organisation chart as a tree of nested lists (departments added, changed,
// moved and removed by whoever holds departments.manage), and the
// institutions under it, to which institutions.manage adds one.
export function Organisation() {
  const { t } = useI18n()
  return (
    <OfficeGate title={t('organisation.title')} denied={t('organisation.notAllowed')}>
      {(me, inst) => <OrganisationPage me={me} inst={inst} />}
    </OfficeGate>
  )
}

/** Said: a live region that is always there, so what an action did is announced while focus goes where the work goes on. */
function Said({ text }: { text: string }) {
  return <div role="status" class="admin-said">{text && <div class="alert alert-success">{text}</div>}</div>
}

function OrganisationPage({ me, inst }: { me: Me; inst: string }) {
  const { t } = useI18n()
  const path = `/api/institutions/${inst}`
  const [detail, setDetail] = useState<InstitutionDetail>()
  const [etag, setEtag] = useState('')
  const [error, setError] = useState<unknown>()
  const [said, setSaid] = useState('')
  const mayInstitution = holds(me, 'institutions.manage', inst)
  const mayDepartments = holds(me, 'departments.manage', inst)

  const load = async () => {
    try {
      const r = await api.tagged<InstitutionDetail>('GET', path)
      setDetail(r.body)
      setEtag(r.etag)
      setError(undefined)
      return r
    } catch (e) {
      setError(e)
      return undefined
    }
  }
  useEffect(() => { load() }, [path])

  if (!detail) {
    return <Page title={t('organisation.title')}>{error ? <ErrorAlert error={error} /> : <Loading />}</Page>
  }
  return (
    <Page title={t('organisation.title')} wide>
      <p class="lead">{detail.name}</p>
      <Said text={said} />
      <Details detail={detail} etag={etag} path={path} may={mayInstitution} reload={load} say={setSaid} />
      <Chart inst={inst} tree={detail.departments} may={mayDepartments} reload={load} say={setSaid} />
      <Subordinates inst={inst} may={mayInstitution} say={setSaid} />
    </Page>
  )
}

// ---- The institution's details ---------------------------------------------

function Details({ detail, etag, path, may, reload, say }: {
  detail: InstitutionDetail
  etag: string
  path: string
  may: boolean
  reload: () => Promise<{ body: InstitutionDetail; etag: string } | undefined>
  say: (text: string) => void
}) {
  const { t } = useI18n()
  const [editing, setEditing] = useState(false)
  return (
    <section aria-labelledby="org-details-title">
      <h2 id="org-details-title">{t('organisation.details')}</h2>
      {editing ? (
        <EditInstitution detail={detail} etag={etag} path={path} reload={reload}
          onCancel={() => { setEditing(false); focusSoon('org-edit') }}
          onDone={() => {
            setEditing(false)
            say(t('organisation.detailsSaved'))
            focusSoon('org-edit')
          }} />
      ) : (
        <>
          <dl class="facts admin-facts">
            <dt>{t('organisation.name')}</dt><dd>{detail.name}</dd>
            <dt>{t('organisation.cif')}</dt><dd>{detail.cif}</dd>
            <dt>{t('organisation.address')}</dt><dd class="admin-wrap">{detail.address || <span class="meta">{t('organisation.noAddress')}</span>}</dd>
            <dt>{t('organisation.timeZone')}</dt><dd>{detail.timeZone}</dd>
            <dt>{t('organisation.mfa')}</dt><dd>{detail.requireStaffMfa ? t('organisation.mfaRequired') : t('organisation.mfaOptional')}</dd>
            <dt>{t('organisation.adminMfa')}</dt>
            <dd>{detail.requireAdminMfa ?? true ? t('organisation.adminMfaRequired') : t('organisation.adminMfaRelaxed')}</dd>
          </dl>
          {may && <Button id="org-edit" kind="secondary" onClick={() => setEditing(true)}>{t('organisation.edit')}</Button>}
        </>
      )}
    </section>
  )
}

function TimeZoneList({ id }: { id: string }) {
  return <datalist id={id}>{timeZones().map((z) => <option value={z} />)}</datalist>
}

/** Checkbox: a labelled checkbox with its hint. */
function Checkbox({ id, label, hint, checked, onChecked }: { id: string; label: string; hint?: string; checked: boolean; onChecked: (v: boolean) => void }) {
  return (
    <div class="field field-checkbox">
      <input id={id} name={id} type="checkbox" checked={checked} aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChecked((e.target as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
      {hint && <p class="field-hint admin-checkbox-hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  )
}

const institutionOrder = ['name', 'address', 'timeZone', 'requireStaffMfa', 'requireAdminMfa']

function EditInstitution({ detail, etag, path, reload, onDone, onCancel }: {
  detail: InstitutionDetail
  etag: string
  path: string
  reload: () => Promise<{ body: InstitutionDetail; etag: string } | undefined>
  onDone: () => void
  onCancel: () => void
}) {
  const { t, locale } = useI18n()
  const fromDetail = (d: InstitutionDetail): InstitutionForm => ({ name: d.name, address: d.address, timeZone: d.timeZone, requireStaffMfa: d.requireStaffMfa,
    requireAdminMfa: d.requireAdminMfa ?? true })
  const [f, setF] = useState<InstitutionForm>(fromDetail(detail))
  const [checked, setChecked] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  useEffect(() => { document.getElementById('inst-name')?.focus() }, [])
  const set = <K extends keyof InstitutionForm>(k: K, v: InstitutionForm[K]) => setF((p) => ({ ...p, [k]: v }))
  const stale = error instanceof ApiError && error.status === 412

  const submit = async (e: Event) => {
    e.preventDefault()
    const found: Record<string, string> = {}
    if (!f.name.trim()) found.name = t('organisation.err.name')
    if (!f.timeZone.trim()) found.timeZone = t('organisation.err.timeZone')
    setChecked(found)
    setError(undefined)
    const first = institutionOrder.find((k) => found[k])
    if (first) {
      focusSoon(`inst-${first}`)
      return
    }
    const body = institutionPatch(detail, f)
    if (Object.keys(body).length === 0) {
      onDone()
      return
    }
    setBusy(true)
    try {
      await api.patch(path, body, { headers: { 'If-Match': etag } })
      await reload()
      onDone()
    } catch (err) {
      setError(err)
      const k = institutionOrder.find((x) => fieldErrors(err, locale)[x])
      focusSoon(k ? `inst-${k}` : 'inst-problem')
    } finally {
      setBusy(false)
    }
  }
  const again = async () => {
    const r = await reload()
    if (r) {
      setF(fromDetail(r.body))
      setError(undefined)
      focusSoon('inst-name')
    }
  }
  const errs = { ...fieldErrors(error, locale), ...checked }
  return (
    <form class="admin-form" onSubmit={submit} noValidate aria-labelledby="org-details-title">
      <div id="inst-problem" tabIndex={-1}>
        {stale ? (
          <div class="alert alert-error" role="alert">
            <p>{t('organisation.problem.stale')}</p>
            <Button kind="secondary" onClick={again}>{t('organisation.reload')}</Button>
          </div>
        ) : Object.keys(fieldErrors(error, locale)).length === 0 && <ErrorAlert error={error} />}
      </div>
      <TextField id="inst-name" label={t('organisation.name')} required maxLength={300} value={f.name} onValue={(v) => set('name', v)}
        error={errs.name} />
      <TextField id="inst-address" label={t('organisation.address')} maxLength={500} value={f.address} onValue={(v) => set('address', v)}
        error={errs.address} />
      <TextField id="inst-timeZone" label={t('organisation.timeZone')} hint={t('organisation.timeZoneHint')} required list="time-zones"
        value={f.timeZone} onValue={(v) => set('timeZone', v)} error={errs.timeZone} />
      <TimeZoneList id="time-zones" />
      <Checkbox id="inst-requireStaffMfa" label={t('organisation.requireMfa')} hint={t('organisation.requireMfaHint')}
        checked={f.requireStaffMfa} onChecked={(v) => set('requireStaffMfa', v)} />
      <Checkbox id="inst-requireAdminMfa" label={t('organisation.requireAdminMfa')} hint={t('organisation.requireAdminMfaHint')}
        checked={f.requireAdminMfa ?? true} onChecked={(v) => set('requireAdminMfa', v)} />
      <div class="form-actions">
        <Button type="submit" busy={busy}>{t('organisation.save')}</Button>
        <Button kind="link" onClick={onCancel}>{t('organisation.cancel')}</Button>
      </div>
    </form>
  )
}

// ---- The organisation chart -----------------------------------------------

/** What the chart is doing: adding under a department (or at the top), changing one, or removing one. */
type Editing = { mode: 'add'; parentId: string | null } | { mode: 'edit'; id: string } | { mode: 'remove'; id: string }

function Chart({ inst, tree, may, reload, say }: {
  inst: string
  tree: DepartmentNode[]
  may: boolean
  reload: () => Promise<unknown>
  say: (text: string) => void
}) {
  const { t } = useI18n()
  const [editing, setEditing] = useState<Editing>()
  const count = countDepartments(tree)
  const close = (focus: string) => {
    setEditing(undefined)
    focusSoon(focus)
  }
  const done = async (text: string, focus: string) => {
    say('')
    await reload()
    setEditing(undefined)
    say(text)
    focusSoon(focus)
  }
  const ctx: TreeContext = { inst, tree, may, editing, setEditing, close, done }
  return (
    <section aria-labelledby="org-chart-title">
      <h2 id="org-chart-title" tabIndex={-1}>{t('organisation.chart')}</h2>
      <p class="meta">{t('organisation.chartCount', { count })}</p>
      {may && (
        editing?.mode === 'add' && editing.parentId === null ? (
          <DepartmentEditor ctx={ctx} />
        ) : (
          <p>
            <Button id="dept-add-top" kind="secondary" onClick={() => { say(''); setEditing({ mode: 'add', parentId: null }) }}>
              {t('organisation.addTop')}
            </Button>
          </p>
        )
      )}
      {tree.length === 0 ? <p>{t('organisation.noDepartments')}</p> : (
        <ul class="admin-tree" aria-label={t('organisation.chartLabel')}>
          {tree.map((n) => <DepartmentItem node={n} ctx={ctx} />)}
        </ul>
      )}
    </section>
  )
}

interface TreeContext {
  inst: string
  tree: DepartmentNode[]
  may: boolean
  editing: Editing | undefined
  setEditing: (e: Editing | undefined) => void
  close: (focus: string) => void
  done: (text: string, focus: string) => Promise<void>
}

function DepartmentItem({ node, ctx }: { node: DepartmentNode; ctx: TreeContext }) {
  const { t } = useI18n()
  const e = ctx.editing
  const here = e && ((e.mode === 'add' && e.parentId === node.id) || (e.mode !== 'add' && e.id === node.id))
  const children = node.children ?? []
  return (
    <li>
      <div class="admin-dept">
        <span class="admin-dept-name" id={`dept-${node.id}`} tabIndex={-1}>{node.name}</span>{' '}
        <span class="meta admin-dept-meta">{t(`organisation.kind.${node.kind}`)} · {node.code}</span>
        {children.length > 0 && <span class="visually-hidden">{t('organisation.subCount', { count: children.length })}</span>}
        {ctx.may && !here && (
          <span class="admin-dept-actions">
            <Button kind="link" id={`dept-edit-${node.id}`} onClick={() => ctx.setEditing({ mode: 'edit', id: node.id })}>
              {t('organisation.editDepartment')}{' '}<span class="visually-hidden">{node.name}</span>
            </Button>
            {children.length === 0 && (
              <Button kind="link" id={`dept-remove-${node.id}`} onClick={() => ctx.setEditing({ mode: 'remove', id: node.id })}>
                {t('organisation.remove')}{' '}<span class="visually-hidden">{node.name}</span>
              </Button>
            )}
            <Button kind="link" id={`dept-add-${node.id}`} onClick={() => ctx.setEditing({ mode: 'add', parentId: node.id })}>
              {t('organisation.addUnder')}{' '}<span class="visually-hidden">{t('organisation.under', { name: node.name })}</span>
            </Button>
          </span>
        )}
      </div>
      {here && e.mode === 'remove' && <RemoveDepartment ctx={ctx} department={node} />}
      {here && e.mode !== 'remove' && <DepartmentEditor ctx={ctx} />}
      {children.length > 0 && <ul>{children.map((c) => <DepartmentItem node={c} ctx={ctx} />)}</ul>}
    </li>
  )
}

const departmentOrder: DepartmentField[] = ['kind', 'code', 'name', 'parentId']

/** The refusals of a department's code: shown by the code. */
function codeConflict(e: unknown): string | undefined {
  return e instanceof ApiError && (e.code === 'department_exists' || e.code === 'code_taken') ? organisationProblems[e.code] : undefined
}

// DepartmentEditor: a new department (under the one chosen, or at the top)
// or a department changed: renamed, recoded, retyped or moved. A change
// reads the department first, for the version its If-Match sends back.
function DepartmentEditor({ ctx }: { ctx: TreeContext }) {
  const { t, locale } = useI18n()
  const e = ctx.editing!
  const editId = e.mode === 'edit' ? e.id : undefined
  const deptPath = `/api/institutions/${ctx.inst}/departments`
  const [current, setCurrent] = useState<{ department: Department; etag: string }>()
  const [f, setF] = useState<DepartmentForm>({ kind: '', code: '', name: '', parentId: e.mode === 'add' ? e.parentId ?? '' : '' })
  const [checked, setChecked] = useState<Partial<Record<DepartmentField, string>>>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const key = useRef(idempotencyKey())
  const cancelTo = e.mode === 'add' ? (e.parentId ? `dept-add-${e.parentId}` : 'dept-add-top') : `dept-edit-${e.id}`

  const read = async () => {
    if (!editId) return
    try {
      const r = await api.tagged<Department>('GET', `${deptPath}/${editId}`)
      setCurrent({ department: r.body, etag: r.etag })
      setF({ kind: r.body.kind, code: r.body.code, name: r.body.name, parentId: r.body.parentId ?? '' })
      setError(undefined)
      focusSoon('dept-kind')
    } catch (err) {
      setError(err)
    }
  }
  useEffect(() => {
    if (editId) read()
    else focusSoon('dept-kind')
  }, [editId])

  const set = <K extends DepartmentField>(k: K, v: DepartmentForm[K]) => setF((p) => ({ ...p, [k]: v }))
  const submit = async (ev: Event) => {
    ev.preventDefault()
    const found: Partial<Record<DepartmentField, string>> = {}
    for (const [k, p] of Object.entries(checkDepartment(f))) found[k as DepartmentField] = t(`organisation.err.${p}`)
    setChecked(found)
    setError(undefined)
    const first = departmentOrder.find((k) => found[k])
    if (first) {
      focusSoon(`dept-${first}`)
      return
    }
    setBusy(true)
    try {
      if (e.mode === 'add') {
        const made = await api.post<Department>(deptPath, departmentBody(f), { headers: { 'Idempotency-Key': key.current } })
        await ctx.done(t('organisation.added', { name: made.name }), `dept-${made.id}`)
      } else if (current) {
        const body = departmentPatch(current.department, f)
        if (Object.keys(body).length > 0) await api.patch(`${deptPath}/${current.department.id}`, body, { headers: { 'If-Match': current.etag } })
        await ctx.done(t('organisation.changed', { name: f.name.trim() }), `dept-${current.department.id}`)
      }
    } catch (err) {
      setError(err)
      const byField: Record<string, string> = { ...fieldErrors(err, locale), ...(codeConflict(err) ? { code: 'taken' } : {}) }
      const k = departmentOrder.find((x) => byField[x])
      focusSoon(k ? `dept-${k}` : 'dept-problem')
    } finally {
      setBusy(false)
    }
  }

  const stale = error instanceof ApiError && error.status === 412
  const conflict = codeConflict(error)
  const server: Record<string, string> = { ...fieldErrors(error, locale), ...(conflict ? { code: t(conflict) } : {}) }
  const errs = { ...server, ...checked }
  const targets = moveTargets(ctx.tree, editId)
  const title = e.mode === 'edit' ? t('organisation.editTitle', { name: current?.department.name ?? '' })
    : t('organisation.addTitle')
  return (
    <form class="admin-form admin-dept-form" onSubmit={submit} noValidate aria-labelledby="dept-form-title">
      <h3 id="dept-form-title">{title}</h3>
      <div id="dept-problem" tabIndex={-1}>
        {stale ? (
          <div class="alert alert-error" role="alert">
            <p>{t('organisation.problem.stale')}</p>
            <Button kind="secondary" onClick={read}>{t('organisation.reload')}</Button>
          </div>
        ) : Object.keys(server).length === 0 && <Problem error={error} />}
      </div>
      {e.mode === 'edit' && !current && !error ? <Loading /> : (
        <>
          <div class="admin-grid">
            <SelectField id="dept-kind" label={t('organisation.kind')} required value={f.kind} onValue={(v) => set('kind', v)} error={errs.kind}
              placeholder={t('organisation.choose')} options={departmentKinds.map((k) => ({ value: k, label: t(`organisation.kind.${k}`) }))} />
            <TextField id="dept-code" label={t('organisation.code')} hint={t('organisation.codeHint')} required maxLength={32} autoComplete="off"
              value={f.code} onValue={(v) => set('code', v)} error={errs.code} />
          </div>
          <TextField id="dept-name" label={t('organisation.departmentName')} required maxLength={300} autoComplete="off" value={f.name}
            onValue={(v) => set('name', v)} error={errs.name} />
          <SelectField id="dept-parentId" label={t('organisation.parent')} hint={t('organisation.parentHint')} value={f.parentId}
            onValue={(v) => set('parentId', v)} error={errs.parentId}
            options={[{ value: '', label: t('organisation.topLevel') }, ...targets.map((d) => ({ value: d.id, label: departmentLabel(d) }))]} />
          <div class="form-actions">
            <Button type="submit" busy={busy}>{e.mode === 'add' ? t('organisation.addSubmit') : t('organisation.save')}</Button>
            <Button kind="link" onClick={() => ctx.close(cancelTo)}>{t('organisation.cancel')}</Button>
          </div>
        </>
      )}
    </form>
  )
}

/** Problem: a refusal the page explains in the reader's words, or what the API said. */
function Problem({ error }: { error: unknown }) {
  const { t } = useI18n()
  if (!error) return null
  const key = problemKey(error, organisationProblems)
  if (key) return <div class="alert alert-error" role="alert">{t(key)}</div>
  return <ErrorAlert error={error} />
}

function RemoveDepartment({ ctx, department }: { ctx: TreeContext; department: DepartmentNode }) {
  const { t } = useI18n()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => { box.current?.focus() }, [])
  const go = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await api.del(`/api/institutions/${ctx.inst}/departments/${department.id}`)
      await ctx.done(t('organisation.removed', { name: department.name }),
        department.parentId ? `dept-${department.parentId}` : 'org-chart-title')
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="confirm admin-confirm" role="group" aria-labelledby="dept-remove-text" tabIndex={-1} ref={box}>
      <p id="dept-remove-text"><strong>{t('organisation.removeQuestion', { name: department.name })}</strong></p>
      <p class="meta">{t('organisation.removeText')}</p>
      <Problem error={error} />
      <div class="form-actions">
        <Button kind="danger" busy={busy} onClick={go}>{t('organisation.removeConfirm')}</Button>
        <Button kind="secondary" onClick={() => ctx.close(`dept-remove-${department.id}`)}>{t('organisation.removeBack')}</Button>
      </div>
    </div>
  )
}

// ---- The institutions under this one -----------------------------------------

function Subordinates({ inst, may, say }: { inst: string; may: boolean; say: (text: string) => void }) {
  const { t } = useI18n()
  const { items, next, error, busy, load } = usePagedList('/api/institutions', { parent: inst, limit: '100' }, (p: InstitutionList) => p.institutions)
  const [adding, setAdding] = useState(false)
  return (
    <section aria-labelledby="org-sub-title">
      <h2 id="org-sub-title">{t('organisation.subordinates')}</h2>
      <ErrorAlert error={error} />
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p>{t('organisation.noSubordinates')}</p>}
      {items && items.length > 0 && (
        <ul class="admin-institutions">
          {items.map((i) => (
            <li id={`sub-${i.id}`} tabIndex={-1}>
              <strong>{i.name}</strong>
              <span class="meta"> · {t('organisation.cifIs', { cif: i.cif })}{i.address ? ` · ${i.address}` : ''}</span>
            </li>
          ))}
        </ul>
      )}
      {next && <div class="form-actions"><Button kind="secondary" busy={busy} onClick={() => load(next)}>{t('organisation.more')}</Button></div>}
      {may && (adding ? (
        <NewInstitution inst={inst} onCancel={() => { setAdding(false); focusSoon('sub-add') }}
          onDone={async (made) => {
            setAdding(false)
            await load()
            say(t('organisation.subCreated', { name: made.name }))
            focusSoon(`sub-${made.id}`)
          }} />
      ) : (
        <Button id="sub-add" kind="secondary" onClick={() => { say(''); setAdding(true) }}>{t('organisation.addSubordinate')}</Button>
      ))}
    </section>
  )
}

const newInstitutionOrder = ['cif', 'name', 'address', 'timeZone']

function NewInstitution({ inst, onDone, onCancel }: { inst: string; onDone: (i: Institution) => void; onCancel: () => void }) {
  const { t, locale } = useI18n()
  const [f, setF] = useState({ cif: '', name: '', address: '', timeZone: 'Europe/Bucharest', requireStaffMfa: false })
  const [checked, setChecked] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const key = useRef(idempotencyKey())
  useEffect(() => { document.getElementById('sub-cif')?.focus() }, [])
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((p) => ({ ...p, [k]: v }))
  const conflict = error instanceof ApiError && error.code === 'institution_exists'
  const submit = async (e: Event) => {
    e.preventDefault()
    const found: Record<string, string> = {}
    if (!/^(RO)?\s*\d{2,10}$/i.test(f.cif.trim())) found.cif = t('organisation.err.cif')
    if (!f.name.trim()) found.name = t('organisation.err.name')
    if (!f.timeZone.trim()) found.timeZone = t('organisation.err.timeZone')
    setChecked(found)
    setError(undefined)
    const first = newInstitutionOrder.find((k) => found[k])
    if (first) {
      focusSoon(`sub-${first}`)
      return
    }
    setBusy(true)
    try {
      const made = await api.post<Institution>(`/api/institutions/${inst}/institutions`, {
        cif: f.cif.trim(), name: f.name.trim(), address: f.address.trim(), timeZone: f.timeZone.trim(), requireStaffMfa: f.requireStaffMfa,
      }, { headers: { 'Idempotency-Key': key.current } })
      onDone(made)
    } catch (err) {
      setError(err)
      const byField: Record<string, string> = { ...fieldErrors(err, locale), ...(err instanceof ApiError && err.code === 'institution_exists' ? { cif: 'taken' } : {}) }
      const k = newInstitutionOrder.find((x) => byField[x])
      focusSoon(k ? `sub-${k}` : 'sub-problem')
    } finally {
      setBusy(false)
    }
  }
  const server: Record<string, string> = { ...fieldErrors(error, locale), ...(conflict ? { cif: t('organisation.problem.institutionExists') } : {}) }
  const errs = { ...server, ...checked }
  return (
    <form class="admin-form" onSubmit={submit} noValidate aria-labelledby="sub-form-title">
      <h3 id="sub-form-title">{t('organisation.newSubordinate')}</h3>
      <div id="sub-problem" tabIndex={-1}>{Object.keys(server).length === 0 && <Problem error={error} />}</div>
      <div class="admin-grid">
        <TextField id="sub-cif" label={t('organisation.cif')} hint={t('organisation.cifHint')} required inputMode="text" maxLength={14}
          autoComplete="off" value={f.cif} onValue={(v) => set('cif', v)} error={errs.cif} />
        <TextField id="sub-timeZone" label={t('organisation.timeZone')} hint={t('organisation.timeZoneHint')} required list="sub-time-zones"
          value={f.timeZone} onValue={(v) => set('timeZone', v)} error={errs.timeZone} />
      </div>
      <TimeZoneList id="sub-time-zones" />
      <TextField id="sub-name" label={t('organisation.name')} required maxLength={300} autoComplete="off" value={f.name}
        onValue={(v) => set('name', v)} error={errs.name} />
      <TextField id="sub-address" label={t('organisation.address')} maxLength={500} autoComplete="off" value={f.address}
        onValue={(v) => set('address', v)} error={errs.address} />
      <Checkbox id="sub-requireStaffMfa" label={t('organisation.requireMfa')} hint={t('organisation.requireMfaHint')}
        checked={f.requireStaffMfa} onChecked={(v) => set('requireStaffMfa', v)} />
      <div class="form-actions">
        <Button type="submit" busy={busy}>{t('organisation.createSubordinate')}</Button>
        <Button kind="link" onClick={onCancel}>{t('organisation.cancel')}</Button>
      </div>
    </form>
  )
}

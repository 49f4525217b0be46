import { useEffect, useRef, useState } from 'preact/hooks'
import { useRoute } from 'preact-iso'

import { api, upload } from '../api/client'
import type { Applicant, Me, RequestDetail, RequestFile, RequestSummary, RequestType } from '../api/types'
import { focusWithin, parseSchema } from '../forms'
import type { FormTree } from '../forms'
import { useI18n } from '../i18n/i18n'
import { officeInstitution } from '../office/office'
import { SignInFirst } from '../portal/SignInFirst'
import { useSession } from '../session'
import { FilePicker } from '../ui/FilePicker'
import type { PickedFile } from '../ui/FilePicker'
import { DaysLeft, StatusBadge, registrationNumber } from '../ui/requests'
import { Alert, Button, ErrorAlert, Loading, Page, SelectField, TextArea, TextField, fieldErrors } from '../ui/ui'
import { dataRows } from './data'
import { useDepartments, useStaff } from './hooks'
import type { Staff } from './hooks'
import {
  actionPath, actorOf, allowedActions, awaitsRegistry, closing, eligibleAssignees, ifMatch, isOpen, readableDepartments,
  refusal, todayInRomania, validDays,
} from './work'
import type { ActionKind, WorkHistoryRow } from './work'
import './work.css'

/** A request as staff read it: the history names who acted. */
type WorkDetail = Omit<RequestDetail, 'history'> & { history: WorkHistoryRow[] }

// While a number or an answer's registration is on its way, the page asks
// again this often, for this long: the registry answers within seconds.
const pollEvery = 2000
const pollFor = 90_000

// RequestWork: one request of the department, as its head or clerk works
// on it: what it says, its files, its whole route and term, and the
// actions its status and the reader's permissions allow. Every action is
// sent with If-Match: the revision shown, so a page that is no longer
// current is told so instead of overwriting what a colleague did.
export function RequestWork() {
  const { t, locale, date, dateTime, bytes, number } = useI18n()
  const { me } = useSession()
  const { params } = useRoute()
  const inst = officeInstitution(me)
  const readable = readableDepartments(me, inst)
  const mayRead = readable === 'all' || readable.length > 0
  const path = `/api/institutions/${inst}/requests/${params.id}`
  const [r, setR] = useState<WorkDetail>()
  const [error, setError] = useState<unknown>()
  const [tree, setTree] = useState<FormTree>()
  const [notice, setNotice] = useState<string>()
  const noticeRef = useRef<HTMLDivElement>(null)
  const pollingSince = useRef<number | undefined>(undefined)
  const departments = useDepartments(mayRead ? inst : undefined)
  const staff = useStaff(me, mayRead ? inst : undefined)

  const load = () =>
    api.get<WorkDetail>(path).then(
      (d) => { setR(d); setError(undefined); return d },
      (e) => { setError(e); return undefined },
    )
  useEffect(() => {
    if (me && inst && mayRead) load()
  }, [path, me?.id])

  // Ask again while the registry numbers the request or its answer.
  useEffect(() => {
    if (!r || !awaitsRegistry(r)) {
      pollingSince.current = undefined
      return
    }
    pollingSince.current ??= Date.now()
    if (Date.now() - pollingSince.current > pollFor) return
    const timer = setTimeout(load, pollEvery)
    return () => clearTimeout(timer)
  }, [r])

  // The type's form, for its fields' titles; the keys do without it.
  const typeId = r?.type.id
  useEffect(() => {
    if (!typeId || !inst) return
    api.get<RequestType>(`/api/institutions/${inst}/request-types/${typeId}`).then((rt) => {
      try {
        setTree(parseSchema(rt.form))
      } catch {
        // a form this page cannot read: the keys are shown
      }
    }, () => {})
  }, [typeId, inst])

  useEffect(() => {
    if (notice) noticeRef.current?.focus()
  }, [notice])

  if (me === null) return <SignInFirst />
  if (me === undefined) return <Loading />
  if (!mayRead) return <Page title={t('work.requestTitle')}><Alert kind="warning">{t('work.notAllowed')}</Alert></Page>
  if (!r) {
    const missing = error && typeof error === 'object' && 'status' in error && (error as { status: number }).status === 404
    return (
      <Page title={t('work.requestTitle')}>
        {missing ? <Alert kind="warning">{t('work.notFound')}</Alert> : error ? <ErrorAlert error={error} /> : <Loading />}
        <p><a href="/birou/cereri">{t('work.backToList')}</a></p>
      </Page>
    )
  }

  const done = (kind: ActionKind, s: RequestSummary) => {
    setR((prev) => (prev ? { ...prev, ...s } : prev))
    setNotice(undefined)
    // A new text each time, so the same action twice is announced twice.
    requestAnimationFrame(() => setNotice(t(`work.done.${kind}`)))
    load()
  }
  const reload = async () => {
    setNotice(undefined)
    const d = await load()
    if (d) setNotice(t('work.reloaded'))
  }

  const g = r.registration
  const assigneeName = !r.assigneeId ? undefined : r.assigneeId === me.id ? me.displayName : staff.names.get(r.assigneeId)
  const rows = dataRows(r.data, tree, {
    locale, yes: t('work.yes'), no: t('work.no'), date, dateTime, number,
  })
  const applicant = r.applicant?.name ?? (typeof r.data?.name === 'string' ? r.data.name : undefined)

  return (
    <Page title={r.type.name} wide>
      {r.title !== r.type.name && <p class="lead">{r.title}</p>}
      {notice && <div class="alert alert-success work-notice" role="status" tabIndex={-1} ref={noticeRef}>{notice}</div>}
      {r.duplicateOf && (
        <div class="alert alert-info" id="work-duplicate">
          {t('work.duplicateOf')} <a href={`/birou/cereri/${r.duplicateOf}`}>{t('work.duplicateOfLink')}</a>
        </div>
      )}
      <dl class="facts">
        <dt>{t('work.colNumber')}</dt>
        <dd>{g ? t('work.registeredAs', { number: registrationNumber(r), at: dateTime(g.registeredAt) }) : t('work.numberPending')}</dd>
        <dt>{t('work.colStatus')}</dt><dd><StatusBadge status={r.status} /></dd>
        <dt>{t('work.colDeadline')}</dt>
        <dd>
          <DaysLeft r={r} />
          {r.extendedDays > 0 && <> <span class="meta">{t('work.extendedBy', { count: r.extendedDays })}</span></>}
        </dd>
        {r.refusalDeadline && isOpen(r.status) && (
          <>
            <dt>{t('work.refusalDeadline')}</dt>
            <dd>
              {date(r.refusalDeadline)}
              {r.refusalDeadline < todayInRomania() && <> <span class="meta">{t('work.refusalDeadlinePassed')}</span></>}
            </dd>
          </>
        )}
        <dt>{t('work.colAssignee')}</dt>
        <dd>{assigneeName ?? (r.assigneeId ? t('work.assigneeOther') : <span class="meta">{t('work.unassigned')}</span>)}</dd>
        {departments.get(r.departmentId) && <><dt>{t('work.colDepartment')}</dt><dd>{departments.get(r.departmentId)}</dd></>}
        {applicant && !r.applicant && <><dt>{t('work.applicant')}</dt><dd>{applicant}</dd></>}
        <dt>{t('work.submittedAt')}</dt><dd>{dateTime(r.submittedAt)}</dd>
        {r.status === 'resolved' && (
          <>
            <dt>{t('work.answer')}</dt>
            <dd>{r.answer ? t('work.answerRegistered', { number: r.answer.number }) : t('work.answerPending')}</dd>
          </>
        )}
      </dl>

      {r.applicant && <ApplicantCard a={r.applicant} />}

      <section aria-labelledby="work-actions">
        <h2 id="work-actions">{t('work.actions')}</h2>
        <ActionPanel r={r} me={me} path={path} staff={staff} onDone={done} onReload={reload} />
      </section>

      <section aria-labelledby="work-data">
        <h2 id="work-data">{t('work.data')}</h2>
        {rows.length === 0 ? <p>{t('work.noData')}</p> : (
          <dl class="facts work-data">
            {rows.map((row) => <><dt>{row.label}</dt><dd>{row.value}</dd></>)}
          </dl>
        )}
      </section>

      <section aria-labelledby="work-files">
        <h2 id="work-files">{t('work.files')}</h2>
        {r.files.length === 0 ? <p>{t('work.noFiles')}</p> : (
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">{t('work.files')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('work.fileTitle')}</th>
                  <th scope="col">{t('work.fileName')}</th>
                  <th scope="col">{t('work.fileOrigin')}</th>
                  <th scope="col">{t('work.fileSize')}</th>
                  <th scope="col">{t('work.fileAdded')}</th>
                </tr>
              </thead>
              <tbody>
                {r.files.map((f) => (
                  <tr>
                    <td>{f.title || f.kind}</td>
                    <td><a href={f.url} download={f.name}>{f.name}</a></td>
                    <td>{t(`work.origin.${origin(f)}`)}</td>
                    <td>{bytes(f.size)}</td>
                    <td>{dateTime(f.addedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="work-history">
        <h2 id="work-history">{t('work.history')}</h2>
        <History r={r} me={me} staff={staff} />
      </section>

      <p><a href="/birou/cereri">{t('work.backToList')}</a></p>
    </Page>
  )
}

// ApplicantCard: who applied and how to reach them, as their account said
// at submission. The CNP is shown masked only; the read is audited.
function ApplicantCard({ a }: { a: Applicant }) {
  const { t } = useI18n()
  return (
    <section aria-labelledby="work-applicant">
      <h2 id="work-applicant">{t('work.applicantTitle')}</h2>
      <dl class="facts" id="applicant">
        <dt>{t(a.kind === 'company' ? 'work.applicantCompany' : 'work.applicantName')}</dt><dd>{a.name}</dd>
        {a.cnpMasked && <><dt>{t('work.applicantCnp')}</dt><dd><code>{a.cnpMasked}</code> <span class="meta">{t('work.applicantCnpMasked')}</span></dd></>}
        {a.cui && <><dt>{t('work.applicantCui')}</dt><dd><code>{a.cui}</code></dd></>}
        <dt>{t('work.applicantEmail')}</dt><dd><a href={`mailto:${a.email}`}>{a.email}</a></dd>
        {a.phone && <><dt>{t('work.applicantPhone')}</dt><dd><a href={`tel:${a.phone.replace(/[^+\d]/g, '')}`}>{a.phone}</a></dd></>}
        {a.address && <><dt>{t('work.applicantAddress')}</dt><dd>{a.address}</dd></>}
      </dl>
    </section>
  )
}

function origin(f: RequestFile): 'answer' | 'info' | 'request' {
  return f.kind === 'answer' ? 'answer' : f.kind === 'info' ? 'info' : 'request'
}

// History: every step, who took it and when, its note and what it set.
function History({ r, me, staff }: { r: WorkDetail; me: Me; staff: Staff }) {
  const { t, date, dateTime } = useI18n()
  const who = (h: WorkHistoryRow) => {
    const a = actorOf(h, me.id, staff.names)
    if (a.kind === 'staff') return a.name ? (a.department ? `${a.name}, ${a.department}` : a.name) : t('work.actor.staff')
    if (a.kind === 'me') return `${me.displayName} (${t('work.actor.me')})`
    return t(`work.actor.${a.kind}`)
  }
  const details = (h: WorkHistoryRow): string[] => {
    const d = h.details ?? {}
    const out: string[] = []
    if (typeof d.assignee === 'string') {
      out.push(t('work.detailAssignee', { name: d.assignee === me.id ? me.displayName : staff.names.get(d.assignee) ?? t('work.actor.staff') }))
    }
    if (typeof d.number === 'number') out.push(t('work.detailNumber', { number: `${d.number}/${d.year ?? ''}` }))
    if (typeof d.days === 'number') out.push(t('work.detailDays', { count: d.days }))
    if (typeof d.deadline === 'string') out.push(t('work.detailDeadline', { date: date(d.deadline) }))
    if (typeof d.destination === 'string') out.push(t('work.detailDestination', { destination: d.destination }))
    if (d.late === true) out.push(t(h.action === 'reject' ? 'work.detailRefusalLate' : 'work.detailLate'))
    return out
  }
  return (
    <div class="table-scroll">
      <table class="work-history">
        <caption class="visually-hidden">{t('work.historyCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('work.when')}</th>
            <th scope="col">{t('work.what')}</th>
            <th scope="col">{t('work.who')}</th>
            <th scope="col">{t('work.details')}</th>
          </tr>
        </thead>
        <tbody>
          {r.history.map((h) => {
            const files = r.files.filter((f) => f.historyId === h.id)
            const lines = details(h)
            return (
              <tr>
                <td>{dateTime(h.at)}</td>
                <th scope="row">{t(`history.${h.action}`)}</th>
                <td>{who(h)}</td>
                <td>
                  {h.note && <p class="work-note">{h.note}</p>}
                  {lines.map((l) => <p class="work-note">{l}</p>)}
                  {files.length > 0 && (
                    <ul>{files.map((f) => <li><a href={f.url} download={f.name}>{f.title || f.name}</a></li>)}</ul>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

// ActionPanel: the actions allowed now, each a button opening its form.
function ActionPanel({ r, me, path, staff, onDone, onReload }: {
  r: WorkDetail
  me: Me
  path: string
  staff: Staff
  onDone: (kind: ActionKind, s: RequestSummary) => void
  onReload: () => void
}) {
  const { t } = useI18n()
  const [open, setOpen] = useState<ActionKind>()
  const buttons = useRef<HTMLDivElement>(null)
  const allowed = allowedActions(r, me)
  if (r.status === 'submitted') return <Alert kind="info">{t('work.waitingNumber')}</Alert>
  if (!isOpen(r.status)) return <p>{t('work.closed', { status: t(`status.${r.status}`) })}</p>
  if (allowed.length === 0) return <p>{t('work.noActions')}</p>
  const close = () => {
    const was = open
    setOpen(undefined)
    // Back to the button that opened the form.
    requestAnimationFrame(() => buttons.current?.querySelector<HTMLButtonElement>(`[data-action="${was}"]`)?.focus())
  }
  return (
    <>
      <div class="work-actions" ref={buttons} role="group" aria-label={t('work.actions')}>
        {allowed.map((a) => (
          <Button kind="secondary" data-action={a} aria-expanded={open === a ? 'true' : 'false'}
            aria-controls={open === a ? 'action-form' : undefined} onClick={() => setOpen(open === a ? undefined : a)}>
            {t(`work.action.${a}`)}
          </Button>
        ))}
      </div>
      {open && (
        <ActionForm key={open} kind={open} r={r} path={path} staff={staff} onCancel={close}
          onReload={() => { setOpen(undefined); onReload() }}
          onDone={(s) => { setOpen(undefined); onDone(open, s) }} />
      )}
    </>
  )
}

// The API's names of each action's fields, as the forms' ids end.
type FieldName = 'assigneeId' | 'note' | 'question' | 'days' | 'reason' | 'destination' | 'files' | 'title'

const fieldsOf: Record<ActionKind, FieldName[]> = {
  assign: ['assigneeId', 'note'],
  start: ['note'],
  ask_info: ['question'],
  extend: ['days', 'reason'],
  resolve: ['files', 'title', 'note'],
  reject: ['reason'],
  forward: ['destination', 'note'],
  file: ['reason'],
}

// ActionForm: one action's small form. It checks what it can before
// sending, asks before an action that closes the request, and shows what
// the API refused beside the field it names.
function ActionForm({ kind, r, path, staff, onDone, onCancel, onReload }: {
  kind: ActionKind
  r: WorkDetail
  path: string
  staff: Staff
  onDone: (s: RequestSummary) => void
  onCancel: () => void
  onReload: () => void
}) {
  const { t, locale } = useI18n()
  const [assignee, setAssignee] = useState('')
  const [note, setNote] = useState('')
  const [question, setQuestion] = useState('')
  const [days, setDays] = useState('')
  const [reason, setReason] = useState('')
  const [destination, setDestination] = useState('')
  const [title, setTitle] = useState('')
  const [files, setFiles] = useState<PickedFile[]>([])
  const [checked, setChecked] = useState<Partial<Record<FieldName, string>>>({})
  const [error, setError] = useState<unknown>()
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [progress, setProgress] = useState<number>()
  const form = useRef<HTMLFormElement>(null)
  const confirmBox = useRef<HTMLDivElement>(null)

  // The form opens on its first field.
  useEffect(() => {
    const first = form.current?.querySelector('.field')
    if (first) focusWithin(first)
    else form.current?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus()
  }, [])
  useEffect(() => {
    if (confirming) confirmBox.current?.focus()
  }, [confirming])

  const mine = fieldsOf[kind]
  const server = fieldErrors(error, locale)
  // The upload's parts are named files[0]…: the picker shows them.
  if (!server.files) {
    const k = Object.keys(server).find((f) => f.startsWith('files['))
    if (k) server.files = server[k]
  }
  const errs: Partial<Record<FieldName, string>> = { ...server, ...checked }
  const unshown = Object.keys(server).filter((f) => !mine.includes(f as FieldName) && !f.startsWith('files['))
  const why = refusal(error)

  const focusFirstInvalid = (found: Partial<Record<FieldName, string>>) => {
    requestAnimationFrame(() => {
      const name = mine.find((f) => found[f])
      const el = name && form.current?.querySelector(`#act-${name}`)
      if (el instanceof HTMLElement) el.focus()
    })
  }

  const check = (): Partial<Record<FieldName, string>> => {
    const out: Partial<Record<FieldName, string>> = {}
    if (kind === 'assign' && !assignee) out.assigneeId = t('work.err.assignee')
    if (kind === 'ask_info' && !question.trim()) out.question = t('work.err.question')
    if (kind === 'extend' && validDays(days, r.maxExtensionDays) === undefined) out.days = t('work.err.days', { max: r.maxExtensionDays })
    if ((kind === 'extend' || kind === 'reject' || kind === 'file') && !reason.trim()) out.reason = t('work.err.reason')
    if (kind === 'forward' && !destination.trim()) out.destination = t('work.err.destination')
    if (kind === 'resolve') {
      if (files.length === 0) out.files = t('work.err.file')
      else if (files.some((f) => f.problem)) out.files = t('work.err.fileProblem')
    }
    return out
  }

  const body = (): Record<string, unknown> => {
    switch (kind) {
      case 'assign': return { assigneeId: assignee, ...(note.trim() ? { note: note.trim() } : {}) }
      case 'start': return note.trim() ? { note: note.trim() } : {}
      case 'ask_info': return { question: question.trim() }
      case 'extend': return { days: validDays(days, r.maxExtensionDays), reason: reason.trim() }
      case 'reject':
      case 'file': return { reason: reason.trim() }
      case 'forward': return { destination: destination.trim(), ...(note.trim() ? { note: note.trim() } : {}) }
      case 'resolve': return {}
    }
  }

  const send = async () => {
    setBusy(true)
    setError(undefined)
    const url = `${path}/${actionPath[kind]}`
    try {
      let s: RequestSummary
      if (kind === 'resolve') {
        const data = new FormData()
        const declared = files.map((f) => ({ name: f.file.name, ...(title.trim() ? { title: title.trim() } : {}) }))
        data.append('resolution', new Blob([JSON.stringify({ ...(note.trim() ? { note: note.trim() } : {}), files: declared })],
          { type: 'application/json' }))
        for (const f of files) data.append('file', f.file, f.file.name)
        setProgress(0)
        s = await upload<RequestSummary>(url, data, setProgress, ifMatch(r.revision))
      } else {
        s = await api.post<RequestSummary>(url, body(), { headers: ifMatch(r.revision) })
      }
      onDone(s)
    } catch (e) {
      setError(e)
      setConfirming(false)
      if (refusal(e).kind === 'fields') focusFirstInvalid(fieldErrors(e, locale) as Partial<Record<FieldName, string>>)
    } finally {
      setBusy(false)
      setProgress(undefined)
    }
  }

  const submit = (e: Event) => {
    e.preventDefault()
    const found = check()
    setChecked(found)
    setError(undefined)
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(found)
      return
    }
    if (closing.has(kind)) {
      setConfirming(true)
      return
    }
    send()
  }

  const eligible = staff.list ? eligibleAssignees(staff.list, r.departmentId, todayInRomania()) : []
  const publicHint = t('work.publicHint')
  return (
    <section id="action-form" class="action-form" aria-labelledby="action-form-title">
      <h3 id="action-form-title">{t(`work.action.${kind}`)}</h3>
      <p class="meta">{t(`work.about.${kind}`, { max: r.maxExtensionDays })}</p>
      {why.kind === 'stale' && (
        <div class="alert alert-error" role="alert">
          <p>{t('work.stale')}</p>
          <Button kind="secondary" onClick={onReload}>{t('work.reload')}</Button>
        </div>
      )}
      {why.kind === 'conflict' && (
        <div class="alert alert-error" role="alert">
          <p>{t(`work.conflict.${why.code}`)}</p>
          <Button kind="secondary" onClick={onReload}>{t('work.reload')}</Button>
        </div>
      )}
      {why.kind === 'fields' && <div class="alert alert-error" role="alert">{t('work.fieldsSummary')}</div>}
      {(why.kind === 'other' || unshown.length > 0) && <ErrorAlert error={error} />}
      <form ref={form} onSubmit={submit} noValidate>
        {kind === 'assign' && (
          staff.readable ? (
            staff.list ? (
              eligible.length > 0 ? (
                <SelectField id="act-assigneeId" label={t('work.assignee')} hint={t('work.assigneeHint')} required
                  value={assignee} onValue={setAssignee} error={errs.assigneeId} placeholder={t('work.assigneeChoose')}
                  options={eligible.map((s) => ({
                    value: s.id,
                    label: s.id === r.assigneeId ? t('work.assigneeCurrent', { name: s.displayName }) : s.displayName,
                  }))} />
              ) : <Alert kind="warning">{t('work.noAssignees')}</Alert>
            ) : staff.error ? <ErrorAlert error={staff.error} /> : <Loading />
          ) : <Alert kind="warning">{t('work.staffNotReadable')}</Alert>
        )}
        {kind === 'ask_info' && (
          <TextArea id="act-question" label={t('work.question')} hint={t('work.questionHint')} required maxLength={10000}
            value={question} onValue={setQuestion} error={errs.question} />
        )}
        {kind === 'extend' && (
          <TextField id="act-days" type="number" inputMode="numeric" label={t('work.days')} required
            hint={t('work.daysHint', { max: r.maxExtensionDays })} value={days} onValue={setDays} error={errs.days} />
        )}
        {kind === 'forward' && (
          <TextField id="act-destination" label={t('work.destination')} hint={t('work.destinationHint')} required maxLength={500}
            value={destination} onValue={setDestination} error={errs.destination} />
        )}
        {kind === 'resolve' && (
          <>
            <FilePicker id="act-files" label={t('work.answerFile')} hint={t('work.answerFileHint')} required
              mediaTypes={['application/pdf']} files={files} onFiles={setFiles} error={errs.files} />
            <TextField id="act-title" label={t('work.answerTitle')} hint={t('work.answerTitleHint')} maxLength={300}
              value={title} onValue={setTitle} error={errs.title} />
          </>
        )}
        {(kind === 'extend' || kind === 'reject' || kind === 'file') && (
          <TextArea id="act-reason" label={t('work.reason')} hint={publicHint} required maxLength={10000}
            value={reason} onValue={setReason} error={errs.reason} />
        )}
        {(kind === 'assign' || kind === 'start') && (
          <TextArea id="act-note" label={t('work.noteInternal')} hint={t('work.internalHint')} maxLength={10000}
            value={note} onValue={setNote} error={errs.note} />
        )}
        {(kind === 'resolve' || kind === 'forward') && (
          <TextArea id="act-note" label={t('work.notePublic')} hint={publicHint} maxLength={10000}
            value={note} onValue={setNote} error={errs.note} />
        )}
        {progress !== undefined && <progress max={1} value={progress} aria-label={t('work.uploading')} />}
        {!confirming && (
          <div class="form-actions">
            <Button type="submit" busy={busy}>{t(`work.submit.${kind}`)}</Button>
            <Button kind="link" onClick={onCancel}>{t('work.cancel')}</Button>
          </div>
        )}
        {confirming && (
          <div class="confirm" role="group" aria-labelledby="confirm-text" tabIndex={-1} ref={confirmBox}>
            <p id="confirm-text"><strong>{t(`work.confirm.${kind}`)}</strong></p>
            <div class="form-actions">
              <Button kind="danger" busy={busy} onClick={send}>{t(`work.confirmYes.${kind}`)}</Button>
              <Button kind="secondary" onClick={() => {
                setConfirming(false)
                requestAnimationFrame(() => form.current?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus())
              }}>{t('work.confirmBack')}</Button>
            </div>
          </div>
        )}
      </form>
    </section>
  )
}

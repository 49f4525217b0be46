import { useEffect, useRef, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { ApiError, api, idempotencyKey } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { holds } from '../office/office'
import { Button, Loading, Page, SelectField, TextField, fieldErrors, useAction } from '../ui/ui'
import {
  checkFile, createBody, draftOf, emptyFile, fileETag, inventoryURL, patchBody, planHref, replace, retentions, yearChoices, yearOf,
} from './filing'
import type { CopyResult, FileDraft, FilingFile, FilingFileList } from './filing'
import { departmentLabel } from './departments'
import type { FlatDepartment } from './departments'
import { focusFirst, focusSoon } from '../ui/focus'
import { currentYear, institutionPath } from './records'
import { Confirm, Done, Problem, useDepartmentList } from './recordsui'

const pageSize = 200

/**
 * FilingPlan: a year's filing plan (nomenclatorul arhivistic), the year in
 * the page's URL; for whoever holds registry.configure, a file added, an
 * open one changed or closed (after a confirmation), the plan set up from
 * another year's; for whoever holds registry.export, a closed file's
 * inventory for the archive.
 */
export function FilingPlan() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="registry.read" title={t('filingPlan.title')} denied={t('filingPlan.notAllowed')}>
      {(me, inst) => <Plan me={me} inst={inst} />}
    </OfficeGate>
  )
}

function Plan({ me, inst }: { me: Me; inst: string }) {
  const { t, date, number } = useI18n()
  const { query, route } = useLocation()
  const current = currentYear()
  const year = yearOf(query, current)
  const path = `${institutionPath(inst)}/filing-plan`
  const mayConfigure = holds(me, 'registry.configure', inst)
  const mayExport = holds(me, 'registry.export', inst)
  const departments = useDepartmentList(inst)
  const [picked, setPicked] = useState(String(year))
  const [files, setFiles] = useState<FilingFile[]>()
  const [next, setNext] = useState<string | null>(null)
  const [loadError, setLoadError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [editing, setEditing] = useState<{ file: FilingFile; draft: FileDraft }>()
  const [closing, setClosing] = useState<FilingFile>()
  const [done, setDone] = useState('')
  const latest = useRef(0)

  const page = async (cursor: string | null) => {
    const q = new URLSearchParams({ year: String(year), limit: String(pageSize) })
    if (cursor) q.set('cursor', cursor)
    return await api.get<FilingFileList>(`${path}?${q}`)
  }
  const load = () => {
    const ask = ++latest.current
    setBusy(true)
    page(null).then((p) => {
      if (ask !== latest.current) return
      setFiles(p.files)
      setNext(p.next)
      setLoadError(undefined)
    }, (e) => {
      if (ask === latest.current) setLoadError(e)
    }).finally(() => {
      if (ask === latest.current) setBusy(false)
    })
  }
  useEffect(() => {
    setPicked(String(year))
    setFiles(undefined)
    setEditing(undefined)
    setClosing(undefined)
    load()
  }, [path, year])

  const more = async () => {
    const ask = latest.current
    setBusy(true)
    try {
      const p = await page(next)
      if (ask !== latest.current) return
      setFiles((list) => [...(list ?? []), ...p.files])
      setNext(p.next)
    } catch (e) {
      setLoadError(e)
    } finally {
      if (ask === latest.current) setBusy(false)
    }
  }

  const finished = (text: string) => {
    setDone(text)
    focusSoon('plan-done')
  }
  const put = (f: FilingFile) => setFiles((list) => replace(list ?? [], f))
  const show = (e: Event) => {
    e.preventDefault()
    setDone('')
    route(planHref(Number(picked), current))
  }
  const deptName = (id: string) => departments.names.get(id) ?? id
  const retention = (r: string) => t(`filingPlan.retention.${r}`)

  return (
    <Page title={t('filingPlan.title')} wide>
      <p class="meta">{t('filingPlan.intro')}</p>
      <form onSubmit={show} class="records-inline" aria-label={t('filingPlan.pickYear')}>
        <SelectField id="plan-year" label={t('filingPlan.year')} value={picked} onValue={setPicked}
          options={yearChoices(current, year).map((y) => ({ value: String(y), label: String(y) }))} />
        <Button type="submit" kind="secondary">{t('filingPlan.show')}</Button>
      </form>
      <Done id="plan-done" text={done} />

      <section aria-labelledby="plan-files">
        <h2 id="plan-files">{t('filingPlan.filesTitle', { year })}</h2>
        <Problem error={loadError} />
        {!files && !loadError && <Loading />}
        {files && files.length === 0 && <p role="status">{t('filingPlan.none', { year })}</p>}
        {files && files.length > 0 && (
          <>
            <p class="meta" role="status">{t('filingPlan.count', { count: files.length })}</p>
            <div class="table-scroll" role="region" aria-labelledby="plan-files" tabIndex={0}>
              <table class="records-table records-stack">
                <caption class="visually-hidden">{t('filingPlan.caption', { year })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('filingPlan.indicator')}</th>
                    <th scope="col">{t('filingPlan.fileTitle')}</th>
                    <th scope="col">{t('filingPlan.retention')}</th>
                    <th scope="col">{t('filingPlan.department')}</th>
                    <th scope="col">{t('filingPlan.status')}</th>
                    {(mayConfigure || mayExport) && <th scope="col">{t('filingPlan.actions')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {files.map((f) => (
                    <tr class={f.closedAt ? 'records-row-closed' : undefined}>
                      <th scope="row" class="records-nowrap">{f.indicator}</th>
                      <td class="records-text" data-label={t('filingPlan.fileTitle')}>{f.title}</td>
                      <td data-label={t('filingPlan.retention')}>{retention(f.retention)}</td>
                      <td class="records-text" data-label={t('filingPlan.department')}>{deptName(f.departmentId)}</td>
                      <td data-label={t('filingPlan.status')}>
                        {f.closedAt
                          ? <span class="badge records-badge-closed">{t('filingPlan.closedOn', { date: date(f.closedAt) })}</span>
                          : <span class="badge badge-done">{t('filingPlan.open')}</span>}
                      </td>
                      {(mayConfigure || mayExport) && (
                        <td>
                          <div class="records-row-actions">
                            {!f.closedAt && mayConfigure && (
                              <>
                                <Button id={`file-edit-${f.id}`} kind="secondary" aria-label={t('filingPlan.editOne', { indicator: f.indicator })}
                                  onClick={() => {
                                    setDone('')
                                    setClosing(undefined)
                                    setEditing({ file: f, draft: draftOf(f) })
                                    focusSoon('file-edit-title')
                                  }}>{t('filingPlan.edit')}</Button>
                                <Button id={`file-close-${f.id}`} kind="danger" aria-label={t('filingPlan.closeOne', { indicator: f.indicator })}
                                  onClick={() => {
                                    setDone('')
                                    setEditing(undefined)
                                    setClosing(f)
                                  }}>{t('filingPlan.close')}</Button>
                              </>
                            )}
                            {f.closedAt && mayExport && (
                              <>
                                <a class="btn btn-secondary" href={inventoryURL(inst, f.id, 'pdf')} download
                                  aria-label={t('filingPlan.inventoryOne', { indicator: f.indicator, format: 'PDF' })}>
                                  {t('filingPlan.inventory', { format: 'PDF' })}
                                </a>
                                <a class="btn btn-secondary" href={inventoryURL(inst, f.id, 'csv')} download
                                  aria-label={t('filingPlan.inventoryOne', { indicator: f.indicator, format: 'CSV' })}>
                                  {t('filingPlan.inventory', { format: 'CSV' })}
                                </a>
                              </>
                            )}
                          </div>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        {next && files && (
          <div class="form-actions">
            <Button kind="secondary" busy={busy} onClick={more}>{t('filingPlan.more')}</Button>
          </div>
        )}
      </section>

      {closing && (
        <CloseFile path={path} file={closing} onCancel={() => {
          setClosing(undefined)
          focusSoon(`file-close-${closing.id}`)
        }} onDone={(f) => {
          put(f)
          setClosing(undefined)
          finished(t('filingPlan.closedDone', { indicator: f.indicator }))
        }} onGone={load} />
      )}

      {editing && (
        <EditFile path={path} editing={editing} departments={departments.list}
          onChange={(draft) => setEditing({ ...editing, draft })}
          onCancel={() => {
            setEditing(undefined)
            focusSoon(`file-edit-${editing.file.id}`)
          }}
          onStale={(f) => {
            put(f)
            setEditing({ ...editing, file: f })
          }}
          onDone={(f) => {
            put(f)
            setEditing(undefined)
            finished(t('filingPlan.changedDone', { indicator: f.indicator }))
          }} />
      )}

      {mayConfigure && (
        <>
          <NewFile path={path} year={year} departments={departments.list} onDone={(f, existed) => {
            put(f)
            finished(t(existed ? 'filingPlan.existedDone' : 'filingPlan.createdDone', { indicator: f.indicator, year }))
          }} />
          <CopyPlan path={path} year={year} current={current} onDone={(r) => {
            load()
            finished(t('filingPlan.copiedDone', { created: number(r.created.length), skipped: number(r.skipped.length), from: r.fromYear }))
          }} />
        </>
      )}
    </Page>
  )
}

const formOrder = ['indicator', 'title', 'retention', 'departmentId']

/** The messages of checkFile's problems, and focus on the first field that has one. */
function useChecked(prefix: string) {
  const { t } = useI18n()
  const [checked, setChecked] = useState<Record<string, string>>({})
  const check = (problems: Record<string, string>) => {
    const out = Object.fromEntries(Object.entries(problems).map(([k, v]) => [k, t(`filingPlan.problem.${v}`)]))
    setChecked(out)
    focusFirstInvalid(prefix, out)
    return Object.keys(out).length === 0
  }
  return { checked, check }
}

function focusFirstInvalid(prefix: string, errors: Record<string, string>) {
  focusFirst(formOrder, errors, (f) => `${prefix}-${f}`)
}

/** FileFields: a file's title, retention and department (and its indicator when it is new). */
function FileFields({ prefix, draft, onDraft, errors, departments, withIndicator }: {
  prefix: string
  draft: FileDraft
  onDraft: (d: FileDraft) => void
  errors: Record<string, string>
  departments: FlatDepartment[]
  withIndicator: boolean
}) {
  const { t } = useI18n()
  const set = <K extends keyof FileDraft>(k: K, v: FileDraft[K]) => onDraft({ ...draft, [k]: v })
  return (
    <div class="records-grid">
      {withIndicator && (
        <TextField id={`${prefix}-indicator`} label={t('filingPlan.indicator')} hint={t('filingPlan.indicatorHint')} required
          value={draft.indicator} onValue={(v) => set('indicator', v)} error={errors.indicator} maxLength={40} autoComplete="off" />
      )}
      <TextField id={`${prefix}-title`} class="records-wide" label={t('filingPlan.fileTitle')} required value={draft.title}
        onValue={(v) => set('title', v)} error={errors.title} maxLength={500} />
      <SelectField id={`${prefix}-retention`} label={t('filingPlan.retention')} required value={draft.retention}
        onValue={(v) => set('retention', v)} error={errors.retention} placeholder={t('filingPlan.choose')}
        options={retentions.map((r) => ({ value: r, label: t(`filingPlan.retention.${r}`) }))} />
      <SelectField id={`${prefix}-departmentId`} label={t('filingPlan.department')} required value={draft.departmentId}
        onValue={(v) => set('departmentId', v)} error={errors.departmentId} placeholder={t('filingPlan.choose')}
        options={departments.map((d) => ({ value: d.id, label: departmentLabel(d) }))} />
    </div>
  )
}

function NewFile({ path, year, departments, onDone }: {
  path: string
  year: number
  departments: FlatDepartment[]
  onDone: (f: FilingFile, existed: boolean) => void
}) {
  const { t, locale } = useI18n()
  const [draft, setDraft] = useState<FileDraft>(emptyFile)
  const [key, setKey] = useState(idempotencyKey)
  const { checked, check } = useChecked('file')
  const action = useAction()
  const taken: Record<string, string> = action.error instanceof ApiError && action.error.code === 'indicator_taken'
    ? { indicator: t('filingPlan.problem.indicatorTaken') } : {}
  const errors: Record<string, string> = { ...fieldErrors(action.error, locale), ...taken, ...checked }

  const submit = (e: Event) => {
    e.preventDefault()
    if (!check(checkFile(draft, true))) {
      action.setError(undefined)
      return
    }
    action.run(async () => {
      try {
        const { body, status } = await api.tagged<FilingFile>('POST', path, createBody(year, draft), { 'Idempotency-Key': key })
        setDraft({ ...emptyFile, retention: draft.retention, departmentId: draft.departmentId })
        setKey(idempotencyKey())
        // A repeated request answers 200 with the file the first one made.
        onDone(body, status === 200)
      } catch (err) {
        if (err instanceof ApiError) focusFirstInvalid('file', { ...fieldErrors(err, locale), ...(err.code === 'indicator_taken' ? { indicator: 'x' } : {}) })
        throw err
      }
    })
  }
  const shown = action.error instanceof ApiError && (action.error.status === 422 || action.error.code === 'indicator_taken')
    ? undefined : action.error

  return (
    <section aria-labelledby="file-new-title">
      <h2 id="file-new-title">{t('filingPlan.newTitle', { year })}</h2>
      <form onSubmit={submit} noValidate>
        <FileFields prefix="file" draft={draft} onDraft={setDraft} errors={errors} departments={departments} withIndicator />
        <Problem error={shown} />
        <div class="form-actions">
          <Button type="submit" busy={action.busy}>{t('filingPlan.add')}</Button>
        </div>
      </form>
    </section>
  )
}

function EditFile({ path, editing, departments, onChange, onCancel, onStale, onDone }: {
  path: string
  editing: { file: FilingFile; draft: FileDraft }
  departments: FlatDepartment[]
  onChange: (d: FileDraft) => void
  onCancel: () => void
  onStale: (f: FilingFile) => void
  onDone: (f: FilingFile) => void
}) {
  const { t, locale } = useI18n()
  const { file: f, draft } = editing
  const { checked, check } = useChecked('edit')
  const [unchanged, setUnchanged] = useState(false)
  const action = useAction()
  const errors: Record<string, string> = { ...fieldErrors(action.error, locale), ...checked }
  const url = `${path}/${encodeURIComponent(f.id)}`

  const submit = (e: Event) => {
    e.preventDefault()
    setUnchanged(false)
    if (!check(checkFile(draft, false))) {
      action.setError(undefined)
      return
    }
    const body = patchBody(f, draft)
    if (Object.keys(body).length === 0) {
      setUnchanged(true)
      return
    }
    action.run(async () => {
      try {
        const res = await api.tagged<FilingFile>('PATCH', url, body, { 'If-Match': fileETag(f) })
        onDone(res.body)
      } catch (err) {
        if (err instanceof ApiError && (err.status === 412 || err.code === 'file_closed')) {
          onStale(await api.get<FilingFile>(url))
          focusSoon('edit-problem')
        } else if (err instanceof ApiError) {
          focusFirstInvalid('edit', fieldErrors(err, locale))
        }
        throw err
      }
    })
  }
  const shown = action.error instanceof ApiError && action.error.status === 422 ? undefined : action.error

  return (
    <section aria-labelledby="file-edit-title" class="records-panel">
      <h2 id="file-edit-title" tabIndex={-1}>{t('filingPlan.editTitle', { indicator: f.indicator })}</h2>
      <p class="meta">{t('filingPlan.editHint')}</p>
      <form onSubmit={submit} noValidate>
        <FileFields prefix="edit" draft={draft} onDraft={onChange} errors={errors} departments={departments} withIndicator={false} />
        <Problem id="edit-problem" error={shown} known={{
          precondition_failed: t('filingPlan.stale'), file_closed: t('filingPlan.alreadyClosed'), not_found: t('filingPlan.notFound'),
        }} />
        {unchanged && <p class="alert alert-info" role="status">{t('filingPlan.unchanged')}</p>}
        <div class="form-actions">
          <Button type="submit" busy={action.busy}>{t('filingPlan.save')}</Button>
          <Button kind="secondary" onClick={onCancel}>{t('filingPlan.cancel')}</Button>
        </div>
      </form>
    </section>
  )
}

function CloseFile({ path, file: f, onCancel, onDone, onGone }: {
  path: string
  file: FilingFile
  onCancel: () => void
  onDone: (f: FilingFile) => void
  onGone: () => void
}) {
  const { t } = useI18n()
  const action = useAction()
  const confirm = () => action.run(async () => {
    try {
      const { body } = await api.tagged<FilingFile>('POST', `${path}/${encodeURIComponent(f.id)}/closure`)
      onDone(body)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'file_closed') onGone()
      throw err
    }
  })
  return (
    <div class="records-panel-plain">
      <Confirm id="file-confirm" title={t('filingPlan.closeTitle', { indicator: f.indicator })} confirm={t('filingPlan.closeConfirm')}
        cancel={t('filingPlan.cancel')} busy={action.busy} onConfirm={confirm} onCancel={onCancel}>
        <p>{t('filingPlan.closeText', { title: f.title })}</p>
        <Problem error={action.error} known={{ file_closed: t('filingPlan.alreadyClosed'), not_found: t('filingPlan.notFound') }} />
      </Confirm>
    </div>
  )
}

function CopyPlan({ path, year, current, onDone }: { path: string; year: number; current: number; onDone: (r: CopyResult) => void }) {
  const { t, locale } = useI18n()
  const [from, setFrom] = useState(String(year - 1))
  useEffect(() => setFrom(String(year - 1)), [year])
  const action = useAction()
  const errors = fieldErrors(action.error, locale)
  const choices = yearChoices(current, year - 1).filter((y) => y !== year)
  const submit = (e: Event) => {
    e.preventDefault()
    action.run(async () => {
      try {
        const { body } = await api.tagged<CopyResult>('POST', `${path}/copies`, { fromYear: Number(from), toYear: year })
        onDone(body)
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) focusSoon('copy-fromYear')
        throw err
      }
    })
  }
  const shown = action.error instanceof ApiError && action.error.status === 422 && errors.fromYear ? undefined : action.error
  return (
    <section aria-labelledby="copy-title">
      <h2 id="copy-title">{t('filingPlan.copyTitle', { year })}</h2>
      <p class="meta">{t('filingPlan.copyHint', { year })}</p>
      <form onSubmit={submit} noValidate class="records-inline">
        <SelectField id="copy-fromYear" label={t('filingPlan.copyFrom')} value={from} onValue={setFrom} error={errors.fromYear}
          options={choices.map((y) => ({ value: String(y), label: String(y) }))} />
        <Button type="submit" kind="secondary" busy={action.busy}>{t('filingPlan.copy', { year })}</Button>
      </form>
      <Problem error={shown} />
    </section>
  )
}

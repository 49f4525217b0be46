import { useEffect, useState } from 'preact/hooks'

import { ApiError, api, idempotencyKey } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { holds } from '../office/office'
import { Button, Loading, Page, SelectField, TextArea, TextField, fieldErrors, useAction } from '../ui/ui'
import type { FlatDepartment } from './departments'
import { focusFirst, focusSoon } from '../ui/focus'
import { institutionPath } from './records'
import { Confirm, Done, Problem, useDepartmentList } from './recordsui'
import {
  changeBody, checkRegister, closeBody, createBody, draftOf, emptyRegister, normaliseCode, registerKinds, toggle,
} from './registerConfig'
import type { Register, RegisterDraft, RegisterList } from './registerConfig'

/**
 * Registers: the institution's registers, and for whoever holds
 * registry.configure, a new register defined, one renamed or restricted to
 * some departments' registrars, closed or reopened after a confirmation.
 */
export function Registers() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="registry.read" title={t('registers.title')} denied={t('registers.notAllowed')}>
      {(me, inst) => <RegistersPage me={me} inst={inst} />}
    </OfficeGate>
  )
}

interface Editing {
  register: Register
  etag: string
  draft: RegisterDraft
}

interface Closing {
  register: Register
  etag: string
  closed: boolean
}

const byCode = (a: Register, b: Register) => a.code.localeCompare(b.code, 'ro')

function RegistersPage({ me, inst }: { me: Me; inst: string }) {
  const { t, date } = useI18n()
  const path = `${institutionPath(inst)}/registers`
  const mayConfigure = holds(me, 'registry.configure', inst)
  const departments = useDepartmentList(inst)
  const [registers, setRegisters] = useState<Register[]>()
  const [loadError, setLoadError] = useState<unknown>()
  const [editing, setEditing] = useState<Editing>()
  const [closing, setClosing] = useState<Closing>()
  const [done, setDone] = useState('')
  const opening = useAction()

  const load = () => api.get<RegisterList>(path).then((l) => {
    setRegisters([...l.items].sort(byCode))
    setLoadError(undefined)
  }, setLoadError)
  useEffect(() => {
    load()
  }, [path])

  const put = (r: Register) => setRegisters((list) => [...(list ?? []).filter((x) => x.id !== r.id), r].sort(byCode))
  const finished = (text: string) => {
    setDone(text)
    focusSoon('registers-done')
  }

  // Changes start from the register as it is now, with the version to send back.
  const open = (r: Register, then: (fresh: Register, etag: string) => void) => opening.run(async () => {
    setDone('')
    const { body, etag } = await api.tagged<Register>('GET', `${path}/${encodeURIComponent(r.id)}`)
    put(body)
    then(body, etag)
  })
  const edit = (r: Register) => open(r, (fresh, etag) => {
    setClosing(undefined)
    setEditing({ register: fresh, etag, draft: draftOf(fresh) })
    focusSoon('register-edit-title')
  })
  const askClose = (r: Register, closed: boolean) => open(r, (fresh, etag) => {
    setEditing(undefined)
    setClosing({ register: fresh, etag, closed })
  })

  const kindLabel = (k: string) => t(`registers.kind.${k}`)
  const who = (r: Register) => r.departments.length === 0 ? t('registers.everyone')
    : r.departments.map((d) => departments.names.get(d) ?? d).join(', ')

  return (
    <Page title={t('registers.title')} wide>
      <p class="meta">{t('registers.intro')}</p>
      <Done id="registers-done" text={done} />
      <section aria-labelledby="registers-list">
        <h2 id="registers-list">{t('registers.listTitle')}</h2>
        <Problem error={loadError} />
        <Problem error={opening.error} known={{ not_found: t('registers.notFound') }} />
        {!registers && !loadError && <Loading />}
        {registers && registers.length === 0 && <p>{t('registers.none')}</p>}
        {registers && registers.length > 0 && (
          <div class="table-scroll" role="region" aria-labelledby="registers-list" tabIndex={0}>
            <table class="records-table records-stack">
              <caption class="visually-hidden">{t('registers.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('registers.code')}</th>
                  <th scope="col">{t('registers.name')}</th>
                  <th scope="col">{t('registers.kind')}</th>
                  <th scope="col">{t('registers.who')}</th>
                  <th scope="col">{t('registers.status')}</th>
                  {mayConfigure && <th scope="col">{t('registers.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {registers.map((r) => (
                  <tr class={r.closedAt ? 'records-row-closed' : undefined}>
                    <th scope="row" class="records-nowrap"><code>{r.code}</code></th>
                    <td class="records-text" data-label={t('registers.name')}>
                      {r.name}
                      {r.description && <p class="meta records-note">{r.description}</p>}
                    </td>
                    <td data-label={t('registers.kind')}>{kindLabel(r.kind)}</td>
                    <td class="records-text" data-label={t('registers.who')}>{who(r)}</td>
                    <td data-label={t('registers.status')}>
                      {r.closedAt
                        ? <span class="badge records-badge-closed">{t('registers.closedOn', { date: date(r.closedAt) })}</span>
                        : <span class="badge badge-done">{t('registers.open')}</span>}
                    </td>
                    {mayConfigure && (
                      <td>
                        <div class="records-row-actions">
                          <Button id={`register-edit-${r.id}`} kind="secondary" busy={opening.busy} onClick={() => edit(r)}
                            aria-label={t('registers.editOne', { code: r.code })}>{t('registers.edit')}</Button>
                          {r.closedAt ? (
                            <Button id={`register-close-${r.id}`} kind="secondary" busy={opening.busy} onClick={() => askClose(r, false)}
                              aria-label={t('registers.reopenOne', { code: r.code })}>{t('registers.reopen')}</Button>
                          ) : (
                            <Button id={`register-close-${r.id}`} kind="danger" busy={opening.busy} onClick={() => askClose(r, true)}
                              aria-label={t('registers.closeOne', { code: r.code })}>{t('registers.close')}</Button>
                          )}
                        </div>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {closing && (
        <CloseRegister path={path} closing={closing} onCancel={() => {
          setClosing(undefined)
          focusSoon(`register-close-${closing.register.id}`)
        }}
          onStale={(r, etag) => { put(r); setClosing({ ...closing, register: r, etag }) }}
          onDone={(r) => {
            put(r)
            setClosing(undefined)
            finished(t(r.closedAt ? 'registers.closedDone' : 'registers.reopenedDone', { code: r.code }))
          }} />
      )}

      {editing && (
        <EditRegister path={path} editing={editing} departments={departments.list} onChange={setEditing}
          onCancel={() => {
            setEditing(undefined)
            focusSoon(`register-edit-${editing.register.id}`)
          }}
          onStale={(r, etag) => { put(r); setEditing({ ...editing, register: r, etag }) }}
          onDone={(r) => {
            put(r)
            setEditing(undefined)
            finished(t('registers.changedDone', { code: r.code }))
          }} />
      )}

      {mayConfigure && (
        <NewRegister path={path} departments={departments.list} onDone={(r) => {
          put(r)
          finished(t('registers.createdDone', { code: r.code, name: r.name }))
        }} />
      )}
    </Page>
  )
}

/** byTopLevel groups the chart (depth first) by its top-level departments, each with those under it, so a column never splits one. */
function byTopLevel(list: FlatDepartment[]): FlatDepartment[][] {
  const out: FlatDepartment[][] = []
  for (const d of list) {
    if (d.depth === 0 || out.length === 0) out.push([d])
    else out[out.length - 1].push(d)
  }
  return out
}

/** Departments: the departments whose registrars may register in a register; none chosen, everyone. */
function Departments({ id, departments, value, onValue, error }: {
  id: string
  departments: FlatDepartment[]
  value: string[]
  onValue: (v: string[]) => void
  error?: string
}) {
  const { t } = useI18n()
  const order = departments.map((d) => d.id)
  if (departments.length === 0) return null
  return (
    <fieldset id={id} tabIndex={-1} class={error ? 'records-checks field-invalid' : 'records-checks'}
      aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}>
      <legend>{t('registers.departments')}</legend>
      <p class="field-hint" id={`${id}-hint`}>{t('registers.departmentsHint')}</p>
      <ul>
        {byTopLevel(departments).map((block) => (
          <li>
            {block.map((d) => (
              <div class={`records-depth-${Math.min(d.depth, 4)}`}>
                <label>
                  <input type="checkbox" name={id} value={d.id} checked={value.includes(d.id)}
                    onChange={(e) => onValue(toggle(value, d.id, (e.target as HTMLInputElement).checked, order))} />
                  {d.name}
                </label>
              </div>
            ))}
          </li>
        ))}
      </ul>
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </fieldset>
  )
}

/** The messages of checkRegister's problems. */
function useProblems() {
  const { t } = useI18n()
  return (problems: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(problems).map(([k, v]) => [k, t(`registers.problem.${v}`)]))
}

const formOrder = ['code', 'name', 'kind', 'description', 'departments']

function firstInvalid(prefix: string, errors: Record<string, string>) {
  focusFirst(formOrder, errors, (f) => `${prefix}-${f}`)
}

function NewRegister({ path, departments, onDone }: { path: string; departments: FlatDepartment[]; onDone: (r: Register) => void }) {
  const { t, locale } = useI18n()
  const [draft, setDraft] = useState<RegisterDraft>(emptyRegister)
  const [checked, setChecked] = useState<Record<string, string>>({})
  const [key, setKey] = useState(idempotencyKey)
  const action = useAction()
  const messages = useProblems()
  const set = <K extends keyof RegisterDraft>(k: K, v: RegisterDraft[K]) => setDraft((d) => ({ ...d, [k]: v }))

  const api422 = fieldErrors(action.error, locale)
  const taken: Record<string, string> = action.error instanceof ApiError && action.error.code === 'code_taken'
    ? { code: t('registers.problem.codeTaken') } : {}
  const errors: Record<string, string> = { ...api422, ...taken, ...checked }

  const submit = (e: Event) => {
    e.preventDefault()
    const problems = messages(checkRegister(draft, true))
    setChecked(problems)
    if (Object.keys(problems).length > 0) {
      action.setError(undefined)
      firstInvalid('register', problems)
      return
    }
    action.run(async () => {
      try {
        const { body } = await api.tagged<Register>('POST', path, createBody(draft), { 'Idempotency-Key': key })
        setDraft(emptyRegister)
        setKey(idempotencyKey())
        onDone(body)
      } catch (err) {
        if (err instanceof ApiError) {
          const byField = { ...fieldErrors(err, locale), ...(err.code === 'code_taken' ? { code: 'taken' } : {}) }
          firstInvalid('register', byField)
        }
        throw err
      }
    })
  }
  const shown = action.error instanceof ApiError && (action.error.status === 422 || action.error.code === 'code_taken') ? undefined : action.error

  return (
    <section aria-labelledby="register-new-title">
      <h2 id="register-new-title">{t('registers.newTitle')}</h2>
      <p class="meta">{t('registers.newHint')}</p>
      <form onSubmit={submit} noValidate class="records-form">
        <div class="records-grid">
          <TextField id="register-code" label={t('registers.code')} hint={t('registers.codeHint')} value={draft.code} required
            onValue={(v) => set('code', normaliseCode(v))} error={errors.code} maxLength={20} autoComplete="off" />
          <TextField id="register-name" label={t('registers.name')} value={draft.name} onValue={(v) => set('name', v)} required
            error={errors.name} maxLength={200} />
          <SelectField id="register-kind" label={t('registers.kind')} value={draft.kind} onValue={(v) => set('kind', v)} required
            error={errors.kind} options={registerKinds.map((k) => ({ value: k, label: t(`registers.kind.${k}`) }))} />
        </div>
        <TextArea id="register-description" label={t('registers.description')} value={draft.description}
          onValue={(v) => set('description', v)} error={errors.description} maxLength={2000} />
        <Departments id="register-departments" departments={departments} value={draft.departments}
          onValue={(v) => set('departments', v)} error={errors.departments} />
        <Problem error={shown} />
        <div class="form-actions">
          <Button type="submit" busy={action.busy}>{t('registers.create')}</Button>
        </div>
      </form>
    </section>
  )
}

function EditRegister({ path, editing, departments, onChange, onCancel, onStale, onDone }: {
  path: string
  editing: Editing
  departments: FlatDepartment[]
  onChange: (e: Editing) => void
  onCancel: () => void
  onStale: (r: Register, etag: string) => void
  onDone: (r: Register) => void
}) {
  const { t, locale } = useI18n()
  const { register: r, etag, draft } = editing
  const [checked, setChecked] = useState<Record<string, string>>({})
  const action = useAction()
  const messages = useProblems()
  const set = <K extends keyof RegisterDraft>(k: K, v: RegisterDraft[K]) => onChange({ ...editing, draft: { ...draft, [k]: v } })
  const errors = { ...fieldErrors(action.error, locale), ...checked }
  const url = `${path}/${encodeURIComponent(r.id)}`

  const submit = (e: Event) => {
    e.preventDefault()
    const problems = messages(checkRegister(draft, false))
    setChecked(problems)
    if (Object.keys(problems).length > 0) {
      action.setError(undefined)
      firstInvalid('edit', problems)
      return
    }
    action.run(async () => {
      try {
        const { body } = await api.tagged<Register>('PATCH', url, changeBody(draft, !!r.closedAt), { 'If-Match': etag })
        onDone(body)
      } catch (err) {
        if (err instanceof ApiError && err.status === 412) {
          // Changed meanwhile: the form keeps what was typed, over the new version.
          const fresh = await api.tagged<Register>('GET', url)
          onStale(fresh.body, fresh.etag)
          focusSoon('edit-problem')
        } else if (err instanceof ApiError) {
          firstInvalid('edit', fieldErrors(err, locale))
        }
        throw err
      }
    })
  }
  const shown = action.error instanceof ApiError && action.error.status === 422 ? undefined : action.error

  return (
    <section aria-labelledby="register-edit-title" class="records-panel">
      <h2 id="register-edit-title" tabIndex={-1}>{t('registers.editTitle', { code: r.code })}</h2>
      <p class="meta">{t('registers.editHint', { kind: t(`registers.kind.${r.kind}`) })}</p>
      <form onSubmit={submit} noValidate>
        <TextField id="edit-name" label={t('registers.name')} value={draft.name} onValue={(v) => set('name', v)} required
          error={errors.name} maxLength={200} />
        <TextArea id="edit-description" label={t('registers.description')} value={draft.description}
          onValue={(v) => set('description', v)} error={errors.description} maxLength={2000} />
        <Departments id="edit-departments" departments={departments} value={draft.departments}
          onValue={(v) => set('departments', v)} error={errors.departments} />
        <Problem id="edit-problem" error={shown} known={{ precondition_failed: t('registers.stale'), not_found: t('registers.notFound') }} />
        <div class="form-actions">
          <Button type="submit" busy={action.busy}>{t('registers.save')}</Button>
          <Button kind="secondary" onClick={onCancel}>{t('registers.cancel')}</Button>
        </div>
      </form>
    </section>
  )
}

function CloseRegister({ path, closing, onCancel, onStale, onDone }: {
  path: string
  closing: Closing
  onCancel: () => void
  onStale: (r: Register, etag: string) => void
  onDone: (r: Register) => void
}) {
  const { t } = useI18n()
  const { register: r, etag, closed } = closing
  const action = useAction()
  const url = `${path}/${encodeURIComponent(r.id)}`
  const confirm = () => action.run(async () => {
    try {
      const { body } = await api.tagged<Register>('PATCH', url, closeBody(r, closed), { 'If-Match': etag })
      onDone(body)
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        const fresh = await api.tagged<Register>('GET', url)
        onStale(fresh.body, fresh.etag)
      }
      throw err
    }
  })
  return (
    <div class="records-panel-plain">
      <Confirm id="register-confirm" title={t(closed ? 'registers.closeTitle' : 'registers.reopenTitle', { code: r.code })}
        confirm={t(closed ? 'registers.closeConfirm' : 'registers.reopenConfirm')} cancel={t('registers.cancel')}
        danger={closed} busy={action.busy} onConfirm={confirm} onCancel={onCancel}>
        <p>{t(closed ? 'registers.closeText' : 'registers.reopenText', { name: r.name })}</p>
        <Problem error={action.error} known={{ precondition_failed: t('registers.staleConfirm'), not_found: t('registers.notFound') }} />
      </Confirm>
    </div>
  )
}


import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { useRoute } from 'preact-iso'

import { ApiError, api, idempotencyKey } from '../api/client'
import type { AttachmentSpec } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { Alert, Button, ErrorAlert, Loading, Page, TextArea, TextField, fieldErrors } from '../ui/ui'
import { usePendingFocus } from '../ui/focus'
import { Check, FormBuilder, FormPreview } from './FormBuilder'
import { checkForm, fieldOfMessage, fromSchema, toSchema, uid } from './formEditor'
import type { EditorForm } from './formEditor'
import { HandlingFields, handlingErrors, useOrg, validDays } from './HandlingFields'
import type { Handling, Org } from './HandlingFields'
import {
  basePath, editorDefaults, fromMiB, inputOf, isAttachmentKind, kindFrom, mediaName, mediaTypes, toMiB,
} from './requestTypes'
import type { TypeVersions, Version, VersionInput } from './requestTypes'
import './requestTypes.css'

// RequestTypeEditor: one request type for its administrators. Its versions;
// the draft, when there is one, to change (everything a version holds: its
// name and description, how its requests are handled, the documents they
// carry and the form, built in the form editor beside a live preview),
// saved with If-Match; the next version started from the newest; the draft
// published and the type withdrawn, each confirmed first. A published
// version never changes: it is shown, with its form to try.

/** An attachment's kind as the editor holds it. */
interface AttachmentEdit {
  uid: string
  /** '' takes one from the title. */
  kind: string
  title: string
  required: boolean
  mediaTypes: string[]
  /** MiB, as typed. */
  maxSize: string
}

interface Content extends Handling {
  name: string
  description: string
  verifiedIdentity: boolean
  attachments: AttachmentEdit[]
}

function contentOf(v: Version): Content {
  return {
    name: v.name, description: v.description, departmentId: v.department.id, registerId: v.registerId, regime: v.regime,
    customDays: v.customDays === null ? '' : String(v.customDays), workingDays: v.workingDays, verifiedIdentity: v.verifiedIdentity,
    attachments: v.attachments.map((a) => ({ uid: uid(), kind: a.kind, title: a.title, required: a.required, mediaTypes: [...a.mediaTypes], maxSize: toMiB(a.maxSize) })),
  }
}

// The kind each attachment is sent with: its own, or one from its title.
function kindsOf(list: readonly AttachmentEdit[]): string[] {
  const taken = new Set(list.map((a) => a.kind).filter(Boolean))
  return list.map((a) => {
    if (a.kind) return a.kind
    const want = kindFrom(a.title) || 'document'
    let k = want
    for (let n = 2; taken.has(k); n++) k = `${want}-${n}`
    taken.add(k)
    return k
  })
}

function inputFrom(c: Content, form: EditorForm): VersionInput {
  const kinds = kindsOf(c.attachments)
  return {
    name: c.name.trim(), description: c.description.trim(), form: toSchema(form),
    attachments: c.attachments.map((a, i): AttachmentSpec => ({
      kind: kinds[i], title: a.title.trim(), required: a.required, mediaTypes: a.mediaTypes, maxSize: fromMiB(a.maxSize) ?? 0,
    })),
    departmentId: c.departmentId, regime: c.regime, customDays: c.regime === 'custom' ? validDays(c.customDays) ?? null : null,
    workingDays: c.regime === 'custom' && c.workingDays, registerId: c.registerId, verifiedIdentity: c.verifiedIdentity,
  }
}

/** contentErrors checks the version's content as the API does, by the API's field names. */
function contentErrors(c: Content, t: (k: string, p?: Record<string, string | number>) => string): Record<string, string> {
  const out: Record<string, string> = handlingErrors(c, t)
  if (!c.name.trim()) out.name = t('requestTypes.err.name')
  const kinds = kindsOf(c.attachments)
  c.attachments.forEach((a, i) => {
    const at = `attachments[${i}]`
    if (!a.title.trim()) out[`${at}.title`] = t('requestTypes.err.attachmentTitle')
    if (!isAttachmentKind(kinds[i])) out[`${at}.kind`] = t('requestTypes.err.attachmentKind')
    else if (kinds.indexOf(kinds[i]) !== i) out[`${at}.kind`] = t('requestTypes.err.attachmentKindTaken', { kind: kinds[i] })
    if (a.mediaTypes.length === 0) out[`${at}.mediaTypes`] = t('requestTypes.err.mediaTypes')
    if (fromMiB(a.maxSize) === undefined) out[`${at}.maxSize`] = t('requestTypes.err.maxSize')
  })
  return out
}

// focusProblem moves focus to the control a problem is about (opening the
// "More settings" it may be folded in).
function focusProblem(key: string, attachments: readonly AttachmentEdit[]) {
  const contentIds: Record<string, string> = {
    name: 'rt-name', description: 'rt-description', departmentId: 'rt-department', registerId: 'rt-register',
    regime: 'rt-regime-petition', customDays: 'rt-customDays', workingDays: 'rt-workingDays', attachments: 'rt-add-attachment',
    verifiedIdentity: 'rt-verifiedIdentity', 'form.fields': 'fe-add-root-kind', 'form.schema': 'fe-form-schema-error', form: 'fe-fields-title',
    json: 'fe-json',
  }
  const candidates: string[] = []
  if (contentIds[key]) candidates.push(contentIds[key])
  const att = /^attachments\[(\d+)\]\.(\w+)$/.exec(key)
  if (att && attachments[Number(att[1])]) {
    const id = `rt-att-${attachments[Number(att[1])].uid}-${att[2]}`
    candidates.push(id, `${id}-0`)
  }
  const dot = key.indexOf('.')
  if (dot > 0 && !att) {
    const [who, part] = [key.slice(0, dot), key.slice(dot + 1)]
    const option = /^(option|optionValue)-(.+)$/.exec(part)
    if (option) candidates.push(`fe-${who}-option-${option[2]}-${option[1] === 'option' ? 'ro' : 'value'}`)
    if (part === 'options') candidates.push(`fe-${who}-add-option`)
    if (part === 'fields') candidates.push(`fe-add-${who}-kind`)
    if (part === 'item') candidates.push(`fe-${who}-kind`)
    candidates.push(`fe-${who}-${part}`, `fe-${who}-${part}-ro`, `fe-${who}`)
  }
  for (const id of candidates) {
    const el = document.getElementById(id)
    if (!el) continue
    for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true
    el.focus()
    return
  }
}

type Confirming = 'publish' | 'withdraw' | null

export function RequestTypeEditor() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="requests.types.manage" title={t('requestTypes.title')} denied={t('requestTypes.notAllowed')}>
      {(_, inst) => <Editor inst={inst} />}
    </OfficeGate>
  )
}

function Editor({ inst }: { inst: string }) {
  const { t, locale, date, dateTime } = useI18n()
  const { params } = useRoute()
  const base = `${basePath(inst)}/${params.type}`
  const org = useOrg(inst)
  const defaults = useMemo(editorDefaults, [])

  const [data, setData] = useState<TypeVersions>()
  const [title, setTitle] = useState<string>()
  const [loadError, setLoadError] = useState<unknown>()
  const [draft, setDraft] = useState<{ version: number; etag: string }>()
  const [content, setContent] = useState<Content>()
  const [form, setForm] = useState<EditorForm>()
  const [unreadable, setUnreadable] = useState<string>()
  const [dirty, setDirty] = useState(false)
  const [attempted, setAttempted] = useState(false)
  const [jsonProblem, setJsonProblem] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState<string>()
  const [confirming, setConfirming] = useState<Confirming>(null)
  const [notice, setNotice] = useState<string>()
  const [viewing, setViewing] = useState<number>()
  const noticeRef = useRef<HTMLDivElement>(null)
  const confirmRef = useRef<HTMLDivElement>(null)
  const pendingFocus = usePendingFocus()

  const load = async () => {
    const body = await api.get<TypeVersions>(`${base}/versions`)
    const d = body.versions.find((v) => v.status === 'draft')
    if (d && !body.withdrawnAt) {
      const { body: v, etag } = await api.tagged<Version>('GET', `${base}/versions/${d.version}`)
      setDraft({ version: v.version, etag })
      setContent(contentOf(v))
      try {
        setForm(fromSchema(v.form))
        setUnreadable(undefined)
      } catch (e) {
        // A stored form the editor cannot read (the rules grew stricter):
        // said, and started again from the JSON Schema box.
        setForm(fromSchema({ type: 'object', properties: { name: { type: 'string', title: v.name } } }))
        setUnreadable(e instanceof Error ? e.message : String(e))
      }
    } else {
      setDraft(undefined)
      setContent(undefined)
      setForm(undefined)
    }
    setData(body)
    setTitle((old) => old ?? body.versions[0]?.name ?? body.code)
    setDirty(false)
    setAttempted(false)
    setError(undefined)
    setLoadError(undefined)
  }
  useEffect(() => {
    load().catch(setLoadError)
  }, [inst, params.type])

  // Leaving with changes not saved asks first.
  useEffect(() => {
    if (!dirty) return
    const warn = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [dirty])

  useEffect(() => {
    if (notice) noticeRef.current?.focus()
  }, [notice])
  useEffect(() => {
    if (confirming) confirmRef.current?.focus()
  }, [confirming])

  if (!data) {
    return (
      <Page title={t('requestTypes.editorLoading')}>
        {loadError ? <ErrorAlert error={loadError} /> : <Loading />}
        <p><a href="/birou/tipuri-cereri">{t('requestTypes.backToList')}</a></p>
      </Page>
    )
  }

  const newest = data.versions[0]
  const published = data.versions.find((v) => v.status === 'published')
  const editing = !!(draft && content && form)

  // What stops a save, found here (after a first try) and by the API.
  const formProblems = editing && attempted ? checkForm(form!) : []
  const problems: Record<string, string> = {}
  for (const p of formProblems) problems[`${p.uid}.${p.part}`] ??= t(`requestTypes.problem.${p.code}`, p.params)
  const server = fieldErrors(error, locale)
  if (server.form && form) {
    const at = fieldOfMessage(form, server.form)
    problems[at ? `${at}.server` : 'form.schema'] ??= server.form
  }
  const checked = editing && attempted ? contentErrors(content!, t) : {}
  const errs: Record<string, string | undefined> = { ...server, ...checked }
  if (jsonProblem && attempted) errs.json = jsonProblem
  const why = error instanceof ApiError ? error : undefined
  const stale = why?.status === 412
  const conflict = why?.status === 409 && ['version_published', 'not_a_draft', 'draft_exists'].includes(why.code) ? why.code : undefined
  const fieldProblems = !!why && why.status === 422 && why.errors.length > 0

  const change = (c: Content) => {
    setContent(c)
    setDirty(true)
    setNotice(undefined)
  }
  const changeForm = (f: EditorForm) => {
    setForm(f)
    setDirty(true)
    setNotice(undefined)
  }

  const save = async () => {
    if (!draft || !content || !form) return
    setAttempted(true)
    setNotice(undefined)
    const found = { ...contentErrors(content, t) }
    const fp = checkForm(form)
    if (jsonProblem) found.json = jsonProblem
    if (Object.keys(found).length > 0 || fp.length > 0) {
      setError(undefined)
      const first = Object.keys(found)[0] ?? `${fp[0].uid}.${fp[0].part}`
      requestAnimationFrame(() => focusProblem(first, content.attachments))
      return
    }
    setBusy('save')
    setError(undefined)
    try {
      const { body, etag } = await api.tagged<Version>('PUT', `${base}/versions/${draft.version}`, inputFrom(content, form), { 'If-Match': draft.etag })
      setDraft({ version: body.version, etag })
      setData({ ...data, versions: data.versions.map((v) => (v.version === body.version ? body : v)) })
      setDirty(false)
      setAttempted(false)
      setNotice(t('requestTypes.saved', { version: body.version }))
    } catch (e) {
      setError(e)
      if (e instanceof ApiError && e.status === 422) {
        const byField = fieldErrors(e, locale)
        const first = Object.keys(byField)[0]
        if (first === 'form') {
          const at = fieldOfMessage(form, byField.form)
          requestAnimationFrame(() => focusProblem(at ? `${at}.server` : 'form.schema', content.attachments))
        } else if (first) requestAnimationFrame(() => focusProblem(first, content.attachments))
      }
    } finally {
      setBusy(undefined)
    }
  }

  const act = async (what: string, fn: () => Promise<string>) => {
    setBusy(what)
    setError(undefined)
    try {
      const told = await fn()
      setConfirming(null)
      await load()
      setNotice(told)
    } catch (e) {
      setConfirming(null)
      setError(e)
    } finally {
      setBusy(undefined)
    }
  }
  const publish = () => act('publish', async () => {
    await api.tagged<Version>('POST', `${base}/versions/${draft!.version}/publication`, undefined, { 'If-Match': draft!.etag })
    return t('requestTypes.published', { version: draft!.version })
  })
  const withdraw = () => act('withdraw', async () => {
    await api.tagged('POST', `${base}/withdrawal`)
    return t('requestTypes.withdrawn')
  })
  const startNext = () => act('next', async () => {
    const { body } = await api.tagged<Version>('POST', `${base}/versions`, inputOf(newest), { 'Idempotency-Key': idempotencyKey() })
    return t('requestTypes.nextStarted', { version: body.version, from: newest.version })
  })

  const shown = data.versions.find((v) => v.version === viewing) ?? (editing ? undefined : published ?? newest)
  return (
    <Page title={title ?? data.code} wide>
      <p><a href="/birou/tipuri-cereri">{t('requestTypes.backToList')}</a></p>
      <dl class="facts">
        <dt>{t('requestTypes.code')}</dt><dd><code>{data.code}</code></dd>
        <dt>{t('requestTypes.colStatus')}</dt>
        <dd>
          {data.withdrawnAt ? t('requestTypes.statusWithdrawn', { date: date(data.withdrawnAt) })
            : published ? t('requestTypes.offered', { version: published.version }) : t('requestTypes.notOffered')}
        </dd>
      </dl>
      {notice && <div class="alert alert-success rt-notice" role="status" tabIndex={-1} ref={noticeRef}>{notice}</div>}
      {stale && (
        <div class="alert alert-error" role="alert">
          <p>{t('requestTypes.stale')}</p>
          <Button kind="secondary" onClick={() => load().catch(setError)}>{t('requestTypes.reload')}</Button>
        </div>
      )}
      {conflict && (
        <div class="alert alert-error" role="alert">
          <p>{t(`requestTypes.conflict.${conflict}`)}</p>
          <Button kind="secondary" onClick={() => load().catch(setError)}>{t('requestTypes.reload')}</Button>
        </div>
      )}
      {fieldProblems && <Alert kind="error">{t('requestTypes.refused')}</Alert>}
      {error !== undefined && !stale && !conflict && !fieldProblems && <ErrorAlert error={error} />}

      <Versions data={data} viewing={shown?.version} onView={(n) => setViewing(n)} editing={draft?.version} />

      {data.withdrawnAt && <Alert kind="warning">{t('requestTypes.withdrawnNote')}</Alert>}

      {editing && (
        <section class="rt-draft" aria-labelledby="rt-draft-title">
          <h2 id="rt-draft-title">{t('requestTypes.draftTitle', { version: draft!.version })}</h2>
          <p class="meta">{t('requestTypes.draftIntro')}</p>
          {unreadable && <Alert kind="error">{t('requestTypes.unreadable', { reason: unreadable })}</Alert>}
          {attempted && (formProblems.length > 0 || Object.keys(checked).length > 0 || errs.json) && (
            <Alert kind="error">{t('requestTypes.fixFirst')}</Alert>
          )}
          <ContentEditor content={content!} onChange={change} errors={errs} org={org} />
          <section class="rt-form" aria-labelledby="rt-form-title">
            <h2 id="rt-form-title">{t('requestTypes.form')}</h2>
            <p class="meta">{t('requestTypes.formIntro')}</p>
            <FormBuilder form={form!} onChange={changeForm} problems={problems} defaults={defaults} onJsonProblem={setJsonProblem} />
            {errs.json && <p class="field-error">{errs.json}</p>}
          </section>
          <div class="form-actions rt-save">
            <Button busy={busy === 'save'} id="rt-save" onClick={save}>{t('requestTypes.save')}</Button>
            <p class="meta" aria-live="polite">{dirty ? t('requestTypes.unsaved') : t('requestTypes.allSaved')}</p>
          </div>
          <section class="rt-publish" aria-labelledby="rt-publish-title">
            <h2 id="rt-publish-title">{t('requestTypes.publishTitle', { version: draft!.version })}</h2>
            <p>{published ? t('requestTypes.publishTextNext', { version: published.version }) : t('requestTypes.publishText')}</p>
            {dirty && <p class="meta" id="rt-publish-hint">{t('requestTypes.saveBeforePublish')}</p>}
            {confirming !== 'publish' ? (
              <Button id="rt-publish" disabled={dirty || !!busy} aria-describedby={dirty ? 'rt-publish-hint' : undefined}
                onClick={() => setConfirming('publish')}>{t('requestTypes.publish')}</Button>
            ) : (
              <Confirm id="rt-confirm-publish" text={t('requestTypes.confirmPublish', { version: draft!.version })} yes={t('requestTypes.publishYes')}
                busy={busy === 'publish'} boxRef={confirmRef} onYes={publish} onNo={() => {
                  setConfirming(null)
                  pendingFocus.current = 'rt-publish'
                }} />
            )}
          </section>
        </section>
      )}

      {shown && (
        <VersionView version={shown} org={org} />
      )}

      {!data.withdrawnAt && !draft && (
        <section aria-labelledby="rt-next-title">
          <h2 id="rt-next-title">{t('requestTypes.nextTitle')}</h2>
          <p>{t('requestTypes.nextText', { version: newest.version + 1, from: newest.version })}</p>
          <Button id="rt-next" busy={busy === 'next'} onClick={startNext}>{t('requestTypes.startNext', { version: newest.version + 1 })}</Button>
        </section>
      )}

      {!data.withdrawnAt && (
        <section class="rt-withdraw" aria-labelledby="rt-withdraw-title">
          <h2 id="rt-withdraw-title">{t('requestTypes.withdrawTitle')}</h2>
          <p>{t('requestTypes.withdrawText')}</p>
          {confirming !== 'withdraw' ? (
            <Button kind="danger" id="rt-withdraw" disabled={!!busy} onClick={() => setConfirming('withdraw')}>{t('requestTypes.withdraw')}</Button>
          ) : (
            <Confirm id="rt-confirm-withdraw" text={t('requestTypes.confirmWithdraw')} yes={t('requestTypes.withdrawYes')} busy={busy === 'withdraw'}
              boxRef={confirmRef} onYes={withdraw} onNo={() => {
                setConfirming(null)
                pendingFocus.current = 'rt-withdraw'
              }} />
          )}
        </section>
      )}
      <p class="meta">{t('requestTypes.createdAt', { date: dateTime(data.createdAt) })}</p>
    </Page>
  )
}

function Confirm({ id, text, yes, busy, boxRef, onYes, onNo }: {
  id: string
  text: string
  yes: string
  busy: boolean
  boxRef: { current: HTMLDivElement | null }
  onYes: () => void
  onNo: () => void
}) {
  const { t } = useI18n()
  return (
    <div class="confirm rt-confirm" role="group" aria-labelledby={`${id}-text`} tabIndex={-1} ref={boxRef} id={id}>
      <p id={`${id}-text`}><strong>{text}</strong></p>
      <div class="form-actions">
        <Button kind="danger" busy={busy} onClick={onYes}>{yes}</Button>
        <Button kind="secondary" onClick={onNo}>{t('requestTypes.confirmNo')}</Button>
      </div>
    </div>
  )
}

function Versions({ data, viewing, onView, editing }: { data: TypeVersions; viewing?: number; onView: (n: number) => void; editing?: number }) {
  const { t, dateTime } = useI18n()
  return (
    <section aria-labelledby="rt-versions-title">
      <h2 id="rt-versions-title">{t('requestTypes.versions')}</h2>
      <div class="table-scroll rt-scroll" tabIndex={0} role="region" aria-labelledby="rt-versions-title">
        <table class="rt-versions">
          <thead>
            <tr>
              <th scope="col">{t('requestTypes.colVersion')}</th>
              <th scope="col">{t('requestTypes.colName')}</th>
              <th scope="col">{t('requestTypes.colStatus')}</th>
              <th scope="col">{t('requestTypes.colCreated')}</th>
              <th scope="col"><span class="visually-hidden">{t('requestTypes.colActions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {data.versions.map((v) => (
              <tr key={v.version}>
                <th scope="row">{v.version}</th>
                <td>{v.name}</td>
                <td>
                  {v.status === 'draft' ? <span class="badge rt-badge-draft">{t('requestTypes.draft')}</span>
                    : <span class="badge badge-done">{t('requestTypes.publishedOn', { date: dateTime(v.publishedAt!) })}</span>}
                </td>
                <td>{dateTime(v.createdAt)}</td>
                <td>
                  {v.version === editing ? <span class="meta">{t('requestTypes.editedBelow')}</span>
                    : viewing === v.version ? <span class="meta">{t('requestTypes.shownBelow')}</span>
                    : <Button kind="link" onClick={() => onView(v.version)}
                      aria-label={t('requestTypes.viewVersion', { version: v.version })}>{t('requestTypes.view')}</Button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

// VersionView shows a version as it is (a published one never changes),
// with its form to try.
function VersionView({ version: v, org }: { version: Version; org: Org }) {
  const { t, bytes } = useI18n()
  const register = org.registers?.find((r) => r.id === v.registerId)
  const title = useMemo(() => {
    const f = v.form as Record<string, unknown>
    return { ro: typeof f.title === 'string' ? f.title : '', en: typeof f['x-title-en'] === 'string' ? (f['x-title-en'] as string) : '' }
  }, [v])
  return (
    <section class="rt-view" aria-labelledby="rt-view-title">
      <h2 id="rt-view-title">{t('requestTypes.viewTitle', { version: v.version })}</h2>
      <dl class="facts">
        <dt>{t('requestTypes.name')}</dt><dd>{v.name}</dd>
        <dt>{t('requestTypes.description')}</dt><dd>{v.description || '—'}</dd>
        <dt>{t('requestTypes.department')}</dt><dd>{v.department.name}</dd>
        <dt>{t('requestTypes.register')}</dt><dd>{register ? `${register.code} · ${register.name}` : v.registerId}</dd>
        <dt>{t('requestTypes.regime')}</dt>
        <dd>{t(`requestTypes.regime.${v.regime}`)}{v.regime === 'custom' && ` · ${t(v.workingDays ? 'requestTypes.termWorking' : 'requestTypes.term', { count: v.deadlineDays })}`}</dd>
        <dt>{t('requestTypes.verifiedIdentityShort')}</dt><dd>{v.verifiedIdentity ? t('requestTypes.yes') : t('requestTypes.no')}</dd>
        <dt>{t('requestTypes.attachments')}</dt>
        <dd>
          {v.attachments.length === 0 ? '—' : (
            <ul class="rt-plain">
              {v.attachments.map((a) => (
                <li>{a.title} ({a.required ? t('requestTypes.attachmentRequired') : t('requestTypes.attachmentOptional')};{' '}
                  {a.mediaTypes.map((m) => t(`requestTypes.media.${mediaName[m] ?? 'pdf'}`)).join(', ')}; {bytes(a.maxSize)})</li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <div class="rt-view-form">
        <FormPreview schema={v.form} title={title} idPrefix={`version${v.version}`} />
      </div>
    </section>
  )
}

// ContentEditor: what a version holds besides its form.
function ContentEditor({ content: c, onChange, errors, org }: {
  content: Content
  onChange: (c: Content) => void
  errors: Record<string, string | undefined>
  org: Org
}) {
  const { t } = useI18n()
  const set = (changes: Partial<Content>) => onChange({ ...c, ...changes })
  const pendingFocus = usePendingFocus()
  const kinds = kindsOf(c.attachments)
  const setAttachment = (a: AttachmentEdit, changes: Partial<AttachmentEdit>) =>
    set({ attachments: c.attachments.map((x) => (x.uid === a.uid ? { ...x, ...changes } : x)) })
  return (
    <>
      <fieldset class="rt-section">
        <legend>{t('requestTypes.about')}</legend>
        <TextField id="rt-name" label={t('requestTypes.name')} hint={t('requestTypes.nameHint')} required maxLength={200}
          value={c.name} onValue={(v) => set({ name: v })} error={errors.name} />
        <TextArea id="rt-description" label={t('requestTypes.description')} hint={t('requestTypes.descriptionHint')} maxLength={5000}
          value={c.description} onValue={(v) => set({ description: v })} error={errors.description} />
      </fieldset>
      <fieldset class="rt-section">
        <legend>{t('requestTypes.handling')}</legend>
        <HandlingFields value={c} onChange={(h) => set(h)} errors={errors} org={org} />
        <Check id="rt-verifiedIdentity" label={t('requestTypes.verifiedIdentity')} hint={t('requestTypes.verifiedIdentityHint')}
          checked={c.verifiedIdentity} onValue={(v) => set({ verifiedIdentity: v })} error={errors.verifiedIdentity} />
      </fieldset>
      <fieldset class="rt-section">
        <legend>{t('requestTypes.attachments')}</legend>
        <p class="field-hint">{t('requestTypes.attachmentsHint')}</p>
        {errors.attachments && <p class="field-error">{errors.attachments}</p>}
        {c.attachments.length === 0 && <p class="meta">{t('requestTypes.noAttachments')}</p>}
        <ol class="rt-attachments">
          {c.attachments.map((a, i) => {
            const id = (p: string) => `rt-att-${a.uid}-${p}`
            const e = (p: string) => errors[`attachments[${i}].${p}`]
            const name = a.title.trim() || t('requestTypes.attachmentN', { n: i + 1 })
            return (
              <li key={a.uid}>
                <fieldset class="fe-field" id={id('box')}>
                  <legend>{t('requestTypes.attachmentLegend', { n: i + 1, title: name })}</legend>
                  <div class="fe-row">
                    <TextField id={id('title')} label={t('requestTypes.attachmentTitle')} required maxLength={200} value={a.title}
                      onValue={(v) => setAttachment(a, { title: v })} error={e('title')} />
                    <TextField id={id('kind')} label={t('requestTypes.attachmentKind')} maxLength={63} value={a.kind}
                      hint={t('requestTypes.attachmentKindHint', { kind: kinds[i] })} onValue={(v) => setAttachment(a, { kind: v.trim() })} error={e('kind')} />
                  </div>
                  <Check id={id('required')} label={t('requestTypes.attachmentRequiredLabel')} checked={a.required}
                    onValue={(v) => setAttachment(a, { required: v })} />
                  <fieldset class={e('mediaTypes') ? 'field rt-media field-invalid' : 'field rt-media'}
                    aria-describedby={e('mediaTypes') ? id('mediaTypes-error') : undefined}>
                    <legend>{t('requestTypes.mediaTypes')}</legend>
                    {mediaTypes.map((m, j) => (
                      <div class="field-option">
                        <input type="checkbox" id={id(`mediaTypes-${j}`)} checked={a.mediaTypes.includes(m)}
                          onChange={(ev) => setAttachment(a, {
                            mediaTypes: (ev.target as HTMLInputElement).checked ? mediaTypes.filter((x) => x === m || a.mediaTypes.includes(x))
                              : a.mediaTypes.filter((x) => x !== m),
                          })} />
                        <label for={id(`mediaTypes-${j}`)}>{t(`requestTypes.media.${mediaName[m]}`)}</label>
                      </div>
                    ))}
                    {e('mediaTypes') && <p class="field-error" id={id('mediaTypes-error')}>{e('mediaTypes')}</p>}
                  </fieldset>
                  <TextField id={id('maxSize')} type="number" inputMode="decimal" label={t('requestTypes.maxSize')} required
                    value={a.maxSize} onValue={(v) => setAttachment(a, { maxSize: v })} error={e('maxSize')} />
                  <div class="fe-actions">
                    <Button kind="danger" id={id('remove')} aria-label={t('requestTypes.removeAttachment', { title: name })} onClick={() => {
                      const next = c.attachments[i + 1] ?? c.attachments[i - 1]
                      pendingFocus.current = next ? `rt-att-${next.uid}-title` : 'rt-add-attachment'
                      set({ attachments: c.attachments.filter((x) => x.uid !== a.uid) })
                    }}>{t('requestTypes.remove')}</Button>
                  </div>
                </fieldset>
              </li>
            )
          })}
        </ol>
        <Button kind="secondary" id="rt-add-attachment" onClick={() => {
          const a: AttachmentEdit = { uid: uid(), kind: '', title: '', required: false, mediaTypes: ['application/pdf'], maxSize: '10' }
          pendingFocus.current = `rt-att-${a.uid}-title`
          set({ attachments: [...c.attachments, a] })
        }}>{t('requestTypes.addAttachment')}</Button>
      </fieldset>
    </>
  )
}


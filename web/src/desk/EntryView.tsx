import { useEffect, useState } from 'preact/hooks'
import { useRoute } from 'preact-iso'

import { ApiError, api } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { focusFirst } from '../ui/focus'
import { holds } from '../office/office'
import { PrintButton } from '../ui/PrintButton'
import { Alert, Button, Field, Loading, Page, SelectField, TextField, fieldErrors } from '../ui/ui'
import {
  changes, confidentialities, correctionBody, correctionDraft, entryNumber, entryPath, institutionPath, mayAnnulOwn,
} from './desk'
import type { CorrectionDraft, Entry, EntryLink, EntryPage, Register, RegisterList, RegistryPractice } from './desk'
import { DeskError, EntryStatus } from './deskui'

/**
 * EntryView: one registry entry with all its facts, its documents and
 * their versions to download, its receipt and its corrections; who may,
 * corrects its metadata (a new revision with a reason) or annuls it (with
 * a reason, after a confirmation; it keeps its number).
 */
export function EntryView() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="registry.read" title={t('desk.entryTitleShort')} denied={t('desk.notAllowed')}>
      {(me, inst) => <EntryPage me={me} inst={inst} />}
    </OfficeGate>
  )
}

type Mode = 'view' | 'correct' | 'annul' | 'link'

function EntryPage({ me, inst }: { me: Me; inst: string }) {
  const { t, date, dateTime, bytes } = useI18n()
  const { params } = useRoute()
  const path = entryPath(inst, params.entry)
  const [entry, setEntry] = useState<Entry>()
  const [etag, setEtag] = useState('')
  const [loadError, setLoadError] = useState<unknown>()
  const [registers, setRegisters] = useState<Register[]>([])
  const [mode, setMode] = useState<Mode>('view')
  const [done, setDone] = useState('')

  const load = async () => {
    try {
      const r = await api.tagged<Entry>('GET', path)
      setEntry(r.body)
      setEtag(r.etag)
      setLoadError(undefined)
      return r.body
    } catch (e) {
      setLoadError(e)
      return undefined
    }
  }
  useEffect(() => {
    setEntry(undefined)
    setMode('view')
    setDone('')
    load()
  }, [path])
  useEffect(() => {
    api.get<RegisterList>(`${institutionPath(inst)}/registers`).then((l) => setRegisters(l.items), () => setRegisters([]))
  }, [inst])
  // How long a registrar may annul their own entry (the institution's practice).
  const [ownMinutes, setOwnMinutes] = useState(0)
  useEffect(() => {
    api.get<RegistryPractice>(`${institutionPath(inst)}/registry-practice`).then((p) => setOwnMinutes(p.ownAnnulMinutes), () => setOwnMinutes(0))
  }, [inst])

  const finished = async (message: string) => {
    await load()
    setMode('view')
    setDone(message)
    requestAnimationFrame(() => document.getElementById('entry-done')?.focus())
  }

  if (!entry) {
    return <Page title={t('desk.entryTitleShort')}>{loadError ? <DeskError error={loadError} /> : <Loading />}</Page>
  }
  const e = entry
  const reg = registers.find((r) => r.id === e.registerId)
  const mayRead = holds(me, 'documents.read', inst)
  const mayCorrect = holds(me, 'registry.register', inst) && !e.annulment
  const annulsOwn = !holds(me, 'registry.annul', inst) && holds(me, 'registry.register', inst) && mayAnnulOwn(e, me.id, ownMinutes, Date.now())
  const mayAnnul = (holds(me, 'registry.annul', inst) && !e.annulment) || annulsOwn
  const mayLink = holds(me, 'registry.register', inst)
  const links = e.links ?? []
  const linkLabel = (l: EntryLink) => l.kind === 'related'
    ? t(l.direction === 'to' ? 'desk.link.related' : 'desk.link.relatedFrom')
    : t(`desk.link.${l.kind}.${l.direction}`)
  const revisions = e.revisions ?? []
  const empty = <span class="meta">{t('desk.none')}</span>

  return (
    <Page title={t('desk.entryTitle', { register: e.registerCode, number: entryNumber(e) })} wide>
      {done && <div id="entry-done" tabIndex={-1}><Alert kind="success">{done}</Alert></div>}
      {e.annulment && (
        <Alert kind="warning">
          <strong>{t('desk.annulledOn', { at: dateTime(e.annulment.at) })}</strong> {t('desk.annulReasonIs', { reason: e.annulment.reason })}
        </Alert>
      )}
      <dl class="facts">
        <dt>{t('desk.status')}</dt><dd><EntryStatus entry={e} /></dd>
        <dt>{t('desk.register')}</dt><dd>{reg ? `${reg.name} (${e.registerCode})` : e.registerCode}</dd>
        <dt>{t('desk.number')}</dt><dd>{entryNumber(e)}</dd>
        <dt>{t('desk.registeredAt')}</dt><dd>{dateTime(e.registeredAt)}</dd>
        <dt>{t('desk.direction')}</dt><dd>{t(`desk.direction.${e.direction}`)}</dd>
        <dt>{t('desk.channel')}</dt><dd>{t(`desk.channel.${e.channel}`)}</dd>
        <dt>{t('desk.sender')}</dt><dd>{e.sender || empty}</dd>
        <dt>{t('desk.recipient')}</dt><dd>{e.recipient || empty}</dd>
        <dt>{t('desk.subject')}</dt><dd class="desk-subject">{e.subject}</dd>
        <dt>{t('desk.pages')}</dt><dd>{e.pages}</dd>
        <dt>{t('desk.attachments')}</dt><dd>{e.attachments}</dd>
        <dt>{t('desk.confidentiality')}</dt><dd>{t(`desk.confidentiality.${e.confidentiality}`)}</dd>
        <dt>{t('desk.verificationCode')}</dt><dd><code>{e.verificationCode}</code></dd>
        {e.answersEntryId && <><dt>{t('desk.answers')}</dt><dd><a href={`/birou/registru/${e.answersEntryId}`}>{t('desk.answersLink')}</a></dd></>}
        {e.updatedAt && <><dt>{t('desk.updatedAt')}</dt><dd>{dateTime(e.updatedAt)} ({t('desk.revision', { revision: e.revision })})</dd></>}
      </dl>
      <div class="form-actions">
        <PrintButton url={e.receipt}>{t('desk.printReceipt')}</PrintButton>
        <a href={e.receipt} download>{t('desk.downloadReceipt')}</a>
        {mode === 'view' && mayCorrect && <Button kind="secondary" onClick={() => { setDone(''); setMode('correct') }}>{t('desk.correct')}</Button>}
        {mode === 'view' && mayLink && <Button kind="secondary" id="entry-link" onClick={() => { setDone(''); setMode('link') }}>{t('desk.addLink')}</Button>}
        {mode === 'view' && mayAnnul && <Button kind="danger" onClick={() => { setDone(''); setMode('annul') }}>{t('desk.annul')}</Button>}
      </div>
      {mode === 'view' && annulsOwn && <p class="meta" id="entry-annul-own">{t('desk.annulOwnHint', { minutes: ownMinutes })}</p>}
      {mode === 'link' && (
        <AddLink inst={inst} path={path} entry={e} registers={registers} onCancel={() => setMode('view')}
          onDone={() => finished(t('desk.linkDone'))} />
      )}

      <section aria-labelledby="entry-links">
        <h2 id="entry-links">{t('desk.links')}</h2>
        {links.length === 0 && (e.dispatches ?? []).length === 0 ? <p>{t('desk.noLinks')}</p> : (
          <ul class="desk-links" id="entry-link-list">
            {links.map((l) => (
              <li>{linkLabel(l)} <a href={`/birou/registru/${l.entryId}`}>{l.reference}</a> <span class="meta">{dateTime(l.linkedAt)}</span>
                {l.note && <> — {l.note}</>}</li>
            ))}
            {(e.dispatches ?? []).map((d) => (
              <li>{t('desk.dispatchedOn', { at: dateTime(d.dispatchedAt), recipient: d.recipient, subject: d.subject })}</li>
            ))}
          </ul>
        )}
      </section>

      {mode === 'annul' && (
        <Annul path={path} onCancel={() => setMode('view')} onDone={() => finished(t('desk.annulDone'))} />
      )}
      {mode === 'correct' && (
        <Correct entry={e} path={path} etag={etag} onCancel={() => setMode('view')} onDone={() => finished(t('desk.correctDone'))}
          onStale={load} />
      )}

      <section aria-labelledby="entry-documents">
        <h2 id="entry-documents">{t('desk.documents')}</h2>
        {e.documents.length === 0 ? <p>{t('desk.noDocuments')}</p> : (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('desk.documentTitle')}</th><th scope="col">{t('desk.file')}</th><th scope="col">{t('desk.version')}</th>
                  <th scope="col">{t('desk.size')}</th><th scope="col">{t('desk.addedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {e.documents.flatMap((d) => [...d.versions].sort((a, b) => b.version - a.version).map((v, i) => (
                  <tr>
                    <td>{i === 0 ? d.title : <span class="visually-hidden">{d.title}</span>}</td>
                    <td class="desk-subject">{mayRead ? <a href={v.content} download={v.name}>{v.name}</a> : v.name}</td>
                    <td>{v.version}</td>
                    <td>{bytes(v.size)}</td>
                    <td>{date(v.createdAt)}</td>
                  </tr>
                )))}
              </tbody>
            </table>
          </div>
        )}
        {!mayRead && e.documents.length > 0 && <p class="meta">{t('desk.noDocumentsRead')}</p>}
      </section>

      <section aria-labelledby="entry-history">
        <h2 id="entry-history">{t('desk.history')}</h2>
        <ol class="timeline">
          <li><strong>{t('desk.historyRegistered')}</strong> <span class="meta">{dateTime(e.registeredAt)}</span></li>
          {revisions.map((r) => (
            <li>
              <strong>{t('desk.historyCorrected', { revision: r.revision })}</strong> <span class="meta">{dateTime(r.changedAt)}</span>
              <p>{t('desk.reasonIs', { reason: r.reason })}</p>
              <ul class="desk-changes">
                {changes(r).map((c) => (
                  <li>{t(`desk.${c.field}`)}: <del>{show(c.before)}</del> → <ins>{show(c.after)}</ins></li>
                ))}
              </ul>
            </li>
          ))}
          {e.annulment && (
            <li><strong>{t('desk.historyAnnulled')}</strong> <span class="meta">{dateTime(e.annulment.at)}</span>
              <p>{t('desk.reasonIs', { reason: e.annulment.reason })}</p></li>
          )}
        </ol>
      </section>
      <p><a href="/birou/registru">{t('desk.backToSearch')}</a></p>
    </Page>
  )
}

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : String(v))

/** AddLink: links the entry to another, found by its number/year in a register (conexare). */
function AddLink({ inst, path, entry, registers, onCancel, onDone }: {
  inst: string; path: string; entry: Entry; registers: Register[]; onCancel: () => void; onDone: () => void
}) {
  const { t } = useI18n()
  const [number, setNumber] = useState('')
  const [registerId, setRegisterId] = useState(entry.registerId)
  const [note, setNote] = useState('')
  const [problem, setProblem] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    document.getElementById('link-number')?.focus()
  }, [])
  const submit = async (ev: Event) => {
    ev.preventDefault()
    setError(undefined)
    const m = /^\s*(\d+)\s*\/\s*(\d{4})\s*$/.exec(number)
    if (!m) {
      setProblem(t('desk.linkNumberInvalid'))
      document.getElementById('link-number')?.focus()
      return
    }
    setBusy(true)
    try {
      const found = await api.get<EntryPage>(`${institutionPath(inst)}/registry-entries?register=${registerId}&number=${m[1]}&year=${m[2]}`)
      const other = found.items[0]
      if (!other) {
        setProblem(t('desk.linkNotFound'))
        document.getElementById('link-number')?.focus()
        return
      }
      await api.post(`${path}/links`, { entryId: other.id, note: note.trim() })
      onDone()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="desk-panel" aria-labelledby="link-title">
      <h2 id="link-title">{t('desk.addLink')}</h2>
      <DeskError error={error} />
      <form onSubmit={submit} noValidate>
        <SelectField id="link-register" label={t('desk.linkRegister')} value={registerId} onValue={setRegisterId}
          options={registers.map((r) => ({ value: r.id, label: `${r.name} (${r.code})` }))} />
        <TextField id="link-number" label={t('desk.linkNumber')} value={number} onValue={(v) => { setNumber(v); setProblem('') }}
          error={problem} required inputMode="numeric" maxLength={20} />
        <TextField id="link-note" label={t('desk.linkNote')} value={note} onValue={setNote} maxLength={1000} />
        <div class="form-actions">
          <Button type="submit" busy={busy}>{t('desk.linkSave')}</Button>
          <Button kind="secondary" onClick={onCancel}>{t('common.cancel')}</Button>
        </div>
      </form>
    </section>
  )
}

/** Annul: the reason, then a confirmation; the entry keeps its number. */
function Annul({ path, onCancel, onDone }: { path: string; onCancel: () => void; onDone: () => void }) {
  const { t, locale } = useI18n()
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    document.getElementById('annul-reason')?.focus()
  }, [])
  const submit = async (ev: Event) => {
    ev.preventDefault()
    setError(undefined)
    if (!reason.trim()) {
      setProblem(t('desk.reasonRequired'))
      document.getElementById('annul-reason')?.focus()
      return
    }
    setBusy(true)
    try {
      await api.post(`${path}/annulment`, { reason: reason.trim() })
      onDone()
    } catch (err) {
      setError(err)
      const f = fieldErrors(err, locale)
      if (f.reason) {
        setProblem(f.reason)
        document.getElementById('annul-reason')?.focus()
      }
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="desk-panel desk-panel-danger" aria-labelledby="annul-title">
      <h2 id="annul-title">{t('desk.annulTitle')}</h2>
      <p>{t('desk.annulWarning')}</p>
      <DeskError error={error instanceof ApiError && error.errors.length > 0 ? undefined : error} />
      <form onSubmit={submit} noValidate>
        <Field id="annul-reason" label={t('desk.annulReason')} error={problem} required>
          {(described, invalid) => (
            <textarea id="annul-reason" rows={3} value={reason} required maxLength={1000} aria-describedby={described} aria-invalid={invalid}
              onInput={(e) => { setReason((e.target as HTMLTextAreaElement).value); setProblem('') }} />
          )}
        </Field>
        <div class="form-actions">
          <Button type="submit" kind="danger" busy={busy}>{t('desk.annulConfirm')}</Button>
          <Button kind="secondary" onClick={onCancel}>{t('common.cancel')}</Button>
        </div>
      </form>
    </section>
  )
}

// The correction's fields in the order the form shows them, and the element of each.
const correctionOrder = ['sender', 'recipient', 'subject', 'pages', 'attachments', 'confidentiality', 'reason']
const correctionId = (f: string) => `correct-${f}`

/** Correct: the metadata as a new revision with its reason, against the version read (If-Match). */
function Correct({ entry, path, etag, onCancel, onDone, onStale }: {
  entry: Entry
  path: string
  etag: string
  onCancel: () => void
  onDone: () => void
  onStale: () => Promise<unknown>
}) {
  const { t, locale } = useI18n()
  const [d, setD] = useState<CorrectionDraft>(() => correctionDraft(entry))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    document.getElementById('correct-subject')?.focus()
  }, [])
  const set = <K extends keyof CorrectionDraft>(k: K, v: CorrectionDraft[K]) => {
    setD((x) => ({ ...x, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: '' }))
  }
  const submit = async (ev: Event) => {
    ev.preventDefault()
    setError(undefined)
    const { body, changed, invalid } = correctionBody(entry, d)
    const found: Record<string, string> = {}
    for (const f of invalid) found[f] = t('desk.countInvalid')
    if (!d.subject.trim()) found.subject = t('desk.subjectRequired')
    if (!d.reason.trim()) found.reason = t('desk.reasonRequired')
    if (Object.keys(found).length === 0 && changed === 0) found.subject = t('desk.nothingChanged')
    setErrors(found)
    if (Object.keys(found).length > 0) {
      focusFirst(correctionOrder, found, correctionId)
      return
    }
    setBusy(true)
    try {
      await api.patch(path, body, { headers: { 'If-Match': etag } })
      onDone()
    } catch (err) {
      setError(err)
      // Changed by someone else meanwhile: read it again, the form stays.
      if (err instanceof ApiError && err.status === 412) await onStale()
      const f = fieldErrors(err, locale)
      setErrors(f)
      focusFirst(correctionOrder, f, correctionId)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="desk-panel" aria-labelledby="correct-title">
      <h2 id="correct-title">{t('desk.correctTitle')}</h2>
      <p class="meta">{t('desk.correctHint')}</p>
      <DeskError error={error instanceof ApiError && error.errors.length > 0 ? undefined : error} />
      <form onSubmit={submit} noValidate>
        <TextField id="correct-sender" label={t('desk.sender')} value={d.sender} onValue={(v) => set('sender', v)} error={errors.sender} maxLength={500} />
        <TextField id="correct-recipient" label={t('desk.recipient')} value={d.recipient} onValue={(v) => set('recipient', v)}
          error={errors.recipient} maxLength={500} />
        <Field id="correct-subject" label={t('desk.subject')} error={errors.subject} required>
          {(described, invalid) => (
            <textarea id="correct-subject" rows={2} value={d.subject} required maxLength={2000} aria-describedby={described} aria-invalid={invalid}
              onInput={(e) => set('subject', (e.target as HTMLTextAreaElement).value)} />
          )}
        </Field>
        <div class="desk-grid">
          <TextField id="correct-pages" label={t('desk.pages')} value={d.pages} onValue={(v) => set('pages', v)} error={errors.pages}
            inputMode="numeric" maxLength={6} />
          <TextField id="correct-attachments" label={t('desk.attachments')} value={d.attachments} onValue={(v) => set('attachments', v)}
            error={errors.attachments} inputMode="numeric" maxLength={6} />
          <SelectField id="correct-confidentiality" label={t('desk.confidentiality')} value={d.confidentiality}
            onValue={(v) => set('confidentiality', v)} error={errors.confidentiality}
            options={confidentialities.map((c) => ({ value: c, label: t(`desk.confidentiality.${c}`) }))} />
        </div>
        <Field id="correct-reason" label={t('desk.correctReason')} error={errors.reason} required>
          {(described, invalid) => (
            <textarea id="correct-reason" rows={2} value={d.reason} required maxLength={1000} aria-describedby={described} aria-invalid={invalid}
              onInput={(e) => set('reason', (e.target as HTMLTextAreaElement).value)} />
          )}
        </Field>
        <div class="form-actions">
          <Button type="submit" busy={busy}>{t('desk.correctSave')}</Button>
          <Button kind="secondary" onClick={onCancel}>{t('common.cancel')}</Button>
        </div>
      </form>
    </section>
  )
}


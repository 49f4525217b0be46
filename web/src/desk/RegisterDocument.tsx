import { useEffect, useRef, useState } from 'preact/hooks'

import { ApiError, api, idempotencyKey, upload } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { focusFirst } from '../ui/focus'
import { FilePicker } from '../ui/FilePicker'
import { PrintButton } from '../ui/PrintButton'
import type { PickedFile } from '../ui/FilePicker'
import { Alert, Button, Field, Loading, Page, SelectField, TextField, fieldErrors } from '../ui/ui'
import {
  channels, checkDraft, confidentialities, defaultDirection, defaultRegister, deskField, directions, entryInput, entryNumber,
  institutionPath, isRegisteredList, loadJSON, loadList, loadString, memory, parties, registerable, registered, remember, saveList,
  saveString,
} from './desk'
import type { Channel, Draft, Entry, Register, RegisterList, Registered } from './desk'
import { DeskError } from './deskui'

// What a registrar scans at the counter.
const scanTypes = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff']

// The fields in the order the page shows them, and the element of each.
const order = ['registerId', 'direction', 'channel', 'sender', 'recipient', 'subject', 'pages', 'attachments', 'confidentiality', 'files']
const idOf = (field: string) => ({
  registerId: 'desk-register', direction: 'desk-direction', channel: 'desk-channel', sender: 'desk-sender', recipient: 'desk-recipient',
  subject: 'desk-subject', pages: 'desk-pages', attachments: 'desk-attachments', confidentiality: 'desk-confidentiality', files: 'desk-files',
}[field] ?? 'desk-subject')

/**
 * RegisterDocument: the registry desk, where a registrar registers the
 * documents brought to the counter or received by e-mail or post, two
 * hundred a day: the register, direction and channel are remembered, the
 * sender is the last one (selected, so typing replaces it) with the recent
 * ones offered, Enter (Ctrl+Enter in the subject) registers, the number
 * comes back at once with its receipt, and the next registration is one key
 * away.
 */
export function RegisterDocument() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="registry.register" title={t('desk.registerTitle')} denied={t('desk.notAllowed')}>
      {(me, inst) => <Desk me={me} inst={inst} />}
    </OfficeGate>
  )
}

const isChannel = (v: string): v is Channel => (channels as string[]).includes(v)

function freshDraft(reg: Register | undefined, keep?: Draft): Draft {
  const lastChannel = loadString(memory.channel)
  return {
    registerId: reg?.id ?? '',
    direction: keep?.direction ?? defaultDirection(reg?.kind),
    channel: keep?.channel ?? (isChannel(lastChannel) ? lastChannel : 'counter'),
    sender: keep?.sender ?? loadList(memory.senders)[0] ?? '',
    recipient: keep?.recipient ?? loadList(memory.recipients)[0] ?? '',
    subject: '',
    pages: '',
    attachments: '',
    confidentiality: 'public',
  }
}

function Desk({ me, inst }: { me: Me; inst: string }) {
  const { t, locale, dateTime } = useI18n()
  const [registers, setRegisters] = useState<Register[]>()
  const [loadError, setLoadError] = useState<unknown>()
  const [draft, setDraft] = useState<Draft>(() => freshDraft(undefined))
  const [files, setFiles] = useState<PickedFile[]>([])
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>()
  const [progress, setProgress] = useState<number>()
  const [key, setKey] = useState(idempotencyKey)
  const [result, setResult] = useState<Entry>()
  const [announce, setAnnounce] = useState('')
  const [senders, setSenders] = useState(() => loadList(memory.senders))
  const [recipients, setRecipients] = useState(() => loadList(memory.recipients))
  const [session, setSession] = useState<Registered[]>(() => loadJSON(memory.session, [], isRegisteredList, 'session'))
  const form = useRef<HTMLFormElement>(null)

  useEffect(() => {
    api.get<RegisterList>(`${institutionPath(inst)}/registers`).then((list) => {
      const open = registerable(list.items, me, inst)
      setRegisters(open)
      setDraft(freshDraft(defaultRegister(open, loadString(memory.register))))
    }, setLoadError)
  }, [inst, me.id])

  const p = parties(draft.direction)
  const firstId = p.sender ? 'desk-sender' : 'desk-recipient'
  // The first field to fill takes the focus when the form shows (after the
  // page has put it on its heading), its remembered text selected.
  const ready = !!registers && registers.length > 0 && !result
  useEffect(() => {
    if (!ready) return
    const el = document.getElementById(firstId) as HTMLInputElement | null
    el?.focus()
    el?.select()
  }, [ready])

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: '' }))
  }
  // A register or direction changes only when the registrar confirms it:
  // a native select changes on a single keystroke (type-ahead), so a key
  // pressed with the focus on it by mistake would otherwise number the
  // next documents in another register without anyone noticing. The
  // select shows the current choice until then, and the change, once
  // confirmed, is announced where it can be seen.
  const [pending, setPending] = useState<{ registerId: string; direction: Draft['direction'] }>()
  const [changed, setChanged] = useState('')
  const chooseRegister = (id: string) => {
    if (id === draft.registerId) return setPending(undefined)
    const reg = registers?.find((r) => r.id === id)
    setPending({ registerId: id, direction: defaultDirection(reg?.kind) })
  }
  const chooseDirection = (v: Draft['direction']) => {
    if (v === draft.direction) return setPending(undefined)
    setPending({ registerId: draft.registerId, direction: v })
  }
  useEffect(() => {
    if (pending) document.getElementById('desk-change-confirm')?.focus()
  }, [pending])
  const registerName = (id: string) => {
    const r = registers?.find((x) => x.id === id)
    return r ? `${r.name} (${r.code})` : ''
  }
  const confirmChange = () => {
    if (!pending) return
    setDraft((d) => ({ ...d, registerId: pending.registerId, direction: pending.direction }))
    setChanged(t('desk.registerChanged', { register: registerName(pending.registerId), direction: t(`desk.direction.${pending.direction}`).toLocaleLowerCase(locale) }))
    setPending(undefined)
    requestAnimationFrame(() => document.getElementById('desk-register')?.focus())
  }
  const cancelChange = () => {
    setPending(undefined)
    requestAnimationFrame(() => document.getElementById('desk-register')?.focus())
  }

  const busy = progress !== undefined
  const submit = async (e?: Event) => {
    e?.preventDefault()
    if (busy || pending) return
    setError(undefined)
    const found: Record<string, string> = {}
    for (const [field, problem] of Object.entries(checkDraft(draft))) found[field] = t(`desk.${problem}`)
    const bad = files.find((f) => f.problem)
    if (bad) found.files = bad.problem!
    setErrors(found)
    if (Object.keys(found).length > 0) {
      focusFirst(order, found, idOf)
      return
    }
    const body = new FormData()
    body.append('entry', new Blob([JSON.stringify(entryInput(draft))], { type: 'application/json' }))
    for (const f of files) body.append('file', f.file, f.file.name)
    try {
      setProgress(0)
      const created = await upload<Entry>(`${institutionPath(inst)}/registry-entries`, body, setProgress, { 'Idempotency-Key': key })
      // Remembered for the next one: the register, the channel, the party.
      saveString(memory.register, draft.registerId)
      saveString(memory.channel, draft.channel)
      if (p.sender && draft.sender.trim()) {
        const list = remember(senders, draft.sender)
        setSenders(list)
        saveList(memory.senders, list)
      }
      if (p.recipient && draft.recipient.trim()) {
        const list = remember(recipients, draft.recipient)
        setRecipients(list)
        saveList(memory.recipients, list)
      }
      const list = registered(session, created)
      setSession(list)
      saveString(memory.session, JSON.stringify(list), 'session')
      setResult(created)
      setAnnounce(t('desk.registeredAs', { number: entryNumber(created), register: created.registerCode }))
      requestAnimationFrame(() => document.getElementById('desk-next')?.focus())
    } catch (err) {
      setError(err)
      // A key already used with other data: the next attempt is a new registration.
      if (err instanceof ApiError && err.code === 'idempotency_key_reused') setKey(idempotencyKey())
      const byField: Record<string, string> = {}
      for (const [f, m] of Object.entries(fieldErrors(err, locale))) byField[deskField(f)] ??= m
      setErrors(byField)
      if (Object.keys(byField).length > 0) focusFirst(order, byField, idOf)
      else requestAnimationFrame(() => document.getElementById('desk-error')?.focus())
    } finally {
      setProgress(undefined)
    }
  }

  // The next registration keeps the register, direction, channel and parties.
  const next = () => {
    const reg = registers?.find((r) => r.id === draft.registerId)
    setDraft(freshDraft(reg, draft))
    setFiles([])
    setErrors({})
    setError(undefined)
    setKey(idempotencyKey())
    setResult(undefined)
    setAnnounce('')
  }

  const ctrlEnter = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault()
      form.current?.requestSubmit()
    }
  }
  const selectAll = (e: FocusEvent) => (e.target as HTMLInputElement).select()

  const title = t('desk.registerTitle')
  if (loadError) return <Page title={title}><DeskError error={loadError} /></Page>
  if (!registers) return <Page title={title}><Loading /></Page>
  if (registers.length === 0) {
    return <Page title={title}><Alert kind="warning">{t('desk.noRegisters')}</Alert></Page>
  }
  const reg = registers.find((r) => r.id === draft.registerId)
  return (
    <Page title={title}>
      <p class="visually-hidden" role="status">{announce}</p>
      {result ? (
        <section class="desk-result" aria-labelledby="desk-result-title">
          <h2 id="desk-result-title">{t('desk.registeredTitle')}</h2>
          <p class="desk-number" id="desk-number">
            <span class="desk-number-label">{t('desk.numberLabel')}</span> {entryNumber(result)}
          </p>
          <dl class="facts">
            <dt>{t('desk.register')}</dt>
            <dd>{registers.find((r) => r.id === result.registerId)?.name ?? result.registerCode} ({result.registerCode})</dd>
            <dt>{t('desk.registeredAt')}</dt><dd>{dateTime(result.registeredAt)}</dd>
            {result.sender && <><dt>{t('desk.sender')}</dt><dd>{result.sender}</dd></>}
            {result.recipient && <><dt>{t('desk.recipient')}</dt><dd>{result.recipient}</dd></>}
            <dt>{t('desk.subject')}</dt><dd class="desk-subject">{result.subject}</dd>
            <dt>{t('desk.verificationCode')}</dt><dd><code>{result.verificationCode}</code></dd>
          </dl>
          <div class="form-actions">
            <Button id="desk-next" onClick={next}>{t('desk.registerNext')}</Button>
            <PrintButton url={result.receipt}>{t('desk.printReceipt')}</PrintButton>
            <a href={result.receipt} download>{t('desk.downloadReceipt')}</a>
            <a href={`/birou/registru/${result.id}`}>{t('desk.openEntry')}</a>
          </div>
        </section>
      ) : (
        <form ref={form} onSubmit={submit} noValidate aria-describedby="desk-keys">
          <p class="meta" id="desk-keys">{t('desk.keysHint')}</p>
          <DeskError error={error} id="desk-error" />
          <div class="desk-grid">
            <SelectField id="desk-register" label={t('desk.register')} value={draft.registerId} onValue={chooseRegister} required
              error={errors.registerId} options={registers.map((r) => ({ value: r.id, label: `${r.name} (${r.code})` }))} />
            <SelectField id="desk-direction" label={t('desk.direction')} value={draft.direction} onValue={chooseDirection}
              error={errors.direction} options={directions.map((d) => ({ value: d, label: t(`desk.direction.${d}`) }))} />
            <SelectField id="desk-channel" label={t('desk.channel')} value={draft.channel} onValue={(v) => set('channel', v)}
              error={errors.channel} options={channels.map((c) => ({ value: c, label: t(`desk.channel.${c}`) }))} />
          </div>
          {pending && (
            <div class="desk-panel" role="alertdialog" aria-labelledby="desk-change-title" aria-describedby="desk-change-text" id="desk-change">
              <h2 id="desk-change-title">{t('desk.registerChangeTitle')}</h2>
              <p id="desk-change-text">
                {pending.registerId !== draft.registerId
                  ? t('desk.registerChangeText', { register: registerName(pending.registerId), direction: t(`desk.direction.${pending.direction}`).toLocaleLowerCase(locale) })
                  : t('desk.directionChangeText', { direction: t(`desk.direction.${pending.direction}`).toLocaleLowerCase(locale) })}
              </p>
              <div class="form-actions">
                <Button id="desk-change-confirm" onClick={confirmChange}>{t('desk.registerChangeConfirm')}</Button>
                <Button id="desk-change-cancel" kind="secondary" onClick={cancelChange}>
                  {t('desk.registerChangeCancel', { register: registerName(draft.registerId) })}
                </Button>
              </div>
            </div>
          )}
          {changed && <p class="meta" id="desk-changed" role="status"><strong>{changed}</strong></p>}
          {p.sender && (
            <TextField id="desk-sender" label={t('desk.sender')} hint={t('desk.senderHint')} value={draft.sender} onValue={(v) => set('sender', v)}
              required={draft.direction === 'incoming'} error={errors.sender} list="desk-senders" autoComplete="off" maxLength={500}
              onFocus={selectAll} />
          )}
          <datalist id="desk-senders">{senders.map((s) => <option value={s} />)}</datalist>
          {p.recipient && (
            <TextField id="desk-recipient" label={t('desk.recipient')} value={draft.recipient} onValue={(v) => set('recipient', v)}
              required={draft.direction === 'outgoing'} error={errors.recipient} list="desk-recipients" autoComplete="off" maxLength={500}
              onFocus={selectAll} />
          )}
          <datalist id="desk-recipients">{recipients.map((s) => <option value={s} />)}</datalist>
          <Field id="desk-subject" label={t('desk.subject')} hint={t('desk.subjectHint')} error={errors.subject} required class="desk-short-text">
            {(described, invalid) => (
              <textarea id="desk-subject" name="desk-subject" rows={2} value={draft.subject} required maxLength={2000}
                aria-describedby={described} aria-invalid={invalid} onKeyDown={ctrlEnter}
                onInput={(e) => set('subject', (e.target as HTMLTextAreaElement).value)} />
            )}
          </Field>
          <div class="desk-grid desk-counts">
            <TextField id="desk-pages" label={t('desk.pages')} value={draft.pages} onValue={(v) => set('pages', v)} error={errors.pages}
              inputMode="numeric" maxLength={6} class="desk-short" />
            <TextField id="desk-attachments" label={t('desk.attachments')} value={draft.attachments} onValue={(v) => set('attachments', v)}
              error={errors.attachments} inputMode="numeric" maxLength={6} class="desk-short" />
            <SelectField id="desk-confidentiality" label={t('desk.confidentiality')} value={draft.confidentiality}
              onValue={(v) => set('confidentiality', v)} error={errors.confidentiality}
              options={confidentialities.map((c) => ({ value: c, label: t(`desk.confidentiality.${c}`) }))} />
          </div>
          <FilePicker id="desk-files" label={t('desk.scan')} hint={t('desk.scanHint')} mediaTypes={scanTypes} multiple
            files={files} onFiles={(f) => { setFiles(f); setErrors((e) => ({ ...e, files: '' })) }} error={errors.files} />
          {busy && (
            <div class="field">
              <label for="desk-progress">{t('desk.sending')}</label>
              <progress id="desk-progress" max={1} value={progress} />
            </div>
          )}
          <div class="form-actions">
            <Button type="submit" busy={busy}>{t('desk.registerButton')}</Button>
            {reg && <span class="meta">{t('desk.inRegister', { register: reg.name })}</span>}
          </div>
        </form>
      )}
      {session.length > 0 && (
        <section aria-labelledby="desk-session">
          <h2 id="desk-session">{t('desk.sessionTitle')}</h2>
          <div class="table-scroll">
            <table>
              <thead>
                <tr><th scope="col">{t('desk.number')}</th><th scope="col">{t('desk.registeredAt')}</th><th scope="col">{t('desk.subject')}</th>
                  <th scope="col">{t('desk.receipt')}</th></tr>
              </thead>
              <tbody>
                {session.map((s) => (
                  <tr>
                    <td class="desk-nowrap"><a href={`/birou/registru/${s.id}`}>{s.registerCode} {entryNumber(s)}</a></td>
                    <td>{dateTime(s.registeredAt)}</td>
                    <td>{s.subject}</td>
                    <td><a href={s.receipt} download><span class="visually-hidden">{t('desk.receiptOf', { number: entryNumber(s) })} </span>{t('desk.receiptShort')}</a></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <p><a href="/birou/registru">{t('desk.toSearch')}</a></p>
    </Page>
  )
}

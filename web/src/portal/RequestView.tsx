import { useEffect, useState } from 'preact/hooks'
import { useRoute } from 'preact-iso'

import { api, idempotencyKey, upload } from '../api/client'
import type { RequestDetail, RequestSummary } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { useSession } from '../session'
import { Alert, Button, ErrorAlert, Loading, Page, fieldErrors } from '../ui/ui'
import { DaysLeft, StatusBadge } from '../ui/requests'
import { FilePicker } from '../ui/FilePicker'
import type { PickedFile } from '../ui/FilePicker'
import { SignInFirst } from './SignInFirst'

// How often the page asks whether the registration came, and for how long:
// the registry numbers a request within seconds.
const pollEvery = 1500
const pollFor = 120_000

// RequestView: one of the citizen's requests, with its registration and
// receipt, its term, its whole history and its files; the answer to an
// information request is given here.
export function RequestView() {
  const { t, date, dateTime, bytes } = useI18n()
  const { me } = useSession()
  const { params } = useRoute()
  const path = `/api/institutions/${params.institution}/requests/${params.id}`
  const [r, setR] = useState<RequestDetail>()
  const [error, setError] = useState<unknown>()

  const load = () => api.get<RequestDetail>(path).then((d) => { setR(d); return d }, (e) => { setError(e); return undefined })
  useEffect(() => {
    if (!me) return
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const started = Date.now()
    const tick = async () => {
      const d = await load()
      if (!stop && d && !d.registration && Date.now() - started < pollFor) timer = setTimeout(tick, pollEvery)
    }
    tick()
    return () => {
      stop = true
      clearTimeout(timer)
    }
  }, [path, me?.id])

  if (me === null) return <SignInFirst />
  if (!r) return <Page title={t('requests.one')}>{error ? <ErrorAlert error={error} /> : <Loading />}</Page>
  const g = r.registration
  const answers = r.files.filter((f) => f.kind === 'answer')
  // The answer comes first: the clerk's message and the documents, which
  // the "resolved" mail links here for.
  const resolution = [...r.history].reverse().find((h) => h.action === 'resolve')
  return (
    <Page title={r.type.name} wide>
      <p class="lead">{r.title}</p>
      {(resolution || answers.length > 0) && (
        <section aria-labelledby="answer" class="answer-panel">
          <h2 id="answer">{t('requests.answer')}</h2>
          {resolution && <p class="meta">{t('requests.answeredAt', { at: dateTime(resolution.at) })}</p>}
          {resolution?.note && <p class="answer-note">{resolution.note}</p>}
          <ul class="file-list">
            {answers.map((f) => (
              <li>
                <a class="btn btn-primary" href={f.url} download={f.name}>{t('requests.downloadAnswer', { name: f.title || f.name })}</a>
                <span class="meta">{bytes(f.size)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {g ? (
        <Alert kind="success">
          {t('requests.registeredAs', { number: g.number, year: g.year, at: dateTime(g.registeredAt) })}{' '}
          <a href={g.receiptUrl} download>{t('requests.receipt')}</a>
        </Alert>
      ) : (
        <Alert kind="info">{t('requests.waitingNumber')}</Alert>
      )}
      <dl class="facts">
        <dt>{t('requests.status')}</dt><dd><StatusBadge status={r.status} /></dd>
        <dt>{t('requests.submittedAt')}</dt><dd>{dateTime(r.submittedAt)}</dd>
        <dt>{t('requests.deadline')}</dt><dd><DaysLeft r={r} /></dd>
        {g && <><dt>{t('requests.verificationCode')}</dt><dd><code>{g.verificationCode}</code></dd></>}
      </dl>
      {r.status === 'info_requested' && <InfoAnswer path={path} onDone={(s) => { setR({ ...r, ...s }); load() }} />}
      <section aria-labelledby="history">
        <h2 id="history">{t('requests.history')}</h2>
        <ol class="timeline">
          {r.history.map((h) => (
            <li>
              <strong>{t(`history.${h.action}`)}</strong> <span class="meta">{dateTime(h.at)}</span>
              {h.actorName && <p class="meta">{signature(h.actorName, h.actorDepartment)}</p>}
              {h.note && <p>{h.note}</p>}
            </li>
          ))}
        </ol>
      </section>
      {r.files.length > 0 && (
        <section aria-labelledby="files">
          <h2 id="files">{t('requests.files')}</h2>
          <div class="table-scroll">
            <table>
              <thead><tr><th>{t('requests.fileTitle')}</th><th>{t('requests.fileName')}</th><th>{t('requests.fileSize')}</th><th>{t('requests.fileAdded')}</th></tr></thead>
              <tbody>
                {r.files.map((f) => (
                  <tr>
                    <td>{f.title || f.kind}</td>
                    <td><a href={f.url} download={f.name}>{f.name}</a></td>
                    <td>{bytes(f.size)}</td>
                    <td>{date(f.addedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <p><a href="/cereri">{t('requests.backToMine')}</a></p>
    </Page>
  )
}

// InfoAnswer: the applicant's answer to an information request, with files.
function InfoAnswer({ path, onDone }: { path: string; onDone: (s: RequestSummary) => void }) {
  const { t, locale } = useI18n()
  const [text, setText] = useState('')
  const [files, setFiles] = useState<PickedFile[]>([])
  const [progress, setProgress] = useState<number>()
  const [error, setError] = useState<unknown>()
  const [key] = useState(idempotencyKey)
  const errs = fieldErrors(error, locale, 'answer.')
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(undefined)
    const body = new FormData()
    body.append('answer', new Blob([JSON.stringify({ text, files: files.map((f) => ({ kind: 'info', name: f.file.name, size: f.file.size })) })],
      { type: 'application/json' }))
    for (const f of files) body.append('file', f.file, f.file.name)
    try {
      setProgress(0)
      onDone(await upload<RequestSummary>(`${path}/info`, body, setProgress, { 'Idempotency-Key': key }))
    } catch (err) {
      setError(err)
    } finally {
      setProgress(undefined)
    }
  }
  return (
    <section aria-labelledby="info-answer">
      <h2 id="info-answer">{t('requests.infoAnswerTitle')}</h2>
      <ErrorAlert error={error} />
      <form onSubmit={submit} noValidate>
        <div class={errs.text ? 'field field-invalid' : 'field'}>
          <label for="info-text">{t('requests.infoAnswerText')}</label>
          <textarea id="info-text" value={text} required aria-invalid={errs.text ? 'true' : undefined}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          {errs.text && <p class="field-error">{errs.text}</p>}
        </div>
        <FilePicker id="info-files" label={t('requests.infoAnswerFiles')} files={files} onFiles={setFiles} multiple />
        {progress !== undefined && <progress max={1} value={progress} aria-label={t('requests.uploading')} />}
        <div class="form-actions"><Button type="submit" busy={progress !== undefined}>{t('requests.infoAnswerSend')}</Button></div>
      </form>
    </section>
  )
}

/** signature names the staff member who acted as an institution signs: name, department. */
export function signature(name: string, department?: string): string {
  return department ? `${name}, ${department}` : name
}

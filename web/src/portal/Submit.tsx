import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { useLocation, useRoute } from 'preact-iso'

import { ApiError, api, idempotencyKey, upload } from '../api/client'
import type { RequestSummary, RequestType } from '../api/types'
import { FormRenderer, focusFirstError, initialValue, parseSchema, serverErrors, validate } from '../forms'
import type { Errors, FormValue } from '../forms'
import { useI18n } from '../i18n/i18n'
import { useSession } from '../session'
import { FilePicker } from '../ui/FilePicker'
import type { PickedFile } from '../ui/FilePicker'
import { Alert, Button, ErrorAlert, Loading, Page } from '../ui/ui'
import { accountFill, asksCNP } from './prefill'
import { SignInFirst } from './SignInFirst'

// Submit: a request type's form, built from its JSON Schema, with its
// attachments; sent once (an Idempotency-Key survives a retry), then the
// citizen is taken to the request's page, where the registration number
// appears as soon as the registry gives it. The fields that ask for the
// citizen's name, CNP, e-mail or phone start filled in from the account.
export function Submit() {
  const { t, locale } = useI18n()
  const { me } = useSession()
  const { params } = useRoute()
  const { route } = useLocation()
  const [type, setType] = useState<RequestType>()
  const [loadError, setLoadError] = useState<unknown>()
  const [value, setValue] = useState<FormValue>({})
  const [files, setFiles] = useState<Record<string, PickedFile[]>>({})
  const [errors, setErrors] = useState<Errors>({})
  const [error, setError] = useState<unknown>()
  const [progress, setProgress] = useState<number>()
  const [key, setKey] = useState(idempotencyKey)
  const form = useRef<HTMLFormElement>(null)

  useEffect(() => {
    api.get<RequestType>(`/api/institutions/${params.institution}/request-types/${params.type}`).then((ty) => {
      setType(ty)
      setValue(initialValue(parseSchema(ty.form)))
    }, setLoadError)
  }, [params.institution, params.type])
  const tree = useMemo(() => (type ? parseSchema(type.form) : undefined), [type])
  useEffect(() => {
    if (!tree || !me || (me.kind !== 'person' && me.kind !== 'company')) return
    let live = true
    // The clear CNP is read (an audited read, by its owner) only for a form that asks for it.
    const cnp = me.kind === 'person' && me.cnpMasked && asksCNP(tree)
      ? api.get<{ cnp: string }>('/api/auth/me/cnp').then((r) => r.cnp, () => undefined)
      : Promise.resolve(undefined)
    cnp.then((c) => { if (live) setValue((v) => accountFill(tree, v, me, c)) })
    return () => { live = false }
  }, [tree, me?.id])

  if (me === null) return <SignInFirst />
  if (!type || !tree) return <Page title={t('submit.title')}>{loadError ? <ErrorAlert error={loadError} /> : <Loading />}</Page>

  const attachmentErrors = (): Errors => {
    const out: Errors = {}
    for (const a of type.attachments) {
      const list = files[a.kind] ?? []
      if (a.required && list.length === 0) out[`attachments.${a.kind}`] = t('submit.attachmentRequired', { title: a.title })
      const bad = list.find((f) => f.problem)
      if (bad) out[`attachments.${a.kind}`] = bad.problem!
    }
    return out
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    setError(undefined)
    const found = { ...validate(tree, value, locale), ...attachmentErrors() }
    setErrors(found)
    if (Object.keys(found).length > 0) {
      requestAnimationFrame(() => form.current && focusFirstError(form.current, found))
      return
    }
    // The declaration comes first and names every file, in the order the
    // file parts follow: the API refuses what it can before any byte.
    const declared = type.attachments.flatMap((a) => (files[a.kind] ?? []).map((f) => ({ kind: a.kind, title: a.title, file: f.file })))
    const body = new FormData()
    body.append('request', new Blob([JSON.stringify({
      typeId: type.id, typeVersion: type.version, data: value,
      attachments: declared.map((d) => ({ kind: d.kind, title: d.title, name: d.file.name, size: d.file.size })),
    })], { type: 'application/json' }))
    for (const d of declared) body.append('file', d.file, d.file.name)
    try {
      setProgress(0)
      const r = await upload<RequestSummary>(`/api/institutions/${params.institution}/requests`, body, setProgress, { 'Idempotency-Key': key })
      setKey(idempotencyKey())
      route(`/cereri/${r.institutionId}/${r.id}`)
    } catch (err) {
      setError(err)
      if (err instanceof ApiError) {
        const byField = { ...serverErrors(err.errors, locale), ...serverErrors(err.errors, locale, '') }
        setErrors(byField)
        requestAnimationFrame(() => form.current && focusFirstError(form.current, byField))
      }
    } finally {
      setProgress(undefined)
    }
  }

  const busy = progress !== undefined
  return (
    <Page title={type.name}>
      <p>{type.description}</p>
      <p class="meta">{t(type.workingDays ? 'catalogue.termWorking' : 'catalogue.term', { count: type.deadlineDays })} · {type.department.name}</p>
      <ErrorAlert error={error} />
      <form ref={form} onSubmit={submit} noValidate>
        <FormRenderer schema={tree} value={value} onChange={setValue} errors={errors} disabled={busy} />
        {type.attachments.length > 0 && (
          <fieldset class="field-group">
            <legend>{t('submit.attachments')}</legend>
            {type.attachments.map((a) => (
              <FilePicker id={`attachment-${a.kind}`} label={a.title} required={a.required} mediaTypes={a.mediaTypes} maxSize={a.maxSize}
                multiple files={files[a.kind] ?? []}
                onFiles={(list) => setFiles({ ...files, [a.kind]: list })} error={errors[`attachments.${a.kind}`]} />
            ))}
          </fieldset>
        )}
        {busy && (
          <div>
            <label for="upload-progress">{t('submit.sending')}</label>
            <progress id="upload-progress" max={1} value={progress} />
          </div>
        )}
        {Object.keys(errors).length > 0 && <Alert kind="error">{t('submit.fixErrors')}</Alert>}
        <div class="form-actions">
          <Button type="submit" busy={busy}>{t('submit.send')}</Button>
          <a href="/servicii">{t('common.back')}</a>
        </div>
      </form>
    </Page>
  )
}

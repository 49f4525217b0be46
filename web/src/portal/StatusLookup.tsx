import { useEffect, useRef, useState } from 'preact/hooks'
import { useLocation, useRoute } from 'preact-iso'

import { api, ApiError } from '../api/client'
import type { PublicStatus } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { Alert, Button, ErrorAlert, Page, TextField, fieldErrors } from '../ui/ui'
import { StatusBadge } from '../ui/requests'
import { useInstitutions } from './institution'

// StatusLookup: anyone holding a registration receipt sees the request's
// status with its number (as printed, "9/2026") and code; nothing personal
// is shown. The receipt's link (/verificare/{institution}?nr=…&an=…&cod=…,
// or without the institution as older receipts have it) fills the form and
// looks the request up at once.
export function StatusLookup() {
  const { t, date, dateTime, locale } = useI18n()
  const { query } = useLocation()
  const { params } = useRoute()
  const { list, home } = useInstitutions()
  const [institution, setInstitution] = useState(params.institution ?? '')
  const [number, setNumber] = useState(query.nr ? (query.an ? `${query.nr}/${query.an}` : query.nr) : '')
  const [code, setCode] = useState(query.cod ?? '')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<PublicStatus | null>()
  const [error, setError] = useState<unknown>()
  const inst = institution || home?.id || ''
  const errs = fieldErrors(error, locale)

  const lookUp = async () => {
    setBusy(true)
    setError(undefined)
    setResult(undefined)
    try {
      // The server reads the number as written ("9/2026") and the code in
      // any case, with spaces.
      const q = new URLSearchParams({ number: number.trim(), code: code.trim() })
      setResult(await api.get<PublicStatus>(`/api/institutions/${inst}/request-status?${q}`))
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setResult(null)
      else setError(err)
    } finally {
      setBusy(false)
    }
  }
  // Opened from a receipt's link: the lookup runs at once, as soon as the
  // institution is known (an older link names none: the portal's own).
  const fromLink = useRef(Boolean(query.nr && query.cod))
  useEffect(() => {
    if (!fromLink.current || !inst) return
    fromLink.current = false
    lookUp()
  }, [inst])

  const submit = (e: Event) => {
    e.preventDefault()
    lookUp()
  }
  return (
    <Page title={t('lookup.title')}>
      <p>{t('lookup.intro')}</p>
      <form onSubmit={submit} noValidate>
        {list && list.length > 1 && (
          <div class="field">
            <label for="institution">{t('lookup.institution')}</label>
            <select id="institution" value={inst} onChange={(e) => setInstitution((e.target as HTMLSelectElement).value)}>
              {list.map((i) => <option value={i.id}>{i.name}</option>)}
            </select>
          </div>
        )}
        <TextField id="number" label={t('lookup.number')} hint={t('lookup.numberHint')} value={number} onValue={setNumber} required
          error={errs.number ?? errs.year} />
        <TextField id="code" label={t('lookup.code')} hint={t('lookup.codeHint')} value={code} onValue={setCode} required
          error={errs.code} autoComplete="off" />
        <div class="form-actions"><Button type="submit" busy={busy}>{t('lookup.submit')}</Button></div>
      </form>
      <ErrorAlert error={error} />
      {result === null && <Alert kind="warning">{t('lookup.notFound')}</Alert>}
      {result && (
        <section aria-labelledby="lookup-result">
          <h2 id="lookup-result">{t('lookup.result', { number: result.number, year: result.year })}</h2>
          <dl class="facts">
            <dt>{t('lookup.type')}</dt><dd>{result.type}</dd>
            <dt>{t('lookup.status')}</dt><dd><StatusBadge status={result.status} /></dd>
            <dt>{t('lookup.registeredAt')}</dt><dd>{dateTime(result.registeredAt)}</dd>
            {result.deadline && <><dt>{t('lookup.deadline')}</dt><dd>{date(result.deadline)}</dd></>}
            <dt>{t('lookup.updatedAt')}</dt><dd>{dateTime(result.updatedAt)}</dd>
          </dl>
        </section>
      )}
    </Page>
  )
}

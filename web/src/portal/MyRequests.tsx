import { useEffect, useState } from 'preact/hooks'

import { api } from '../api/client'
import type { RequestList, RequestSummary } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { href } from '../routes'
import { Button, ErrorAlert, Loading, Page } from '../ui/ui'
import { DaysLeft, StatusBadge, registrationNumber } from '../ui/requests'
import { SignInFirst } from './SignInFirst'
import { useSession } from '../session'

// MyRequests: the citizen's requests, newest first, a page at a time.
export function MyRequests() {
  const { t, date } = useI18n()
  const { me } = useSession()
  const [items, setItems] = useState<RequestSummary[]>()
  const [next, setNext] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)

  const load = async (cursor?: string) => {
    setBusy(true)
    try {
      const q = new URLSearchParams({ limit: '20', ...(cursor ? { cursor } : {}) })
      const page = await api.get<RequestList>(`/api/me/requests?${q}`)
      setItems((prev) => (cursor ? [...(prev ?? []), ...page.items] : page.items))
      setNext(page.next)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    if (me) load()
  }, [me?.id])

  if (me === null) return <SignInFirst />
  return (
    <Page title={t('requests.mine')} wide>
      <ErrorAlert error={error} />
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p>{t('requests.none')} <a href="/servicii">{t('requests.submitOne')}</a></p>}
      {items && items.length > 0 && (
        <ul class="cards">
          {items.map((r) => (
            <li class="card">
              <h2><a href={href('request', { institution: r.institutionId, id: r.id })}>{r.type.name}</a></h2>
              <p>{r.title}</p>
              <dl class="facts">
                <dt>{t('requests.status')}</dt><dd><StatusBadge status={r.status} /></dd>
                <dt>{t('requests.number')}</dt><dd>{registrationNumber(r) || t('requests.numberPending')}</dd>
                <dt>{t('requests.submittedAt')}</dt><dd>{date(r.submittedAt)}</dd>
                <dt>{t('requests.deadline')}</dt><dd><DaysLeft r={r} /></dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
      {next && <div class="form-actions"><Button kind="secondary" busy={busy} onClick={() => load(next)}>{t('requests.more')}</Button></div>}
    </Page>
  )
}

import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { returnPath, useSession } from '../session'
import { Alert, ErrorAlert, Loading, Page } from '../ui/ui'
import { withNext } from './SignIn'

// VerifyEmail confirms the address with the token of the mailed link, then
// takes the citizen on to where they were going when they signed up (the
// link's next): straight there when this browser is signed in, else
// through the sign-in page, which says the address is confirmed.
export function VerifyEmail() {
  const { t } = useI18n()
  const { reload } = useSession()
  const { query, route } = useLocation()
  const next = returnPath(query.next)
  const [state, setState] = useState<'working' | 'done'>('working')
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    api.post('/api/auth/verify-email', { token: query.token ?? '' }).then(async () => {
      const me = await reload().catch(() => null)
      if (me && next) route(next, true)
      else if (!me) route(withNext('/autentificare?confirmat=1', next), true)
      else setState('done')
    }, (e) => {
      setError(e)
      setState('done')
    })
  }, [query.token])
  return (
    <Page title={t('auth.verifyTitle')}>
      {state === 'working' && <Loading />}
      {state === 'done' && !error && <Alert kind="success">{t('auth.verified')} <a href="/servicii">{t('shell.services')}</a></Alert>}
      <ErrorAlert error={error} />
      {state === 'done' && error !== undefined && <p><a href={withNext('/autentificare', next)}>{t('auth.signIn')}</a></p>}
    </Page>
  )
}

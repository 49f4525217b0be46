import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { Alert, ErrorAlert, Loading, Page } from '../ui/ui'

// VerifyEmail confirms the address with the token of the mailed link.
export function VerifyEmail() {
  const { t } = useI18n()
  const { query } = useLocation()
  const [state, setState] = useState<'working' | 'done'>('working')
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    api.post('/api/auth/verify-email', { token: query.token ?? '' }).then(() => setState('done'), (e) => {
      setError(e)
      setState('done')
    })
  }, [query.token])
  return (
    <Page title={t('auth.verifyTitle')}>
      {state === 'working' && <Loading />}
      {state === 'done' && !error && (
        <Alert kind="success">{t('auth.verified')} <a href="/autentificare">{t('auth.signIn')}</a></Alert>
      )}
      <ErrorAlert error={error} />
    </Page>
  )
}

import { useEffect, useState } from 'preact/hooks'

import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { Button, ErrorAlert, Page, TextField } from '../ui/ui'

interface TOTPSetup {
  secret: string
  otpauthUrl: string
}

// EnrolTOTP sets up the second factor the platform requires of the
// account (by default of staff who administer an institution): until it is
// on, the API refuses the account everything else. Shown after the
// password at sign-in, and instead of any page while the session says the
// factor is missing (a role granted while signed in).
export function EnrolTOTP({ onDone }: { onDone: () => Promise<unknown> }) {
  const { t } = useI18n()
  const [setup, setSetup] = useState<TOTPSetup>()
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    api.post<TOTPSetup>('/api/auth/totp/setup').then(setSetup, setError)
  }, [])
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await api.post('/api/auth/totp/enable', { code: code.trim() })
      await onDone()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Page title={t('auth.enrolTitle')}>
      <p>{t('auth.enrolText')}</p>
      <ErrorAlert error={error} />
      {setup && (
        <form onSubmit={submit} noValidate>
          <dl class="facts">
            <dt>{t('auth.enrolKey')}</dt><dd><code class="totp-secret">{setup.secret.replace(/(.{4})/g, '$1 ').trim()}</code></dd>
          </dl>
          <p><a href={setup.otpauthUrl}>{t('auth.enrolLink')}</a></p>
          <TextField id="totp-enrol" label={t('auth.totpCode')} hint={t('auth.totpHint')} value={code} onValue={setCode} required
            inputMode="numeric" autoComplete="one-time-code" />
          <div class="form-actions">
            <Button type="submit" busy={busy}>{t('auth.enrolConfirm')}</Button>
          </div>
        </form>
      )}
    </Page>
  )
}

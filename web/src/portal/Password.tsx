import { useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { Alert, Button, ErrorAlert, Page, TextField, fieldErrors, useAction } from '../ui/ui'

// ForgotPassword mails a reset link. The answer is the same whether or not
// the address has an account.
export function ForgotPassword() {
  const { t } = useI18n()
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState(false)
  const { busy, error, run } = useAction()
  const submit = (e: Event) => {
    e.preventDefault()
    run(async () => {
      await api.post('/api/auth/password-reset', { email })
      setSent(true)
    })
  }
  return (
    <Page title={t('auth.forgotTitle')}>
      {sent ? <Alert kind="success">{t('auth.resetSent', { email })}</Alert> : (
        <form onSubmit={submit} noValidate>
          <ErrorAlert error={error} />
          <TextField id="email" type="email" label={t('auth.email')} value={email} onValue={setEmail} required autoComplete="email" />
          <div class="form-actions"><Button type="submit" busy={busy}>{t('auth.sendReset')}</Button></div>
        </form>
      )}
    </Page>
  )
}

// ResetPassword sets a new password with the token of the mailed link.
export function ResetPassword() {
  const { t, locale } = useI18n()
  const { query } = useLocation()
  const [password, setPassword] = useState('')
  const [done, setDone] = useState(false)
  const { busy, error, run } = useAction()
  const submit = (e: Event) => {
    e.preventDefault()
    run(async () => {
      await api.post('/api/auth/password-reset/confirm', { token: query.token ?? '', password })
      setDone(true)
    })
  }
  return (
    <Page title={t('auth.resetTitle')}>
      {done ? <Alert kind="success">{t('auth.resetDone')} <a href="/autentificare">{t('auth.signIn')}</a></Alert> : (
        <form onSubmit={submit} noValidate>
          <ErrorAlert error={error} />
          <TextField id="password" type="password" label={t('auth.newPassword')} hint={t('auth.passwordHint')} value={password}
            onValue={setPassword} error={fieldErrors(error, locale).password} required autoComplete="new-password" />
          <div class="form-actions"><Button type="submit" busy={busy}>{t('auth.setPassword')}</Button></div>
        </form>
      )}
    </Page>
  )
}

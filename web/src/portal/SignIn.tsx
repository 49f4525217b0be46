import { useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { returnPath, useSession } from '../session'
import { Alert, Button, ErrorAlert, Page, TextField } from '../ui/ui'
import { EnrolTOTP } from './EnrolTOTP'

interface SignInResponse {
  mfaRequired: boolean
  mfaSetupRequired: boolean
}

/** withNext is href with the return path next kept in its query, if there is one. */
export function withNext(href: string, next: string): string {
  return next ? `${href}${href.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}` : href
}

// SignIn: email and password, then the TOTP code when the account has a
// second factor, or its setup when the account must have one and has none.
// The session is an HttpOnly cookie the API sets. A visitor sent here from a
// page that needs an account is told why, and the way back (next) goes with
// them through sign-up and the verification mail.
export function SignIn() {
  const { t } = useI18n()
  const { reload } = useSession()
  const { route, query } = useLocation()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const [step, setStep] = useState<'password' | 'totp' | 'enrol'>('password')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const next = returnPath(query.next)

  const done = async () => {
    const me = await reload()
    route(next || (me?.kind === 'staff' ? '/birou' : '/cereri'))
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      if (step === 'password') {
        const r = await api.post<SignInResponse>('/api/auth/signin', { email, password, session: 'browser' })
        if (r.mfaRequired) {
          setStep('totp')
          return
        }
        if (r.mfaSetupRequired) {
          setStep('enrol')
          return
        }
      } else {
        await api.post('/api/auth/signin/totp', { code })
      }
      await done()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  if (step === 'enrol') return <EnrolTOTP onDone={done} />
  return (
    <Page title={t('auth.signInTitle')}>
      {query.confirmat === '1' && <Alert kind="success">{t('auth.verifiedSignIn')}</Alert>}
      {next && query.confirmat !== '1' && (
        <Alert kind="info">{t(next.startsWith('/servicii/') ? 'auth.whySignInSubmit' : next.startsWith('/birou') ? 'auth.whySignInOffice' : 'auth.whySignIn')}</Alert>
      )}
      <ErrorAlert error={error} />
      <form onSubmit={submit} noValidate>
        {step === 'password' ? (
          <>
            <TextField id="email" type="email" label={t('auth.email')} value={email} onValue={setEmail} required autoComplete="username" />
            <TextField id="password" type="password" label={t('auth.password')} value={password} onValue={setPassword} required autoComplete="current-password" />
          </>
        ) : (
          <TextField id="totp" label={t('auth.totpCode')} hint={t('auth.totpHint')} value={code} onValue={setCode} required
            inputMode="numeric" autoComplete="one-time-code" />
        )}
        <div class="form-actions">
          <Button type="submit" busy={busy}>{t('auth.signIn')}</Button>
          <a href="/parola-uitata">{t('auth.forgot')}</a>
          <a href={withNext('/cont-nou', next)}>{t('auth.noAccount')}</a>
        </div>
      </form>
    </Page>
  )
}

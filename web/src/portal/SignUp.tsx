import { useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { returnPath } from '../session'
import { Alert, Button, ErrorAlert, Page, TextField, fieldErrors, useAction } from '../ui/ui'
import { withNext } from './SignIn'

// SignUp creates a citizen's account: a person (with CNP) or a company (with
// CUI). The address is confirmed by the link the platform mails, which
// brings the citizen back to where they were going (next), if anywhere.
export function SignUp() {
  const { t, locale } = useI18n()
  const { query } = useLocation()
  const next = returnPath(query.next)
  const [kind, setKind] = useState<'person' | 'company'>('person')
  const [displayName, setDisplayName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [cnp, setCnp] = useState('')
  const [cui, setCui] = useState('')
  const [phone, setPhone] = useState('')
  const { busy, error, run } = useAction()
  const [sent, setSent] = useState(false)
  const errs = fieldErrors(error, locale)

  const submit = (e: Event) => {
    e.preventDefault()
    run(async () => {
      await api.post('/api/auth/signup', {
        kind, displayName, email, password, locale,
        ...(kind === 'person' ? { cnp } : { cui }),
        ...(phone ? { phone } : {}),
        ...(next ? { next } : {}),
      })
      setSent(true)
    })
  }
  if (sent) {
    return (
      <Page title={t('auth.signUpTitle')}>
        <Alert kind="success">{t('auth.checkMail', { email })}</Alert>
      </Page>
    )
  }
  return (
    <Page title={t('auth.signUpTitle')}>
      <ErrorAlert error={error} />
      <form onSubmit={submit} noValidate>
        <fieldset class="field">
          <legend>{t('auth.kind')}</legend>
          <label><input type="radio" name="kind" checked={kind === 'person'} onChange={() => setKind('person')} />{t('auth.person')}</label>{' '}
          <label><input type="radio" name="kind" checked={kind === 'company'} onChange={() => setKind('company')} />{t('auth.company')}</label>
        </fieldset>
        <TextField id="displayName" label={kind === 'person' ? t('auth.fullName') : t('auth.companyName')} value={displayName}
          onValue={setDisplayName} error={errs.displayName} required autoComplete={kind === 'person' ? 'name' : 'organization'} />
        {kind === 'person' ? (
          <TextField id="cnp" label={t('auth.cnp')} hint={t('auth.cnpHint')} value={cnp} onValue={setCnp} error={errs.cnp} required inputMode="numeric" />
        ) : (
          <TextField id="cui" label={t('auth.cui')} value={cui} onValue={setCui} error={errs.cui} required />
        )}
        <TextField id="email" type="email" label={t('auth.email')} value={email} onValue={setEmail} error={errs.email} required autoComplete="email" />
        <TextField id="phone" type="tel" label={t('auth.phone')} hint={t('auth.phoneHint')} value={phone} onValue={setPhone} error={errs.phone} autoComplete="tel" />
        <TextField id="password" type="password" label={t('auth.newPassword')} hint={t('auth.passwordHint')} value={password}
          onValue={setPassword} error={errs.password} required autoComplete="new-password" />
        <div class="form-actions">
          <Button type="submit" busy={busy}>{t('auth.signUp')}</Button>
          <a href={withNext('/autentificare', next)}>{t('auth.haveAccount')}</a>
        </div>
      </form>
    </Page>
  )
}

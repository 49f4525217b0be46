import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { useSession } from '../session'
import { Button, ErrorAlert, Page, useAction } from '../ui/ui'
import { SignInFirst } from './SignInFirst'

// Account: the signed-in account's facts and its data, all of it, as a JSON
// file (GDPR art. 15 and 20).
export function Account() {
  const { t } = useI18n()
  const { me } = useSession()
  const { busy, error, run } = useAction()
  if (me === null) return <SignInFirst />
  if (!me) return null
  const exportData = () => run(async () => {
    const data = await api.get<unknown>('/api/auth/me/export')
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }))
    const a = document.createElement('a')
    a.href = url
    a.download = 'datele-mele-ghiseu.json'
    a.click()
    URL.revokeObjectURL(url)
  })
  return (
    <Page title={t('account.title')}>
      <dl class="facts">
        <dt>{t('account.name')}</dt><dd>{me.displayName}</dd>
        <dt>{t('account.email')}</dt><dd>{me.email}</dd>
        {me.cnpMasked && <><dt>{t('account.cnp')}</dt><dd>{me.cnpMasked}</dd></>}
        {me.cui && <><dt>{t('account.cui')}</dt><dd>{me.cui}</dd></>}
        {me.phone && <><dt>{t('account.phone')}</dt><dd>{me.phone}</dd></>}
        <dt>{t('account.mfa')}</dt><dd>{me.mfaEnabled ? t('account.mfaOn') : t('account.mfaOff')}</dd>
      </dl>
      <h2>{t('account.exportTitle')}</h2>
      <p>{t('account.exportText')}</p>
      <ErrorAlert error={error} />
      <Button kind="secondary" busy={busy} onClick={exportData}>{t('account.export')}</Button>
    </Page>
  )
}

import { useI18n } from '../i18n/i18n'
import { useSession } from '../session'

export function Home() {
  const { t } = useI18n()
  const { me } = useSession()
  return (
    <div class="page page-wide home">
      <h1>{t('home.title')}</h1>
      <p class="lead">{t('home.lead')}</p>
      <ul class="cards">
        <li class="card">
          <h2><a href="/servicii">{t('home.servicesTitle')}</a></h2>
          <p>{t('home.servicesText')}</p>
        </li>
        <li class="card">
          <h2><a href="/verificare">{t('home.lookupTitle')}</a></h2>
          <p>{t('home.lookupText')}</p>
        </li>
        {me ? (
          <li class="card">
            <h2><a href="/cereri">{t('home.mineTitle')}</a></h2>
            <p>{t('home.mineText')}</p>
          </li>
        ) : (
          <li class="card">
            <h2><a href="/cont-nou">{t('home.signUpTitle')}</a></h2>
            <p>{t('home.signUpText')}</p>
          </li>
        )}
      </ul>
    </div>
  )
}

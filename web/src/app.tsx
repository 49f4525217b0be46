import type { ComponentType, JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ErrorBoundary, LocationProvider, Route, Router, lazy, useLocation } from 'preact-iso'

import { I18nProvider, locales, useI18n } from './i18n/i18n'
import type { Locale } from './i18n/i18n'
import { SessionProvider, useSession } from './session'
import { Page } from './ui/ui'
import { Home } from './portal/Home'
import { SignIn } from './portal/SignIn'
import { SignUp } from './portal/SignUp'
import { VerifyEmail } from './portal/VerifyEmail'
import { ForgotPassword, ResetPassword } from './portal/Password'
import { StatusLookup } from './portal/StatusLookup'
import { routeNames, routes } from './routes'
import type { RouteName } from './routes'
import { EnrolTOTP } from './portal/EnrolTOTP'

// backOffice loads a back-office page together with the back office's
// texts, which it then gives the page: neither is in the initial bundle.
function backOffice<P>(page: () => Promise<ComponentType<P>>) {
  return lazy(() => Promise.all([page(), import('./i18n/office')]).then(([Page, m]) =>
    (props: P & JSX.IntrinsicAttributes) => <m.OfficeMessages><Page {...props} /></m.OfficeMessages>))
}

// The citizen's pages the first visit may need are in the initial bundle;
// the rest, and the whole back office, load when first opened.
const Catalogue = lazy(() => import('./portal/Catalogue').then((m) => m.Catalogue))
const Submit = lazy(() => import('./portal/Submit').then((m) => m.Submit))
const MyRequests = lazy(() => import('./portal/MyRequests').then((m) => m.MyRequests))
const RequestView = lazy(() => import('./portal/RequestView').then((m) => m.RequestView))
const Notifications = lazy(() => import('./portal/Notifications').then((m) => m.Notifications))
const Account = lazy(() => import('./portal/Account').then((m) => m.Account))
const Backups = backOffice(() => import('./admin/Backups').then((m) => m.Backups))
const Dashboard = backOffice(() => import('./admin/Dashboard').then((m) => m.Dashboard))
const Organisation = backOffice(() => import('./admin/Organisation').then((m) => m.Organisation))
const Staff = backOffice(() => import('./admin/Staff').then((m) => m.Staff))
const MachineClients = backOffice(() => import('./admin/MachineClients').then((m) => m.MachineClients))
const RequestTypes = backOffice(() => import('./admin/RequestTypes').then((m) => m.RequestTypes))
const RequestTypeEditor = backOffice(() => import('./admin/RequestTypeEditor').then((m) => m.RequestTypeEditor))
const Registers = backOffice(() => import('./admin/Registers').then((m) => m.Registers))
const FilingPlan = backOffice(() => import('./admin/FilingPlan').then((m) => m.FilingPlan))
const Templates = backOffice(() => import('./admin/Templates').then((m) => m.Templates))
const AuditTrail = backOffice(() => import('./admin/AuditTrail').then((m) => m.AuditTrail))
const Office = backOffice(() => import('./office/Office').then((m) => m.Office))
const RegisterDocument = backOffice(() => import('./desk/RegisterDocument').then((m) => m.RegisterDocument))
const RegistrySearch = backOffice(() => import('./desk/RegistrySearch').then((m) => m.RegistrySearch))
const EntryView = backOffice(() => import('./desk/EntryView').then((m) => m.EntryView))
const WorkList = backOffice(() => import('./work/WorkList').then((m) => m.WorkList))
const RequestWork = backOffice(() => import('./work/RequestWork').then((m) => m.RequestWork))

// pages: what each of the app's addresses (routes.json) shows. The table
// is the one the Go side builds its links from (shared/weblinks), so a
// page is added there, and here by the same name.
const pages: Record<RouteName, ComponentType> = {
  home: Home,
  signIn: SignIn,
  signUp: SignUp,
  verifyEmail: VerifyEmail,
  forgotPassword: ForgotPassword,
  resetPassword: ResetPassword,
  statusLookup: StatusLookup,
  statusLookupAt: StatusLookup,
  catalogue: Catalogue,
  submit: Submit,
  myRequests: MyRequests,
  request: RequestView,
  notifications: Notifications,
  account: Account,
  office: Office,
  backups: Backups,
  registerDocument: RegisterDocument,
  registrySearch: RegistrySearch,
  entry: EntryView,
  workList: WorkList,
  workRequest: RequestWork,
  dashboard: Dashboard,
  organisation: Organisation,
  staff: Staff,
  machineClients: MachineClients,
  requestTypes: RequestTypes,
  requestTypeEditor: RequestTypeEditor,
  registers: Registers,
  filingPlan: FilingPlan,
  templates: Templates,
  auditTrail: AuditTrail,
}

/**
 * Routes is the app's router: a route for each address of routes.json, in
 * its order, showing pages[name]; any other address is "Pagina nu există".
 * The links test renders it with stand-ins for the pages.
 */
export function Routes({ pages }: { pages: Record<RouteName, ComponentType> }) {
  return (
    <Router>
      {routeNames.map((name) => <Route key={name} path={routes[name]} component={pages[name]} />)}
      <Route default component={NotFound} />
    </Router>
  )
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <LocationProvider>
          <SecondFactorGate>
            <Shell />
          </SecondFactorGate>
        </LocationProvider>
      </SessionProvider>
    </I18nProvider>
  )
}

function Shell() {
  const { t } = useI18n()
  return (
    <>
      <a class="skip-link" href="#content">{t('common.skipToContent')}</a>
      <Header />
      <main id="content">
        <ErrorBoundary>
          <Routes pages={pages} />
        </ErrorBoundary>
      </main>
      <footer class="site-footer">{t('shell.footer')}</footer>
    </>
  )
}

// SecondFactorGate: an account that must have a second factor and has
// none (staff with an administrative role, also one granted while signed
// in) can do nothing else, so it is shown only the factor's setup.
function SecondFactorGate({ children }: { children: JSX.Element }) {
  const { t } = useI18n()
  const { me, reload } = useSession()
  if (!me?.mfaSetupRequired) return children
  return (
    <>
      <a class="skip-link" href="#content">{t('common.skipToContent')}</a>
      <Header />
      <main id="content"><EnrolTOTP onDone={reload} /></main>
    </>
  )
}

function Header() {
  const { t, locale, setLocale } = useI18n()
  const { me, signOut } = useSession()
  const { path, route } = useLocation()
  // On a phone the links fold behind a menu button, so the header keeps to
  // one line; a page opened from the menu folds it again.
  const [open, setOpen] = useState(false)
  useEffect(() => setOpen(false), [path])
  const link = (href: string, text: string) => (
    <li><a href={href} aria-current={path === href ? 'page' : undefined}>{text}</a></li>
  )
  return (
    <header class="site-header">
      <div class="bar">
        <a class="brand" href="/">{t('common.appName')}</a>
        <button type="button" class="menu-button" aria-expanded={open} aria-controls="site-nav"
          onClick={() => setOpen(!open)}>{t('shell.menu')}</button>
        <nav id="site-nav" class={open ? 'site-nav open' : 'site-nav'} aria-label={t('shell.navigation')}>
          <ul>
            {link('/servicii', t('shell.services'))}
            {link('/verificare', t('shell.statusLookup'))}
            {me && me.kind !== 'staff' && link('/cereri', t('shell.myRequests'))}
            {me && me.kind === 'staff' && link('/birou', t('shell.office'))}
            {me && link('/notificari', t('shell.notifications'))}
            {me && link('/contul-meu', t('shell.account'))}
            {!me && me !== undefined && link('/autentificare', t('shell.signIn'))}
            {me && (
              <li>
                <button type="button" class="btn-link nav-button"
                  onClick={async () => { await signOut(); route('/') }}>{t('shell.signOut')}</button>
              </li>
            )}
          </ul>
        </nav>
        <label>
          <span class="visually-hidden">{t('common.language')}</span>
          <select value={locale} onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
            {locales.map((l) => <option value={l}>{l === 'ro' ? 'Română' : 'English'}</option>)}
          </select>
        </label>
      </div>
    </header>
  )
}

function NotFound() {
  const { t } = useI18n()
  return <Page title={t('common.notFound')}><p><a href="/">{t('shell.home')}</a></p></Page>
}

import { useI18n } from '../i18n/i18n'
import { useSession } from '../session'
import { Page } from '../ui/ui'
import { SignInFirst } from '../portal/SignInFirst'
import { holds, officeInstitution } from './office'

// Office: the back office's first page, the work a staff member may do,
// by the permissions of their roles.
export function Office() {
  const { t } = useI18n()
  const { me } = useSession()
  if (me === null) return <SignInFirst />
  if (!me) return null
  const inst = officeInstitution(me)
  const areas = [
    { permission: 'registry.register', href: '/birou/registratura', title: 'office.desk', text: 'office.deskText' },
    { permission: 'registry.read', href: '/birou/registru', title: 'office.registry', text: 'office.registryText' },
    { permission: 'requests.read', href: '/birou/cereri', title: 'office.work', text: 'office.workText' },
    { permission: 'requests.read', href: '/birou/panou', title: 'office.dashboard', text: 'office.dashboardText' },
    { permission: 'departments.manage', href: '/birou/institutie', title: 'office.organisation', text: 'office.organisationText' },
    { permission: 'users.read', href: '/birou/personal', title: 'office.staff', text: 'office.staffText' },
    { permission: 'machineclients.manage', href: '/birou/clienti', title: 'office.clients', text: 'office.clientsText' },
    { permission: 'requests.types.manage', href: '/birou/tipuri-cereri', title: 'office.requestTypes', text: 'office.requestTypesText' },
    { permission: 'registry.configure', href: '/birou/registre', title: 'office.registers', text: 'office.registersText' },
    { permission: 'registry.configure', href: '/birou/nomenclator', title: 'office.filingPlan', text: 'office.filingPlanText' },
    { permission: 'notifications.manage', href: '/birou/sabloane', title: 'office.templates', text: 'office.templatesText' },
    { permission: 'audit.read', href: '/birou/audit', title: 'office.audit', text: 'office.auditText' },
    { permission: 'backup.manage', href: '/birou/copii-de-siguranta', title: 'office.backups', text: 'office.backupsText' },
  ].filter((a) => holds(me, a.permission, inst))
  return (
    <Page title={t('office.title')} wide>
      <p>{t('office.welcome', { name: me.displayName })}</p>
      {areas.length === 0 ? <p>{t('office.nothing')}</p> : (
        <ul class="cards">
          {areas.map((a) => (
            <li class="card">
              <h2><a href={a.href}>{t(a.title)}</a></h2>
              <p>{t(a.text)}</p>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}

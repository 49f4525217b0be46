import type { ComponentChildren } from 'preact'

import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { holds, officeInstitution } from './office'
import { SignInFirst } from '../portal/SignInFirst'
import { useSession } from '../session'
import { Alert, Loading, Page } from '../ui/ui'

/**
 * OfficeGate shows a back-office page only to a signed-in account
 * holding permission in its institution (without a permission, to any
 * staff member of one); a visitor is sent to sign in, anyone else is told
 * plainly, with the way back to the office.
 */
export function OfficeGate({ permission, title, denied, children }: {
  /** What the page needs; none: being staff of an institution. */
  permission?: string
  title: string
  /** What to tell an account without the permission. */
  denied: string
  children: (me: Me, inst: string) => ComponentChildren
}) {
  const { t } = useI18n()
  const { me } = useSession()
  if (me === null) return <SignInFirst />
  if (me === undefined) return <Page title={title}><Loading /></Page>
  const inst = officeInstitution(me)
  if (!inst || !(permission ? holds(me, permission, inst) : me.kind === 'staff')) {
    return (
      <Page title={title}>
        <Alert kind="warning">{denied}</Alert>
        <p><a href="/birou">{t('office.backToOffice')}</a></p>
      </Page>
    )
  }
  return <>{children(me, inst)}</>
}

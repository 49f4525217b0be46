import type { ComponentChildren } from 'preact'

import { ApiError } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { holds, officeInstitution } from '../office/office'
import { SignInFirst } from '../portal/SignInFirst'
import { useSession } from '../session'
import { Alert, ErrorAlert, Loading, Page } from '../ui/ui'
import type { Entry } from './desk'
import './desk.css'

// The registry desk's shared pieces: who may open a page, its errors in
// the reader's language, its fields, an entry's state.

/**
 * DeskGate shows its page only to a signed-in account holding permission
 * in its institution; a visitor is sent to sign in, anyone else is told
 * plainly what is missing.
 */
export function DeskGate({ permission, title, children }: {
  permission: string
  title: string
  children: (me: Me, inst: string) => ComponentChildren
}) {
  const { t } = useI18n()
  const { me } = useSession()
  if (me === null) return <SignInFirst />
  if (me === undefined) return <Page title={title}><Loading /></Page>
  const inst = officeInstitution(me)
  if (!inst || !holds(me, permission, inst)) {
    return (
      <Page title={title}>
        <Alert kind="warning">{t('desk.notAllowed')}</Alert>
        <p><a href="/birou">{t('desk.backToOffice')}</a></p>
      </Page>
    )
  }
  return <>{children(me, inst)}</>
}

// The API's refusals the desk explains itself (its detail is in English).
const problems: Record<string, string> = {
  file_too_large: 'desk.problem.fileTooLarge',
  file_type_not_allowed: 'desk.problem.fileType',
  upload_truncated: 'desk.problem.uploadTruncated',
  idempotency_key_reused: 'desk.problem.keyReused',
  register_not_allowed: 'desk.problem.registerNotAllowed',
  register_closed: 'desk.problem.registerClosed',
  already_annulled: 'desk.problem.alreadyAnnulled',
  precondition_failed: 'desk.problem.stale',
  not_found: 'desk.problem.notFound',
  forbidden: 'desk.problem.forbidden',
}

/** The message keys of the refusals DeskError explains, for the tests. */
export const problemKeys = Object.values(problems)

/** DeskError says what went wrong, the desk's known refusals in its own words. */
export function DeskError({ error, id }: { error: unknown; id?: string }) {
  const { t } = useI18n()
  if (!error) return null
  if (error instanceof ApiError) {
    const key = problems[error.code] ?? (error.status === 404 ? problems.not_found : error.status === 403 ? problems.forbidden
      : error.status === 412 ? problems.precondition_failed : undefined)
    if (key) return <div class="alert alert-error" role="alert" id={id} tabIndex={id ? -1 : undefined}>{t(key)}</div>
  }
  return id ? <div id={id} tabIndex={-1}><ErrorAlert error={error} /></div> : <ErrorAlert error={error} />
}

/** EntryStatus: registered, or annulled. */
export function EntryStatus({ entry }: { entry: Pick<Entry, 'annulment'> }) {
  const { t } = useI18n()
  return entry.annulment
    ? <span class="badge desk-badge-annulled">{t('desk.status.annulled')}</span>
    : <span class="badge desk-badge-active">{t('desk.status.active')}</span>
}

/** focusFirst moves focus to the first of ids (in the given order) that has a problem, once the page shows it. */
export function focusFirst(ids: string[], errors: Record<string, string>, idOf: (field: string) => string) {
  const first = ids.find((f) => errors[f])
  if (!first) return
  requestAnimationFrame(() => document.getElementById(idOf(first))?.focus())
}

import { ApiError } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { ErrorAlert } from '../ui/ui'
import type { Entry } from './desk'
import './desk.css'

// The registry desk's shared pieces: its errors in the reader's language, its fields, an entry's state.

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
  annul_not_allowed: 'desk.problem.annulNotAllowed',
  annul_window_passed: 'desk.problem.annulWindowPassed',
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

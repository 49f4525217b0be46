import { useI18n } from '../i18n/i18n'
import type { RequestSummary } from '../api/types'

// How a request's status and term read, the same on every page.

const closed = new Set(['resolved', 'rejected', 'filed_away', 'forwarded'])

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n()
  return <span class={closed.has(status) ? 'badge badge-done' : 'badge'}>{t(`status.${status}`)}</span>
}

/** DaysLeft: the legal term, with the days left or how late it is. */
export function DaysLeft({ r }: { r: Pick<RequestSummary, 'deadline' | 'daysLeft' | 'overdue' | 'status'> }) {
  const { t, date } = useI18n()
  if (!r.deadline) return <span class="meta">{t('requests.noDeadlineYet')}</span>
  if (closed.has(r.status) || r.daysLeft === null) return <span>{date(r.deadline)}</span>
  if (r.overdue) {
    return <span><span class="badge badge-overdue">{t('requests.overdue', { count: -r.daysLeft })}</span> {date(r.deadline)}</span>
  }
  return <span>{date(r.deadline)} <span class="meta">({t('requests.daysLeft', { count: r.daysLeft })})</span></span>
}

export function registrationNumber(r: RequestSummary): string {
  const g = r.registration
  return g ? `${g.number}/${g.year}` : ''
}

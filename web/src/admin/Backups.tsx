import { useEffect, useRef, useState } from 'preact/hooks'

import { ApiError, api, idempotencyKey } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { Alert, Button, ErrorAlert, Loading, Page, useAction } from '../ui/ui'

interface BackupStatus {
  last: {
    id: string
    finishedAt: string
    ageSeconds: number
    dumpBytes: number
    documents: number
    documentBytes: number
    damagedDocuments: string[] | null
    verification: { ok: boolean; error?: string } | null
  } | null
  complete: string[]
  // The last fixity check: documents reread against their checksums, audit chains verified.
  fixity: {
    finishedAt: string
    checked: number
    bytes: number
    mismatched: number
    missing: number
    unreadable: number
    auditChains: number
    auditBroken: number
    ok: boolean
  } | null
}

// A day and a bit: a nightly backup older than this was missed.
const staleAfterSeconds = 26 * 3600

// Backups: the newest complete backup, its verification, the backups kept,
// a backup now, and the last fixity check with a check now, for the
// platform's operators (backup.manage in a top-level institution).
export function Backups() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="backup.manage" title={t('backups.title')} denied={t('backups.notAllowed')}>
      {(_, inst) => <BackupsPage inst={inst} />}
    </OfficeGate>
  )
}

function BackupsPage({ inst }: { inst: string }) {
  const { t, dateTime, bytes, number } = useI18n()
  const path = `/api/institutions/${inst}/backups`
  const [status, setStatus] = useState<BackupStatus>()
  const [error, setError] = useState<unknown>()
  const [asked, setAsked] = useState(false)
  const [fixityAsked, setFixityAsked] = useState(false)
  const action = useAction()
  // One key per page: a retried click asks for one backup, one check.
  const backupKey = useRef(idempotencyKey())
  const fixityKey = useRef(idempotencyKey())
  const load = () => api.get<BackupStatus>(path).then(setStatus, setError)
  useEffect(() => {
    load()
  }, [inst])

  const ask = () => action.run(async () => {
    await api.post(path, {}, { headers: { 'Idempotency-Key': backupKey.current } })
    setAsked(true)
  })
  const askFixity = () => action.run(async () => {
    await api.post(`${path}/fixity-checks`, {}, { headers: { 'Idempotency-Key': fixityKey.current } })
    setFixityAsked(true)
  })
  const last = status?.last
  const fixity = status?.fixity
  // A subordinate institution's administrator holds backup.manage there,
  // but the backups are the platform's operators': say so, in words.
  if (error instanceof ApiError && error.status === 403) {
    return (
      <Page title={t('backups.title')} wide>
        <Alert kind="warning">{t('backups.notOperator')}</Alert>
        <p><a href="/birou">{t('office.backToOffice')}</a></p>
      </Page>
    )
  }
  return (
    <Page title={t('backups.title')} wide>
      <ErrorAlert error={error ?? action.error} />
      {!status && !error && <Loading />}
      {status && !last && <Alert kind="error">{t('backups.none')}</Alert>}
      {last && (
        <>
          {last.ageSeconds > staleAfterSeconds && <Alert kind="error">{t('backups.stale')}</Alert>}
          {last.verification && !last.verification.ok && <Alert kind="error">{t('backups.verifyFailed', { error: last.verification.error ?? '' })}</Alert>}
          {(last.damagedDocuments?.length ?? 0) > 0 && <Alert kind="warning">{t('backups.damaged', { count: last.damagedDocuments!.length })}</Alert>}
          <h2>{t('backups.last')}</h2>
          <dl class="facts">
            <dt>{t('backups.id')}</dt><dd><code>{last.id}</code></dd>
            <dt>{t('backups.finishedAt')}</dt><dd>{dateTime(last.finishedAt)}</dd>
            <dt>{t('backups.dump')}</dt><dd>{bytes(last.dumpBytes)}</dd>
            <dt>{t('backups.documents')}</dt><dd>{t('backups.documentsCount', { count: last.documents, size: bytes(last.documentBytes) })}</dd>
            <dt>{t('backups.verification')}</dt>
            <dd>{last.verification ? (last.verification.ok ? <span class="badge badge-done">{t('backups.verified')}</span> : <span class="badge badge-overdue">{t('backups.notVerified')}</span>) : t('backups.notChecked')}</dd>
          </dl>
        </>
      )}
      {status && status.complete.length > 0 && (
        <>
          <h2>{t('backups.kept', { count: number(status.complete.length) })}</h2>
          <ul>{status.complete.map((id) => <li><code>{id}</code></li>)}</ul>
        </>
      )}
      <h2>{t('backups.now')}</h2>
      {asked ? <Alert kind="success">{t('backups.asked')}</Alert> : (
        <>
          <p>{t('backups.nowText')}</p>
          <Button busy={action.busy} onClick={ask}>{t('backups.start')}</Button>
        </>
      )}
      <h2>{t('backups.fixity')}</h2>
      <p>{t('backups.fixityText')}</p>
      {status && !fixity && <p>{t('backups.fixityNone')}</p>}
      {fixity && (
        <>
          {!fixity.ok && (
            <Alert kind="error">
              {t('backups.fixityProblems', { mismatched: number(fixity.mismatched), missing: number(fixity.missing), unreadable: number(fixity.unreadable),
                broken: number(fixity.auditBroken), chains: number(fixity.auditChains) })}
            </Alert>
          )}
          <dl class="facts">
            <dt>{t('backups.fixityFinishedAt')}</dt><dd>{dateTime(fixity.finishedAt)}</dd>
            <dt>{t('backups.fixityResult')}</dt>
            <dd>{fixity.ok ? <span class="badge badge-done">{t('backups.fixityOk')}</span> : <span class="badge badge-overdue">{t('backups.fixityFailed')}</span>}</dd>
            <dt>{t('backups.fixityChecked')}</dt><dd>{t('backups.documentsCount', { count: number(fixity.checked), size: bytes(fixity.bytes) })}</dd>
            <dt>{t('backups.fixityAuditChains')}</dt><dd>{number(fixity.auditChains)}</dd>
          </dl>
        </>
      )}
      {fixityAsked ? <Alert kind="success">{t('backups.fixityAsked')}</Alert> : (
        <Button busy={action.busy} onClick={askFixity}>{t('backups.fixityStart')}</Button>
      )}
    </Page>
  )
}

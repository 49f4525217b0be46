import { useEffect, useRef, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { Alert, Button, Loading, Page, SelectField, TextField, fieldErrors, useAction } from '../ui/ui'
import { useStaff } from '../work/hooks'
import {
  auditAPIQuery, auditFiltersFromQuery, brief, isUUID, auditFiltersToQuery, auditTime, changesOf, checkAuditFilters, knownActions, noAuditFilters,
  objectFilterHref, objectHref, objectName, objectTypes, shortId, valueText,
} from './audit'
import type { AuditFilters, AuditPage, AuditRecord, AuditVerification, Change } from './audit'
import { institutionPath } from './records'
import { focusSoon } from '../ui/focus'
import { Problem, useDepartmentList } from './recordsui'

const pageSize = 50

/**
 * AuditTrail: the institution's audit trail, newest first, for whoever
 * holds audit.read: filtered by actor, action, object and period (the
 * filters in the page's URL, so a view can be bookmarked), a page at a
 * time, each record readable with its details a click away; and the chain
 * recomputed to tell whether anything was altered.
 */
export function AuditTrail() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="audit.read" title={t('audit.title')} denied={t('audit.notAllowed')}>
      {(me, inst) => <Trail me={me} inst={inst} />}
    </OfficeGate>
  )
}

// The filters' fields in the order the page shows them.
const order: (keyof AuditFilters)[] = ['actor', 'action', 'objectType', 'objectId', 'from', 'to']
const idOf = (field: string) => `audit-${field}`

/** How a recorded value reads: a kind or a retention period in words, departments and people by name, times in Romanian; briefly in a summary. */
type ValueText = (field: string, v: unknown, short?: boolean) => string

function useValueText(departments: Map<string, string>, people: Map<string, string>): ValueText {
  const { t, locale } = useI18n()
  const known = (key: string) => {
    const label = t(key)
    return label === key ? undefined : label
  }
  // An id the page knows a name for: a department's, or a person's.
  const named = (field: string, id: string) =>
    (/^department/.test(field) ? departments.get(id) : undefined) ?? people.get(id) ?? departments.get(id)
  return (field, v, short = false) => {
    if (typeof v === 'string') {
      const label = field === 'kind' ? known(`registers.kind.${v}`) : field === 'retention' ? known(`filingPlan.retention.${v}`)
        : isUUID(v) ? named(field, v) : undefined
      if (label) return label
      if (/At$/.test(field) && /^\d{4}-\d{2}-\d{2}T/.test(v)) return auditTime(locale, v)
      return short ? brief(v) : v
    }
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) {
      const items = (v as string[]).map((x) => (isUUID(x) ? named(field, x) ?? x : x))
      return short ? brief(items) : items.join(', ')
    }
    return short ? brief(valueText(v)) : valueText(v)
  }
}

/** The label of a code the message files may know (an action, a kind of object, a field), else the code. */
function useLabel() {
  const { t } = useI18n()
  return (area: string, code: string) => {
    const key = `audit.${area}.${code}`
    const label = t(key)
    return label === key ? code : label
  }
}

function Trail({ me, inst }: { me: Me; inst: string }) {
  const { t, locale, number } = useI18n()
  const label = useLabel()
  const { query, route } = useLocation()
  const filters = auditFiltersFromQuery(query)
  const current = auditFiltersToQuery(filters)
  const [form, setForm] = useState<AuditFilters>(filters)
  const [formProblems, setFormProblems] = useState<Record<string, string>>({})
  const staff = useStaff(me, inst)
  const valueOf = useValueText(useDepartmentList(inst).names, staff.names)
  const [records, setRecords] = useState<AuditRecord[]>()
  const [next, setNext] = useState<number | null>(null)
  const [error, setError] = useState<unknown>()
  const [moreError, setMoreError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [open, setOpen] = useState<Set<number>>(new Set())
  const latest = useRef(0)
  const path = `${institutionPath(inst)}/audit`

  const problemText = (p: Partial<Record<string, string>>) =>
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, t(`audit.problem.${v}`)])) as Record<string, string>

  useEffect(() => {
    setForm(filters)
    setOpen(new Set())
    setMoreError(undefined)
    const problems = problemText(checkAuditFilters(filters))
    setFormProblems(problems)
    const ask = ++latest.current
    if (Object.keys(problems).length > 0) {
      setRecords([])
      setNext(null)
      return
    }
    setBusy(true)
    setError(undefined)
    api.get<AuditPage>(`${path}?${auditAPIQuery(filters, null, pageSize)}`).then((body) => {
      if (ask !== latest.current) return
      setRecords(body.records)
      setNext(body.next)
    }, (e) => {
      if (ask !== latest.current) return
      setRecords([])
      setNext(null)
      setError(e)
      const first = order.find((f) => fieldErrors(e, locale)[f])
      if (first) focusSoon(idOf(first))
    }).finally(() => {
      if (ask === latest.current) setBusy(false)
    })
  }, [path, current])

  const more = async () => {
    if (!next) return
    const ask = latest.current
    const firstNew = records?.length ?? 0
    setBusy(true)
    setMoreError(undefined)
    try {
      const body = await api.get<AuditPage>(`${path}?${auditAPIQuery(filters, next, pageSize)}`)
      if (ask !== latest.current) return
      setRecords((list) => [...(list ?? []), ...body.records])
      setNext(body.next)
      // Focus goes to the first record the page added, where reading goes on.
      if (body.records.length > 0) focusSoon(`audit-row-${firstNew}`)
    } catch (e) {
      setMoreError(e)
    } finally {
      if (ask === latest.current) setBusy(false)
    }
  }

  const set = <K extends keyof AuditFilters>(k: K, v: AuditFilters[K]) => setForm((f) => ({ ...f, [k]: v }))
  const submit = (e: Event) => {
    e.preventDefault()
    const problems = problemText(checkAuditFilters(form))
    setFormProblems(problems)
    const first = order.find((f) => problems[f])
    if (first) {
      focusSoon(idOf(first))
      return
    }
    const q = auditFiltersToQuery(form)
    route(q ? `/birou/audit?${q}` : '/birou/audit')
  }
  const errs: Record<string, string> = { ...fieldErrors(error, locale), ...formProblems }
  const shownError = error && Object.keys(fieldErrors(error, locale)).length === 0 ? error : undefined
  const toggle = (seq: number) => setOpen((s) => {
    const out = new Set(s)
    if (out.has(seq)) out.delete(seq)
    else out.add(seq)
    return out
  })

  // The actor: a name from the staff list when there is one, else what kind of actor, and the id in short.
  const actorName = (id: string | null | undefined) => (id ? staff.names.get(id) : undefined)
  const staffOptions = [...(staff.list ?? [])].sort((a, b) => a.displayName.localeCompare(b.displayName, 'ro'))
    .map((s) => ({ value: s.id, label: s.displayName }))
  if (form.actor && !staffOptions.some((o) => o.value === form.actor)) staffOptions.unshift({ value: form.actor, label: form.actor })
  const actionOptions = knownActions.map((a) => ({ value: a, label: label('action', a) }))
  if (form.action && !knownActions.includes(form.action)) actionOptions.unshift({ value: form.action, label: form.action })
  const typeOptions = objectTypes.map((o) => ({ value: o, label: label('object', o) }))
  if (form.objectType && !objectTypes.includes(form.objectType)) typeOptions.unshift({ value: form.objectType, label: form.objectType })

  return (
    <Page title={t('audit.title')} wide>
      <p class="meta">{t('audit.intro')}</p>
      <Verification path={`${path}/verification`} />

      <form onSubmit={submit} noValidate role="search" aria-label={t('audit.filters')}>
        <fieldset>
          <legend>{t('audit.filters')}</legend>
          <div class="records-grid records-filters">
            {staff.readable ? (
              <SelectField id={idOf('actor')} label={t('audit.actor')} value={form.actor} onValue={(v) => set('actor', v)}
                error={errs.actor} options={[{ value: '', label: t('audit.anyone') }, ...staffOptions]} />
            ) : (
              <TextField id={idOf('actor')} label={t('audit.actorId')} hint={t('audit.actorIdHint')} value={form.actor}
                onValue={(v) => set('actor', v)} error={errs.actor} maxLength={36} autoComplete="off" />
            )}
            <SelectField id={idOf('action')} label={t('audit.action')} value={form.action} onValue={(v) => set('action', v)}
              error={errs.action} options={[{ value: '', label: t('audit.any') }, ...actionOptions]} />
            <SelectField id={idOf('objectType')} label={t('audit.objectType')} value={form.objectType}
              onValue={(v) => set('objectType', v)} error={errs.objectType} options={[{ value: '', label: t('audit.any') }, ...typeOptions]} />
            <TextField id={idOf('objectId')} label={t('audit.objectId')} value={form.objectId}
              onValue={(v) => set('objectId', v)} error={errs.objectId} maxLength={200} autoComplete="off" />
            <TextField id={idOf('from')} type="date" label={t('audit.from')} value={form.from} onValue={(v) => set('from', v)}
              error={errs.from} />
            <TextField id={idOf('to')} type="date" label={t('audit.to')} value={form.to} onValue={(v) => set('to', v)} error={errs.to} />
          </div>
          <div class="form-actions">
            <Button type="submit" busy={busy}>{t('audit.apply')}</Button>
            {current && <a href="/birou/audit" onClick={() => setForm(noAuditFilters)}>{t('audit.clear')}</a>}
          </div>
        </fieldset>
      </form>

      <section aria-labelledby="audit-records">
        <h2 id="audit-records">{t('audit.records')}</h2>
        <Problem error={shownError} />
        {records === undefined && <Loading />}
        {records !== undefined && !error && Object.keys(formProblems).length === 0 && (
          <p class="meta" role="status">
            {records.length === 0 ? t('audit.noRecords') : t('audit.shown', { count: records.length, n: number(records.length) })}
            {busy && records.length > 0 ? ` ${t('audit.loading')}` : ''}
          </p>
        )}
        {records && records.length > 0 && (
          <div class="table-scroll" role="region" aria-labelledby="audit-records" tabIndex={0}>
            <table class="records-table records-stack audit-table">
              <caption class="visually-hidden">{t('audit.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.actor')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.object')}</th>
                  <th scope="col">{t('audit.outcome')}</th>
                  <th scope="col"><span class="visually-hidden">{t('audit.details')}</span></th>
                </tr>
              </thead>
              {records.map((r, i) => (
                <Row record={r} index={i} expanded={open.has(r.seq)} onToggle={() => toggle(r.seq)} actorName={actorName} valueOf={valueOf} />
              ))}
            </table>
          </div>
        )}
        <Problem error={moreError} />
        {next && records && records.length > 0 && (
          <div class="form-actions">
            <Button kind="secondary" busy={busy} onClick={more}>{t('audit.older')}</Button>
          </div>
        )}
      </section>
    </Page>
  )
}

/** Row: one record on one line, its details on a second one when asked for. */
function Row({ record: r, index, expanded, onToggle, actorName, valueOf }: {
  record: AuditRecord
  valueOf: ValueText
  index: number
  expanded: boolean
  onToggle: () => void
  actorName: (id: string | null | undefined) => string | undefined
}) {
  const { t, locale } = useI18n()
  const label = useLabel()
  const name = actorName(r.actorId)
  const href = objectHref(r)
  const objectText = objectName(r) || (isUUID(r.objectId) ? shortId(r.objectId) : r.objectId)
  const changes = changesOf(r)
  const detailsId = `audit-details-${r.seq}`
  return (
    <tbody>
      <tr id={`audit-row-${index}`} tabIndex={-1}>
        <td class="records-nowrap" data-label={t('audit.when')}><time dateTime={r.occurredAt}>{auditTime(locale, r.occurredAt)}</time></td>
        <td class="records-text" data-label={t('audit.actor')}>
          {name ?? (r.actorId ? <code title={r.actorId}>{shortId(r.actorId)}</code> : t(`audit.kind.${r.actorKind}`))}
          {(name || r.actorId) && <span class="meta records-block">{t(`audit.kind.${r.actorKind}`)}</span>}
        </td>
        <td class="records-text" data-label={t('audit.action')}>{label('action', r.action)}</td>
        <td class="records-text" data-label={t('audit.object')}>
          {label('object', r.objectType)}
          {objectText && (
            <span class="records-block">{href ? <a href={href}>{objectText}</a> : <span title={r.objectId}>{objectText}</span>}</span>
          )}
        </td>
        <td class="records-text" data-label={t('audit.outcome')}><Summary changes={changes.slice(0, 3)} more={changes.length - 3} reason={r.reason} valueOf={valueOf} /></td>
        <td>
          <button type="button" class="btn btn-link" aria-expanded={expanded ? 'true' : 'false'} aria-controls={detailsId} onClick={onToggle}>
            {expanded ? t('audit.hide') : t('audit.show')}
            <span class="visually-hidden"> {t('audit.detailsOf', { seq: r.seq })}</span>
          </button>
        </td>
      </tr>
      <tr id={detailsId} class="audit-details" hidden={!expanded}>
        <td colSpan={6}>{expanded && <Details record={r} valueOf={valueOf} />}</td>
      </tr>
    </tbody>
  )
}

/** Summary: what a record changed, in a few words. */
function Summary({ changes, more, reason, valueOf }: { changes: Change[]; more: number; reason: string; valueOf: ValueText }) {
  const { t } = useI18n()
  const label = useLabel()
  if (changes.length === 0 && !reason) return <span class="meta">—</span>
  return (
    <ul class="records-plain">
      {changes.map((c) => (
        <li>
          {c.field && <>{label('field', c.field)}: </>}
          {c.before !== undefined && c.after !== undefined
            ? <><del>{valueOf(c.field, c.before, true)}</del> → <ins>{valueOf(c.field, c.after, true)}</ins></>
            : c.after !== undefined ? valueOf(c.field, c.after, true) : <del>{valueOf(c.field, c.before, true)}</del>}
        </li>
      ))}
      {more > 0 && <li class="meta">{t('audit.moreChanges', { count: more })}</li>}
      {reason && <li>{t('audit.reason')}: {reason}</li>}
    </ul>
  )
}

/** Details: everything the record holds. */
function Details({ record: r, valueOf }: { record: AuditRecord; valueOf: ValueText }) {
  const { t } = useI18n()
  const label = useLabel()
  const all = changesOf(r, true)
  return (
    <div class="audit-detail">
      <dl class="facts">
        <dt>{t('audit.seq')}</dt><dd>{r.seq}</dd>
        <dt>{t('audit.actionCode')}</dt><dd><code>{r.action}</code></dd>
        <dt>{t('audit.object')}</dt>
        <dd>
          {label('object', r.objectType)} <code class="records-break">{r.objectId || '—'}</code>
          {r.objectId && <> · <a href={objectFilterHref(r)}>{t('audit.allOfObject')}</a></>}
        </dd>
        <dt>{t('audit.actorId')}</dt><dd><code class="records-break">{r.actorId ?? '—'}</code> ({t(`audit.kind.${r.actorKind}`)})</dd>
        {r.onBehalfOf && <><dt>{t('audit.onBehalfOf')}</dt><dd><code class="records-break">{r.onBehalfOf}</code></dd></>}
        <dt>{t('audit.ip')}</dt><dd>{r.ip || '—'}</dd>
        {r.reason && <><dt>{t('audit.reason')}</dt><dd>{r.reason}</dd></>}
        <dt>{t('audit.hash')}</dt><dd><code class="records-break">{r.hash}</code></dd>
      </dl>
      {all.length > 0 && (
        <table class="records-table audit-changes">
          <caption>{t('audit.changes')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.field')}</th>
              <th scope="col">{t('audit.before')}</th>
              <th scope="col">{t('audit.after')}</th>
            </tr>
          </thead>
          <tbody>
            {all.map((c) => (
              <tr>
                <th scope="row">{c.field ? label('field', c.field) : '—'}</th>
                <td class="records-break">{c.before === undefined ? '—' : valueOf(c.field, c.before)}</td>
                <td class="records-break">{c.after === undefined ? '—' : valueOf(c.field, c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

/** Verification: the chain recomputed on demand, and what that found. */
function Verification({ path }: { path: string }) {
  const { t, number } = useI18n()
  const [result, setResult] = useState<AuditVerification>()
  const action = useAction()
  const verify = () => action.run(async () => {
    setResult(undefined)
    setResult(await api.get<AuditVerification>(path))
  })
  return (
    <section aria-labelledby="audit-verify-title" class="records-panel">
      <h2 id="audit-verify-title">{t('audit.verifyTitle')}</h2>
      <p class="meta">{t('audit.verifyHint')}</p>
      <div class="form-actions records-verify">
        <Button kind="secondary" busy={action.busy} onClick={verify}>{t('audit.verify')}</Button>
      </div>
      <div id="audit-verification">
        {action.busy && <p class="meta" role="status">{t('audit.verifying')}</p>}
        <Problem error={action.error} />
        {result && (result.intact
          ? <Alert kind="success"><strong>{t('audit.intact')}</strong> {t('audit.intactText', { count: result.rows, n: number(result.rows) })}</Alert>
          : (
            <Alert kind="error">
              <strong>{t('audit.broken')}</strong>{' '}
              {t('audit.brokenText', { seq: result.firstBroken ?? '—', reason: result.reason || '—' })}
            </Alert>
          ))}
      </div>
    </section>
  )
}


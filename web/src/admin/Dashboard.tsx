import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { ErrorAlert, Loading, Page, SelectField } from '../ui/ui'
import { useDepartments } from '../work/hooks'
import { readableDepartments, todayInRomania } from '../work/work'
import { busiest, periodDays, periodStart, periods, scaleMax, totals } from './dashboard'
import type { OverviewDay, RequestOverview } from './dashboard'
import './dashboard.css'

// Dashboard: the requests received, resolved and overdue day by day over a
// period, and each department's open work today, for the departments whose
// requests the staff member reads. Each chart has its numbers in a table.
export function Dashboard() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="requests.read" title={t('dashboard.title')} denied={t('dashboard.notAllowed')}>
      {(me, inst) => <DashboardPage me={me} inst={inst} />}
    </OfficeGate>
  )
}

function DashboardPage({ me, inst }: { me: Me; inst: string }) {
  const { t, number, date } = useI18n()
  const { query, route, path } = useLocation()
  const days = periodDays(query.zile)
  const department = query.compartiment ?? ''
  const departments = useDepartments(inst)
  const readable = readableDepartments(me, inst)
  const [overview, setOverview] = useState<RequestOverview>()
  const [error, setError] = useState<unknown>()

  useEffect(() => {
    let live = true
    const to = todayInRomania()
    const q = new URLSearchParams({ from: periodStart(to, days), to })
    if (department) q.set('department', department)
    setError(undefined)
    api.get<RequestOverview>(`/api/institutions/${inst}/statistics/requests?${q}`).then(
      (o) => live && setOverview(o),
      (e) => live && setError(e),
    )
    return () => {
      live = false
    }
  }, [inst, days, department])

  const title = t('dashboard.title')
  const choose = (name: string, value: string) => {
    const q = new URLSearchParams(query as Record<string, string>)
    if (value) q.set(name, value)
    else q.delete(name)
    const s = q.toString()
    route(s ? `${path}?${s}` : path, true)
  }
  const sum = overview && totals(overview)
  return (
    <Page title={title} wide>
      <form class="dashboard-filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField id="dashboard-period" label={t('dashboard.period')} value={String(days)}
          onValue={(v) => choose('zile', v === String(periods[0]) ? '' : v)}
          options={periods.map((p) => ({ value: String(p), label: t('dashboard.lastDays', { count: p }) }))} />
        <SelectField id="dashboard-department" label={t('dashboard.department')} value={department}
          onValue={(v) => choose('compartiment', v)}
          options={[{ value: '', label: t('dashboard.allDepartments') },
            ...[...departments].filter(([id]) => readable === 'all' || readable.includes(id))
              .map(([id, name]) => ({ value: id, label: name }))]} />
      </form>
      <ErrorAlert error={error} />
      {!overview || !sum ? (!error && <Loading />) : (
        <>
          <p class="meta" role="status">
            {t('dashboard.periodShown', { from: date(overview.from), to: date(overview.to) })}
          </p>
          <ul class="dashboard-totals">
            <Total label={t('dashboard.received')} value={number(sum.received)} />
            <Total label={t('dashboard.resolved')} value={number(sum.resolved)} />
            <Total label={t('dashboard.closedOtherwise')} value={number(sum.closedOtherwise)} />
            <Total label={t('dashboard.openNow')} value={number(sum.open)} />
            <Total label={t('dashboard.overdueNow')} value={number(sum.overdue)} alarm={sum.overdue > 0} />
            <Total label={t('dashboard.dueSoon')} value={number(sum.dueSoon)} />
          </ul>
          <ReceivedResolvedChart days={overview.days} />
          <OverdueChart days={overview.days} />
          <h2>{t('dashboard.departments')}</h2>
          {overview.departments.length === 0 ? <p>{t('dashboard.noDepartments')}</p> : (
            <div class="table-scroll">
              <table>
                <caption class="visually-hidden">{t('dashboard.departmentsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('dashboard.department')}</th>
                    <th scope="col" class="num">{t('dashboard.open')}</th>
                    <th scope="col" class="num">{t('dashboard.overdue')}</th>
                    <th scope="col" class="num">{t('dashboard.dueSoonShort')}</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.departments.map((l) => (
                    <tr key={l.id}>
                      <th scope="row"><a href={`/birou/cereri?vedere=department&compartiment=${l.id}`}>{l.name}</a></th>
                      <td class="num">{number(l.open)}</td>
                      <td class={l.overdue > 0 ? 'num overdue' : 'num'}>{number(l.overdue)}</td>
                      <td class="num">{number(l.dueSoon)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Page>
  )
}

function Total({ label, value, alarm }: { label: string; value: string; alarm?: boolean }) {
  return (
    <li class={alarm ? 'total total-alarm' : 'total'}>
      <span class="total-value">{value}</span>
      <span class="total-label">{label}</span>
    </li>
  )
}

// The drawing is in viewBox units, one slot of 10 a day, 100 high, and
// stretched to the width available; the axis labels are HTML around it, so
// they stay legible on a phone. The SVG carries no inline style (the CSP
// forbids it): colours come from dashboard.css.
const slot = 10

function ReceivedResolvedChart({ days }: { days: OverviewDay[] }) {
  const { t, number, date } = useI18n()
  const max = scaleMax(days.flatMap((d) => [d.received, d.resolved]))
  const top = busiest(days)
  const h = (v: number) => (v / max) * 100
  const summary = t('dashboard.receivedChartSummary', {
    received: days.reduce((n, d) => n + d.received, 0),
    resolved: days.reduce((n, d) => n + d.resolved, 0),
    busiest: top && top.received > 0 ? date(top.day) : '—',
  })
  return (
    <figure class="chart">
      <figcaption><h2>{t('dashboard.receivedChart')}</h2></figcaption>
      <Legend items={[['received', t('dashboard.received')], ['resolved', t('dashboard.resolved')]]} />
      <ChartFrame max={number(max)} first={days[0]?.day} last={days[days.length - 1]?.day}>
        <svg role="img" aria-label={summary} viewBox={`0 0 ${days.length * slot} 100`} preserveAspectRatio="none">
          <Grid width={days.length * slot} />
          {days.map((d, i) => (
            <g key={d.day}>
              <rect class="bar-received" x={i * slot + 1} width={4} y={100 - h(d.received)} height={h(d.received)}>
                <title>{`${date(d.day)}: ${t('dashboard.received')} ${number(d.received)}`}</title>
              </rect>
              <rect class="bar-resolved" x={i * slot + 5} width={4} y={100 - h(d.resolved)} height={h(d.resolved)}>
                <title>{`${date(d.day)}: ${t('dashboard.resolved')} ${number(d.resolved)}`}</title>
              </rect>
            </g>
          ))}
        </svg>
      </ChartFrame>
      <DataTable days={days} columns={[['received', t('dashboard.received')], ['resolved', t('dashboard.resolved')],
        ['closedOtherwise', t('dashboard.closedOtherwise')]]} />
    </figure>
  )
}

function OverdueChart({ days }: { days: OverviewDay[] }) {
  const { t, number } = useI18n()
  const max = scaleMax(days.map((d) => d.overdue))
  const y = (v: number) => 100 - (v / max) * 100
  // A step line: each day's count holds across its slot.
  const line = days.map((d, i) => `${i === 0 ? 'M' : 'L'}${i * slot},${y(d.overdue)} L${(i + 1) * slot},${y(d.overdue)}`).join(' ')
  const last = days[days.length - 1]
  const summary = t('dashboard.overdueChartSummary', {
    max: Math.max(0, ...days.map((d) => d.overdue)),
    last: last ? last.overdue : 0,
  })
  return (
    <figure class="chart">
      <figcaption><h2>{t('dashboard.overdueChart')}</h2></figcaption>
      <Legend items={[['overdue', t('dashboard.overdue')]]} />
      <ChartFrame max={number(max)} first={days[0]?.day} last={last?.day}>
        <svg role="img" aria-label={summary} viewBox={`0 0 ${days.length * slot} 100`} preserveAspectRatio="none">
          <Grid width={days.length * slot} />
          {days.length > 0 && <path class="area-overdue" d={`${line} L${days.length * slot},100 L0,100 Z`} />}
          {days.length > 0 && <path class="line-overdue" d={line} vector-effect="non-scaling-stroke" />}
        </svg>
      </ChartFrame>
      <DataTable days={days} columns={[['overdue', t('dashboard.overdue')]]} />
    </figure>
  )
}

function Grid({ width }: { width: number }) {
  return (
    <g class="grid">
      {[0, 50, 100].map((y) => <line x1={0} x2={width} y1={y} y2={y} vector-effect="non-scaling-stroke" />)}
    </g>
  )
}

function ChartFrame({ max, first, last, children }: { max: string; first?: string; last?: string; children: ComponentChildren }) {
  const { date } = useI18n()
  return (
    <div class="chart-frame">
      <div class="chart-y" aria-hidden="true"><span>{max}</span><span>0</span></div>
      <div class="chart-plot">{children}</div>
      <div class="chart-x" aria-hidden="true"><span>{first && date(first)}</span><span>{last && date(last)}</span></div>
    </div>
  )
}

function Legend({ items }: { items: [string, string][] }) {
  return (
    <ul class="legend" aria-hidden="true">
      {items.map(([kind, label]) => <li><span class={`swatch swatch-${kind}`} />{label}</li>)}
    </ul>
  )
}

type Column = 'received' | 'resolved' | 'closedOtherwise' | 'overdue'

function DataTable({ days, columns }: { days: OverviewDay[]; columns: [Column, string][] }) {
  const { t, number, date } = useI18n()
  return (
    <details class="chart-data">
      <summary>{t('dashboard.chartData')}</summary>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('dashboard.day')}</th>
              {columns.map(([, label]) => <th scope="col" class="num">{label}</th>)}
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row">{date(d.day)}</th>
                {columns.map(([c]) => <td class="num">{number(d[c])}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  )
}

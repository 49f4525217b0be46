import { useEffect, useRef, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { focusFirst } from '../ui/focus'
import { holds } from '../office/office'
import { Button, Loading, Page, SelectField, TextField, fieldErrors } from '../ui/ui'
import {
  defaultRegister, directions, entryNumber, exportURL, filtersFromQuery, filtersToQuery, institutionPath, noFilters, partyOf, periodProblem,
  searchQuery, today,
} from './desk'
import type { Entry, EntryPage, ExportFormat, Filters, Register, RegisterList } from './desk'
import { DeskError, EntryStatus } from './deskui'

const pageSize = 25

// The search's fields in the order the page shows them, and the element of each.
const order = ['q', 'register', 'direction', 'annulled', 'year', 'from', 'to', 'party', 'number']
const idOf = (field: string) => `search-${field === 'annulled' ? 'status' : field}`

/**
 * RegistrySearch: the registers searched by full text and filters, newest
 * first, a page at a time; the search is in the page's URL, so it reloads
 * and can be bookmarked. A register's entries for a period export as CSV
 * or as a printable PDF.
 */
export function RegistrySearch() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="registry.read" title={t('desk.searchTitle')} denied={t('desk.notAllowed')}>
      {(me, inst) => <Search me={me} inst={inst} />}
    </OfficeGate>
  )
}

function Search({ me, inst }: { me: Me; inst: string }) {
  const { t, locale, dateTime } = useI18n()
  const { query, route } = useLocation()
  const filters = filtersFromQuery(query)
  const current = filtersToQuery(filters)
  const [form, setForm] = useState<Filters>(filters)
  const [registers, setRegisters] = useState<Register[]>([])
  const [items, setItems] = useState<Entry[]>()
  const [next, setNext] = useState<string | null>(null)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [moreError, setMoreError] = useState<unknown>()
  // Only the answer to the latest search is shown.
  const latest = useRef(0)

  useEffect(() => {
    api.get<RegisterList>(`${institutionPath(inst)}/registers`).then((l) => setRegisters(l.items), () => setRegisters([]))
  }, [inst])

  useEffect(() => {
    setForm(filters)
    const ask = ++latest.current
    setBusy(true)
    setError(undefined)
    setMoreError(undefined)
    api.get<EntryPage>(`${institutionPath(inst)}/registry-entries?${searchQuery(filters, undefined, pageSize)}`).then((page) => {
      if (ask !== latest.current) return
      setItems(page.items)
      setNext(page.next)
    }, (e) => {
      if (ask !== latest.current) return
      setItems([])
      setNext(null)
      setError(e)
      const byField = fieldErrors(e, locale)
      focusFirst(order, byField, idOf)
    }).finally(() => {
      if (ask === latest.current) setBusy(false)
    })
  }, [inst, current])

  const more = async () => {
    if (!next) return
    const ask = latest.current
    setBusy(true)
    setMoreError(undefined)
    try {
      const page = await api.get<EntryPage>(`${institutionPath(inst)}/registry-entries?${searchQuery(filters, next, pageSize)}`)
      if (ask !== latest.current) return
      setItems((prev) => [...(prev ?? []), ...page.items])
      setNext(page.next)
    } catch (e) {
      setMoreError(e)
    } finally {
      if (ask === latest.current) setBusy(false)
    }
  }

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setForm((f) => ({ ...f, [k]: v }))
  const submit = (e: Event) => {
    e.preventDefault()
    const q = filtersToQuery(form)
    route(q ? `/birou/registru?${q}` : '/birou/registru')
  }
  const errs = fieldErrors(error, locale)
  const registerName = (id: string) => registers.find((r) => r.id === id)
  const filtered = current !== ''

  return (
    <Page title={t('desk.searchTitle')} wide>
      <form onSubmit={submit} noValidate role="search" aria-label={t('desk.searchTitle')}>
        <div class="desk-search-line">
          <TextField id="search-q" type="search" label={t('desk.searchText')} hint={t('desk.searchTextHint')} value={form.q}
            onValue={(v) => set('q', v)} error={errs.q} maxLength={500} />
          <Button type="submit" busy={busy}>{t('desk.searchButton')}</Button>
        </div>
        <fieldset>
          <legend>{t('desk.filters')}</legend>
          <div class="desk-grid desk-filters">
            <SelectField id="search-register" label={t('desk.register')} value={form.register} onValue={(v) => set('register', v)}
              error={errs.register} options={[{ value: '', label: t('desk.any') },
                ...registers.map((r) => ({ value: r.id, label: `${r.name} (${r.code})` }))]} />
            <SelectField id="search-direction" label={t('desk.direction')} value={form.direction} onValue={(v) => set('direction', v)}
              error={errs.direction} options={[{ value: '' as const, label: t('desk.any') },
                ...directions.map((d) => ({ value: d, label: t(`desk.direction.${d}`) }))]} />
            <SelectField id="search-status" label={t('desk.status')} value={form.status} onValue={(v) => set('status', v)}
              error={errs.annulled} options={[{ value: '' as const, label: t('desk.any') },
                { value: 'active' as const, label: t('desk.status.active') }, { value: 'annulled' as const, label: t('desk.status.annulled') }]} />
            <TextField id="search-year" label={t('desk.year')} value={form.year} onValue={(v) => set('year', v)} error={errs.year}
              inputMode="numeric" maxLength={4} />
            <TextField id="search-from" type="date" label={t('desk.from')} value={form.from} onValue={(v) => set('from', v)} error={errs.from} />
            <TextField id="search-to" type="date" label={t('desk.to')} value={form.to} onValue={(v) => set('to', v)} error={errs.to} />
            <TextField id="search-party" label={t('desk.party')} value={form.party} onValue={(v) => set('party', v)} error={errs.party}
              maxLength={200} />
            <TextField id="search-number" label={t('desk.numberFilter')} value={form.number} onValue={(v) => set('number', v)}
              error={errs.number} inputMode="numeric" maxLength={12} />
          </div>
          {filtered && (
            <p><a href="/birou/registru" onClick={() => setForm(noFilters)}>{t('desk.clearFilters')}</a></p>
          )}
        </fieldset>
      </form>

      <section aria-labelledby="search-results">
        <h2 id="search-results">{t('desk.results')}</h2>
        <DeskError error={error} />
        {items === undefined && <Loading />}
        {items !== undefined && !error && (
          <p class="meta" role="status">
            {items.length === 0 ? t('desk.noResults') : t('desk.resultCount', { count: items.length })}
            {busy && items.length > 0 ? ` ${t('common.loading')}` : ''}
          </p>
        )}
        {items && items.length > 0 && (
          <div class="table-scroll">
            <table class="desk-table">
              <caption class="visually-hidden">{t('desk.resultsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('desk.number')}</th>
                  <th scope="col">{t('desk.registeredAt')}</th>
                  <th scope="col">{t('desk.direction')}</th>
                  <th scope="col">{t('desk.party')}</th>
                  <th scope="col">{t('desk.subject')}</th>
                  <th scope="col">{t('desk.status')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr class={e.annulment ? 'desk-row-annulled' : undefined}>
                    <td class="desk-nowrap">
                      <a href={`/birou/registru/${e.id}`}>{entryNumber(e)}</a>{' '}
                      <abbr class="meta" title={registerName(e.registerId)?.name}>{e.registerCode}</abbr>
                    </td>
                    <td>{dateTime(e.registeredAt)}</td>
                    <td>{t(`desk.direction.${e.direction}`)}</td>
                    <td>{partyOf(e)}</td>
                    <td class="desk-subject">{e.subject}</td>
                    <td><EntryStatus entry={e} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <DeskError error={moreError} />
        {next && items && (
          <div class="form-actions">
            <Button kind="secondary" busy={busy} onClick={more}>{t('desk.more')}</Button>
          </div>
        )}
      </section>

      {holds(me, 'registry.export', inst) && registers.length > 0 && <Export inst={inst} registers={registers} initial={filters.register} />}
      {holds(me, 'registry.register', inst) && <p><a href="/birou/registratura">{t('desk.toDesk')}</a></p>}
    </Page>
  )
}

/** Export: a register for a period, as a CSV file or a printable PDF, by a plain download link. */
function Export({ inst, registers, initial }: { inst: string; registers: Register[]; initial: string }) {
  const { t, date } = useI18n()
  const day = today()
  // The register of the search, else the incoming one.
  const [register, setRegister] = useState(() => defaultRegister(registers, initial)?.id ?? '')
  const [from, setFrom] = useState(day)
  const [to, setTo] = useState(day)
  const [format, setFormat] = useState<ExportFormat>('csv')
  const problem = periodProblem(from, to)
  const reg = registers.find((r) => r.id === register)
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">{t('desk.exportTitle')}</h2>
      <p class="meta">{t('desk.exportHint')}</p>
      <div class="desk-grid">
        <SelectField id="export-register" label={t('desk.register')} value={register} onValue={setRegister} required
          options={registers.map((r) => ({ value: r.id, label: `${r.name} (${r.code})` }))} />
        <TextField id="export-from" type="date" label={t('desk.from')} value={from} onValue={setFrom} required
          error={problem === 'fromRequired' ? t('desk.fromRequired') : undefined} />
        <TextField id="export-to" type="date" label={t('desk.to')} value={to} onValue={setTo} required
          error={problem === 'toRequired' ? t('desk.toRequired') : problem === 'periodOrder' ? t('desk.periodOrder') : undefined} />
        <SelectField id="export-format" label={t('desk.format')} value={format} onValue={setFormat}
          options={[{ value: 'csv' as const, label: t('desk.format.csv') }, { value: 'pdf' as const, label: t('desk.format.pdf') }]} />
      </div>
      <div class="form-actions">
        {problem || !reg ? (
          <span class="meta">{t('desk.exportFix')}</span>
        ) : (
          <a class="btn btn-primary" href={exportURL(inst, register, from, to, format)} download>
            {t('desk.exportLink', { register: reg.code, from: date(from), to: date(to), format: format.toUpperCase() })}
          </a>
        )}
      </div>
    </section>
  )
}

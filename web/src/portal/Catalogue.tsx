import { useEffect, useState } from 'preact/hooks'

import { api } from '../api/client'
import type { RequestType } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { ErrorAlert, Loading, Page } from '../ui/ui'
import { useInstitutions } from './institution'

// Catalogue: the request types an institution offers, with a filter for a
// citizen who knows what they look for.
export function Catalogue() {
  const { t } = useI18n()
  const { list, home, error: instError } = useInstitutions()
  const [institution, setInstitution] = useState('')
  const [types, setTypes] = useState<RequestType[]>()
  const [filter, setFilter] = useState('')
  const [error, setError] = useState<unknown>()
  const inst = institution || home?.id || ''

  useEffect(() => {
    if (!inst) return
    setTypes(undefined)
    api.get<RequestType[]>(`/api/institutions/${inst}/request-types`).then(setTypes, setError)
  }, [inst])

  const words = filter.toLocaleLowerCase('ro').normalize('NFD').replace(/\p{M}/gu, '').split(/\s+/).filter(Boolean)
  const plain = (s: string) => s.toLocaleLowerCase('ro').normalize('NFD').replace(/\p{M}/gu, '')
  const shown = types?.filter((ty) => words.every((w) => plain(ty.name + ' ' + ty.description).includes(w)))

  return (
    <Page title={t('catalogue.title')} wide>
      <ErrorAlert error={instError ?? error} />
      {list && list.length > 1 && (
        <div class="field">
          <label for="institution">{t('catalogue.institution')}</label>
          <select id="institution" value={inst} onChange={(e) => setInstitution((e.target as HTMLSelectElement).value)}>
            {list.map((i) => <option value={i.id}>{i.name}</option>)}
          </select>
        </div>
      )}
      <div class="field">
        <label for="filter">{t('catalogue.filter')}</label>
        <input id="filter" type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      </div>
      {!shown && !error && <Loading />}
      {shown && shown.length === 0 && <p>{t('catalogue.none')}</p>}
      {shown && shown.length > 0 && (
        <ul class="cards">
          {shown.map((ty) => (
            <li class="card">
              <h2><a href={`/servicii/${inst}/${ty.id}`}>{ty.name}</a></h2>
              <p>{ty.description}</p>
              <p class="meta">{t(ty.workingDays ? 'catalogue.termWorking' : 'catalogue.term', { count: ty.deadlineDays })} · {ty.department.name}</p>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}

import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { api, idempotencyKey } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { Button, ErrorAlert, Loading, Page, TextField, fieldErrors, useAction } from '../ui/ui'
import { toSchema } from './formEditor'
import { HandlingFields, handlingErrors, useOrg, validDays } from './HandlingFields'
import type { Handling } from './HandlingFields'
import { basePath, codeFrom, isTypeCode, starterForm } from './requestTypes'
import type { TypeSummary, Version } from './requestTypes'
import './requestTypes.css'

// RequestTypes: the institution's request types, each with where it stands
// (the version citizens submit with, a draft waiting, withdrawn), and a new
// type defined with its first version as a draft, then opened in the editor.
export function RequestTypes() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="requests.types.manage" title={t('requestTypes.title')} denied={t('requestTypes.notAllowed')}>
      {(_, inst) => <TypesPage inst={inst} />}
    </OfficeGate>
  )
}

function TypesPage({ inst }: { inst: string }) {
  const { t, date } = useI18n()
  const [list, setList] = useState<TypeSummary[]>()
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    api.get<{ items: TypeSummary[] }>(`${basePath(inst)}/all`).then((l) => setList(l.items), setError)
  }, [inst])

  return (
    <Page title={t('requestTypes.title')} wide>
      <p>{t('requestTypes.intro')}</p>
      <p><a href="/birou">{t('office.backToOffice')}</a></p>
      <ErrorAlert error={error} />
      {!list && !error && <Loading />}
      {list && list.length === 0 && <p>{t('requestTypes.none')}</p>}
      {list && list.length > 0 && (
        <div class="table-scroll rt-scroll" tabIndex={0} role="region" aria-label={t('requestTypes.listCaption')}>
          <table class="rt-list">
            <caption class="visually-hidden">{t('requestTypes.listCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('requestTypes.colName')}</th>
                <th scope="col">{t('requestTypes.colStatus')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((ty) => (
                <tr key={ty.id}>
                  <th scope="row">
                    <a href={`/birou/tipuri-cereri/${ty.id}`}>{ty.name}</a>
                    <span class="rt-code"><span class="visually-hidden">{t('requestTypes.colCode')}: </span><code>{ty.code}</code></span>
                  </th>
                  <td>
                    <ul class="rt-status">
                      {ty.withdrawnAt && <li><span class="badge badge-overdue">{t('requestTypes.statusWithdrawn', { date: date(ty.withdrawnAt) })}</span></li>}
                      {ty.publishedVersion !== null ? (
                        <li><span class={ty.withdrawnAt ? 'badge' : 'badge badge-done'}>
                          {t('requestTypes.statusPublished', { version: ty.publishedVersion, date: ty.publishedAt ? date(ty.publishedAt) : '' })}
                        </span></li>
                      ) : <li><span class="badge">{t('requestTypes.statusNeverPublished')}</span></li>}
                      {ty.draftVersion !== null && <li><span class="badge rt-badge-draft">{t('requestTypes.statusDraft', { version: ty.draftVersion })}</span></li>}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewType inst={inst} />
    </Page>
  )
}

// NewType defines a request type: its name, its code, and how its requests
// are handled; the form starts with the applicant's name and is built in
// the editor.
function NewType({ inst }: { inst: string }) {
  const { t, locale } = useI18n()
  const { route } = useLocation()
  const org = useOrg(inst)
  const [name, setName] = useState('')
  const [code, setCode] = useState('')
  const [handling, setHandling] = useState<Handling>({ departmentId: '', registerId: '', regime: 'petition', customDays: '', workingDays: false })
  const [checked, setChecked] = useState<Record<string, string>>({})
  const [key] = useState(idempotencyKey)
  const action = useAction()
  const suggested = codeFrom(name)
  const finalCode = code.trim() || suggested

  // The incoming register is the usual one: chosen when there is one.
  useEffect(() => {
    if (handling.registerId || !org.registers) return
    const incoming = org.registers.find((r) => !r.closedAt && r.kind === 'incoming')
    if (incoming) setHandling((h) => ({ ...h, registerId: incoming.id }))
  }, [org.registers])

  const server = fieldErrors(action.error, locale)
  const conflict = action.error && (action.error as { code?: string }).code === 'code_taken' ? t('requestTypes.err.codeTaken') : undefined
  const errors: Record<string, string | undefined> = { ...server, ...checked, code: checked.code ?? server.code ?? conflict }
  const shownElsewhere = ['name', 'code', 'departmentId', 'registerId', 'regime', 'customDays', 'workingDays']

  const submit = (e: Event) => {
    e.preventDefault()
    const found: Record<string, string> = handlingErrors(handling, t)
    if (!name.trim()) found.name = t('requestTypes.err.name')
    if (!isTypeCode(finalCode)) found.code = t('requestTypes.err.code')
    setChecked(found)
    if (Object.keys(found).length > 0) {
      const first = ['name', 'code', 'departmentId', 'registerId', 'customDays'].find((k) => found[k])
      const ids: Record<string, string> = { name: 'rt-new-name', code: 'rt-new-code', departmentId: 'rt-department', registerId: 'rt-register', customDays: 'rt-customDays' }
      requestAnimationFrame(() => first && document.getElementById(ids[first])?.focus())
      return
    }
    action.run(async () => {
      const body = {
        code: finalCode, name: name.trim(), description: '', form: toSchema(starterForm(name.trim())), attachments: [],
        departmentId: handling.departmentId, registerId: handling.registerId, regime: handling.regime,
        customDays: handling.regime === 'custom' ? validDays(handling.customDays) : null, workingDays: handling.regime === 'custom' && handling.workingDays,
        verifiedIdentity: true,
      }
      const v = await api.post<Version>(basePath(inst), body, { headers: { 'Idempotency-Key': key } })
      route(`/birou/tipuri-cereri/${v.id}`)
    })
  }

  const unshown = Object.keys(server).filter((k) => !shownElsewhere.includes(k))
  return (
    <section class="rt-new" aria-labelledby="rt-new-title">
      <h2 id="rt-new-title">{t('requestTypes.newTitle')}</h2>
      <p>{t('requestTypes.newIntro')}</p>
      {(unshown.length > 0 || (action.error && Object.keys(server).length === 0 && !conflict)) && <ErrorAlert error={action.error} />}
      <form onSubmit={submit} noValidate>
        <TextField id="rt-new-name" label={t('requestTypes.name')} hint={t('requestTypes.nameHint')} required maxLength={200}
          value={name} onValue={setName} error={errors.name} />
        <TextField id="rt-new-code" label={t('requestTypes.code')} hint={t('requestTypes.codeHint', { code: suggested || 'certificat-urbanism' })}
          maxLength={63} value={code} onValue={(v) => setCode(v.trim())} error={errors.code} />
        <HandlingFields value={handling} onChange={setHandling} errors={errors} org={org} />
        <div class="form-actions">
          <Button type="submit" busy={action.busy}>{t('requestTypes.create')}</Button>
        </div>
      </form>
    </section>
  )
}

import { useEffect, useRef, useState } from 'preact/hooks'

import { api, idempotencyKey } from '../api/client'
import type { Me } from '../api/types'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { holds } from '../office/office'
import { Button, ErrorAlert, Loading, Page, TextField, fieldErrors } from '../ui/ui'
import { usePagedList } from './paging'
import { Notice, Refusal, RoleAssignments, useChart, useNotice } from './Staff'
import { staffProblems } from './staff'
import type { MachineClient, MachineClientList, MachineClientSecret } from './staff'
import './admin.css'

const pageSize = 100

type Panel = { kind: 'rotate' | 'disable' | 'roles'; client: MachineClient }

// MachineClients: the systems of other institutions that talk to this one
// (users.read to see them). Whoever holds machineclients.manage creates
// one, whose secret is shown once, gives it a new secret (shown once too;
// the previous one keeps working a day) and disables it; whoever holds
// roles.assign gives it its role (integration, usually).
export function MachineClients() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="users.read" title={t('clients.title')} denied={t('clients.notAllowed')}>
      {(me, inst) => <ClientsPage me={me} inst={inst} />}
    </OfficeGate>
  )
}

function ClientsPage({ me, inst }: { me: Me; inst: string }) {
  const { t, dateTime } = useI18n()
  const chart = useChart(inst)
  const path = `/api/institutions/${inst}/machine-clients`
  const { items, next, error, busy, load } = usePagedList(path, { limit: String(pageSize) }, (p: MachineClientList) => p.machineClients)
  const [adding, setAdding] = useState(false)
  const [panel, setPanel] = useState<Panel>()
  const [secret, setSecret] = useState<{ client: MachineClientSecret; rotated: boolean }>()
  const { notice, say, clear } = useNotice()
  const mayManage = holds(me, 'machineclients.manage', inst)
  const mayAssign = holds(me, 'roles.assign', inst)

  const back = (id: string, action: Panel['kind']) =>
    requestAnimationFrame(() => document.getElementById(`${action}-${id}`)?.focus())
  const open = (kind: Panel['kind'], client: MachineClient) => {
    clear()
    setPanel(panel?.kind === kind && panel.client.id === client.id ? undefined : { kind, client })
  }
  const showSecret = (client: MachineClientSecret, rotated: boolean) => {
    clear()
    setPanel(undefined)
    setSecret({ client, rotated })
    load()
  }

  return (
    <Page title={t('clients.title')} wide>
      <p>{t('clients.intro')}</p>
      <Notice notice={notice} id="clients-notice" />
      {secret && (
        <SecretShown client={secret.client} rotated={secret.rotated} onDismiss={() => {
          const id = secret.client.id
          setSecret(undefined)
          requestAnimationFrame(() => (document.getElementById(`rotate-${id}`) ?? document.getElementById('clients-add'))?.focus())
        }} />
      )}
      {mayManage && !secret && (
        <section aria-labelledby="clients-new-title">
          <h2 id="clients-new-title">{t('clients.newTitle')}</h2>
          {adding ? (
            <NewClient path={path}
              onCancel={() => {
                setAdding(false)
                requestAnimationFrame(() => document.getElementById('clients-add')?.focus())
              }}
              onSecret={(c) => { setAdding(false); showSecret(c, false) }}
              onExisted={(c) => {
                setAdding(false)
                say(t('clients.existed', { name: c.name }))
                load()
              }} />
          ) : (
            <>
              <p>{t('clients.newText')}</p>
              <Button id="clients-add" kind="secondary" onClick={() => { clear(); setAdding(true) }}>{t('clients.add')}</Button>
            </>
          )}
        </section>
      )}

      {panel?.kind === 'roles' && (
        <RoleAssignments key={panel.client.id} inst={inst} account={{ id: panel.client.id, name: panel.client.name }} self={false}
          mayAssign={mayAssign && panel.client.status === 'active'} chart={chart} onChanged={() => {}}
          onClose={() => { const id = panel.client.id; setPanel(undefined); back(id, 'roles') }} />
      )}
      {(panel?.kind === 'rotate' || panel?.kind === 'disable') && (
        <Confirm key={`${panel.kind}-${panel.client.id}`} kind={panel.kind} client={panel.client} path={`${path}/${panel.client.id}`}
          onCancel={() => { const { kind, client } = panel; setPanel(undefined); back(client.id, kind) }}
          onRotated={(c) => showSecret(c, true)}
          onDisabled={() => {
            const name = panel.client.name
            setPanel(undefined)
            say(t('clients.disabled', { name }))
            load()
          }} />
      )}

      <section aria-labelledby="clients-list-title">
        <h2 id="clients-list-title">{t('clients.listTitle')}</h2>
        <ErrorAlert error={error} />
        {!items && !error && <Loading />}
        {items && items.length === 0 && <p>{t('clients.none')}</p>}
        {items && items.length > 0 && (
          <ul class="admin-clients">
            {items.map((c) => {
              const active = c.status === 'active'
              return (
                <li class={`card admin-client${active ? '' : ' admin-client-closed'}`}>
                  <h3>{c.name}</h3>
                  <dl class="facts admin-facts">
                    <dt>{t('clients.clientId')}</dt><dd><code class="admin-wrap">{c.clientId}</code></dd>
                    <dt>{t('clients.status')}</dt>
                    <dd>
                      <span class={`badge admin-client-${c.status}`}>{t(`clients.state.${c.status}`)}</span>
                      {c.closedAt && <> <span class="meta">{t('clients.closedAt', { at: dateTime(c.closedAt) })}</span></>}
                    </dd>
                    <dt>{t('clients.createdAt')}</dt><dd>{dateTime(c.createdAt)}</dd>
                    <dt>{t('clients.rotatedAt')}</dt><dd>{dateTime(c.rotatedAt)}</dd>
                    {c.previousSecretValidUntil && active && (
                      <><dt>{t('clients.previous')}</dt><dd>{t('clients.previousUntil', { at: dateTime(c.previousSecretValidUntil) })}</dd></>
                    )}
                  </dl>
                  <div class="admin-actions" role="group" aria-label={t('clients.actionsFor', { name: c.name })}>
                    <Button id={`roles-${c.id}`} kind="secondary" aria-expanded={panel?.kind === 'roles' && panel.client.id === c.id ? 'true' : 'false'}
                      onClick={() => open('roles', c)}>
                      {t('clients.roles')}{' '}<span class="visually-hidden">{t('clients.ofClient', { name: c.name })}</span>
                    </Button>
                    {mayManage && active && (
                      <>
                        <Button id={`rotate-${c.id}`} kind="secondary" aria-expanded={panel?.kind === 'rotate' && panel.client.id === c.id ? 'true' : 'false'}
                          onClick={() => open('rotate', c)}>
                          {t('clients.rotate')}{' '}<span class="visually-hidden">{t('clients.ofClient', { name: c.name })}</span>
                        </Button>
                        <Button id={`disable-${c.id}`} kind="danger" aria-expanded={panel?.kind === 'disable' && panel.client.id === c.id ? 'true' : 'false'}
                          onClick={() => open('disable', c)}>
                          {t('clients.disable')}{' '}<span class="visually-hidden">{t('clients.ofClient', { name: c.name })}</span>
                        </Button>
                      </>
                    )}
                  </div>
                </li>
              )
            })}
          </ul>
        )}
        {next && <div class="form-actions"><Button kind="secondary" busy={busy} onClick={() => load(next)}>{t('clients.more')}</Button></div>}
      </section>
    </Page>
  )
}

// NewClient: a name for the system; the API answers with its id and, this
// once, its secret. An active client of the same name is not made twice.
function NewClient({ path, onSecret, onExisted, onCancel }: {
  path: string
  onSecret: (c: MachineClientSecret) => void
  onExisted: (c: MachineClient) => void
  onCancel: () => void
}) {
  const { t, locale } = useI18n()
  const [name, setName] = useState('')
  const [checked, setChecked] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const key = useRef(idempotencyKey())
  useEffect(() => { document.getElementById('client-name')?.focus() }, [])
  const submit = async (e: Event) => {
    e.preventDefault()
    const bad = !name.trim() || [...name.trim()].length > 200
    setChecked(bad ? t('clients.err.name') : undefined)
    setError(undefined)
    if (bad) {
      document.getElementById('client-name')?.focus()
      return
    }
    setBusy(true)
    try {
      const res = await api.tagged<MachineClientSecret | MachineClient>('POST', path, { name: name.trim() }, { 'Idempotency-Key': key.current })
      if ('clientSecret' in res.body && res.body.clientSecret) onSecret(res.body)
      else onExisted(res.body)
    } catch (err) {
      setError(err)
      requestAnimationFrame(() => document.getElementById('client-name')?.focus())
    } finally {
      setBusy(false)
    }
  }
  const server = fieldErrors(error, locale)
  return (
    <form class="admin-form" onSubmit={submit} noValidate aria-labelledby="clients-new-title">
      {!server.name && <Refusal error={error} known={staffProblems} />}
      <TextField id="client-name" label={t('clients.name')} hint={t('clients.nameHint')} required maxLength={200} autoComplete="off"
        value={name} onValue={setName} error={checked ?? server.name} />
      <div class="form-actions">
        <Button type="submit" busy={busy}>{t('clients.create')}</Button>
        <Button kind="link" onClick={onCancel}>{t('clients.cancel')}</Button>
      </div>
    </form>
  )
}

// Confirm: a new secret, or the client disabled, once asked.
function Confirm({ kind, client, path, onRotated, onDisabled, onCancel }: {
  kind: 'rotate' | 'disable'
  client: MachineClient
  path: string
  onRotated: (c: MachineClientSecret) => void
  onDisabled: () => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => { box.current?.focus() }, [])
  const go = async () => {
    setBusy(true)
    setError(undefined)
    try {
      if (kind === 'rotate') onRotated(await api.post<MachineClientSecret>(`${path}/rotate`, {}))
      else {
        await api.del(path)
        onDisabled()
      }
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="confirm admin-confirm" role="group" aria-labelledby="client-confirm-text" tabIndex={-1} ref={box}>
      <p id="client-confirm-text"><strong>{t(`clients.confirm.${kind}`, { name: client.name })}</strong></p>
      <p class="meta">{t(`clients.confirmText.${kind}`)}</p>
      <Refusal error={error} known={staffProblems} />
      <div class="form-actions">
        <Button kind={kind === 'disable' ? 'danger' : 'primary'} busy={busy} onClick={go}>{t(`clients.confirmYes.${kind}`)}</Button>
        <Button kind="secondary" onClick={onCancel}>{t('clients.confirmBack')}</Button>
      </div>
    </div>
  )
}

// SecretShown: the client's id and secret, this once, with a copy button
// and a plain warning; the page forgets the secret when it is dismissed.
function SecretShown({ client, rotated, onDismiss }: { client: MachineClientSecret; rotated: boolean; onDismiss: () => void }) {
  const { t, dateTime } = useI18n()
  const [copied, setCopied] = useState<'yes' | 'no'>()
  const heading = useRef<HTMLHeadingElement>(null)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => { heading.current?.focus() }, [])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(client.clientSecret)
      setCopied('yes')
    } catch {
      // No clipboard (an insecure page, a refused permission): selected, for Ctrl+C.
      input.current?.focus()
      input.current?.select()
      setCopied('no')
    }
  }
  return (
    <section class="admin-panel admin-secret" aria-labelledby="secret-title">
      <h2 id="secret-title" tabIndex={-1} ref={heading}>
        {rotated ? t('clients.secretRotatedTitle', { name: client.name }) : t('clients.secretTitle', { name: client.name })}
      </h2>
      <div class="alert alert-warning">
        <p><strong>{t('clients.secretOnce')}</strong></p>
        <p>{t('clients.secretKeep')}</p>
        {rotated && client.previousSecretValidUntil && (
          <p>{t('clients.secretPrevious', { at: dateTime(client.previousSecretValidUntil) })}</p>
        )}
      </div>
      <dl class="facts admin-facts">
        <dt>{t('clients.clientId')}</dt><dd><code id="secret-client-id" class="admin-wrap">{client.clientId}</code></dd>
      </dl>
      <div class="field">
        <label for="secret-value">{t('clients.secret')}</label>
        <div class="admin-secret-line">
          <input id="secret-value" type="text" class="admin-secret-value" readOnly value={client.clientSecret} autoComplete="off"
            spellcheck={false} onFocus={(e) => (e.target as HTMLInputElement).select()} />
          <Button kind="secondary" onClick={copy}>{t('clients.copy')}</Button>
        </div>
        <p class="meta" role="status">{copied === 'yes' ? t('clients.copied') : copied === 'no' ? t('clients.copyByHand') : ''}</p>
      </div>
      <div class="form-actions">
        <Button onClick={onDismiss}>{t('clients.secretDone')}</Button>
      </div>
    </section>
  )
}

import { useEffect, useRef, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { ApiError, api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { OfficeGate } from '../office/gate'
import { Button, Loading, Page, TextArea, TextField, fieldErrors, useAction } from '../ui/ui'
import {
  byName, changed, checkParts, partMax, messageStatusOf, openedFrom, parts, partsOf, placeholderText, placeholders, templateETag, templateHref,
} from './messageTemplates'
import type { Message, MessageList, MessageStatus, MessageTemplate, Part, Parts, TemplateList, TemplateLocale, TemplateSummary } from './messageTemplates'
import { institutionPath } from './records'
import { focusFirst, focusSoon } from '../ui/focus'
import { Done, Problem } from './recordsui'

/**
 * Templates: the notifications' templates and the version of each the
 * institution's notifications are written with; one opened in a locale
 * (in the page's URL) and saved as a new version, the data it may use
 * shown beside it and the server's refusal next to the faulty part; and
 * the institution's notifications that failed or still wait.
 */
export function Templates() {
  const { t } = useI18n()
  return (
    <OfficeGate permission="notifications.manage" title={t('templates.title')} denied={t('templates.notAllowed')}>
      {(_me, inst) => <TemplatesPage inst={inst} />}
    </OfficeGate>
  )
}

function TemplatesPage({ inst }: { inst: string }) {
  const { query } = useLocation()
  const opened = openedFrom(query)
  if (opened) return <Editor key={`${opened.name}/${opened.locale}`} inst={inst} name={opened.name} locale={opened.locale} />
  return <Overview inst={inst} status={messageStatusOf(query)} />
}

/** The name people know a template by, or its code for one the page does not know. */
function useTemplateName() {
  const { t } = useI18n()
  return (name: string) => {
    const key = `templates.name.${name}`
    const label = t(key)
    return label === key ? name : label
  }
}

function Overview({ inst, status }: { inst: string; status: MessageStatus }) {
  const { t, dateTime } = useI18n()
  const templateName = useTemplateName()
  const [items, setItems] = useState<TemplateSummary[]>()
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    api.get<TemplateList>(`${institutionPath(inst)}/message-templates`).then((l) => setItems(l.items), setError)
  }, [inst])
  const groups = byName(items ?? [])

  return (
    <Page title={t('templates.title')} wide>
      <p class="meta">{t('templates.intro')}</p>
      <section aria-labelledby="templates-list">
        <h2 id="templates-list">{t('templates.listTitle')}</h2>
        <Problem error={error} />
        {!items && !error && <Loading />}
        {items && (
          <div class="table-scroll" role="region" aria-labelledby="templates-list" tabIndex={0}>
            <table class="records-table records-stack records-compact">
              <caption class="visually-hidden">{t('templates.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('templates.notification')}</th>
                  <th scope="col">{t('templates.locale')}</th>
                  <th scope="col">{t('templates.inUse')}</th>
                  <th scope="col">{t('templates.updatedAt')}</th>
                </tr>
              </thead>
              {groups.map((g) => (
                <tbody class="records-group">
                  {g.locales.map((s, i) => (
                  <tr>
                    {i === 0 && <th scope="rowgroup" rowSpan={g.locales.length} class="records-text">{templateName(g.name)}</th>}
                    <td data-label={t('templates.locale')}>
                      <a href={templateHref(s.name, s.locale)} aria-label={t('templates.openOne', { name: templateName(s.name), locale: t(`templates.locale.${s.locale}`) })}>
                        {t(`templates.locale.${s.locale}`)}
                      </a>
                    </td>
                    <td data-label={t('templates.inUse')}>{s.builtIn ? t('templates.builtIn') : t('templates.version', { version: s.version })}</td>
                    <td data-label={t('templates.updatedAt')}>{s.updatedAt ? dateTime(s.updatedAt) : <span class="meta">{t('templates.never')}</span>}</td>
                  </tr>
                  ))}
                </tbody>
              ))}
            </table>
          </div>
        )}
      </section>
      <Messages inst={inst} status={status} />
    </Page>
  )
}

const messagesPageSize = 25

function Messages({ inst, status }: { inst: string; status: MessageStatus }) {
  const { t, dateTime } = useI18n()
  const templateName = useTemplateName()
  const [items, setItems] = useState<Message[]>()
  const [next, setNext] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const latest = useRef(0)
  const page = async (after?: string) => {
    const q = new URLSearchParams({ status, limit: String(messagesPageSize) })
    if (after) q.set('after', after)
    return await api.get<MessageList>(`${institutionPath(inst)}/messages?${q}`)
  }
  useEffect(() => {
    const ask = ++latest.current
    setItems(undefined)
    setError(undefined)
    page().then((p) => {
      if (ask !== latest.current) return
      setItems(p.items)
      setNext(p.next)
    }, (e) => ask === latest.current && setError(e))
  }, [inst, status])
  const more = async () => {
    const ask = latest.current
    setBusy(true)
    try {
      const p = await page(next)
      if (ask !== latest.current) return
      setItems((list) => [...(list ?? []), ...p.items])
      setNext(p.next)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const tab = (s: MessageStatus, href: string) => (
    <li><a href={href} aria-current={status === s ? 'page' : undefined}>{t(`templates.messages.${s}`)}</a></li>
  )

  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">{t('templates.messagesTitle')}</h2>
      <p class="meta">{t('templates.messagesHint')}</p>
      <nav class="records-tabs" aria-label={t('templates.messagesTitle')}>
        <ul>
          {tab('failed', '/birou/sabloane')}
          {tab('queued', '/birou/sabloane?messages=queued')}
        </ul>
      </nav>
      <Problem error={error} />
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p role="status">{t(`templates.messages.none.${status}`)}</p>}
      {items && items.length > 0 && (
        <div class="table-scroll" role="region" aria-labelledby="messages-title" tabIndex={0}>
          <table class="records-table records-stack">
            <caption class="visually-hidden">{t(`templates.messages.${status}`)}</caption>
            <thead>
              <tr>
                <th scope="col">{t('templates.messages.createdAt')}</th>
                <th scope="col">{t('templates.notification')}</th>
                <th scope="col">{t('templates.messages.channel')}</th>
                <th scope="col">{t('templates.messages.attempts')}</th>
                <th scope="col">{status === 'failed' ? t('templates.messages.why') : t('templates.messages.nextAttempt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr>
                  <td class="records-nowrap" data-label={t('templates.messages.createdAt')}>{dateTime(m.createdAt)}</td>
                  <td class="records-text" data-label={t('templates.notification')}>
                    {templateName(m.template)}
                    <span class="meta"> · {t(`templates.locale.${m.locale}`)} · {m.templateVersion === 0 ? t('templates.builtIn')
                      : t('templates.version', { version: m.templateVersion })}</span>
                  </td>
                  <td data-label={t('templates.messages.channel')}>{t(`templates.channel.${m.channel}`)}</td>
                  <td data-label={t('templates.messages.attempts')}>{m.attempts}</td>
                  <td class="records-text" data-label={status === 'failed' ? t('templates.messages.why') : t('templates.messages.nextAttempt')}>
                    {status === 'failed'
                      ? <>{m.failedAt && <span class="records-nowrap">{dateTime(m.failedAt)}: </span>}<code>{m.lastError ?? '—'}</code></>
                      : <>{m.nextAttemptAt ? dateTime(m.nextAttemptAt) : '—'}{m.lastError && <> (<code>{m.lastError}</code>)</>}</>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && items && (
        <div class="form-actions">
          <Button kind="secondary" busy={busy} onClick={more}>{t('templates.messages.more')}</Button>
        </div>
      )}
    </section>
  )
}

// How the template functions are written (Go templates: the same in every language).
const functionExamples = ['{{date .RegisteredAt}}', '{{datetime .RegisteredAt}}']

/** The editor's fields, one per part. */
const fieldIds: Record<Part, string> = { subject: 'tpl-subject', text: 'tpl-text', html: 'tpl-html', sms: 'tpl-sms', notice: 'tpl-notice' }

function Editor({ inst, name, locale }: { inst: string; name: string; locale: TemplateLocale }) {
  const { t, dateTime, locale: ui } = useI18n()
  const templateName = useTemplateName()
  const url = `${institutionPath(inst)}/message-templates/${encodeURIComponent(name)}/${locale}`
  const [template, setTemplate] = useState<MessageTemplate>()
  const [etag, setEtag] = useState('')
  const [draft, setDraft] = useState<Parts>()
  const [loadError, setLoadError] = useState<unknown>()
  const [checked, setChecked] = useState<Partial<Record<Part, string>>>({})
  const [done, setDone] = useState('')
  const [unchanged, setUnchanged] = useState(false)
  const action = useAction()

  useEffect(() => {
    api.tagged<MessageTemplate>('GET', url).then((r) => {
      setTemplate(r.body)
      setEtag(r.etag || templateETag(r.body.version))
      setDraft(partsOf(r.body))
    }, setLoadError)
  }, [url])

  const title = t('templates.editTitle', { name: templateName(name), locale: t(`templates.locale.${locale}`) })
  if (!template || !draft) {
    return (
      <Page title={title} wide>
        <p><a href="/birou/sabloane">{t('templates.back')}</a></p>
        {loadError ? <Problem error={loadError} known={{ not_found: t('templates.notFound') }} /> : <Loading />}
      </Page>
    )
  }

  const serverErrors = fieldErrors(action.error, ui)
  const errors: Partial<Record<Part, string>> = { ...serverErrors, ...checked }
  const refused = action.error instanceof ApiError && action.error.status === 422 && Object.keys(serverErrors).length > 0
  const dirty = changed(partsOf(template), draft)

  const focusInvalid = (byPart: Partial<Record<string, string>>) => focusFirst(parts, byPart, (p) => fieldIds[p as Part])
  const save = (e: Event) => {
    e.preventDefault()
    setDone('')
    setUnchanged(false)
    const problems = checkParts(draft)
    const messages: Partial<Record<Part, string>> = {}
    for (const [p, v] of Object.entries(problems) as [Part, string][]) messages[p] = t(`templates.problem.${v}`, { max: partMax[p] })
    setChecked(messages)
    if (Object.keys(messages).length > 0) {
      action.setError(undefined)
      focusInvalid(messages)
      return
    }
    if (!dirty) {
      action.setError(undefined)
      setUnchanged(true)
      return
    }
    action.run(async () => {
      try {
        const r = await api.tagged<MessageTemplate>('PUT', url, draft, { 'If-Match': etag })
        setTemplate(r.body)
        setEtag(r.etag || templateETag(r.body.version))
        setDraft(partsOf(r.body))
        setDone(t('templates.savedDone', { version: r.body.version }))
        focusSoon('template-done')
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          // The summary first: it says the version was not saved and why.
          focusSoon('template-problem')
        } else if (err instanceof ApiError && err.status === 412) {
          // Another version was saved meanwhile: what was typed stays, over it.
          const fresh = await api.tagged<MessageTemplate>('GET', url)
          setTemplate(fresh.body)
          setEtag(fresh.etag || templateETag(fresh.body.version))
          focusSoon('template-problem')
        }
        throw err
      }
    })
  }
  const set = (p: Part, v: string) => setDraft({ ...draft, [p]: v })
  const errorOf = (p: Part) => errors[p]

  return (
    <Page title={title} wide>
      <p><a href="/birou/sabloane">{t('templates.back')}</a></p>
      <p class="meta">
        {template.builtIn ? t('templates.usingBuiltIn')
          : t('templates.usingVersion', { version: template.version, at: template.createdAt ? dateTime(template.createdAt) : '' })}
      </p>
      <Done id="template-done" text={done} />
      <div class="records-editor">
        <form onSubmit={save} noValidate class="records-editor-form" aria-labelledby="template-form-title">
          <h2 id="template-form-title">{t('templates.newVersion')}</h2>
          <TextField id={fieldIds.subject} label={t('templates.part.subject')} hint={t('templates.hint.subject')} required
            value={draft.subject} onValue={(v) => set('subject', v)} error={errorOf('subject')} maxLength={1000} />
          <TextArea id={fieldIds.text} label={t('templates.part.text')} hint={t('templates.hint.text')} required
            value={draft.text} onValue={(v) => set('text', v)} error={errorOf('text')} maxLength={20000} />
          <TextArea id={fieldIds.html} label={t('templates.part.html')} hint={t('templates.hint.html')}
            value={draft.html} onValue={(v) => set('html', v)} error={errorOf('html')} maxLength={50000} />
          <TextArea id={fieldIds.sms} label={t('templates.part.sms')} hint={t('templates.hint.sms')}
            value={draft.sms} onValue={(v) => set('sms', v)} error={errorOf('sms')} maxLength={1000} />
          <TextArea id={fieldIds.notice} label={t('templates.part.notice')} hint={t('templates.hint.notice')}
            value={draft.notice} onValue={(v) => set('notice', v)} error={errorOf('notice')} maxLength={2000} />
          {refused && (
            <div class="alert alert-error" role="alert" id="template-problem" tabIndex={-1}>
              <p class="records-alert-title">{t('templates.refused')}</p>
              <ul>
                {parts.filter((p) => serverErrors[p]).map((p) => (
                  <li><a href={`#${fieldIds[p]}`}>{t(`templates.part.${p}`)}</a>: {serverErrors[p]}</li>
                ))}
              </ul>
            </div>
          )}
          {!refused && (
            <Problem id="template-problem" error={action.error} known={{
              precondition_failed: t('templates.stale', { version: template.version }), not_found: t('templates.notFound'),
            }} />
          )}
          <div class="form-actions">
            <Button type="submit" busy={action.busy}>{t('templates.save')}</Button>
            {dirty && (
              <Button kind="secondary" onClick={() => {
                setDraft(partsOf(template))
                setChecked({})
                action.setError(undefined)
              }}>{t('templates.discard')}</Button>
            )}
            <span class="meta" role="status">{dirty ? t('templates.unsaved') : unchanged ? t('templates.unchanged') : ''}</span>
          </div>
        </form>
        <aside class="records-aside" aria-labelledby="placeholders-title">
          <h2 id="placeholders-title">{t('templates.placeholders')}</h2>
          <p class="meta">{t('templates.placeholdersHint')}</p>
          <dl class="records-placeholders">
            {placeholders(name).map((d) => (
              <>
                <dt><code>{placeholderText(d)}</code></dt>
                <dd>{t(`templates.data.${d}`)}</dd>
              </>
            ))}
          </dl>
          <p class="meta">{t('templates.functionsHint')}</p>
          <ul class="records-plain">
            {functionExamples.map((x) => <li><code>{x}</code></li>)}
          </ul>
        </aside>
      </div>
    </Page>
  )
}

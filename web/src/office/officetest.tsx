import { cleanup, render } from '@testing-library/preact'
import type { ComponentType } from 'preact'
import { LocationProvider, Route, Router } from 'preact-iso'
import { afterEach, beforeEach, vi } from 'vitest'

import { I18nProvider } from '../i18n/i18n'
import { OfficeMessages } from '../i18n/office'
import { SessionProvider } from '../session'

// What the back-office component tests share (imported by tests only): a
// fake API behind fetch, and a page rendered as the app renders it.

/** A request the page sent: its JSON body parsed, any other body as it was (FormData). */
export interface Sent { method: string; url: string; headers: Record<string, string>; body: unknown }

/** An answer as JSON (problem+json from 300 on), with an ETag if given. */
export interface Answer { status: number; body?: unknown; etag?: string }

/** Answers a request: an Answer, or a Response for anything else. */
export type Answering = (sent: Sent) => Answer | Response

export interface FakeAPI {
  /** What was sent during the current test, in order. */
  sent: Sent[]
  /** The answers by "METHOD /path"; a key with the query string wins over the bare path. Emptied before each test. */
  answers: Record<string, Answering>
}

function respond({ status, body, etag }: Answer): Response {
  const headers: Record<string, string> = { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' }
  if (etag) headers.ETag = etag
  return new Response(status === 204 ? null : JSON.stringify(body ?? {}), { status, headers })
}

/**
 * fakeAPI puts a fake fetch in place for each test of the file it is called
 * in (at its top level): it records what is sent and answers from answers,
 * 404 not_found when no key matches. After each test the page is unmounted
 * and every global stubbed is restored.
 */
export function fakeAPI(): FakeAPI {
  const api: FakeAPI = { sent: [], answers: {} }
  beforeEach(() => {
    api.sent.length = 0
    for (const key of Object.keys(api.answers)) delete api.answers[key]
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET'
      const body = typeof init.body === 'string' ? JSON.parse(init.body) : (init.body ?? undefined)
      const sent: Sent = { method, url, headers: (init.headers ?? {}) as Record<string, string>, body }
      api.sent.push(sent)
      const answering = api.answers[`${method} ${url}`] ?? api.answers[`${method} ${url.split('?')[0]}`]
      if (!answering) return respond({ status: 404, body: { code: 'not_found' } })
      const answer = answering(sent)
      return answer instanceof Response ? answer : respond(answer)
    }))
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })
  return api
}

const Nothing = () => null

/**
 * showPage renders the back office's providers around a router with the
 * routes given (path pattern to page; any other path shows nothing), at
 * path.
 */
export function showPage(path: string, routes: Record<string, ComponentType>) {
  window.history.replaceState(null, '', path)
  return render(
    <I18nProvider locale="ro">
      <OfficeMessages>
        <SessionProvider>
          <LocationProvider>
            <Router>
              {Object.entries(routes).map(([pattern, page]) => <Route key={pattern} path={pattern} component={page} />)}
              <Route default component={Nothing} />
            </Router>
          </LocationProvider>
        </SessionProvider>
      </OfficeMessages>
    </I18nProvider>,
  )
}

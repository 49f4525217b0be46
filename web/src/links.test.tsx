import { readFileSync } from 'node:fs'

import type { JSX } from 'preact'

import { cleanup, render } from '@testing-library/preact'
import { LocationProvider } from 'preact-iso'
import { afterEach, expect, test } from 'vitest'

import { Routes } from './app'
import { I18nProvider } from './i18n/i18n'
import { href, routeNames } from './routes'
import type { RouteName } from './routes'

// Every link the platform sends (mails, texts, in-app notifications,
// receipts), as notify's test records them in its fixture
// (functions/notify/testdata/links.json, from the real templates and the
// real link builder, shared/weblinks), opens the page it means with the
// app's real router and route table: never "Pagina nu există".

interface SentLink {
  kind: string
  to: string
  channel: string
  locale: string
  link: string
  page: string
}

// A path, not a URL: under jsdom, URL is jsdom's (see forms/fixtures.ts).
const here = import.meta.url
const fixture = decodeURIComponent(new URL('../../functions/notify/testdata/links.json', here).pathname)
const sent = JSON.parse(readFileSync(fixture, 'utf8')) as SentLink[]

// Each page stands in as its name: what the router picked is what shows.
const pages = Object.fromEntries(routeNames.map((name) => [name, () => <p>page:{name}</p>])) as Record<RouteName, () => JSX.Element>

function pageAt(url: string): string {
  history.replaceState(null, '', url)
  const { container } = render(
    <I18nProvider locale="ro">
      <LocationProvider>
        <Routes pages={pages} />
      </LocationProvider>
    </I18nProvider>,
  )
  return container.textContent ?? ''
}

afterEach(cleanup)

test('the fixture lists the links of every recipient and channel', () => {
  expect(sent.length).toBeGreaterThan(20)
  expect(new Set(sent.map((s) => s.to))).toEqual(new Set(['account holder', 'applicant', 'assignee', 'operator']))
  expect(new Set(sent.map((s) => s.channel))).toEqual(new Set(['mail', 'app', 'sms', 'receipt']))
})

test.each(sent.map((s) => [`${s.kind} to the ${s.to} (${s.channel}, ${s.locale}): ${s.link}`, s] as const))('%s', (_, s) => {
  expect(pageAt(s.link)).toBe(`page:${s.page}`)
})

test('an address no route takes is the not-found page', () => {
  expect(pageAt('/cereri/00000000-0000-0000-0000-000000000000')).toBe('Pagina nu există.Pagina principală')
})

test('href fills a route from the table', () => {
  expect(href('request', { institution: 'i-1', id: 'r 2' })).toBe('/cereri/i-1/r%202')
  expect(href('statusLookupAt', { institution: 'i-1' }, { nr: '9', an: '2026', cod: 'AB' })).toBe('/verificare/i-1?nr=9&an=2026&cod=AB')
  expect(() => href('request', { institution: 'i-1' })).toThrow(/:id/)
})

import { cleanup, render } from '@testing-library/preact'
import { LocationProvider, Route, Router } from 'preact-iso'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'

import { I18nProvider } from '../i18n/i18n'
import { routes } from '../routes'

// The status lookup opened from a receipt's link runs at once, in the
// institution the link names (or, for an older link naming none, the
// portal's own), with the number as printed.

const calls: string[] = []
vi.mock('../api/client', async (original) => {
  const real = await original<typeof import('../api/client')>()
  return {
    ...real,
    api: {
      ...real.api,
      get: vi.fn(async (path: string) => {
        calls.push(path)
        if (path.startsWith('/api/institutions?')) {
          return { institutions: [
            { id: 'school', parentId: 'city', cif: '2', name: 'Școala', address: '', timeZone: 'Europe/Bucharest' },
            { id: 'city', parentId: null, cif: '1', name: 'Primăria', address: '', timeZone: 'Europe/Bucharest' },
          ] }
        }
        return { status: 'registered', type: 'Petiție', registerCode: 'I', number: 9, year: 2026, registeredAt: '2026-03-02T08:30:00Z',
          deadline: '2026-04-01', updatedAt: '2026-03-02T08:30:00Z' }
      }),
    },
  }
})

const { StatusLookup } = await import('./StatusLookup')

function open(url: string) {
  history.replaceState(null, '', url)
  return render(
    <I18nProvider locale="ro">
      <LocationProvider>
        <Router>
          <Route path={routes.statusLookup} component={StatusLookup} />
          <Route path={routes.statusLookupAt} component={StatusLookup} />
        </Router>
      </LocationProvider>
    </I18nProvider>,
  )
}

beforeEach(() => {
  calls.length = 0
})
afterEach(cleanup)

const lookups = () => calls.filter((c) => c.includes('/request-status?'))

test.each([
  ['a receipt naming its institution', '/verificare/school?nr=9&an=2026&cod=ab%20cd', '/api/institutions/school/request-status?number=9%2F2026&code=ab+cd'],
  ['an older receipt, naming none', '/verificare?nr=9&an=2026&cod=ABCD', '/api/institutions/city/request-status?number=9%2F2026&code=ABCD'],
])('%s is looked up at once', async (_, url, want) => {
  const page = open(url)
  await page.findByRole('heading', { name: 'Cererea nr. 9/2026' })
  expect(lookups()).toEqual([want])
  expect((page.getByLabelText(/Număr de înregistrare/) as HTMLInputElement).value).toBe('9/2026')
})

test('opened without a link, it waits for the form', async () => {
  const page = open('/verificare')
  // The institutions are in: the lookup could run, and does not.
  expect(((await page.findByLabelText('Instituția')) as HTMLSelectElement).value).toBe('city')
  expect(lookups()).toEqual([])
})

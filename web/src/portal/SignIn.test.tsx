import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { describe, expect, test } from 'vitest'

import type { Me } from '../api/types'
import { fakeAPI, showPage } from '../office/officetest'
import { SignIn } from './SignIn'

const api = fakeAPI()

const admin: Me = {
  id: 'a1', kind: 'staff', email: 'admin@primarialugoj.ro', emailVerified: true, displayName: 'Andrei Munteanu', phone: null, locale: 'ro',
  cnpMasked: null, cui: null, institution: 'i1', mfaEnabled: true, mfaPending: false, mfaSetupRequired: false, grants: [],
}

describe('signing in', () => {
  // An administrator without a second factor is led to set it up before
  // anything else, and lands in the office once it is on.
  test('a staff member who must have a second factor sets it up at sign-in', async () => {
    let enabled = false
    api.answers['GET /api/auth/me'] = () => (enabled ? { status: 200, body: admin } : { status: 401, body: { code: 'unauthenticated' } })
    api.answers['POST /api/auth/signin'] = () => ({ status: 200, body: { mfaRequired: false, mfaSetupRequired: true, expiresAt: '' } })
    api.answers['POST /api/auth/totp/setup'] = () => ({ status: 200, body: { secret: 'GHISEUDEMOADMINSECRETLUGOJLUGOJA', otpauthUrl: 'otpauth://totp/x' } })
    api.answers['POST /api/auth/totp/enable'] = (sent) => {
      enabled = (sent.body as { code: string }).code === '123456'
      return enabled ? { status: 204 } : { status: 422, body: { code: 'invalid', errors: [] } }
    }
    showPage('/autentificare', { '/autentificare': SignIn })
    fireEvent.input(await screen.findByLabelText(/^Adresă de e-mail/), { target: { value: 'admin@primarialugoj.ro' } })
    fireEvent.input(screen.getByLabelText(/^Parolă/), { target: { value: 'parola administratorului' } })
    fireEvent.click(screen.getByRole('button', { name: 'Intrați în cont' }))

    await screen.findByRole('heading', { name: 'Al doilea factor de autentificare' })
    await screen.findByText('GHIS EUDE MOAD MINS ECRE TLUG OJLU GOJA')
    fireEvent.input(screen.getByLabelText(/^Cod de verificare/), { target: { value: ' 123456 ' } })
    fireEvent.click(screen.getByRole('button', { name: 'Activați al doilea factor' }))
    await waitFor(() => expect(window.location.pathname).toBe('/birou'))
    expect(api.sent.map((s) => `${s.method} ${s.url}`)).toContain('POST /api/auth/totp/enable')
    expect(api.sent.find((s) => s.url === '/api/auth/totp/enable')?.body).toEqual({ code: '123456' })
  })
})

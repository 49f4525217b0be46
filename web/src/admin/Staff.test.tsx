import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { describe, expect, test, vi } from 'vitest'

import type { Grant, Me } from '../api/types'
import { fakeAPI, showPage } from '../office/officetest'
import { MachineClients } from './MachineClients'
import { Staff } from './Staff'
import { todayIn } from './staff'

// The staff and machine-client pages against a fake API: who sees which
// action, what is sent, how an assignment's state is told in words, and
// that a machine client's secret is shown once.

const inst = '11111111-1111-1111-1111-111111111111'
const uat = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
const admin = '00000000-0000-0000-0000-00000000000a'
const radu = 'dddddddd-dddd-dddd-dddd-dddddddddddd'
const client = 'cccccccc-cccc-cccc-cccc-cccccccccccc'
const base = `/api/institutions/${inst}`

const adminPermissions = ['users.read', 'users.manage', 'roles.assign', 'machineclients.manage', 'departments.manage', 'institutions.manage']
const adminGrant: Grant = { institution: inst, department: null, role: 'administrator', permissions: adminPermissions }
const auditorGrant: Grant = { institution: inst, department: null, role: 'auditor', permissions: ['audit.read', 'registry.read', 'users.read'] }

function account(id: string, name: string, grant: Grant): Me {
  return {
    id, kind: 'staff', email: 'x@primarialugoj.ro', emailVerified: true, displayName: name, phone: null, locale: 'ro', cnpMasked: null, cui: null,
    institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false, grants: [grant],
  }
}

// Days around today, as the institution counts them.
const today = todayIn('Europe/Bucharest')
const shift = (days: number) => {
  const d = new Date(`${today}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

const member = (id: string, name: string, email: string, over: Record<string, unknown> = {}) => ({
  id, institutionId: inst, email, displayName: name, phone: null, locale: 'ro', status: 'active', emailVerified: true, mfaEnabled: false,
  roles: [], createdAt: '2026-01-01T00:00:00Z', ...over,
})

const assignment = (id: string, over: Record<string, unknown>) => ({
  id, institutionId: inst, accountId: radu, role: 'clerk', departmentId: uat, validFrom: shift(-100), validUntil: null, grantedBy: admin,
  reason: 'Angajare', createdAt: '2026-01-01T00:00:00Z', revokedAt: null, revokedBy: null, revokeReason: null, ...over,
})

const { sent, answers } = fakeAPI()

function serve(me: Me) {
  Object.assign(answers, {
    'GET /api/auth/me': () => ({ status: 200, body: me }),
    [`GET ${base}`]: () => ({
      status: 200,
      body: { id: inst, parentId: null, cif: '4358180', name: 'Primăria Lugoj', address: '', timeZone: 'Europe/Bucharest', requireStaffMfa: false,
        createdAt: '', updatedAt: '', departments: [{ id: uat, institutionId: inst, parentId: null, kind: 'service', code: 'DT-UAT',
          name: 'Serviciul Urbanism', createdAt: '', updatedAt: '', children: [] }] },
    }),
    [`GET ${base}/staff`]: () => ({
      status: 200,
      body: {
        staff: [
          member(admin, 'Andrei Munteanu', 'admin@primarialugoj.ro', { roles: [{ role: 'administrator', departmentId: null, validFrom: '2020-01-01', validUntil: null }] }),
          member(radu, 'Radu Stoica', 'urbanism@primarialugoj.ro', { roles: [{ role: 'clerk', departmentId: uat, validFrom: '2020-01-01', validUntil: null }] }),
          member('eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee', 'Ana Nouă', 'ana@primarialugoj.ro', { emailVerified: false }),
        ],
        next: null,
      },
    }),
    [`GET ${base}/role-assignments`]: () => ({
      status: 200,
      body: {
        assignments: [
          assignment('a-revoked', { role: 'registrar', departmentId: null, revokedAt: '2026-02-01T10:00:00Z', revokeReason: 'Mutat la urbanism' }),
          assignment('a-current', {}),
          assignment('a-past', { role: 'signatory', departmentId: null, validFrom: shift(-400), validUntil: shift(-1) }),
          assignment('a-future', { role: 'head_of_department', validFrom: shift(10) }),
        ],
        next: null,
      },
    }),
  })
}

function show(path: string) {
  return showPage(path, { '/birou/personal': Staff, '/birou/clienti': MachineClients })
}

const writes = () => sent.filter((s) => s.method !== 'GET')

// The list is a table and, for phones, cards (CSS shows one): the table's button.
async function rolesButton(name: string): Promise<HTMLElement> {
  return within(await screen.findByRole('table')).findByRole('button', { name: `Roluri pentru ${name}` })
}

describe('Staff', () => {
  test('a person’s roles, each state told in words; a role assigned after the form is checked', async () => {
    serve(account(admin, 'Andrei Munteanu', adminGrant))
    answers[`POST ${base}/role-assignments`] = (s) => ({ status: 201, body: assignment('a-new', { ...(s.body as object), validFrom: today }) })
    show('/birou/personal')
    await screen.findByRole('rowheader', { name: /Radu Stoica/ })
    expect(screen.getAllByText('Invitat: nu și-a ales încă parola')).toHaveLength(2)
    expect(screen.getAllByText('Funcționar, Serviciul Urbanism')).toHaveLength(2)

    const open = await rolesButton('Radu Stoica')
    fireEvent.click(open)
    const heading = await screen.findByRole('heading', { name: 'Roluri: Radu Stoica' })
    await waitFor(() => expect(document.activeElement).toBe(heading))
    expect(open.getAttribute('aria-expanded')).toBe('true')
    const list = await screen.findByRole('list', { name: 'Atribuirile de roluri: Radu Stoica' })
    const items = within(list).getAllByRole('listitem')
    // In force first, then to come, ended, revoked: in words, not only colours.
    expect(items.map((li) => li.querySelector('.badge')!.textContent)).toEqual([
      'În vigoare', expect.stringMatching(/^Viitor: intră în vigoare la /), expect.stringMatching(/^Expirat: a fost valabil până la /),
      expect.stringMatching(/^Revocat la /),
    ])
    within(items[3]).getByText('Mutat la urbanism')
    // Ended and revoked ones are a record: nothing to revoke.
    expect(within(items[0]).queryByRole('button', { name: /^Revocați/ })).not.toBeNull()
    expect(within(items[1]).queryByRole('button', { name: /^Revocați/ })).not.toBeNull()
    expect(within(items[2]).queryByRole('button', { name: /^Revocați/ })).toBeNull()
    expect(within(items[3]).queryByRole('button', { name: /^Revocați/ })).toBeNull()

    // Checked before sending.
    fireEvent.click(screen.getByRole('button', { name: 'Atribuiți rolul' }))
    await screen.findByText('Alegeți rolul.')
    screen.getByText('Motivul trebuie să aibă cel puțin 5 caractere.')
    expect(document.getElementById('assign-role')!.getAttribute('aria-invalid')).toBe('true')
    await waitFor(() => expect(document.activeElement?.id).toBe('assign-role'))
    expect(writes()).toEqual([])

    fireEvent.change(document.getElementById('assign-role')!, { target: { value: 'registrar' } })
    fireEvent.change(screen.getByLabelText(/^Compartiment/), { target: { value: uat } })
    fireEvent.input(screen.getByLabelText(/^Valabil până la/), { target: { value: shift(30) } })
    fireEvent.input(screen.getByLabelText(/^Motivul/), { target: { value: 'Înlocuiește registratura' } })
    fireEvent.click(screen.getByRole('button', { name: 'Atribuiți rolul' }))
    const notice = await screen.findByText(/Rolul Registratură a fost atribuit: Radu Stoica/)
    await waitFor(() => expect(document.activeElement).toBe(notice))
    expect(writes()).toHaveLength(1)
    expect(writes()[0].url).toBe(`${base}/role-assignments`)
    expect(writes()[0].body).toEqual({ accountId: radu, role: 'registrar', departmentId: uat, validUntil: shift(30), reason: 'Înlocuiește registratura' })
    // The list is read again.
    await waitFor(() => expect(sent.filter((s) => s.url.startsWith(`${base}/role-assignments?`)).length).toBe(2))
  })

  test('revoking asks first, with a reason; a refusal is said in the reader’s words', async () => {
    serve(account(admin, 'Andrei Munteanu', adminGrant))
    let refuse = true
    answers[`DELETE ${base}/role-assignments/a-current`] = (s) => (refuse
      ? { status: 403, body: { code: 'grant_exceeds_own_permissions', detail: 'You cannot grant or revoke a role with permissions you do not hold.' } }
      : { status: 200, body: assignment('a-current', { revokedAt: '2026-03-01T10:00:00Z', revokeReason: (s.body as { reason: string }).reason }) })
    show('/birou/personal')
    fireEvent.click(await rolesButton('Radu Stoica'))
    fireEvent.click(await screen.findByRole('button', { name: 'Revocați rolul Funcționar, Serviciul Urbanism' }))
    screen.getByText('Revocați rolul Funcționar (Serviciul Urbanism) deținut de Radu Stoica?')
    const reason = screen.getByLabelText(/^Motivul revocării/)
    await waitFor(() => expect(document.activeElement).toBe(reason))
    fireEvent.click(screen.getByRole('button', { name: 'Da, revocați rolul' }))
    await screen.findByText('Motivul trebuie să aibă cel puțin 5 caractere.')
    expect(writes()).toEqual([])
    fireEvent.input(reason, { target: { value: 'Plecat din instituție' } })
    fireEvent.click(screen.getByRole('button', { name: 'Da, revocați rolul' }))
    await screen.findByText('Nu puteți acorda sau retrage un rol cu drepturi pe care nu le aveți.')
    refuse = false
    fireEvent.click(screen.getByRole('button', { name: 'Da, revocați rolul' }))
    await screen.findByText('Rolul Funcționar deținut de Radu Stoica a fost revocat.')
    expect(writes().map((w) => [w.method, w.url, w.body])).toEqual([
      ['DELETE', `${base}/role-assignments/a-current`, { reason: 'Plecat din instituție' }],
      ['DELETE', `${base}/role-assignments/a-current`, { reason: 'Plecat din instituție' }],
    ])
  })

  test('one’s own roles are not one’s own to change', async () => {
    serve(account(admin, 'Andrei Munteanu', adminGrant))
    show('/birou/personal')
    fireEvent.click(await rolesButton('Andrei Munteanu'))
    await screen.findByText('Nu vă puteți modifica propriile roluri: o face un alt administrator.')
    expect(screen.queryByRole('button', { name: 'Atribuiți rolul' })).toBeNull()
    expect(screen.queryByRole('button', { name: /^Revocați/ })).toBeNull()
    // Closing goes back to the button that opened it.
    fireEvent.click(screen.getByRole('button', { name: 'Închideți rolurile' }))
    await waitFor(() => expect(document.activeElement?.id).toBe(`roles-${admin}`))
  })

  test('a new account is sent once, and an address taken is said by the address', async () => {
    serve(account(admin, 'Andrei Munteanu', adminGrant))
    let n = 0
    answers[`POST ${base}/staff`] = (s) => (++n === 1
      ? { status: 409, body: { code: 'email_taken', detail: 'taken' } }
      : { status: 201, body: member('ffffffff-ffff-ffff-ffff-ffffffffffff', 'Ion Pop', (s.body as { email: string }).email, { emailVerified: false }) })
    show('/birou/personal')
    fireEvent.click(await screen.findByRole('button', { name: 'Adăugați o persoană' }))
    await waitFor(() => expect(document.activeElement?.id).toBe('new-displayName'))
    fireEvent.click(screen.getByRole('button', { name: 'Creați contul și trimiteți invitația' }))
    await screen.findByText('Completați numele.')
    expect(writes()).toEqual([])
    fireEvent.input(screen.getByLabelText(/^Nume și prenume/), { target: { value: 'Ion Pop' } })
    fireEvent.input(screen.getByLabelText(/^Adresă de e-mail/), { target: { value: 'ion.pop@primarialugoj.ro' } })
    fireEvent.click(screen.getByRole('button', { name: 'Creați contul și trimiteți invitația' }))
    await screen.findByText('Adresa este deja folosită de un alt cont.')
    expect(screen.getByLabelText(/^Adresă de e-mail/).getAttribute('aria-invalid')).toBe('true')
    fireEvent.input(screen.getByLabelText(/^Adresă de e-mail/), { target: { value: 'ion.pop2@primarialugoj.ro' } })
    fireEvent.click(screen.getByRole('button', { name: 'Creați contul și trimiteți invitația' }))
    await screen.findByText('Contul pentru Ion Pop a fost creat. Invitația a plecat la ion.pop2@primarialugoj.ro.')
    expect(writes()[1].body).toEqual({ email: 'ion.pop2@primarialugoj.ro', displayName: 'Ion Pop', locale: 'ro' })
    // The same key for the same form: a repeat is the same request.
    expect(writes()[0].headers['Idempotency-Key']).toBeTruthy()
    expect(writes()[1].headers['Idempotency-Key']).toBe(writes()[0].headers['Idempotency-Key'])
  })

  test('who only reads sees the roles and changes nothing', async () => {
    serve(account('99999999-9999-9999-9999-999999999999', 'Mihai Popa', auditorGrant))
    show('/birou/personal')
    fireEvent.click(await rolesButton('Radu Stoica'))
    await screen.findByRole('list', { name: 'Atribuirile de roluri: Radu Stoica' })
    expect(screen.queryByRole('button', { name: 'Adăugați o persoană' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Atribuiți rolul' })).toBeNull()
    expect(screen.queryByRole('button', { name: /^Revocați/ })).toBeNull()
  })

  test('without users.read, a clear message and no call', async () => {
    serve(account(radu, 'Radu Stoica', { institution: inst, department: uat, role: 'clerk', permissions: ['requests.read'] }))
    show('/birou/personal')
    await screen.findByText('Contul nu are dreptul de a vedea personalul instituției.')
    expect(sent.filter((s) => s.url.includes('/staff'))).toEqual([])
  })
})

describe('MachineClients', () => {
  const made = {
    id: client, institutionId: inst, clientId: 'mc_abcdefghijklmnopqrst', name: 'Registratura județului', status: 'active',
    createdAt: '2026-03-01T10:00:00Z', rotatedAt: '2026-03-01T10:00:00Z', previousSecretValidUntil: null, closedAt: null,
  }

  test('a new client’s secret is shown once, with a warning and a copy button', async () => {
    serve(account(admin, 'Andrei Munteanu', adminGrant))
    let listed: unknown[] = []
    answers[`GET ${base}/machine-clients`] = () => ({ status: 200, body: { machineClients: listed, next: null } })
    answers[`POST ${base}/machine-clients`] = () => {
      listed = [made]
      return { status: 201, body: { ...made, clientSecret: 's3cr3t-s3cr3t' } }
    }
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    show('/birou/clienti')
    await screen.findByText('Instituția nu are încă niciun client-mașină.')
    fireEvent.click(screen.getByRole('button', { name: 'Adăugați un client' }))
    fireEvent.input(await screen.findByLabelText(/^Denumirea sistemului/), { target: { value: 'Registratura județului' } })
    fireEvent.click(screen.getByRole('button', { name: 'Creați clientul' }))
    const title = await screen.findByRole('heading', { name: 'Clientul „Registratura județului” a fost creat' })
    await waitFor(() => expect(document.activeElement).toBe(title))
    screen.getByText('Secretul se arată acum și niciodată altă dată.')
    expect((screen.getByLabelText('Secret (client secret)') as HTMLInputElement).value).toBe('s3cr3t-s3cr3t')
    fireEvent.click(screen.getByRole('button', { name: 'Copiați secretul' }))
    await screen.findByText('Secretul a fost copiat.')
    expect(writeText).toHaveBeenCalledWith('s3cr3t-s3cr3t')
    fireEvent.click(screen.getByRole('button', { name: 'Am păstrat secretul, ascunde-l' }))
    await waitFor(() => expect(screen.queryByLabelText('Secret (client secret)')).toBeNull())
    expect(document.body.textContent).not.toContain('s3cr3t-s3cr3t')
    await waitFor(() => expect(document.activeElement?.id).toBe(`rotate-${client}`))
  })

  test('rotating and disabling ask first', async () => {
    serve(account(admin, 'Andrei Munteanu', adminGrant))
    let status = 'active'
    answers[`GET ${base}/machine-clients`] = () => ({ status: 200, body: { machineClients: [{ ...made, status }], next: null } })
    answers[`POST ${base}/machine-clients/${client}/rotate`] = () => ({
      status: 200, body: { ...made, clientSecret: 'n0u-n0u', previousSecretValidUntil: '2026-03-02T10:00:00Z' },
    })
    answers[`DELETE ${base}/machine-clients/${client}`] = () => {
      status = 'closed'
      return { status: 204, body: null }
    }
    show('/birou/clienti')
    fireEvent.click(await screen.findByRole('button', { name: 'Schimbați secretul pentru Registratura județului' }))
    await screen.findByText('Schimbați secretul clientului „Registratura județului”?')
    expect(writes()).toEqual([])
    fireEvent.click(screen.getByRole('button', { name: 'Da, schimbați secretul' }))
    await screen.findByRole('heading', { name: 'Secretul nou al clientului „Registratura județului”' })
    expect((screen.getByLabelText('Secret (client secret)') as HTMLInputElement).value).toBe('n0u-n0u')
    screen.getByText(/Secretul anterior mai este acceptat până la/)
    fireEvent.click(screen.getByRole('button', { name: 'Am păstrat secretul, ascunde-l' }))

    fireEvent.click(await screen.findByRole('button', { name: 'Dezactivați pentru Registratura județului' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Da, dezactivați clientul' }))
    await screen.findByText('Clientul „Registratura județului” a fost dezactivat.')
    await screen.findByText('Dezactivat')
    expect(screen.queryByRole('button', { name: /^Schimbați secretul/ })).toBeNull()
    expect(writes().map((w) => w.method)).toEqual(['POST', 'DELETE'])
  })
})

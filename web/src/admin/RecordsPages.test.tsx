import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { beforeEach, describe, expect, test, vi } from 'vitest'

import type { Me } from '../api/types'
import { fakeAPI, showPage } from '../office/officetest'
import { AuditTrail } from './AuditTrail'
import { FilingPlan } from './FilingPlan'
import { Registers } from './Registers'
import { Templates } from './Templates'

// The records administration pages against a fake API: what they offer
// whom, what they send (If-Match, Idempotency-Key, the filters) and how
// they tell a refusal.

const inst = '11111111-1111-1111-1111-111111111111'
const dept = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
const admin = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'
const base = `/api/institutions/${inst}`

function account(permissions: string[]): Me {
  return {
    id: admin, kind: 'staff', email: 'admin@primarialugoj.ro', emailVerified: true, displayName: 'Andrei Munteanu', phone: null, locale: 'ro',
    cnpMasked: null, cui: null, institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false,
    grants: [{ institution: inst, department: null, role: 'administrator', permissions }],
  }
}

const administrator = account(['registry.read', 'registry.configure', 'registry.export', 'notifications.manage', 'audit.read', 'users.read'])

const { sent, answers } = fakeAPI()

function serve(me: Me) {
  Object.assign(answers, {
    'GET /api/auth/me': () => ({ status: 200, body: me }),
    [`GET ${base}`]: () => ({ status: 200, body: { departments: [{ id: dept, name: 'Serviciul Urbanism', children: [] }] } }),
    [`GET ${base}/staff`]: () => ({ status: 200, body: { staff: [{ id: admin, email: 'a', displayName: 'Andrei Munteanu', status: 'active', roles: [] }], next: null } }),
  })
}

beforeEach(() => {
  vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => setTimeout(() => f(0), 0))
})

function show(path: string) {
  return showPage(path, { '/birou/registre': Registers, '/birou/nomenclator': FilingPlan, '/birou/sabloane': Templates, '/birou/audit': AuditTrail })
}

const of = (method: string) => sent.filter((s) => s.method === method)

const register = (over: Record<string, unknown> = {}) => ({
  id: 'r1', code: 'I', name: 'Registrul de intrare', kind: 'incoming', description: '', departments: [], createdAt: '2026-01-01T00:00:00Z',
  closedAt: null, ...over,
})

describe('Registers', () => {
  test('defines a register, refuses a code taken next to the field', async () => {
    serve(administrator)
    answers[`GET ${base}/registers`] = () => ({ status: 200, body: { items: [register()] } })
    let tries = 0
    answers[`POST ${base}/registers`] = (s) => (++tries === 1 ? { status: 409, body: { code: 'code_taken' } }
      : { status: 201, body: register({ id: 'r2', ...(s.body as object) }), etag: '"x"' })
    show('/birou/registre')
    await screen.findByRole('rowheader', { name: 'I' })
    screen.getByText('Toți registratorii')

    fireEvent.click(screen.getByRole('button', { name: 'Definiți registrul' }))
    await screen.findByText('Completați denumirea registrului.')
    expect(of('POST')).toEqual([])

    fireEvent.input(screen.getByLabelText(/^Cod/), { target: { value: 'pet' } })
    fireEvent.input(screen.getByLabelText(/^Denumire/), { target: { value: 'Registrul de petiții' } })
    fireEvent.click(screen.getByLabelText('Serviciul Urbanism'))
    fireEvent.click(screen.getByRole('button', { name: 'Definiți registrul' }))
    const taken = await screen.findByText('Instituția are deja un registru cu acest cod. Alegeți altul.')
    expect(taken.id).toBe('register-code-error')
    await waitFor(() => expect(document.activeElement?.id).toBe('register-code'))
    const first = of('POST')[0]
    expect(first.body).toEqual({ code: 'PET', name: 'Registrul de petiții', kind: 'other', description: '', departments: [dept] })
    expect(first.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)

    fireEvent.click(screen.getByRole('button', { name: 'Definiți registrul' }))
    await screen.findByText('Registrul PET – Registrul de petiții a fost definit.')
    await screen.findByRole('rowheader', { name: 'PET' })
    await waitFor(() => expect(document.activeElement?.id).toBe('registers-done'))
  })

  test('closes a register after a confirmation, with the ETag it read', async () => {
    serve(administrator)
    answers[`GET ${base}/registers`] = () => ({ status: 200, body: { items: [register()] } })
    answers[`GET ${base}/registers/r1`] = () => ({ status: 200, body: register(), etag: '"abc"' })
    answers[`PATCH ${base}/registers/r1`] = () => ({ status: 200, body: register({ closedAt: '2026-03-02T10:00:00Z' }), etag: '"def"' })
    show('/birou/registre')
    fireEvent.click(await screen.findByRole('button', { name: 'Închideți registrul I' }))
    const confirm = await screen.findByRole('group', { name: 'Închideți registrul I?' })
    expect(of('PATCH')).toEqual([])
    fireEvent.click(within(confirm).getByRole('button', { name: 'Da, închideți registrul' }))
    await screen.findByText('Registrul I a fost închis.')
    expect(of('PATCH')[0].headers['If-Match']).toBe('"abc"')
    expect(of('PATCH')[0].body).toEqual({ name: 'Registrul de intrare', description: '', departments: [], closed: true })
    screen.getByText('Închis din 2 martie 2026')
    screen.getByRole('button', { name: 'Redeschideți registrul I' })
  })

  test('a reader sees the registers and nothing to change', async () => {
    serve(account(['registry.read']))
    answers[`GET ${base}/registers`] = () => ({ status: 200, body: { items: [register()] } })
    show('/birou/registre')
    await screen.findByRole('rowheader', { name: 'I' })
    expect(screen.queryByRole('button', { name: /Închideți/ })).toBeNull()
    expect(screen.queryByRole('heading', { name: 'Definiți un registru' })).toBeNull()
  })
})

const file = (over: Record<string, unknown> = {}) => ({
  institutionId: inst, id: 'f1', year: 2025, indicator: 'II-3', title: 'Petiții', retention: '10', departmentId: dept, revision: 2,
  createdAt: 't', createdBy: null, updatedAt: 't', updatedBy: null, closedAt: null, closedBy: null, ...over,
})

describe('FilingPlan', () => {
  test('the year is in the URL; a file is closed after a confirmation and its inventory offered', async () => {
    serve(administrator)
    answers[`GET ${base}/filing-plan`] = () => ({ status: 200, body: { year: 2025, files: [file()], next: null } })
    answers[`POST ${base}/filing-plan/f1/closure`] = () => ({ status: 200, body: file({ closedAt: '2026-01-05T10:00:00Z', revision: 3 }) })
    show('/birou/nomenclator?year=2025')
    await screen.findByRole('rowheader', { name: 'II-3' })
    expect(of('GET').find((s) => s.url.includes('/filing-plan'))?.url).toBe(`${base}/filing-plan?year=2025&limit=200`)
    screen.getByText('Serviciul Urbanism', { selector: 'td' })
    fireEvent.click(screen.getByRole('button', { name: 'Închideți dosarul II-3' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Da, închideți dosarul' }))
    await screen.findByText(/Dosarul II-3 a fost închis/)
    expect(screen.getByRole('link', { name: 'Inventar PDF al dosarului II-3' }).getAttribute('href'))
      .toBe(`${base}/filing-plan/f1/inventory?format=pdf`)
    expect(screen.queryByRole('button', { name: 'Modificați dosarul II-3' })).toBeNull()
  })

  test('a change sends only what changed, with the revision in If-Match', async () => {
    serve(administrator)
    answers[`GET ${base}/filing-plan`] = () => ({ status: 200, body: { year: 2025, files: [file()], next: null } })
    answers[`PATCH ${base}/filing-plan/f1`] = () => ({ status: 200, body: file({ title: 'Petiții și sesizări', revision: 3 }) })
    show('/birou/nomenclator?year=2025')
    fireEvent.click(await screen.findByRole('button', { name: 'Modificați dosarul II-3' }))
    const title = await screen.findByLabelText(/^Denumirea dosarului/, { selector: '#edit-title' })
    fireEvent.input(title, { target: { value: 'Petiții și sesizări' } })
    fireEvent.click(screen.getByRole('button', { name: 'Salvați modificările' }))
    await screen.findByText('Dosarul II-3 a fost modificat.')
    expect(of('PATCH')[0].headers['If-Match']).toBe('"2"')
    expect(of('PATCH')[0].body).toEqual({ title: 'Petiții și sesizări' })
  })
})

describe('Templates', () => {
  const template = { name: 'request-filed', locale: 'en', version: 0, builtIn: true, createdAt: null, createdBy: null,
    subject: 'Request {{.Number}} filed', text: 'Hello {{.Name}}', html: '', sms: '', notice: '' }

  test('a template that does not parse is refused next to its part; a good one is saved with If-Match', async () => {
    serve(administrator)
    answers[`GET ${base}/messages`] = () => ({ status: 200, body: { items: [] } })
    answers[`GET ${base}/message-templates/request-filed/en`] = () => ({ status: 200, body: template, etag: '"v0"' })
    answers[`PUT ${base}/message-templates/request-filed/en`] = (s) => ((s.body as { subject: string }).subject.includes('{{.Number filed')
      ? { status: 422, body: { code: 'invalid_input', errors: [{ field: 'subject', code: 'subject.invalid', message: 'Șablonul nu este valid: unclosed action', messageEn: 'The template is not valid: unclosed action' }] } }
      : { status: 200, body: { ...template, ...(s.body as object), version: 1, builtIn: false, createdAt: '2026-03-02T10:00:00Z' }, etag: '"v1"' })
    show('/birou/sabloane?name=request-filed&locale=en')
    const subject = await screen.findByLabelText(/^Subiectul e-mailului/) as HTMLInputElement
    expect(subject.value).toBe('Request {{.Number}} filed')
    screen.getByText('{{.Note}}')

    fireEvent.input(subject, { target: { value: 'Request {{.Number filed' } })
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ca versiune nouă' }))
    await screen.findByText('Versiunea nu a fost salvată. Corectați părțile marcate:')
    expect(document.getElementById('tpl-subject-error')?.textContent).toBe('Șablonul nu este valid: unclosed action')
    expect(subject.getAttribute('aria-invalid')).toBe('true')
    expect(of('PUT')[0].headers['If-Match']).toBe('"v0"')

    fireEvent.input(subject, { target: { value: 'Request {{.Number}} filed away' } })
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ca versiune nouă' }))
    await screen.findByText('Versiunea 1 a fost salvată; notificările trimise de acum încolo o folosesc.')
    expect(of('PUT')[1].body).toEqual({ subject: 'Request {{.Number}} filed away', text: 'Hello {{.Name}}', html: '', sms: '', notice: '' })
    expect(document.getElementById('tpl-subject-error')).toBeNull()
  })

  test('the list shows the version in use and the messages that failed', async () => {
    serve(administrator)
    answers[`GET ${base}/message-templates`] = () => ({ status: 200, body: { items: [
      { name: 'request-filed', locale: 'ro', version: 2, builtIn: false, updatedAt: '2026-03-02T10:00:00Z' },
      { name: 'request-filed', locale: 'en', version: 0, builtIn: true, updatedAt: null },
    ] } })
    answers[`GET ${base}/messages`] = () => ({ status: 200, body: { items: [{ id: 7, eventType: 'e', eventId: 'x', channel: 'email', accountId: admin,
      template: 'request-filed', locale: 'ro', templateVersion: 2, status: 'failed', attempts: 8, nextAttemptAt: null,
      lastError: '550 mailbox unavailable', createdAt: '2026-03-02T10:00:00Z', failedAt: '2026-03-03T10:00:00Z' }] } })
    show('/birou/sabloane')
    await screen.findByRole('rowheader', { name: 'Cerere clasată' })
    screen.getByText('versiunea 2')
    screen.getByText('cea implicită a platformei')
    expect(screen.getByRole('link', { name: 'Deschideți șablonul „Cerere clasată” în engleză' }).getAttribute('href'))
      .toBe('/birou/sabloane?name=request-filed&locale=en')
    await screen.findByText('550 mailbox unavailable')
    expect(of('GET').find((s) => s.url.includes('/messages'))?.url).toBe(`${base}/messages?status=failed&limit=25`)
  })
})

describe('AuditTrail', () => {
  const record = {
    seq: 41, occurredAt: '2026-03-02T08:30:05Z', actorId: admin, actorKind: 'staff', onBehalfOf: null, action: 'register.create',
    objectType: 'register', objectId: 'cccccccc-cccc-cccc-cccc-cccccccccccc', ip: '10.0.0.1', old: null,
    new: { id: 'cccccccc-cccc-cccc-cccc-cccccccccccc', code: 'PET', name: 'Petiții', kind: 'other', description: '', departments: [] },
    reason: '', hash: 'ab12',
  }

  test('the filters come from the URL, the rows are readable, the chain is verified', async () => {
    serve(administrator)
    answers[`GET ${base}/audit`] = () => ({ status: 200, body: { records: [record], next: 41 } })
    answers[`GET ${base}/audit/verification`] = () => ({ status: 200, body: { rows: 1520, intact: true, firstBroken: null, reason: '' } })
    show(`/birou/audit?actor=${admin}&action=register.create&from=2026-03-01&to=2026-03-02`)
    await screen.findByText('02.03.2026, 10:30:05')
    const asked = of('GET').find((s) => s.url.startsWith(`${base}/audit?`))!.url
    expect(asked).toBe(`${base}/audit?actor=${admin}&action=register.create&from=2026-02-28T22%3A00%3A00Z&to=2026-03-02T22%3A00%3A00Z&limit=50`)
    expect((screen.getByLabelText('Acțiunea') as HTMLSelectElement).value).toBe('register.create')
    await waitFor(() => expect((screen.getByLabelText('Cine') as HTMLSelectElement).value).toBe(admin))
    const row = screen.getByText('02.03.2026, 10:30:05').closest('tr')!
    within(row).getByText('Definirea unui registru')
    within(row).getByText('Andrei Munteanu')
    within(row).getByText('PET', { selector: 'span' })
    within(row).getByText('Tip: Alt registru')

    const toggle = within(row).getByRole('button', { name: /Detalii/ })
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    fireEvent.click(toggle)
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    screen.getByText('10.0.0.1')

    fireEvent.click(screen.getByRole('button', { name: 'Înregistrările mai vechi' }))
    await waitFor(() => expect(of('GET').some((s) => s.url.includes('after=41'))).toBe(true))

    fireEvent.click(screen.getByRole('button', { name: 'Verificați lanțul' }))
    await screen.findByText('Lanțul este intact.')
    screen.getByText(/1.520 de înregistrări verificate/)
  })

  test('a broken chain is told plainly; a bad period is refused before asking', async () => {
    serve(administrator)
    answers[`GET ${base}/audit`] = () => ({ status: 200, body: { records: [], next: null } })
    answers[`GET ${base}/audit/verification`] = () => ({ status: 200, body: { rows: 10, intact: false, firstBroken: 7, reason: 'hash mismatch' } })
    show('/birou/audit?from=2026-03-05&to=2026-03-01')
    await screen.findByText('Data de sfârșit este înaintea celei de început.')
    expect(of('GET').some((s) => s.url.startsWith(`${base}/audit?`))).toBe(false)
    fireEvent.click(screen.getByRole('button', { name: 'Verificați lanțul' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Lanțul este rupt.')
    expect(alert.textContent).toContain('nr. 7: hash mismatch')
  })

  test('without audit.read, a clear message and no call', async () => {
    serve(account(['registry.read']))
    show('/birou/audit')
    await screen.findByText('Contul dumneavoastră nu are dreptul de a citi jurnalul de audit.')
    expect(sent.filter((s) => s.url.includes('/audit'))).toEqual([])
  })
})

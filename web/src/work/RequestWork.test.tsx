import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { describe, expect, test } from 'vitest'

import type { Grant, Me } from '../api/types'
import { fakeAPI, showPage } from '../office/officetest'
import { RequestWork } from './RequestWork'
import { WorkList } from './WorkList'

// The work pages against a fake API: what they offer whom, what they send
// (If-Match with the revision shown) and how they tell a refusal.

const inst = '11111111-1111-1111-1111-111111111111'
const uat = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
const id = 'cccccccc-cccc-cccc-cccc-cccccccccccc'
const radu = 'dddddddd-dddd-dddd-dddd-dddddddddddd'
const elena = 'eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee'

const headGrant: Grant = { institution: inst, department: uat, role: 'head_of_department', permissions: ['requests.read', 'requests.resolve', 'requests.assign', 'users.read'] }
const clerkGrant: Grant = { institution: inst, department: uat, role: 'clerk', permissions: ['requests.read', 'requests.resolve'] }

function account(accountId: string, name: string, grant: Grant): Me {
  return {
    id: accountId, kind: 'staff', email: 'x@primarialugoj.ro', emailVerified: true, displayName: name, phone: null, locale: 'ro',
    cnpMasked: null, cui: null, institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false, grants: [grant],
  }
}

function detail(over: Record<string, unknown> = {}) {
  return {
    id, institutionId: inst, type: { id: 'type-1', code: 'certificat-urbanism', version: 1, name: 'Certificat de urbanism' },
    title: 'Certificat de urbanism', status: 'registered', submittedAt: '2026-03-02T08:00:00Z',
    registration: { entryId: 'e', registerCode: 'RG', number: 12, year: 2026, registeredAt: '2026-03-02T08:00:05Z', verificationCode: 'ABC', receiptUrl: '/r' },
    deadline: '2026-04-01', daysLeft: 20, overdue: false, extendedDays: 0, maxExtensionDays: 15, refusalDeadline: null, departmentId: uat, assigneeId: null, closedAt: null, answer: null,
    revision: 3, data: { cadastralNumber: '401234', purpose: 'construire' },
    history: [{ id: 1, at: '2026-03-02T08:00:00Z', action: 'submit', status: 'submitted', actorKind: 'citizen', actorId: 'cit', note: '', details: {} },
      { id: 2, at: '2026-03-02T08:00:05Z', action: 'register', status: 'registered', actorKind: 'system', actorId: null, note: '', details: { number: 12, year: 2026 } }],
    files: [{ id: 1, kind: 'plan-situatie', title: 'Plan de situație', name: 'plan.pdf', size: 1000, mediaType: 'application/pdf', addedAt: '2026-03-02T08:00:00Z', historyId: 1, url: '/f/1' }],
    ...over,
  }
}

const staff = {
  staff: [
    { id: radu, email: 'urbanism@primarialugoj.ro', displayName: 'Radu Stoica', status: 'active', roles: [{ role: 'clerk', departmentId: uat, validFrom: '2020-01-01', validUntil: null }] },
    { id: elena, email: 'sef.urbanism@primarialugoj.ro', displayName: 'Elena Dumitrescu', status: 'active', roles: [{ role: 'head_of_department', departmentId: uat, validFrom: '2020-01-01', validUntil: null }] },
    { id: 'ffffffff-ffff-ffff-ffff-ffffffffffff', email: 'registratura@primarialugoj.ro', displayName: 'Maria Ionescu', status: 'active', roles: [{ role: 'registrar', departmentId: null, validFrom: '2020-01-01', validUntil: null }] },
  ],
  next: null,
}

const { sent, answers } = fakeAPI()

function serve(me: Me, request: Record<string, unknown>) {
  Object.assign(answers, {
    'GET /api/auth/me': () => ({ status: 200, body: me }),
    [`GET /api/institutions/${inst}/requests/${id}`]: () => ({ status: 200, body: request }),
    [`GET /api/institutions/${inst}`]: () => ({ status: 200, body: { departments: [{ id: uat, name: 'Serviciul Urbanism', children: [] }] } }),
    [`GET /api/institutions/${inst}/staff`]: () => ({ status: 200, body: staff }),
    [`GET /api/institutions/${inst}/request-types/type-1`]: () => ({ status: 404, body: { code: 'not_found' } }),
  })
}

function show(path: string) {
  return showPage(path, { '/birou/cereri': WorkList, '/birou/cereri/:id': RequestWork })
}

const submitButton = () => document.querySelector<HTMLButtonElement>('#action-form button[type="submit"]')!

const posts = () => sent.filter((s) => s.method === 'POST')

describe('RequestWork', () => {
  test('a head of department assigns to a clerk of the department, with If-Match', async () => {
    serve(account(elena, 'Elena Dumitrescu', headGrant), detail())
    answers[`POST /api/institutions/${inst}/requests/${id}/assignment`] = () => ({ status: 200, body: { ...detail(), status: 'assigned', assigneeId: radu, revision: 4 } })
    show(`/birou/cereri/${id}`)
    await screen.findByRole('heading', { level: 1, name: 'Certificat de urbanism' })
    // The form data, the files and the route.
    screen.getByText('cadastralNumber')
    screen.getByRole('link', { name: 'plan.pdf' })
    screen.getByRole('rowheader', { name: 'Cerere înregistrată' })

    fireEvent.click(screen.getByRole('button', { name: 'Repartizați' }))
    const select = await screen.findByLabelText(/Funcționarul/) as HTMLSelectElement
    await waitFor(() => expect(select.options.length).toBe(3))
    // Who does not resolve requests is not offered.
    expect([...select.options].map((o) => o.text)).toEqual(['Alegeți…', 'Elena Dumitrescu', 'Radu Stoica'])
    fireEvent.click(screen.getByRole('button', { name: 'Repartizați cererea' }))
    await screen.findByText('Alegeți funcționarul.')
    expect(select.getAttribute('aria-invalid')).toBe('true')
    expect(select.getAttribute('aria-describedby')).toContain('act-assigneeId-error')
    expect(posts()).toEqual([])

    fireEvent.change(select, { target: { value: radu } })
    fireEvent.click(screen.getByRole('button', { name: 'Repartizați cererea' }))
    await screen.findByText('Cererea a fost repartizată.')
    expect(posts()).toHaveLength(1)
    expect(posts()[0].headers['If-Match']).toBe('"3"')
    expect(posts()[0].body).toEqual({ assigneeId: radu })
  })

  test('closing actions are confirmed; a stale page is told to reload', async () => {
    serve(account(radu, 'Radu Stoica', clerkGrant), detail({ status: 'in_progress', assigneeId: radu }))
    answers[`POST /api/institutions/${inst}/requests/${id}/rejection`] = () => ({ status: 412, body: { code: 'precondition_failed' } })
    show(`/birou/cereri/${id}`)
    await screen.findByRole('button', { name: 'Respingeți' })
    // A clerk does not assign; in progress, the request is not taken up again.
    expect(screen.queryByRole('button', { name: 'Repartizați' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Preia în lucru' })).toBeNull()

    fireEvent.click(screen.getByRole('button', { name: 'Respingeți' }))
    const reason = await screen.findByLabelText(/Motivul/)
    await waitFor(() => expect(document.activeElement).toBe(reason))
    fireEvent.click(screen.getByRole('button', { name: 'Respingeți cererea' }))
    await screen.findByText('Scrieți motivul.')
    fireEvent.input(reason, { target: { value: 'Terenul nu este în intravilan.' } })
    fireEvent.click(screen.getByRole('button', { name: 'Respingeți cererea' }))
    await screen.findByText(/Respingeți cererea\?/)
    expect(posts()).toEqual([])
    fireEvent.click(screen.getByRole('button', { name: 'Da, respingeți cererea' }))
    await screen.findByText(/Cererea a fost modificată între timp/)
    expect(posts()[0].headers['If-Match']).toBe('"3"')
    expect(posts()[0].body).toEqual({ reason: 'Terenul nu este în intravilan.' })
    screen.getByRole('button', { name: 'Reîncărcați cererea' })
  })

  test('an extension is checked for 1 to 15 days, and a conflict is told in words', async () => {
    serve(account(radu, 'Radu Stoica', clerkGrant), detail({ status: 'in_progress', assigneeId: radu }))
    answers[`POST /api/institutions/${inst}/requests/${id}/extension`] = () => ({ status: 409, body: { code: 'already_extended' } })
    show(`/birou/cereri/${id}`)
    fireEvent.click(await screen.findByRole('button', { name: 'Prelungiți termenul' }))
    const days = await screen.findByLabelText(/Numărul de zile/)
    fireEvent.input(days, { target: { value: '20' } })
    fireEvent.input(screen.getByLabelText(/Motivul/), { target: { value: 'Verificare pe teren.' } })
    fireEvent.click(submitButton())
    await screen.findByText('Scrieți un număr întreg de zile, de la 1 la 15.')
    expect(posts()).toEqual([])
    fireEvent.input(days, { target: { value: '10' } })
    fireEvent.click(submitButton())
    await screen.findByText('Termenul a fost deja prelungit o dată; nu se mai poate prelungi.')
    expect(posts()[0].body).toEqual({ days: 10, reason: 'Verificare pe teren.' })
  })

  test('a public information request is extended up to 20 days (30 in all) and shows its refusal term', async () => {
    serve(account(radu, 'Radu Stoica', clerkGrant), detail({ status: 'in_progress', assigneeId: radu, maxExtensionDays: 20, refusalDeadline: '2026-03-09' }))
    answers[`POST /api/institutions/${inst}/requests/${id}/extension`] = () => ({ status: 409, body: { code: 'extension_late' } })
    show(`/birou/cereri/${id}`)
    await screen.findByText('Termen pentru refuz motivat')
    fireEvent.click(await screen.findByRole('button', { name: 'Prelungiți termenul' }))
    const days = await screen.findByLabelText(/Numărul de zile/)
    fireEvent.input(days, { target: { value: '21' } })
    fireEvent.input(screen.getByLabelText(/Motivul/), { target: { value: 'Volum mare de informații.' } })
    fireEvent.click(submitButton())
    await screen.findByText('Scrieți un număr întreg de zile, de la 1 la 20.')
    expect(posts()).toEqual([])
    fireEvent.input(days, { target: { value: '20' } })
    fireEvent.click(submitButton())
    await screen.findByText('Termenul de răspuns a trecut; prelungirea se comunică solicitantului înainte de expirarea lui.')
    expect(posts()[0].body).toEqual({ days: 20, reason: 'Volum mare de informații.' })
  })

  test('a closed request offers nothing; one not numbered yet says it waits', async () => {
    serve(account(radu, 'Radu Stoica', clerkGrant), detail({ status: 'resolved', closedAt: '2026-03-05T10:00:00Z', answer: { entryId: 'a', number: 40 } }))
    show(`/birou/cereri/${id}`)
    await screen.findByText('Cererea este închisă (Soluționată). Nu mai sunt acțiuni posibile.')
    screen.getByText('înregistrat în registru cu nr. 40')
    expect(screen.queryByRole('button', { name: 'Soluționați' })).toBeNull()
  })

  test('an identical petition shows its link to the first one', async () => {
    const first = '99999999-9999-4999-8999-999999999999'
    serve(account(radu, 'Radu Stoica', clerkGrant), detail({ duplicateOf: first }))
    show(`/birou/cereri/${id}`)
    await screen.findByText(/Petiție identică cu o petiție anterioară a aceluiași petent/)
    expect(screen.getByRole('link', { name: 'Deschideți petiția anterioară' }).getAttribute('href')).toBe(`/birou/cereri/${first}`)
  })

  test('without a role on requests, a clear message', async () => {
    serve(account(radu, 'Radu Stoica', { ...clerkGrant, permissions: ['registry.read'] }), detail())
    show(`/birou/cereri/${id}`)
    await screen.findByText(/nu are dreptul să vadă cererile/)
    expect(sent.filter((s) => s.url.includes('/requests/'))).toEqual([])
  })
})

describe('WorkList', () => {
  test('a clerk starts on their own requests; overdue is said in words', async () => {
    serve(account(radu, 'Radu Stoica', clerkGrant), detail())
    answers[`GET /api/institutions/${inst}/requests`] = () => ({
      status: 200,
      body: { items: [{ ...detail(), status: 'assigned', assigneeId: radu, daysLeft: -2, overdue: true }] },
    })
    show('/birou/cereri')
    await screen.findAllByRole('link', { name: 'Certificat de urbanism nr. 12/2026' })
    const list = sent.find((s) => s.url.startsWith(`/api/institutions/${inst}/requests?`))!
    expect(new URL(list.url, 'http://x').searchParams.get('assignee')).toBe('me')
    expect(screen.getByRole('link', { name: 'Repartizate mie' }).getAttribute('aria-current')).toBe('page')
    expect(screen.getAllByText('depășit cu 2 zile').length).toBeGreaterThan(0)
    expect(screen.getAllByText('Dumneavoastră').length).toBeGreaterThan(0)
  })

  test('the applicant, with the CNP masked, and each step signed by name and department', async () => {
    const clerkOnly: Grant = { ...clerkGrant, permissions: ['requests.read', 'requests.resolve'] }
    serve(account(radu, 'Radu Stoica', clerkOnly), detail({
      applicant: { kind: 'person', name: 'Ioana Popescu', cnpMasked: '2*********230', email: 'ioana.popescu@example.ro', phone: '0722 123 456',
        address: 'Str. Făgetului, 12, Lugoj, TM' },
      history: [{ id: 3, at: '2026-03-02T09:00:00Z', action: 'assign', status: 'assigned', actorKind: 'staff', actorId: 'someone',
        actorName: 'Elena Dumitrescu', actorDepartment: 'Serviciul Urbanism', note: '', details: {} }],
    }))
    show(`/birou/cereri/${id}`)
    const card = await screen.findByRole('region', { name: 'Solicitantul' })
    expect(card.textContent).toContain('Ioana Popescu')
    expect(card.textContent).toContain('2*********230')
    expect(card.textContent).toContain('Str. Făgetului, 12, Lugoj, TM')
    expect(screen.getByRole('link', { name: 'ioana.popescu@example.ro' }).getAttribute('href')).toBe('mailto:ioana.popescu@example.ro')
    expect(screen.getByRole('link', { name: '0722 123 456' }).getAttribute('href')).toBe('tel:0722123456')
    screen.getByRole('cell', { name: 'Elena Dumitrescu, Serviciul Urbanism' })
  })
})

import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { describe, expect, test } from 'vitest'

import type { Grant, Me } from '../api/types'
import { fakeAPI, showPage } from '../office/officetest'
import { Organisation } from './Organisation'

// The institution page against a fake API: the chart as nested lists, a
// department added where it was asked, a change sent against the version
// read (If-Match), a refusal explained, and nothing offered to who may not.

const inst = '11111111-1111-1111-1111-111111111111'
const dt = 'aaaaaaaa-0000-0000-0000-000000000001'
const uat = 'aaaaaaaa-0000-0000-0000-000000000002'
const itl = 'aaaaaaaa-0000-0000-0000-000000000003'
const base = `/api/institutions/${inst}`

const adminGrant: Grant = { institution: inst, department: null, role: 'administrator', permissions: ['departments.manage', 'institutions.manage', 'users.read'] }

function account(grant: Grant): Me {
  return {
    id: 'me', kind: 'staff', email: 'admin@primarialugoj.ro', emailVerified: true, displayName: 'Andrei Munteanu', phone: null, locale: 'ro',
    cnpMasked: null, cui: null, institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false, grants: [grant],
  }
}

const d = (id: string, name: string, code: string, parentId: string | null, kind = 'service', children: unknown[] = []) => ({
  id, institutionId: inst, parentId, kind, code, name, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', children,
})

let chart: unknown[]
const { sent, answers } = fakeAPI()

function serve(me: Me) {
  chart = [d(dt, 'Direcția tehnică', 'DT', null, 'direction', [d(uat, 'Serviciul Urbanism', 'DT-UAT', dt)]), d(itl, 'Serviciul Taxe', 'ITL', null)]
  Object.assign(answers, {
    'GET /api/auth/me': () => ({ status: 200, body: me }),
    [`GET ${base}`]: () => ({
      status: 200, etag: '"17"',
      body: { id: inst, parentId: null, cif: '4358180', name: 'Primăria Municipiului Lugoj', address: 'Piața Victoriei 4', timeZone: 'Europe/Bucharest',
        requireStaffMfa: false, createdAt: '', updatedAt: '', departments: chart },
    }),
    'GET /api/institutions': () => ({ status: 200, body: { institutions: [{ id: 'das', parentId: inst, cif: '18547290', name: 'DAS Lugoj', address: '', timeZone: 'Europe/Bucharest' }], next: null } }),
    [`GET ${base}/departments/${uat}`]: () => ({ status: 200, etag: '"42"', body: d(uat, 'Serviciul Urbanism', 'DT-UAT', dt) }),
  })
}

function show() {
  return showPage('/birou/institutie', { '/birou/institutie': Organisation })
}

const writes = () => sent.filter((s) => s.method !== 'GET')

describe('Organisation', () => {
  test('the chart is a tree of nested lists', async () => {
    serve(account(adminGrant))
    show()
    const tree = await screen.findByRole('list', { name: 'Compartimentele instituției' })
    const top = within(tree).getAllByRole('listitem').filter((li) => li.parentElement === tree)
    expect(top.map((li) => li.querySelector('.admin-dept-name')!.textContent)).toEqual(['Direcția tehnică', 'Serviciul Taxe'])
    const nested = top[0].querySelector('ul')!
    expect(within(nested).getByText('Serviciul Urbanism', { selector: '.admin-dept-name' })).toBeTruthy()
    within(top[0]).getByText('are un subcompartiment')
    screen.getByText('3 compartimente.')
    // A department with sub-departments is not offered for removal.
    expect(screen.queryByRole('button', { name: 'Ștergeți Direcția tehnică' })).toBeNull()
    screen.getByRole('button', { name: 'Ștergeți Serviciul Urbanism' })
    await screen.findByText('DAS Lugoj')
  })

  test('a department added under the one chosen, then focused in the tree', async () => {
    serve(account(adminGrant))
    answers[`POST ${base}/departments`] = ({ body }) => {
      const made = d('new-1', (body as { name: string }).name, (body as { code: string }).code, dt, 'office')
      ;(chart[0] as { children: unknown[] }).children.push(made)
      return { status: 201, body: made }
    }
    show()
    fireEvent.click(await screen.findByRole('button', { name: 'Adăugați subcompartiment în Direcția tehnică' }))
    await waitFor(() => expect(document.activeElement?.id).toBe('dept-kind'))
    expect((screen.getByLabelText(/^Face parte din/) as HTMLSelectElement).value).toBe(dt)
    fireEvent.click(screen.getByRole('button', { name: 'Adăugați compartimentul' }))
    await screen.findByText('Alegeți tipul compartimentului.')
    expect(writes()).toEqual([])
    fireEvent.change(screen.getByLabelText(/^Tip/), { target: { value: 'office' } })
    fireEvent.input(screen.getByLabelText(/^Cod/), { target: { value: 'DT-AUT' } })
    fireEvent.input(screen.getByLabelText(/^Denumirea compartimentului/), { target: { value: 'Biroul Autorizații' } })
    fireEvent.click(screen.getByRole('button', { name: 'Adăugați compartimentul' }))
    await screen.findByText('Compartimentul „Biroul Autorizații” a fost adăugat.')
    expect(writes()[0].body).toEqual({ kind: 'office', code: 'DT-AUT', name: 'Biroul Autorizații', parentId: dt })
    expect(writes()[0].headers['Idempotency-Key']).toBeTruthy()
    await waitFor(() => expect(document.activeElement?.id).toBe('dept-new-1'))
  })

  test('a change reads the department and sends its version back; a stale one is told to reload', async () => {
    serve(account(adminGrant))
    let stale = true
    answers[`PATCH ${base}/departments/${uat}`] = () => (stale
      ? { status: 412, body: { code: 'precondition_failed' } }
      : { status: 200, body: d(uat, 'Serviciul Urbanism și Amenajare', 'DT-UAT', null) })
    show()
    fireEvent.click(await screen.findByRole('button', { name: 'Modificați Serviciul Urbanism' }))
    const name = await screen.findByLabelText(/^Denumirea compartimentului/) as HTMLInputElement
    await waitFor(() => expect(name.value).toBe('Serviciul Urbanism'))
    // It may not move under itself.
    const parent = screen.getByLabelText(/^Face parte din/) as HTMLSelectElement
    expect([...parent.options].map((o) => o.value)).toEqual(['', dt, itl])
    fireEvent.input(name, { target: { value: 'Serviciul Urbanism și Amenajare' } })
    fireEvent.change(parent, { target: { value: '' } })
    fireEvent.click(screen.getByRole('button', { name: 'Salvați' }))
    await screen.findByText(/altcineva a modificat aceste date/)
    expect(writes()[0].headers['If-Match']).toBe('"42"')
    expect(writes()[0].body).toEqual({ name: 'Serviciul Urbanism și Amenajare', parentId: null })
    stale = false
    fireEvent.click(screen.getByRole('button', { name: 'Salvați' }))
    await screen.findByText('Compartimentul „Serviciul Urbanism și Amenajare” a fost salvat.')
  })

  test('a removal is confirmed, and a refusal explained', async () => {
    serve(account(adminGrant))
    answers[`DELETE ${base}/departments/${uat}`] = () => ({ status: 409, body: { code: 'department_has_roles', detail: 'roles' } })
    show()
    fireEvent.click(await screen.findByRole('button', { name: 'Ștergeți Serviciul Urbanism' }))
    await screen.findByText('Ștergeți compartimentul „Serviciul Urbanism”?')
    expect(writes()).toEqual([])
    fireEvent.click(screen.getByRole('button', { name: 'Da, ștergeți compartimentul' }))
    await screen.findByText(/Compartimentului i s-au atribuit roluri/)
    fireEvent.click(screen.getByRole('button', { name: 'Nu, înapoi' }))
    await waitFor(() => expect(document.activeElement?.id).toBe(`dept-remove-${uat}`))
  })

  test('the institution’s details are changed against the version read', async () => {
    serve(account(adminGrant))
    answers[`PATCH ${base}`] = () => ({ status: 200, body: {}, etag: '"18"' })
    show()
    fireEvent.click(await screen.findByRole('button', { name: 'Modificați datele instituției' }))
    const address = await screen.findByLabelText(/^Adresă/)
    fireEvent.input(address, { target: { value: 'Piața Victoriei nr. 4, Lugoj' } })
    fireEvent.click(screen.getByLabelText(/^Personalul trebuie să folosească al doilea factor/))
    fireEvent.click(screen.getByRole('button', { name: 'Salvați' }))
    await screen.findByText('Datele instituției au fost salvate.')
    expect(writes()[0].headers['If-Match']).toBe('"17"')
    expect(writes()[0].body).toEqual({ address: 'Piața Victoriei nr. 4, Lugoj', requireStaffMfa: true })
  })

  test('an institution created under this one; a fiscal code taken is said by the code', async () => {
    serve(account(adminGrant))
    let n = 0
    answers[`POST ${base}/institutions`] = ({ body }) => (++n === 1
      ? { status: 409, body: { code: 'institution_exists', detail: 'exists' } }
      : { status: 201, body: { id: 'new-inst', parentId: inst, ...(body as object) } })
    show()
    fireEvent.click(await screen.findByRole('button', { name: 'Creați o instituție subordonată' }))
    await waitFor(() => expect(document.activeElement?.id).toBe('sub-cif'))
    fireEvent.click(screen.getByRole('button', { name: 'Creați instituția' }))
    await screen.findByText('Codul fiscal are între 2 și 10 cifre, cu sau fără RO în față.')
    expect(writes()).toEqual([])
    fireEvent.input(screen.getByLabelText(/^Cod fiscal/), { target: { value: 'RO13548146' } })
    fireEvent.input(screen.getByLabelText(/^Denumire/), { target: { value: 'Clubul Sportiv Municipal Lugoj' } })
    fireEvent.click(screen.getByRole('button', { name: 'Creați instituția' }))
    await screen.findByText('O instituție cu acest cod fiscal există deja, cu alte date.')
    await waitFor(() => expect(document.activeElement?.id).toBe('sub-cif'))
    fireEvent.click(screen.getByRole('button', { name: 'Creați instituția' }))
    await screen.findByText('Instituția „Clubul Sportiv Municipal Lugoj” a fost creată.')
    expect(writes()[1].body).toEqual({ cif: 'RO13548146', name: 'Clubul Sportiv Municipal Lugoj', address: '', timeZone: 'Europe/Bucharest', requireStaffMfa: false })
  })

  test('who may not change anything sees the chart and no action', async () => {
    serve(account({ institution: inst, department: null, role: 'auditor', permissions: ['audit.read', 'users.read'] }))
    show()
    await screen.findByRole('list', { name: 'Compartimentele instituției' })
    expect(screen.queryAllByRole('button')).toEqual([])
  })
})

import { fireEvent, screen, waitFor, within } from '@testing-library/preact'
import { describe, expect, test } from 'vitest'

import type { Me } from '../api/types'
import { officeCatalogs as catalogs } from '../i18n/office'
import { fakeAPI, showPage } from '../office/officetest'
import { RequestTypeEditor } from './RequestTypeEditor'
import { kinds } from './formEditor'
import { mediaName, regimes } from './requestTypes'
import { RequestTypes } from './RequestTypes'

// The request types' pages against a fake API: the form editor's changes
// seen in the live preview, what a save sends (If-Match, the schema), how
// refusals land next to their controls, publishing confirmed.

const inst = '11111111-1111-1111-1111-111111111111'
const typeId = '22222222-2222-2222-2222-222222222222'
const rrpa = '33333333-3333-3333-3333-333333333333'
const urb = '44444444-4444-4444-4444-444444444444'
const reg = '55555555-5555-5555-5555-555555555555'
const base = `/api/institutions/${inst}/request-types`

const admin: Me = {
  id: 'a', kind: 'staff', email: 'admin@primarialugoj.ro', emailVerified: true, displayName: 'Andrei Munteanu', phone: null, locale: 'ro',
  cnpMasked: null, cui: null, institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false,
  grants: [{ institution: inst, department: null, role: 'administrator', permissions: ['requests.types.manage', 'registry.read'] }],
}

const form = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object', 'x-order': ['name', 'county'], required: ['name'], additionalProperties: false,
  properties: {
    name: { type: 'string', title: 'Nume și prenume', 'x-title-en': 'Full name', maxLength: 200 },
    county: { type: 'string', title: 'Județ', enum: ['TM', 'AR'], 'x-labels': { TM: { ro: 'Timiș' }, AR: { ro: 'Arad' } } },
  },
}

function version(over: Record<string, unknown> = {}) {
  return {
    id: typeId, code: 'adeverinta', version: 1, status: 'draft', name: 'Adeverință', description: 'O adeverință.', form, fields: [],
    attachments: [], department: { id: rrpa, name: 'Registratură' }, regime: 'petition', customDays: null, workingDays: false,
    deadlineDays: 30, verifiedIdentity: true, registerId: reg, createdAt: '2026-03-01T08:00:00Z', publishedAt: null, ...over,
  }
}

const { sent, answers } = fakeAPI()

function serve(versions = [version()]) {
  Object.assign(answers, {
    'GET /api/auth/me': () => ({ status: 200, body: admin }),
    [`GET /api/institutions/${inst}`]: () => ({
      status: 200, body: { departments: [{ id: rrpa, name: 'Registratură', children: [{ id: urb, name: 'Urbanism', children: [] }] }] },
    }),
    [`GET /api/institutions/${inst}/registers`]: () => ({
      status: 200, body: { items: [{ id: reg, code: 'I', name: 'Registrul de intrare', kind: 'incoming', closedAt: null }] },
    }),
    [`GET ${base}/${typeId}/versions`]: () => ({ status: 200, body: { id: typeId, code: 'adeverinta', createdAt: '2026-03-01T08:00:00Z', withdrawnAt: null, versions } }),
    [`GET ${base}/${typeId}/versions/1`]: () => ({ status: 200, body: versions.find((v) => v.version === 1), etag: '"v1"' }),
  })
}

function show(path: string) {
  return showPage(path, { '/birou/tipuri-cereri': RequestTypes, '/birou/tipuri-cereri/:type': RequestTypeEditor })
}

const preview = () => within(document.querySelector<HTMLElement>('.fe-preview')!)
const editor = () => within(document.querySelector<HTMLElement>('.fe-editor')!)
const type = (el: HTMLElement, value: string) => fireEvent.input(el, { target: { value } })
const puts = () => sent.filter((s) => s.method === 'PUT')

async function opened() {
  show(`/birou/tipuri-cereri/${typeId}`)
  await screen.findByRole('heading', { level: 1, name: 'Adeverință' })
  await preview().findByLabelText(/Nume și prenume/)
}

// addField adds a field of a kind through the "new field" controls and
// returns its Romanian label input, which has the focus.
async function addField(kind: string): Promise<HTMLInputElement> {
  fireEvent.change(screen.getByLabelText('Tipul câmpului nou'), { target: { value: kind } })
  fireEvent.click(screen.getByRole('button', { name: 'Adăugați câmpul' }))
  await waitFor(() => expect((document.activeElement as HTMLElement | null)?.id).toMatch(/^fe-.+-title-ro$/))
  return document.activeElement as HTMLInputElement
}

describe('the form editor', () => {
  test('a field added shows in the live preview, with its label, its kind and whether it is required', async () => {
    serve()
    await opened()
    expect(preview().getByRole('group', { name: 'Județ' })).toBeTruthy()

    const label = await addField('date')
    // The new field is announced and its label is where the typing goes.
    expect(document.querySelector('.fe-editor [role="status"]')!.textContent).toContain('poziția 3 din 3')
    type(label, 'Data nașterii')
    const input = await preview().findByLabelText('Data nașterii') as HTMLInputElement
    expect(input.type).toBe('date')
    expect(input.required).toBe(false)

    // Required, and in English too.
    const box = label.closest('fieldset')!
    fireEvent.click(within(box).getByLabelText('Obligatoriu'))
    await waitFor(() => expect((preview().getByLabelText(/Data nașterii/) as HTMLInputElement).required).toBe(true))
    type(within(box).getByLabelText('Eticheta în engleză'), 'Date of birth')
    expect(JSON.parse((screen.getByLabelText('Schema JSON a formularului') as HTMLTextAreaElement).value).properties.dataNasterii)
      .toEqual({ type: 'string', title: 'Data nașterii', 'x-title-en': 'Date of birth', format: 'date' })

    // The preview checks as the citizen's form does.
    fireEvent.click(preview().getByRole('button', { name: 'Verificați răspunsurile' }))
    await preview().findByText('Câmpul «Data nașterii» este obligatoriu.')
  })

  test('a choice\'s options show as the citizen\'s choices; fields move with buttons, focus staying on them', async () => {
    serve()
    await opened()
    const label = await addField('choice')
    type(label, 'Modul de răspuns')
    const box = label.closest('fieldset')!
    const options = within(box).getAllByLabelText('Eticheta în română')
    type(options[0], 'Prin e-mail')
    type(options[1], 'Prin poștă')
    const group = await preview().findByRole('group', { name: 'Modul de răspuns' })
    expect(within(group).getAllByRole('radio').map((r) => (r as HTMLInputElement).labels![0].textContent)).toEqual(['Prin e-mail', 'Prin poștă'])

    const up = within(box).getByRole('button', { name: 'Mutați în sus câmpul «Modul de răspuns»' })
    fireEvent.click(up)
    await waitFor(() => expect(document.activeElement?.id).toBe(up.id))
    fireEvent.click(up)
    // At the top, "up" is no more: focus goes to "down".
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Mutați în jos'))
    const labels = [...document.querySelectorAll('.fe-preview .form-fields > .field > label, .fe-preview .form-fields > fieldset > legend')]
      .map((l) => l.textContent?.replace(/\s*\*.*$/, ''))
    expect(labels).toEqual(['Modul de răspuns', 'Nume și prenume', 'Județ'])
    expect(document.querySelector('.fe-editor [role="status"]')!.textContent).toBe('Câmpul «Modul de răspuns» este acum pe poziția 1 din 3.')

    // Removed: gone from the preview, focus on the field that took its place.
    fireEvent.click(within(box).getByRole('button', { name: 'Eliminați câmpul «Modul de răspuns»' }))
    await waitFor(() => expect(preview().queryByRole('group', { name: 'Modul de răspuns' })).toBeNull())
    expect(document.activeElement?.tagName).toBe('FIELDSET')
    expect(document.activeElement?.querySelector('legend')?.textContent).toBe('Câmpul 1: Nume și prenume')
  })

  test('the JSON Schema box and the editor follow each other; an invalid schema is told and keeps the last form', async () => {
    serve()
    await opened()
    const box = screen.getByLabelText('Schema JSON a formularului') as HTMLTextAreaElement
    const schema = JSON.parse(box.value)
    schema.properties.name.title = 'Numele complet'
    type(box, JSON.stringify(schema))
    await preview().findByLabelText(/Numele complet/)
    expect((editor().getAllByLabelText(/Eticheta în română/)[0] as HTMLInputElement).value).toBe('Numele complet')

    type(box, '{"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}}')
    const alert = await screen.findByText(/Schema nu poate fi folosită ca formular: field "a": format "uri" is not supported/)
    expect(box.getAttribute('aria-invalid')).toBe('true')
    expect(box.getAttribute('aria-describedby')).toContain(alert.id)
    // The last valid form stays, and nothing is saved while the box is wrong.
    expect(preview().getByLabelText(/Numele complet/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ciorna' }))
    await waitFor(() => expect(document.activeElement).toBe(box))
    expect(puts()).toEqual([])
  })
})

describe('the draft', () => {
  test('is saved with If-Match and the form built, and the next save carries the new ETag', async () => {
    serve()
    answers[`PUT ${base}/${typeId}/versions/1`] = () => ({ status: 200, body: version({ name: 'Adeverință de rol' }), etag: '"v2"' })
    await opened()
    type(screen.getByLabelText(/Denumirea tipului de cerere/), 'Adeverință de rol')
    const label = await addField('text')
    type(label, 'Adresa imobilului')
    fireEvent.click(within(label.closest('fieldset')!).getByLabelText('Obligatoriu'))
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ciorna' }))
    await screen.findByText('Ciorna (versiunea 1) a fost salvată.')
    expect(puts()).toHaveLength(1)
    const put = puts()[0]
    expect(put.headers['If-Match']).toBe('"v1"')
    const body = put.body as { name: string; form: { required: string[]; 'x-order': string[]; properties: Record<string, unknown> }; departmentId: string }
    expect(body.name).toBe('Adeverință de rol')
    expect(body.departmentId).toBe(rrpa)
    expect(body.form['x-order']).toEqual(['name', 'county', 'adresaImobilului'])
    expect(body.form.required).toEqual(['name', 'adresaImobilului'])
    expect(body.form.properties.adresaImobilului).toEqual({ type: 'string', title: 'Adresa imobilului', maxLength: 200 })

    type(screen.getByLabelText(/Descrierea/), 'Alta.')
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ciorna' }))
    await waitFor(() => expect(puts()).toHaveLength(2))
    expect(puts()[1].headers['If-Match']).toBe('"v2"')
  })

  test('what the editor finds wrong is shown at its control, and nothing is sent', async () => {
    serve()
    await opened()
    await addField('number')
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ciorna' }))
    const label = await waitFor(() => {
      const el = document.activeElement as HTMLInputElement
      expect(el.id).toMatch(/-title-ro$/)
      return el
    })
    expect(label.getAttribute('aria-invalid')).toBe('true')
    expect(document.getElementById(`${label.id}-error`)!.textContent).toBe('Completați eticheta în română.')
    expect(puts()).toEqual([])
  })

  test('a refusal of the form lands in the field it names; others at their controls', async () => {
    serve()
    answers[`PUT ${base}/${typeId}/versions/1`] = () => ({
      status: 422,
      body: {
        code: 'invalid', errors: [
          { field: 'form', code: 'form.invalid', message: 'Formularul nu poate fi folosit: field "county": enum lists "TM" twice', messageEn: 'The form cannot be used: field "county": enum lists "TM" twice' },
          { field: 'registerId', code: 'registerId.not_found', message: 'Registrul nu există în această instituție.', messageEn: 'The register does not exist in this institution.' },
        ],
      },
    })
    await opened()
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ciorna' }))
    const refusal = await screen.findByText(/field "county": enum lists "TM" twice/)
    expect(refusal.closest('fieldset')!.querySelector('legend')!.textContent).toBe('Câmpul 2: Județ')
    const register = screen.getByLabelText(/Registrul de înregistrare/)
    expect(register.getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Registrul nu există în această instituție.').id).toBe('rt-register-error')
    await waitFor(() => expect(document.activeElement).toBe(refusal.closest('fieldset')))
  })

  test('a draft changed elsewhere is told, with a way to reload', async () => {
    serve()
    answers[`PUT ${base}/${typeId}/versions/1`] = () => ({ status: 412, body: { code: 'precondition_failed' } })
    await opened()
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ciorna' }))
    await screen.findByText(/Ciorna a fost modificată între timp/)
    fireEvent.click(screen.getByRole('button', { name: 'Reîncărcați' }))
    await waitFor(() => expect(sent.filter((s) => s.method === 'GET' && s.url.endsWith('/versions')).length).toBe(2))
  })

  test('is published once confirmed, with the ETag of what was reviewed', async () => {
    const published = version({ status: 'published', publishedAt: '2026-03-02T09:00:00Z' })
    serve()
    answers[`POST ${base}/${typeId}/versions/1/publication`] = () => {
      answers[`GET ${base}/${typeId}/versions`] = () => ({ status: 200, body: { id: typeId, code: 'adeverinta', createdAt: '2026-03-01T08:00:00Z', withdrawnAt: null, versions: [published] } })
      return { status: 200, body: published, etag: '"p"' }
    }
    await opened()
    // Changes not saved are not published.
    type(screen.getByLabelText(/Descrierea/), 'Alta.')
    expect((screen.getByRole('button', { name: 'Publicați' }) as HTMLButtonElement).disabled).toBe(true)
    type(screen.getByLabelText(/Descrierea/), 'O adeverință.')
    answers[`PUT ${base}/${typeId}/versions/1`] = () => ({ status: 200, body: version(), etag: '"v1"' })
    fireEvent.click(screen.getByRole('button', { name: 'Salvați ciorna' }))
    await screen.findByText('Ciorna (versiunea 1) a fost salvată.')

    fireEvent.click(screen.getByRole('button', { name: 'Publicați' }))
    const confirm = await screen.findByRole('group', { name: /Publicați versiunea 1\?/ })
    await waitFor(() => expect(document.activeElement).toBe(confirm))
    expect(sent.filter((s) => s.url.endsWith('/publication'))).toEqual([])
    fireEvent.click(within(confirm).getByRole('button', { name: 'Da, publicați' }))
    await screen.findByText('Versiunea 1 a fost publicată: cetățenii trimit de acum cereri cu ea.')
    expect(sent.find((s) => s.url.endsWith('/publication'))!.headers['If-Match']).toBe('"v1"')
    // Published: shown as it is, and a next version can be started.
    await screen.findByRole('button', { name: 'Începeți versiunea 2' })
    expect(screen.queryByRole('button', { name: 'Salvați ciorna' })).toBeNull()
  })
})

describe('the list', () => {
  test('shows each type\'s status and defines a new one, then opens its editor', async () => {
    serve()
    answers[`GET ${base}/all`] = () => ({
      status: 200, body: {
        items: [
          { id: typeId, code: 'adeverinta', createdAt: '2026-03-01T08:00:00Z', withdrawnAt: null, name: 'Adeverință', publishedVersion: 1, publishedAt: '2026-03-02T09:00:00Z', draftVersion: 2, versions: 2 },
          { id: 'x', code: 'vechi', createdAt: '2026-01-01T08:00:00Z', withdrawnAt: '2026-02-01T08:00:00Z', name: 'Veche', publishedVersion: null, publishedAt: null, draftVersion: 1, versions: 1 },
        ],
      },
    })
    answers[`POST ${base}`] = () => ({ status: 201, body: version(), etag: '"v1"' })
    show('/birou/tipuri-cereri')
    const row = (await screen.findByRole('link', { name: 'Adeverință' })).closest('tr')!
    expect(row.textContent).toContain('Publicată: versiunea 1, din 2 martie 2026')
    expect(row.textContent).toContain('Ciornă: versiunea 2')
    expect(screen.getByRole('rowheader', { name: /^Veche/ }).closest('tr')!.textContent).toContain('Retrasă din 1 februarie 2026')

    fireEvent.click(screen.getByRole('button', { name: 'Definiți și deschideți editorul' }))
    await waitFor(() => expect(document.activeElement?.id).toBe('rt-new-name'))
    expect(sent.filter((s) => s.method === 'POST')).toEqual([])

    type(screen.getByLabelText(/Denumirea tipului de cerere/), 'Adeverință de rol fiscal')
    fireEvent.change(screen.getByLabelText(/Compartimentul competent/), { target: { value: urb } })
    await waitFor(() => expect((screen.getByLabelText(/Registrul de înregistrare/) as HTMLSelectElement).value).toBe(reg))
    fireEvent.click(screen.getByRole('button', { name: 'Definiți și deschideți editorul' }))
    await screen.findByRole('heading', { level: 1, name: 'Adeverință' })
    const post = sent.find((s) => s.method === 'POST')!
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    expect(post.body).toMatchObject({ code: 'adeverinta-de-rol-fiscal', name: 'Adeverință de rol fiscal', departmentId: urb, registerId: reg, regime: 'petition' })
    expect((post.body as { form: { required: string[] } }).form.required).toEqual(['name'])
  })
})

// messages.test.ts finds the keys written as t('area.key') in lower case;
// this area's name has a capital: its keys are checked here.
test('every requestTypes message the pages use exists in both languages', () => {
  const sources = import.meta.glob<string>(['./*.tsx', './*.ts', '!./*.test.ts', '!./*.test.tsx'], { eager: true, query: '?raw', import: 'default' })
  const used = new Set(Object.values(sources).flatMap((text) => [...text.matchAll(/'(requestTypes\.[\w.]+)'/g)].map((m) => m[1])))
  expect(used.size).toBeGreaterThan(150)
  const missing = [...used].filter((k) => !catalogs.ro[k] || !catalogs.en[k])
  expect(missing).toEqual([])
  // And the ones made up at run time.
  const made = [...kinds.map((k) => `kind.${k}`), ...regimes.map((r) => `regime.${r}`), ...Object.values(mediaName).map((m) => `media.${m}`),
    'valueType.string', 'valueType.integer', 'valueType.number', 'conflict.version_published', 'conflict.not_a_draft', 'conflict.draft_exists',
    ...[...(sources['./formEditor.ts'] ?? '').matchAll(/add\([^,]+, [^,]+, '(\w+)'/g)].map((m) => `problem.${m[1]}`)]
  expect(made.length).toBeGreaterThan(40)
  expect(made.filter((k) => !catalogs.ro[`requestTypes.${k}`] || !catalogs.en[`requestTypes.${k}`])).toEqual([])
})

import { fireEvent, waitFor } from '@testing-library/preact'
import { beforeEach, expect, test, vi } from 'vitest'

import type { Me } from '../api/types'
import { fakeAPI, showPage } from '../office/officetest'
import type { Entry, Register } from './desk'

// The counter's form, with the API played by the test: what it sends, what
// it remembers, where the focus goes.

const uploads: { path: string; body: FormData; headers: Record<string, string> }[] = []
vi.mock('../api/client', async (original) => {
  const real = await original<typeof import('../api/client')>()
  return {
    ...real,
    upload: vi.fn(async (path: string, body: FormData, onProgress: (n: number) => void, headers: Record<string, string>) => {
      uploads.push({ path, body, headers })
      onProgress(1)
      const entry = JSON.parse(await (body.get('entry') as Blob).text())
      if (entry.subject === 'refuzat') {
        throw new real.ApiError(422, { code: 'invalid_input', errors: [{ field: 'sender', code: 'sender.too_long', message: 'Prea lung.', messageEn: 'Too long.' }] })
      }
      return created(uploads.length, entry.subject)
    }),
  }
})

const { RegisterDocument } = await import('./RegisterDocument')

const inst = 'b3c1a6f0-0000-4000-8000-000000000001'
const me: Me = {
  id: 'me', kind: 'staff', email: 'registratura@primarialugoj.ro', emailVerified: true, displayName: 'Maria Ionescu', phone: null, locale: 'ro',
  cnpMasked: null, cui: null, institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false,
  grants: [{ institution: inst, department: null, role: 'registrar', permissions: ['registry.register', 'registry.read'] }],
}
const registers: Register[] = [
  { id: 'reg-E', code: 'E', name: 'Registrul de ieșire', kind: 'outgoing', description: '', departments: [], createdAt: '', closedAt: null },
  { id: 'reg-I', code: 'I', name: 'Registrul de intrare', kind: 'incoming', description: '', departments: [], createdAt: '', closedAt: null },
]

function created(number: number, subject: string): Entry {
  return { id: `entry-${number}`, institutionId: inst, registerId: 'reg-I', registerCode: 'I', year: 2026, number, registeredAt: '2026-03-02T08:00:00Z',
    direction: 'incoming', channel: 'counter', sender: 'Ștefan Țârlea', recipient: '', subject, pages: 0, attachments: 0, confidentiality: 'public',
    answersEntryId: null, fileId: null, registeredBy: 'me', verificationCode: 'ABCDEFGHJK', annulment: null, revision: 1, updatedAt: null,
    receipt: `/api/institutions/${inst}/registry-entries/entry-${number}/receipt`, documents: [] }
}

const { answers } = fakeAPI()

beforeEach(() => {
  uploads.length = 0
  localStorage.clear()
  sessionStorage.clear()
  answers['GET /api/auth/me'] = () => ({ status: 200, body: me })
  answers[`GET /api/institutions/${inst}/registers`] = () => ({ status: 200, body: { items: registers } })
})

function show() {
  return showPage('/birou/registratura', { '/birou/registratura': RegisterDocument })
}

const field = (id: string) => document.getElementById(id) as HTMLInputElement

test('a registration from the keyboard, then the next one with the remembered defaults', async () => {
  const page = show()
  // The form opens on the incoming register, counter, with the sender focused.
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-sender'))
  expect(field('desk-register').value).toBe('reg-I')
  expect(field('desk-direction').value).toBe('incoming')
  expect(field('desk-channel').value).toBe('counter')
  expect(field('desk-confidentiality').value).toBe('public')

  fireEvent.input(field('desk-sender'), { target: { value: 'Ștefan Țârlea' } })
  fireEvent.input(field('desk-subject'), { target: { value: 'Cerere autorizație' } })
  fireEvent.input(field('desk-pages'), { target: { value: '3' } })
  // Ctrl+Enter in the subject registers.
  fireEvent.keyDown(field('desk-subject'), { key: 'Enter', ctrlKey: true })
  await page.findByText('Document înregistrat')
  expect(page.getByText('1/2026')).toBeTruthy()
  expect(uploads).toHaveLength(1)
  const first = uploads[0]
  expect(first.path).toBe(`/api/institutions/${inst}/registry-entries`)
  expect(first.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
  expect(JSON.parse(await (first.body.get('entry') as Blob).text())).toEqual({
    registerId: 'reg-I', direction: 'incoming', channel: 'counter', sender: 'Ștefan Țârlea', subject: 'Cerere autorizație', pages: 3,
    confidentiality: 'public' })
  const receipt = page.getByRole('link', { name: 'Descărcați dovada (PDF)' }) as HTMLAnchorElement
  expect(receipt.getAttribute('href')).toBe(`/api/institutions/${inst}/registry-entries/entry-1/receipt`)
  // Printing loads it, inline, in a frame of the page (the journey sees the print dialog asked for).
  fireEvent.click(page.getByRole('button', { name: 'Tipăriți dovada' }))
  expect(document.querySelector<HTMLIFrameElement>('iframe.print-frame')?.getAttribute('src'))
    .toBe(`/api/institutions/${inst}/registry-entries/entry-1/receipt?disposition=inline`)
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-next'))

  // The next one keeps the register, the channel and the sender, focused.
  fireEvent.click(page.getByRole('button', { name: 'Înregistrați următorul' }))
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-sender'))
  expect(field('desk-sender').value).toBe('Ștefan Țârlea')
  expect(field('desk-subject').value).toBe('')
  expect(field('desk-pages').value).toBe('')
  expect([...document.querySelectorAll('#desk-senders option')].map((o) => (o as HTMLOptionElement).value)).toEqual(['Ștefan Țârlea'])
  fireEvent.input(field('desk-subject'), { target: { value: 'Sesizare' } })
  fireEvent.submit(field('desk-subject').form!)
  await page.findByText('2/2026')
  expect(uploads[1].headers['Idempotency-Key']).not.toBe(first.headers['Idempotency-Key'])
  // Remembered for the next visit, and listed for a reprint.
  expect(localStorage.getItem('ghiseu.desk.register')).toBe('reg-I')
  expect(JSON.parse(localStorage.getItem('ghiseu.desk.senders')!)).toEqual(['Ștefan Țârlea'])
  expect(page.getByRole('link', { name: 'I 1/2026' })).toBeTruthy()
})

test('what is missing is said at the field, and the server\'s field errors too', async () => {
  const page = show()
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-sender'))
  fireEvent.submit(field('desk-subject').form!)
  await page.findByText('Scrieți expeditorul documentului.')
  expect(page.getByText('Scrieți conținutul pe scurt (subiectul).')).toBeTruthy()
  expect(field('desk-subject').getAttribute('aria-invalid')).toBe('true')
  expect(field('desk-subject').getAttribute('aria-describedby')).toContain('desk-subject-error')
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-sender'))
  expect(uploads).toHaveLength(0)

  fireEvent.input(field('desk-sender'), { target: { value: 'Ion' } })
  fireEvent.input(field('desk-subject'), { target: { value: 'refuzat' } })
  fireEvent.submit(field('desk-subject').form!)
  await waitFor(() => expect(document.getElementById('desk-sender-error')?.textContent).toBe('Prea lung.'))
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-sender'))
  // A retry of the same registration sends the same key.
  fireEvent.submit(field('desk-subject').form!)
  await waitFor(() => expect(uploads).toHaveLength(2))
  expect(uploads[1].headers['Idempotency-Key']).toBe(uploads[0].headers['Idempotency-Key'])
})

test('the last register and an outgoing one: the recipient is asked for', async () => {
  localStorage.setItem('ghiseu.desk.register', 'reg-E')
  localStorage.setItem('ghiseu.desk.recipients', JSON.stringify(['Consiliul Județean Timiș']))
  show()
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-recipient'))
  expect(field('desk-register').value).toBe('reg-E')
  expect(field('desk-direction').value).toBe('outgoing')
  expect(field('desk-recipient').value).toBe('Consiliul Județean Timiș')
  expect(document.getElementById('desk-sender')).toBeNull()
})

test('an account without registry.register is told so', async () => {
  answers['GET /api/auth/me'] = () => ({ status: 200, body: { ...me, grants: [{ institution: inst, department: null, role: 'auditor', permissions: ['registry.read'] }] } })
  answers[`GET /api/institutions/${inst}/registers`] = () => ({ status: 200, body: { items: [] } })
  const page = show()
  await page.findByText(/nu are dreptul necesar/)
})

test('a register or direction change waits for a confirmation and is then announced', async () => {
  const page = show()
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-sender'))
  // A change of the list (a stray key on it) asks first, and the list keeps the register.
  fireEvent.change(field('desk-register'), { target: { value: 'reg-E' } })
  await page.findByRole('alertdialog', { name: 'Schimbați registrul?' })
  await waitFor(() => expect(document.activeElement?.id).toBe('desk-change-confirm'))
  expect(field('desk-register').value).toBe('reg-I')
  // Enter does not register meanwhile.
  fireEvent.input(field('desk-subject'), { target: { value: 'Cerere' } })
  fireEvent.keyDown(field('desk-subject'), { key: 'Enter', ctrlKey: true })
  expect(uploads).toHaveLength(0)
  // No: nothing changes.
  fireEvent.click(page.getByRole('button', { name: 'Nu, rămân la Registrul de intrare (I)' }))
  await waitFor(() => expect(page.queryByRole('alertdialog')).toBeNull())
  expect(field('desk-register').value).toBe('reg-I')
  expect(field('desk-direction').value).toBe('incoming')
  // Yes: the register and its direction change, and it says so.
  fireEvent.change(field('desk-register'), { target: { value: 'reg-E' } })
  fireEvent.click(await page.findByRole('button', { name: 'Da, schimbați' }))
  await page.findByText('Registrul este acum Registrul de ieșire (E), direcția ieșire.')
  expect(field('desk-register').value).toBe('reg-E')
  expect(field('desk-direction').value).toBe('outgoing')
  // The direction alone asks too.
  fireEvent.change(field('desk-direction'), { target: { value: 'internal' } })
  await page.findByText('Schimbați direcția în internă?')
  expect(field('desk-direction').value).toBe('outgoing')
})

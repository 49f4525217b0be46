import { describe, expect, test } from 'vitest'

import type { Me } from '../api/types'
import { officeCatalogs as catalogs } from '../i18n/office'
import {
  changes, channels, checkDraft, confidentialities, correctable, correctionBody, correctionDraft, defaultDirection, defaultRegister, deskField,
  directions, entryInput, exportURL, filtersFromQuery, filtersToQuery, noFilters, parseCount, partyOf, periodProblem, registerable,
  mayAnnulOwn, registered, remember, searchQuery, today,
} from './desk'
import type { Draft, Entry, Register } from './desk'
import { problemKeys } from './deskui'

const inst = 'b3c1a6f0-0000-4000-8000-000000000001'
const dept = 'd0000000-0000-4000-8000-000000000001'

function reg(code: string, kind: Register['kind'], extra: Partial<Register> = {}): Register {
  return { id: `id-${code}`, code, name: `Registrul ${code}`, kind, description: '', departments: [], createdAt: '2026-01-01T00:00:00Z',
    closedAt: null, ...extra }
}

function me(grants: Me['grants']): Me {
  return { id: 'me', kind: 'staff', email: 'registratura@primarialugoj.ro', emailVerified: true, displayName: 'Maria Ionescu', phone: null,
    locale: 'ro', cnpMasked: null, cui: null, institution: inst, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false, grants }
}

function entry(extra: Partial<Entry> = {}): Entry {
  return { id: 'e1', institutionId: inst, registerId: 'id-I', registerCode: 'I', year: 2026, number: 12, registeredAt: '2026-03-02T08:00:00Z',
    direction: 'incoming', channel: 'counter', sender: 'Ștefan Țârlea', recipient: '', subject: 'Cerere autorizație', pages: 3, attachments: 1,
    confidentiality: 'public', answersEntryId: null, fileId: null, registeredBy: 'me', verificationCode: 'ABCDEFGHJK', annulment: null,
    revision: 1, updatedAt: null, receipt: `/api/institutions/${inst}/registry-entries/e1/receipt`, documents: [], ...extra }
}

describe('remember: the recent senders', () => {
  test('the newest first, a name once whatever its case and spaces', () => {
    let list: string[] = []
    list = remember(list, 'Ștefan Țârlea')
    list = remember(list, 'Ana Mureșan')
    list = remember(list, '  ștefan   ȚÂRLEA ')
    expect(list).toEqual(['ștefan ȚÂRLEA', 'Ana Mureșan'])
  })
  test('nothing typed changes nothing', () => {
    expect(remember(['Ana'], '   ')).toEqual(['Ana'])
  })
  test('at most max kept', () => {
    let list: string[] = []
    for (let i = 0; i < 30; i++) list = remember(list, `Expeditor ${i}`, 5)
    expect(list).toEqual(['Expeditor 29', 'Expeditor 28', 'Expeditor 27', 'Expeditor 26', 'Expeditor 25'])
  })
})

test('registered keeps the session newest first, an entry once, at most max', () => {
  let list = registered([], entry({ id: 'a', number: 1 }))
  list = registered(list, entry({ id: 'b', number: 2 }))
  list = registered(list, entry({ id: 'a', number: 1 }), 2)
  expect(list.map((r) => r.number)).toEqual([1, 2])
  expect(list[0].receipt).toContain('/receipt')
})

describe('registers', () => {
  const regs = [reg('E', 'outgoing'), reg('I', 'incoming'), reg('MOL', 'other', { departments: [dept] }), reg('OLD', 'incoming', { closedAt: '2025-12-31T00:00:00Z' })]
  test('an institution-wide registrar may register in every open register', () => {
    const m = me([{ institution: inst, department: null, role: 'registrar', permissions: ['registry.register', 'registry.read'] }])
    expect(registerable(regs, m, inst).map((r) => r.code)).toEqual(['E', 'I', 'MOL'])
  })
  test('a registrar of another department may not register in a register kept by one', () => {
    const m = me([{ institution: inst, department: 'other', role: 'registrar', permissions: ['registry.register'] }])
    expect(registerable(regs, m, inst).map((r) => r.code)).toEqual(['E', 'I'])
    const mine = me([{ institution: inst, department: dept, role: 'registrar', permissions: ['registry.register'] }])
    expect(registerable(regs, mine, inst).map((r) => r.code)).toEqual(['E', 'I', 'MOL'])
  })
  test('without registry.register, or in another institution, none', () => {
    expect(registerable(regs, me([{ institution: inst, department: null, role: 'clerk', permissions: ['registry.read'] }]), inst)).toEqual([])
    expect(registerable(regs, me([{ institution: 'x', department: null, role: 'registrar', permissions: ['registry.register'] }]), inst)).toEqual([])
  })
  test('the default is the last used, else the incoming register', () => {
    expect(defaultRegister(regs, 'id-E')?.code).toBe('E')
    expect(defaultRegister(regs, 'gone')?.code).toBe('I')
    expect(defaultRegister(regs, '')?.code).toBe('I')
    expect(defaultRegister([reg('INT', 'internal')], '')?.code).toBe('INT')
    expect(defaultRegister([], '')).toBeUndefined()
  })
  test('the direction follows the register', () => {
    expect(defaultDirection('incoming')).toBe('incoming')
    expect(defaultDirection('outgoing')).toBe('outgoing')
    expect(defaultDirection('internal')).toBe('internal')
    expect(defaultDirection('other')).toBe('incoming')
  })
})

describe('a registration', () => {
  const draft: Draft = { registerId: 'id-I', direction: 'incoming', channel: 'counter', sender: ' Ștefan  Țârlea ', recipient: 'nobody',
    subject: ' Cerere ', pages: '3', attachments: '', confidentiality: 'public' }
  test('the API input names the parties of its direction and the counts given', () => {
    expect(entryInput(draft)).toEqual({ registerId: 'id-I', direction: 'incoming', channel: 'counter', subject: 'Cerere',
      confidentiality: 'public', sender: 'Ștefan Țârlea', pages: 3 })
    expect(entryInput({ ...draft, direction: 'outgoing' })).toMatchObject({ recipient: 'nobody' })
    expect(entryInput({ ...draft, direction: 'outgoing' })).not.toHaveProperty('sender')
    expect(entryInput({ ...draft, direction: 'internal' })).toMatchObject({ sender: 'Ștefan Țârlea', recipient: 'nobody' })
  })
  test('what the API would refuse is found before sending', () => {
    expect(checkDraft(draft)).toEqual({})
    expect(checkDraft({ ...draft, subject: ' ', sender: '', pages: '-1', attachments: 'x' })).toEqual({
      subject: 'subjectRequired', sender: 'senderRequired', pages: 'countInvalid', attachments: 'countInvalid' })
    expect(checkDraft({ ...draft, direction: 'outgoing', recipient: '' })).toEqual({ recipient: 'recipientRequired' })
    expect(checkDraft({ ...draft, direction: 'internal', sender: '', recipient: '' })).toEqual({})
  })
  test('counts', () => {
    expect(parseCount('')).toBeNull()
    expect(parseCount(' 7 ')).toBe(7)
    expect(parseCount('100000')).toBe(100000)
    expect(parseCount('100001')).toBeUndefined()
    expect(parseCount('2.5')).toBeUndefined()
  })
  test('the files\' errors go to the file picker', () => {
    expect(deskField('file')).toBe('files')
    expect(deskField('documents[0].title')).toBe('files')
    expect(deskField('subject')).toBe('subject')
  })
})

describe('search', () => {
  test('the URL keeps a search, in a stable order, and reads it back', () => {
    const f = { ...noFilters, q: 'autorizație', register: 'id-I', status: 'annulled' as const, from: '2026-01-01' }
    const q = filtersToQuery(f)
    expect(q).toBe('q=autoriza%C8%9Bie&register=id-I&status=annulled&from=2026-01-01')
    expect(filtersFromQuery(Object.fromEntries(new URLSearchParams(q)))).toEqual(f)
    expect(filtersToQuery(noFilters)).toBe('')
  })
  test('unknown values in the URL are dropped', () => {
    expect(filtersFromQuery({ direction: 'sideways', status: 'deleted', other: 'x' })).toEqual(noFilters)
  })
  test('the API query maps the status to annulled and pages with the cursor', () => {
    expect(searchQuery({ ...noFilters, q: 'cerere', status: 'active' }, undefined, 25)).toBe('q=cerere&annulled=false&limit=25')
    expect(searchQuery({ ...noFilters, status: 'annulled', year: '2026' }, 'abc', 10)).toBe('year=2026&annulled=true&limit=10&cursor=abc')
  })
  test('the party a row shows', () => {
    expect(partyOf({ direction: 'incoming', sender: 'A', recipient: 'B' })).toBe('A')
    expect(partyOf({ direction: 'outgoing', sender: 'A', recipient: 'B' })).toBe('B')
    expect(partyOf({ direction: 'internal', sender: 'A', recipient: 'B' })).toBe('A → B')
    expect(partyOf({ direction: 'internal', sender: '', recipient: 'B' })).toBe('B')
  })
})

describe('periods and exports', () => {
  test('today is the day in Romania', () => {
    // 23:30 UTC on 31 December is already 1 January in Bucharest.
    expect(today(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01')
    expect(today(new Date('2026-06-15T12:00:00Z'))).toBe('2026-06-15')
  })
  test('a period has both days, in order', () => {
    expect(periodProblem('2026-01-01', '2026-01-31')).toBeUndefined()
    expect(periodProblem('2026-01-01', '2026-01-01')).toBeUndefined()
    expect(periodProblem('', '2026-01-31')).toBe('fromRequired')
    expect(periodProblem('2026-01-01', '2026-13-01')).toBe('toRequired')
    expect(periodProblem('2026-02-01', '2026-01-31')).toBe('periodOrder')
  })
  test('the export link', () => {
    expect(exportURL(inst, 'id-I', '2026-01-01', '2026-01-31', 'pdf'))
      .toBe(`/api/institutions/${inst}/registers/id-I/export?from=2026-01-01&to=2026-01-31&format=pdf`)
  })
})

describe('corrections', () => {
  test('only what changed is sent, with the reason', () => {
    const e = entry()
    const d = { ...correctionDraft(e), subject: 'Cerere autorizație de construire', pages: '4', reason: ' greșeală ' }
    expect(correctionBody(e, d)).toEqual({ body: { reason: 'greșeală', subject: 'Cerere autorizație de construire', pages: 4 }, changed: 2, invalid: [] })
  })
  test('nothing changed, and counts that are not numbers', () => {
    const e = entry()
    expect(correctionBody(e, correctionDraft(e)).changed).toBe(0)
    expect(correctionBody(e, { ...correctionDraft(e), attachments: 'două' }).invalid).toEqual(['attachments'])
  })
  test('a revision\'s changes, among the correctable facts', () => {
    expect(changes({ before: { subject: 'a', pages: 1, revision: 1 }, after: { subject: 'b', pages: 1, revision: 2 } }))
      .toEqual([{ field: 'subject', before: 'a', after: 'b' }])
  })
})

test('every message the desk builds exists in both languages', () => {
  const keys = [
    ...directions.map((d) => `desk.direction.${d}`), ...channels.map((c) => `desk.channel.${c}`),
    ...confidentialities.map((c) => `desk.confidentiality.${c}`), ...correctable.map((f) => `desk.${f}`),
    ...['subjectRequired', 'senderRequired', 'recipientRequired', 'countInvalid', 'fromRequired', 'toRequired', 'periodOrder'].map((k) => `desk.${k}`),
    ...problemKeys,
  ]
  expect(keys.filter((k) => !catalogs.ro[k] || !catalogs.en[k])).toEqual([])
})

describe('mayAnnulOwn', () => {
  const at = Date.parse('2026-03-02T10:00:00Z')
  const entry = { registeredBy: 'me', registeredAt: '2026-03-02T10:00:00Z', annulment: null }
  test.each([
    ['own, within the window', entry, 'me', at + 29 * 60_000, true],
    ['own, at the window\'s end', entry, 'me', at + 30 * 60_000, true],
    ['own, after the window', entry, 'me', at + 31 * 60_000, false],
    ['someone else\'s', entry, 'other', at + 60_000, false],
    ['already annulled', { ...entry, annulment: { at: '2026-03-02T10:01:00Z', by: 'me', reason: 'x' } }, 'me', at + 60_000, false],
  ])('%s', (_name, e, me, now, want) => {
    expect(mayAnnulOwn(e, me, 30, now)).toBe(want)
  })
})

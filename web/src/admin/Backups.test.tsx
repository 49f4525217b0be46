import { fireEvent, screen, waitFor } from '@testing-library/preact'
import { describe, expect, test } from 'vitest'

import type { Me } from '../api/types'
import { fakeAPI, showPage } from '../office/officetest'
import { Backups } from './Backups'

// The backups page against a fake API: the last fixity check beside the
// backups' status, and a check started once with its Idempotency-Key.

const inst = '11111111-1111-1111-1111-111111111111'
const path = `/api/institutions/${inst}/backups`

const operator: Me = {
  id: '00000000-0000-0000-0000-00000000000a', kind: 'staff', email: 'admin@primarialugoj.ro', emailVerified: true, displayName: 'Andrei Munteanu',
  phone: null, locale: 'ro', cnpMasked: null, cui: null, institution: inst, mfaEnabled: true, mfaPending: false, mfaSetupRequired: false,
  grants: [{ institution: inst, department: null, role: 'administrator', permissions: ['backup.manage'] }],
}

const lastBackup = {
  id: '20261207T000005.123Z', finishedAt: '2026-12-07T00:09:05Z', ageSeconds: 3600, dumpBytes: 1 << 20, documents: 10, documentBytes: 1 << 20,
  damagedDocuments: [], verification: { at: '2026-12-07T00:09:00Z', ok: true }, database: { serverVersion: '17', walPosition: '0/1', tables: 40 },
}

const fixityRun = (over: Record<string, unknown>) => ({
  startedAt: '2026-12-06T03:00:00Z', finishedAt: '2026-12-06T03:10:00Z', run: 1, runsPerCycle: 4, checked: 1520, bytes: 1 << 30,
  mismatched: 0, missing: 0, unreadable: 0, auditChains: 4, auditBroken: 0, ok: true, requestedBy: null, ...over,
})

const { sent, answers } = fakeAPI()

function serve(fixity: unknown) {
  answers['GET /api/auth/me'] = () => ({ status: 200, body: operator })
  answers[`GET ${path}`] = () => ({ status: 200, body: { last: lastBackup, complete: [lastBackup.id], fixity } })
  answers[`POST ${path}/fixity-checks`] = () => ({ status: 202, body: { status: 'requested' } })
}

describe('Backups', () => {
  test('the last fixity check shows beside the backups, and a check is started with an Idempotency-Key', async () => {
    serve(fixityRun({}))
    showPage('/birou/copii-de-siguranta', { '/birou/copii-de-siguranta': Backups })
    await screen.findByText('fără probleme')
    screen.getByRole('heading', { name: 'Verificarea integrității' })
    screen.getByText('Ultima copie completă')

    fireEvent.click(screen.getByRole('button', { name: 'Porniți o verificare acum' }))
    await screen.findByText(/Verificarea a fost cerută/)
    const posts = sent.filter((s) => s.method === 'POST')
    expect(posts.map((s) => s.url)).toEqual([`${path}/fixity-checks`])
    expect(posts[0].headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('a check that found problems says which, in words', async () => {
    serve(fixityRun({ ok: false, mismatched: 2, missing: 1, auditBroken: 1 }))
    showPage('/birou/copii-de-siguranta', { '/birou/copii-de-siguranta': Backups })
    await screen.findByText('probleme găsite')
    screen.getByText('Documente modificate: 2, lipsă: 1, ilizibile: 0. Lanțuri de audit rupte: 1 din 4.')
  })

  test('a subordinate institution’s administrator is told the backups are the platform operators’', async () => {
    serve(null)
    answers[`GET ${path}`] = () => ({ status: 403, body: { code: 'forbidden' } })
    showPage('/birou/copii-de-siguranta', { '/birou/copii-de-siguranta': Backups })
    await screen.findByText(/le văd și le pornesc doar administratorii instituției de nivel superior/)
    expect(screen.queryByRole('button', { name: 'Porniți o verificare acum' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Porniți o copie acum' })).toBeNull()
  })

  test('before the first check, the page says so', async () => {
    serve(null)
    showPage('/birou/copii-de-siguranta', { '/birou/copii-de-siguranta': Backups })
    await screen.findByText('Verificarea integrității nu a rulat încă.')
    await waitFor(() => expect(screen.queryByText('fără probleme')).toBeNull())
  })
})

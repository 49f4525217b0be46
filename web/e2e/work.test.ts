import { readFileSync } from 'node:fs'

import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { call, pdf, signInAPI } from './api'
import { demoPassword, launch, newPage, signIn, visit } from './harness'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

interface Summary {
  id: string
  status: string
  registration: { number: number; year: number } | null
}

// submitUrbanismCertificate: the demo citizen asks for an urbanism
// certificate through the API, and the request is waited for until the
// registry has numbered it. The citizen's side is its own journey.
async function submitUrbanismCertificate(): Promise<{ institution: string; request: string; number: string }> {
  const citizen = await signInAPI('ioana.popescu@example.ro', demoPassword())
  const head = await signInAPI('sef.urbanism@primarialugoj.ro', demoPassword())
  const { institution } = await call<{ institution: string }>(head, 'GET', '/api/auth/me')
  const types = await call<{ id: string; code: string }[]>(citizen, 'GET', `/api/institutions/${institution}/request-types`)
  const type = types.find((x) => x.code === 'certificat-urbanism')
  expect(type, 'the urbanism certificate in the catalogue').toBeTruthy()
  const plan = pdf('Plan de situatie, str. Fagetului 14')
  const extract = pdf('Extras CF 401234')
  const body = new FormData()
  body.append('request', new Blob([JSON.stringify({
    typeId: type!.id,
    data: { property: { locality: 'Lugoj', street: 'Strada Făgetului', number: '14' }, cadastralNumber: '401234', landBookNumber: '401234', purpose: 'construire', area: 540 },
    attachments: [{ kind: 'plan-situatie', name: 'plan.pdf', size: plan.length }, { kind: 'extras-cf', name: 'extras-cf.pdf', size: extract.length }],
  })], { type: 'application/json' }))
  body.append('file', new Blob([new Uint8Array(plan)], { type: 'application/pdf' }), 'plan.pdf')
  body.append('file', new Blob([new Uint8Array(extract)], { type: 'application/pdf' }), 'extras-cf.pdf')
  const made = await call<Summary>(citizen, 'POST', `/api/institutions/${institution}/requests`, body)

  const deadline = Date.now() + 60_000
  for (;;) {
    const r = await call<Summary>(citizen, 'GET', `/api/institutions/${institution}/requests/${made.id}`)
    if (r.registration) return { institution, request: made.id, number: `${r.registration.number}/${r.registration.year}` }
    if (Date.now() > deadline) throw new Error(`request ${made.id} not registered within 60 s`)
    await new Promise((res) => setTimeout(res, 500))
  }
}

// The head of the urbanism department finds a new request in the
// department's work list and assigns it to the clerk; the clerk, signed in
// on another browser, finds it among their own and resolves it with an
// answer document, which then is among the request's files.
test('a head of department assigning and a clerk resolving', async () => {
  const { institution: requestInstitution, request, number } = await submitUrbanismCertificate()
  const department = 'Serviciul Urbanism și Amenajarea Teritoriului'
  const requestLink = { name: `Certificat de urbanism nr. ${number}` }

  // The head of department.
  const head = await newPage(browser)
  await signIn(head.page, 'sef.urbanism@primarialugoj.ro')
  await head.page.getByRole('link', { name: 'Cereri de soluționat' }).click()
  await head.page.waitForURL('**/birou/cereri')
  await head.page.getByRole('link', requestLink).waitFor()
  expect(await head.page.getByRole('link', { name: 'Ale compartimentului' }).getAttribute('aria-current')).toBe('page')
  await visit(head.page, 'work-list')
  await head.page.getByRole('link', requestLink).click()
  await head.page.waitForURL(`**/birou/cereri/${request}`)
  await head.page.getByRole('heading', { name: 'Certificat de urbanism', level: 1 }).waitFor()
  await head.page.getByRole('rowheader', { name: 'Cerere înregistrată' }).waitFor()
  // Who applied and how to reach them; the CNP masked only.
  const applicant = head.page.getByRole('region', { name: 'Solicitantul' })
  await applicant.getByText('Ioana Popescu').waitFor()
  await applicant.getByRole('link', { name: 'ioana.popescu@example.ro' }).waitFor()
  expect(await applicant.locator('code').first().textContent()).toMatch(/^2\*+\d{3}$/)
  expect(await head.page.content()).not.toContain('2900315351230')
  await visit(head.page, 'work-request')

  await head.page.getByRole('button', { name: 'Repartizați', exact: true }).click()
  const clerkChoice = head.page.getByLabel('Funcționarul')
  await clerkChoice.locator('option', { hasText: 'Radu Stoica' }).waitFor({ state: 'attached' })
  await visit(head.page, 'work-assign')
  await clerkChoice.selectOption({ label: 'Radu Stoica' })
  await head.page.getByRole('button', { name: 'Repartizați cererea' }).click()
  await head.page.getByRole('status').filter({ hasText: 'Cererea a fost repartizată.' }).waitFor()
  await head.page.locator('dd', { hasText: 'Radu Stoica' }).first().waitFor()
  await head.page.getByText('Responsabil: Radu Stoica').waitFor()
  await head.page.getByRole('button', { name: 'Ieșire' }).click()
  await head.page.waitForURL((u) => u.pathname === '/')
  expect(head.problems).toEqual([])
  await head.context.close()

  // The clerk, in a browser of their own.
  const clerk = await newPage(browser)
  await signIn(clerk.page, 'urbanism@primarialugoj.ro')
  await clerk.page.goto('/birou/cereri')
  expect(await clerk.page.getByRole('link', { name: 'Repartizate mie' }).getAttribute('aria-current')).toBe('page')
  await clerk.page.getByRole('link', requestLink).click()
  await clerk.page.waitForURL(`**/birou/cereri/${request}`)
  await clerk.page.getByRole('heading', { name: 'Certificat de urbanism', level: 1 }).waitFor()
  // A clerk does not assign.
  await clerk.page.getByRole('button', { name: 'Soluționați' }).waitFor()
  // Each step is signed as the institution signs: the head's name and department.
  await clerk.page.getByRole('cell', { name: `Elena Dumitrescu, ${department}` }).first().waitFor()
  await clerk.page.getByRole('region', { name: 'Solicitantul' }).getByText('Ioana Popescu').waitFor()
  expect(await clerk.page.getByRole('button', { name: 'Repartizați', exact: true }).count()).toBe(0)

  await clerk.page.getByRole('button', { name: 'Soluționați' }).click()
  const answer = pdf('Certificat de urbanism nr. 7 din 2026')
  await clerk.page.getByLabel('Documentul de răspuns').setInputFiles({ name: 'certificat.pdf', mimeType: 'application/pdf', buffer: answer })
  await clerk.page.getByLabel('Titlul documentului (opțional)').fill('Certificat de urbanism')
  await clerk.page.getByLabel('Mesaj pentru solicitant (opțional)').fill('Certificatul de urbanism a fost emis.')
  await visit(clerk.page, 'work-resolve')
  await clerk.page.getByRole('button', { name: 'Trimiteți răspunsul' }).click()
  await clerk.page.getByRole('status').filter({ hasText: 'Cererea a fost soluționată.' }).waitFor()
  await clerk.page.locator('dd .badge', { hasText: 'Soluționată' }).waitFor()
  // The answer is among the request's files, as the institution's answer.
  const files = clerk.page.getByRole('region', { name: 'Documente' })
  const row = files.getByRole('row').filter({ hasText: 'Răspunsul instituției' })
  await row.getByRole('link', { name: 'certificat.pdf' }).waitFor()
  // The registry numbers the answer; the page shows it without a reload.
  await clerk.page.getByRole('rowheader', { name: 'Răspuns înregistrat' }).waitFor({ timeout: 60_000 })
  await visit(clerk.page, 'work-resolved')
  const download = await Promise.all([clerk.page.waitForEvent('download'), row.getByRole('link', { name: 'certificat.pdf' }).click()])
  expect(readFileSync(await download[0].path()).equals(answer)).toBe(true)
  // Closed: nothing more to do.
  expect(await clerk.page.getByRole('button', { name: 'Soluționați' }).count()).toBe(0)
  expect(clerk.problems).toEqual([])
  await clerk.context.close()

  // The citizen sees who answered, by name and department, not "a clerk".
  const citizen = await newPage(browser)
  await signIn(citizen.page, 'ioana.popescu@example.ro', { lands: '/cereri' })
  await citizen.page.goto(`/cereri/${requestInstitution}/${request}`)
  const resolved = citizen.page.locator('.timeline li').filter({ hasText: 'Cerere soluționată' })
  await resolved.getByText(`Radu Stoica, ${department}`).waitFor()
  await visit(citizen.page, 'request-signed')
  expect(citizen.problems).toEqual([])
  await citizen.context.close()

  // The head of department's overview counts it: received and resolved
  // today, in the charts' tables and the totals, as the API counts it.
  const overview = await newPage(browser)
  await signIn(overview.page, 'sef.urbanism@primarialugoj.ro')
  await overview.page.getByRole('link', { name: 'Situația lucrărilor' }).click()
  await overview.page.waitForURL('**/birou/panou')
  const total = (label: string) => overview.page.locator('.total', { hasText: label }).locator('.total-value')
  await total('Primite').waitFor()
  await visit(overview.page, 'dashboard')
  const token = await signInAPI('sef.urbanism@primarialugoj.ro', demoPassword())
  const { institution } = await call<{ institution: string }>(token, 'GET', '/api/auth/me')
  const counted = await call<{ days: { received: number; resolved: number }[] }>(token, 'GET',
    `/api/institutions/${institution}/statistics/requests`)
  const sum = (k: 'received' | 'resolved') => counted.days.reduce((n, d) => n + d[k], 0)
  expect(sum('received')).toBeGreaterThanOrEqual(1)
  expect(sum('resolved')).toBeGreaterThanOrEqual(1)
  expect(await total('Primite').textContent()).toBe(String(sum('received')))
  expect(await total('Soluționate').textContent()).toBe(String(sum('resolved')))
  const departments = overview.page.getByRole('table', { name: 'Cererile în lucru ale fiecărui compartiment, azi' })
  expect(await departments.getByRole('rowheader').count()).toBe(1)
  // The charts' numbers are a table too; a shorter period has fewer days.
  const firstChart = overview.page.locator('figure').first()
  await firstChart.getByText('Cifrele graficului').click()
  expect(await firstChart.locator('tbody tr').count()).toBe(30)
  await overview.page.getByLabel('Perioada').selectOption({ label: 'ultimele 7 zile' })
  await overview.page.waitForURL('**/birou/panou?zile=7')
  await overview.page.locator('p[role=status]', { hasText: 'De la' }).waitFor()
  await expect.poll(() => firstChart.locator('tbody tr').count()).toBe(7)
  const today = firstChart.locator('tbody tr').last()
  expect(Number(await today.locator('td').first().textContent())).toBeGreaterThanOrEqual(1)
  expect(overview.problems).toEqual([])
  await overview.context.close()
})

import { readFileSync } from 'node:fs'

import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { call, pdf, signInAPI } from './api'
import { baseURL, checkPhoneHeader, demoPassword, launch, newPage, testCNP, uniqueEmail, visit, waitForMail } from './harness'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

// A citizen, on a phone-sized screen half the time in real life, signs up,
// confirms the address from the mail, signs in, asks for an urbanism
// certificate with its two PDFs, sees the registration number and
// downloads the receipt; the department answers (through the API here: the
// clerk's side is its own journey), and the citizen downloads the answer.
test('a citizen from sign-up to downloading the answer', async () => {
  const { context, page, problems } = await newPage(browser)
  const email = uniqueEmail('ana.citizen')
  const password = 'o parolă lungă și bună 2026'

  await page.goto('/')
  await visit(page, 'home')
  await page.getByRole('link', { name: 'Creați un cont' }).click()
  await visit(page, 'signup')
  await page.getByLabel('Nume și prenume').fill('Ana Popescu')
  await page.getByLabel('CNP').fill(testCNP())
  await page.getByLabel('Adresă de e-mail').fill(email)
  await page.getByLabel('Parolă nouă').fill(password)
  await page.getByRole('button', { name: 'Creați contul' }).click()
  await expect.poll(() => page.getByRole('status').textContent()).toContain('Contul a fost creat')

  const mail = await waitForMail(email, /Confirmați adresa/)
  const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail)?.[1]
  expect(token, 'the link in the mail').toBeTruthy()
  await page.goto(`/verify-email?token=${token}`)
  await expect.poll(() => page.getByRole('status').textContent()).toContain('confirmată')

  await page.goto('/autentificare')
  await visit(page, 'signin')
  await page.getByLabel('Adresă de e-mail').fill(email)
  await page.getByLabel('Parolă').fill(password)
  await page.getByRole('button', { name: 'Intrați în cont' }).click()
  await page.waitForURL('**/cereri')
  await visit(page, 'my-requests-empty')
  await checkPhoneHeader(page, 'portal')

  await page.goto('/servicii')
  await visit(page, 'catalogue')
  await page.getByRole('link', { name: 'Certificat de urbanism' }).click()
  await page.getByLabel('Număr cadastral').waitFor()
  await visit(page, 'request-form')
  await page.getByLabel('Stradă').fill('Strada Făgetului')
  await page.getByLabel('Număr cadastral').fill('402117')
  await page.getByLabel('Număr carte funciară').fill('402117')
  await page.getByLabel('Construire').check()
  await page.getByLabel('Suprafața terenului (mp)').fill('450')
  const plan = pdf('Plan de situatie, str. Fagetului 12')
  await page.getByLabel('Plan de situație', { exact: false }).setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: plan })
  await page.getByLabel('Extras de carte funciară', { exact: false }).setInputFiles({ name: 'extras-cf.pdf', mimeType: 'application/pdf', buffer: pdf('Extras CF 402117') })
  await page.getByRole('button', { name: 'Trimiteți cererea' }).click()

  await page.waitForURL(/\/cereri\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/)
  const [, institution, request] = /\/cereri\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/.exec(page.url())!
  await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toContain('a fost înregistrată cu nr.')
  await visit(page, 'request')
  const registered = /nr\. (\d+)\/(\d+)/.exec((await page.getByRole('status').first().textContent()) ?? '')!
  const code = (await page.locator('dd code').textContent())!.trim()
  const receipt = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /dovada de înregistrare/ }).click()])
  const receiptPDF = readFileSync(await receipt[0].path())
  expect(receiptPDF.subarray(0, 5).toString()).toBe('%PDF-')
  // Its verification link (a link annotation of the PDF) names the institution.
  const verificationLink = /\/URI \(([^)]*)\)/.exec(receiptPDF.toString('latin1'))?.[1] ?? ''
  expect(verificationLink.startsWith(`${baseURL()}/verificare/${institution}?`)).toBe(true)

  // The department answers: the head assigns, the clerk resolves.
  const base = `/api/institutions/${institution}/requests/${request}`
  const head = await signInAPI('sef.urbanism@primarialugoj.ro', demoPassword())
  const clerk = await signInAPI('urbanism@primarialugoj.ro', demoPassword())
  const clerkMe = await call<{ id: string }>(clerk, 'GET', '/api/auth/me')
  await call(head, 'POST', `${base}/assignment`, { assigneeId: clerkMe.id })
  const answer = pdf('Certificat de urbanism nr. 1')
  const body = new FormData()
  body.append('resolution', new Blob([JSON.stringify({ note: 'Certificatul este emis.', files: [{ title: 'Certificat de urbanism', name: 'certificat.pdf' }] })], { type: 'application/json' }))
  body.append('file', new Blob([new Uint8Array(answer)], { type: 'application/pdf' }), 'certificat.pdf')
  await call(clerk, 'POST', `${base}/resolution`, body)

  // The "resolved" mail carries the clerk's message and links to the
  // request's page, where the answer is first, with its download.
  const resolvedMail = await waitForMail(email, /a fost soluționată/)
  expect(resolvedMail).toContain('Certificatul este emis.')
  const answerLink = /https?:\/\/\S+\/cereri\/\S+/.exec(resolvedMail)?.[0]
  expect(answerLink).toBe(`${baseURL()}/cereri/${institution}/${request}`)
  await page.goto(answerLink!)
  await page.getByRole('heading', { name: 'Răspunsul instituției' }).waitFor()
  const answerPanel = page.locator('section.answer-panel')
  expect(await answerPanel.textContent()).toContain('Certificatul este emis.')
  // First on the page, before the registration and the history.
  expect(await page.locator('main h2').first().textContent()).toBe('Răspunsul instituției')
  await visit(page, 'request-resolved')
  const download = await Promise.all([page.waitForEvent('download'),
    answerPanel.getByRole('link', { name: 'Descărcați răspunsul: Certificat de urbanism' }).click()])
  expect(readFileSync(await download[0].path()).equals(answer)).toBe(true)

  await page.goto('/cereri')
  await page.getByText('Soluționată').waitFor()
  await visit(page, 'my-requests')

  // What the platform told the citizen on the way, in the app.
  await page.goto('/notificari')
  await page.getByText(/a fost soluționată/).first().waitFor()
  await visit(page, 'notifications')

  // All the citizen's data, as a file.
  await page.goto('/contul-meu')
  await visit(page, 'account')
  const exported = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descărcați datele mele' }).click()])
  expect(readFileSync(await exported[0].path(), 'utf8')).toContain(email)

  // Anyone with the receipt sees the status, signed out, with nothing
  // personal: its link shows it at once, without a click.
  const anonymous = await newPage(browser)
  await anonymous.page.goto(verificationLink)
  await anonymous.page.getByRole('heading', { name: `Cererea nr. ${registered[1]}/${registered[2]}` }).waitFor()
  await anonymous.page.getByText('Soluționată').waitFor()
  await visit(anonymous.page, 'status-lookup')
  expect(await anonymous.page.content()).not.toContain('Ana Popescu')
  // Typed as the receipt prints it, "9/2026", with the code in small letters.
  await anonymous.page.goto('/verificare')
  await anonymous.page.getByLabel('Număr de înregistrare').fill(`${registered[1]}/${registered[2]}`)
  await anonymous.page.getByLabel('Cod de verificare').fill(code.toLowerCase())
  await anonymous.page.getByRole('button', { name: 'Verificați' }).click()
  await anonymous.page.getByRole('heading', { name: `Cererea nr. ${registered[1]}/${registered[2]}` }).waitFor()
  await anonymous.page.getByText('Soluționată').waitFor()
  expect(anonymous.problems).toEqual([])
  await anonymous.context.close()
  expect(problems).toEqual([])
  await context.close()
})

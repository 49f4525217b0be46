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

// The demo citizen (infra/seed).
const citizen = 'ioana.popescu@example.ro'

interface RequestDetail {
  data: Record<string, unknown>
}

// A citizen fills in the urbanism certificate's form as people do: the
// property's address, a CNP mistyped by one digit (refused at once with
// sign-up's words), the area with a decimal comma (512,5 is 512.5, and
// stays written so), the two PDFs, whose formats and maximum sizes are
// told before any file is chosen.
test('a citizen fills in a form: address, CNP checked, decimal comma, files told up front', async () => {
  const { context, page, problems } = await newPage(browser)
  await signIn(page, citizen, { lands: '/cereri' })

  await page.goto('/servicii')
  await page.getByRole('link', { name: 'Certificat de urbanism' }).click()
  await page.getByLabel('Număr cadastral').waitFor()

  // What each document may be, before a file is picked.
  expect(await page.locator('#attachment-plan-situatie-accepted').textContent()).toBe('Formate acceptate: PDF. Mărimea maximă: 20 MB pentru fiecare fișier.')
  expect(await page.locator('#attachment-extras-cf-accepted').textContent()).toBe('Formate acceptate: PDF. Mărimea maximă: 10 MB pentru fiecare fișier.')
  expect(await page.getByLabel('Plan de situație', { exact: false }).getAttribute('aria-describedby')).toContain('attachment-plan-situatie-accepted')

  // The property's address: Lugoj to start with.
  await page.getByRole('group', { name: /Adresa imobilului/ }).waitFor()
  expect(await page.getByLabel('Lugoj', { exact: true }).isChecked()).toBe(true)
  await page.getByLabel('Stradă').fill('Strada Făgetului')
  await page.getByLabel('Număr', { exact: true }).fill('12')
  await page.getByLabel('Număr cadastral').fill('402117')
  await page.getByLabel('Număr carte funciară').fill('402117')
  await page.getByLabel('Construire').check()
  await page.getByLabel('Descrierea lucrărilor propuse').fill('Casă de locuit P+1')

  // A CNP with the last digit mistyped: refused before sending, as sign-up refuses it.
  await page.getByLabel('CNP solicitant').fill('1920822296091')
  await page.getByLabel('Suprafața terenului (mp)').pressSequentially('512,5')
  expect(await page.getByLabel('Suprafața terenului (mp)').inputValue()).toBe('512,5')
  await page.getByRole('button', { name: 'Trimiteți cererea' }).click()
  await expect.poll(() => page.locator('#f-cnp--error').textContent()).toBe('Cifra de control a CNP-ului nu este corectă; verificați dacă ați tastat corect.')
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-cnp')
  await visit(page, 'request-form-cnp-refused')
  await page.getByLabel('CNP solicitant').fill('1920822296090')

  await page.getByLabel('Plan de situație', { exact: false }).setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdf('Plan de situatie') })
  await page.getByLabel('Extras de carte funciară', { exact: false }).setInputFiles({ name: 'extras-cf.pdf', mimeType: 'application/pdf', buffer: pdf('Extras CF 402117') })
  expect(await page.getByLabel('Suprafața terenului (mp)').inputValue()).toBe('512,5')
  await page.getByRole('button', { name: 'Trimiteți cererea' }).click()

  await page.waitForURL(/\/cereri\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/)
  const [, institution, request] = /\/cereri\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/.exec(page.url())!

  // What was sent, as the API keeps it.
  const token = await signInAPI(citizen, demoPassword())
  const detail = await call<RequestDetail>(token, 'GET', `/api/institutions/${institution}/requests/${request}`)
  expect(detail.data.area).toBe(512.5)
  expect(detail.data.cnp).toBe('1920822296090')
  expect(detail.data.property).toEqual({ locality: 'Lugoj', street: 'Strada Făgetului', number: '12' })

  expect(problems).toEqual([])
  await context.close()
})

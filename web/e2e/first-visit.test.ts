import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { launch, newPage, testCNP, uniqueEmail, visit, waitForMail } from './harness'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

// A first-time citizen opens a service from the catalogue without an
// account: the sign-in page says why it is asked for, sign-up keeps where
// they were going, the verification mail's link brings them back through
// sign-in to the form they started from, with their name, CNP and e-mail
// filled in from the account, and they submit it.
test('a first-time citizen comes back to the form they opened, filled in from the account', async () => {
  const { context, page, problems } = await newPage(browser)
  const email = uniqueEmail('ioana.first')
  const password = 'o parolă lungă și bună 2026'
  const cnp = testCNP()

  await page.goto('/servicii')
  await page.getByRole('link', { name: /Petiție/ }).first().click()
  await page.waitForURL((u) => u.pathname === '/autentificare' && (u.searchParams.get('next') ?? '').startsWith('/servicii/'))
  const form = new URL(page.url()).searchParams.get('next')!
  await page.getByRole('status').filter({ hasText: 'Pentru a depune această cerere, intrați în cont sau creați unul.' }).waitFor()
  await visit(page, 'first-visit-signin')

  await page.getByRole('link', { name: 'Nu aveți cont? Creați unul' }).click()
  await page.waitForURL((u) => u.pathname === '/cont-nou' && u.searchParams.get('next') === form)
  await page.getByLabel('Nume și prenume').fill('Ioana Mureșan')
  await page.getByLabel('CNP').fill(cnp)
  await page.getByLabel('Adresă de e-mail').fill(email)
  await page.getByLabel('Parolă nouă').fill(password)
  await page.getByRole('button', { name: 'Creați contul' }).click()
  await expect.poll(() => page.getByRole('status').textContent()).toContain('Contul a fost creat')

  // The link in the mail, as the citizen's mail program opens it.
  const mail = await waitForMail(email, /Confirmați adresa/)
  const link = /https?:\/\/\S+\/verify-email\?\S+/.exec(mail)?.[0]
  expect(link, 'the verification link in the mail').toBeTruthy()
  expect(new URL(link!).searchParams.get('next'), 'the way back in the link').toBe(form)
  await page.goto(link!)
  await page.waitForURL((u) => u.pathname === '/autentificare' && u.searchParams.get('next') === form)
  await page.getByRole('status').filter({ hasText: 'Adresa de e-mail a fost confirmată.' }).waitFor()
  await visit(page, 'first-visit-verified')
  await page.getByLabel('Adresă de e-mail').fill(email)
  await page.getByLabel('Parolă').fill(password)
  await page.getByRole('button', { name: /^Intr(ă|ați) în cont$/ }).click()

  // Back on the form, with what the account knows filled in.
  await page.waitForURL((u) => u.pathname === form)
  await expect.poll(() => page.getByLabel('CNP').inputValue()).toBe(cnp)
  expect(await page.getByLabel('Nume și prenume').inputValue()).toBe('Ioana Mureșan')
  expect(await page.getByLabel('Adresă de e-mail').inputValue()).toBe(email)
  await visit(page, 'first-visit-form')

  await page.getByLabel('Stradă').fill('Str. Făgetului 12')
  await page.getByLabel('Timiș').check()
  await page.getByLabel('Obiectul petiției').fill('Iluminat public nefuncțional')
  await page.getByLabel('Conținutul petiției').fill('Vă rog să reparați iluminatul public de pe strada Făgetului, nefuncțional de o lună.')
  await page.getByRole('button', { name: 'Trimiteți cererea' }).click()
  await page.waitForURL(/\/cereri\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/)
  await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toContain('a fost înregistrată cu nr.')
  expect(problems).toEqual([])
  await context.close()
})

import { readFileSync } from 'node:fs'

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { focusedId, launch, newPage, signIn, visit } from './harness'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

/** Opens one of the office page's areas by its link, as people do. */
async function openFromOffice(page: Page, link: string, path: string): Promise<void> {
  await page.goto('/birou')
  await page.getByRole('link', { name: link, exact: true }).click()
  await page.waitForURL(`**${path}`)
  await page.getByRole('heading', { level: 1, name: link }).waitFor()
}

// Codes no other run has: registers and files are never deleted.
const stamp = Date.now().toString(36).toUpperCase()

// The administrator configures the records: defines a register (and closes
// and reopens it, each after a confirmation, and leaves it closed so no
// other journey's desk offers it), adds a file to this year's filing plan,
// closes it and downloads its inventory, saves a new version of a
// notification template after a refusal of a broken one (and puts the text
// back), then finds their own register in the audit trail by its filters,
// reloads the bookmarked view and verifies the chain.
test('an administrator configures registers, the filing plan and a template, and finds it in the audit trail', async () => {
  const { context, page, problems } = await newPage(browser)
  await signIn(page, 'admin@primarialugoj.ro')

  // ---- Registers ----
  await openFromOffice(page, 'Configurarea registrelor', '/birou/registre')
  await page.getByRole('rowheader', { name: 'MOL' }).waitFor()
  await visit(page, 'admin-registers')
  const code = `E2E-${stamp}`
  const name = `Registrul de probă ${stamp}`
  await page.getByLabel('Cod').fill(code.toLowerCase())
  await page.getByLabel(/^Denumire/).fill(name)
  await page.getByLabel('Descriere').fill('Definit de testul paginilor de administrare.')
  await page.getByRole('button', { name: 'Definiți registrul' }).click()
  await page.getByText(`Registrul ${code} – ${name} a fost definit.`).waitFor()
  await expect.poll(() => focusedId(page)).toBe('registers-done')
  await page.getByRole('rowheader', { name: code }).waitFor()
  // The same code again is refused next to the field.
  await page.getByLabel('Cod').fill(code)
  await page.getByLabel(/^Denumire/).fill('Altul')
  await page.getByRole('button', { name: 'Definiți registrul' }).click()
  await page.locator('#register-code-error').getByText('Instituția are deja un registru cu acest cod').waitFor()
  await expect.poll(() => focusedId(page)).toBe('register-code')
  await page.getByLabel('Cod').fill('')
  await page.getByLabel(/^Denumire/).fill('')

  // Closed and reopened, each after a confirmation.
  await page.getByRole('button', { name: `Închideți registrul ${code}` }).click()
  const closeIt = page.getByRole('group', { name: `Închideți registrul ${code}?` })
  await closeIt.waitFor()
  await expect.poll(() => focusedId(page)).toBe('register-confirm')
  await closeIt.getByRole('button', { name: 'Da, închideți registrul' }).click()
  await page.getByText(`Registrul ${code} a fost închis.`).waitFor()
  await page.getByRole('button', { name: `Redeschideți registrul ${code}` }).click()
  await page.getByRole('group', { name: `Redeschideți registrul ${code}?` }).getByRole('button', { name: 'Da, redeschideți registrul' }).click()
  await page.getByText(`Registrul ${code} a fost redeschis.`).waitFor()
  await page.getByRole('button', { name: `Închideți registrul ${code}` }).click()
  await page.getByRole('button', { name: 'Da, închideți registrul' }).click()
  await page.getByText(`Registrul ${code} a fost închis.`).waitFor()

  // ---- The filing plan ----
  await openFromOffice(page, 'Nomenclatorul arhivistic', '/birou/nomenclator')
  const year = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest', year: 'numeric' }).format(new Date())
  await page.getByRole('heading', { name: `Dosarele anului ${year}` }).waitFor()
  await visit(page, 'admin-filing-plan')
  const indicator = `E2E ${stamp}`
  await page.getByLabel('Indicativ').fill(indicator)
  await page.getByLabel('Denumirea dosarului').fill('Corespondență de probă')
  await page.getByLabel('Termen de păstrare').selectOption({ label: '10 ani' })
  await page.locator('#file-departmentId').selectOption({ index: 1 })
  await page.getByRole('button', { name: 'Adăugați dosarul' }).click()
  await page.getByText(`Dosarul ${indicator} a fost adăugat în nomenclatorul pe ${year}.`).waitFor()
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: indicator }) })
  await row.getByText('10 ani').waitFor()
  // Closed after a confirmation, its inventory is offered for the archive.
  await page.getByRole('button', { name: `Închideți dosarul ${indicator}` }).click()
  await page.getByRole('button', { name: 'Da, închideți dosarul' }).click()
  await page.getByText(`Dosarul ${indicator} a fost închis.`, { exact: false }).waitFor()
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('link', { name: `Inventar CSV al dosarului ${indicator}` }).click()])
  const csv = readFileSync((await download.path())!, 'utf8')
  expect(csv.length).toBeGreaterThan(0)
  await visit(page, 'admin-filing-plan-files')

  // ---- A notification template ----
  await openFromOffice(page, 'Șabloane de notificări', '/birou/sabloane')
  await page.getByRole('rowheader', { name: 'Cerere clasată' }).waitFor()
  await visit(page, 'admin-templates')
  // English "request filed away": no other journey reads it, and its text is put back below.
  await page.getByRole('link', { name: 'Deschideți șablonul „Cerere clasată” în engleză' }).click()
  await page.waitForURL('**/birou/sabloane?name=request-filed&locale=en')
  const subject = page.getByLabel('Subiectul e-mailului')
  await subject.waitFor()
  await page.getByText('{{.Note}}').waitFor()
  const original = await subject.inputValue()
  expect(original).toContain('{{')
  await visit(page, 'admin-template-editor')
  const save = page.getByRole('button', { name: 'Salvați ca versiune nouă' })

  await subject.fill(`${original} {{.Number`)
  await save.click()
  await page.getByText('Versiunea nu a fost salvată. Corectați părțile marcate:').waitFor()
  await page.locator('#tpl-subject-error').getByText('Șablonul nu este valid').waitFor()
  expect(await subject.getAttribute('aria-invalid')).toBe('true')
  await expect.poll(() => focusedId(page)).toBe('template-problem')

  await subject.fill(`${original} (nr. {{.Number}})`)
  await save.click()
  const saved = page.getByText(/Versiunea \d+ a fost salvată/)
  await saved.waitFor()
  const version = Number(/Versiunea (\d+)/.exec((await saved.textContent()) ?? '')![1])
  expect(await page.locator('#tpl-subject-error').count()).toBe(0)
  // The text put back, as a version of its own.
  await subject.fill(original)
  await save.click()
  await page.getByText(`Versiunea ${version + 1} a fost salvată`, { exact: false }).waitFor()
  await page.getByText(`Notificările folosesc acum versiunea ${version + 1}`, { exact: false }).waitFor()

  // ---- The audit trail ----
  await openFromOffice(page, 'Jurnal de audit', '/birou/audit')
  await page.getByRole('button', { name: 'Verificați lanțul' }).waitFor()
  await visit(page, 'admin-audit')
  await page.getByLabel('Cine', { exact: true }).selectOption({ label: 'Andrei Munteanu' })
  await page.getByLabel('Acțiunea', { exact: true }).selectOption({ label: 'Definirea unui registru' })
  await page.getByRole('button', { name: 'Filtrați' }).click()
  await page.waitForURL(/\/birou\/audit\?actor=[0-9a-f-]{36}&action=register\.create$/)
  // Only the creation is left of the register's records (the page keeps the old rows until the new ones come).
  const mine = page.getByRole('row').filter({ hasText: code })
  await expect.poll(() => mine.count()).toBe(1)
  await mine.getByText('Definirea unui registru').waitFor()
  await mine.getByText('Andrei Munteanu').waitFor()
  // Its details, a click away.
  await mine.getByRole('button', { name: /Detalii/ }).click()
  await page.getByRole('table', { name: 'Ce s-a schimbat' }).first().waitFor()

  // The view is in its URL: reloaded (a bookmark), it is the same.
  await page.reload()
  await page.getByRole('row').filter({ hasText: code }).getByText('Definirea unui registru').waitFor()
  expect(await page.getByLabel('Acțiunea', { exact: true }).inputValue()).toBe('register.create')
  await page.getByRole('row').filter({ hasText: code }).getByRole('button', { name: /Detalii/ }).click()
  await visit(page, 'admin-audit-filtered')

  await page.getByRole('button', { name: 'Verificați lanțul' }).click()
  await page.getByText('Lanțul este intact.').waitFor()
  await page.getByText(/înregistrări verificate, nicio modificare/).waitFor()

  expect(problems).toEqual([])
  await context.close()
})

// The auditor reads the audit trail and verifies it, but the office page
// offers no configuration, and the registers' page no change.
test('an auditor reads the audit trail and configures nothing', async () => {
  const { context, page, problems } = await newPage(browser)
  await signIn(page, 'auditor@primarialugoj.ro')
  await page.getByRole('link', { name: 'Jurnal de audit', exact: true }).waitFor()
  for (const area of ['Configurarea registrelor', 'Nomenclatorul arhivistic', 'Șabloane de notificări']) {
    expect(await page.getByRole('link', { name: area, exact: true }).count()).toBe(0)
  }
  await openFromOffice(page, 'Jurnal de audit', '/birou/audit')
  await page.getByRole('row').nth(1).waitFor()
  await page.getByRole('button', { name: 'Verificați lanțul' }).click()
  await page.getByText('Lanțul este intact.').waitFor()
  await visit(page, 'auditor-audit')

  // Reading the registers, nothing to change; the templates are not theirs.
  await page.goto('/birou/registre')
  await page.getByRole('rowheader', { name: 'I', exact: true }).waitFor()
  expect(await page.getByRole('heading', { name: 'Definiți un registru' }).count()).toBe(0)
  expect(await page.getByRole('button', { name: /Închideți registrul/ }).count()).toBe(0)
  await page.goto('/birou/sabloane')
  await page.getByText('Contul dumneavoastră nu are dreptul de a gestiona notificările instituției.').waitFor()

  expect(problems).toEqual([])
  await context.close()
})

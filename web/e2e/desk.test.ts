import { readFileSync } from 'node:fs'

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { pdf } from './api'
import { checkPhoneHeader, focusedId, launch, newPage, signIn, uniqueWord, visit } from './harness'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()])
  return readFileSync((await d.path())!)
}

// The registrar at the counter: signs in, registers a paper document with
// its scan from the keyboard, prints the receipt, registers the next one
// with the sender remembered, finds the first by a word of its subject and
// downloads its scan, exports the day's register; the secretary general
// annuls the second, which then shows as annulled.
test('a registrar registers a counter document and prints its receipt', async () => {
  const { context, page, problems } = await newPage(browser)
  await signIn(page, 'registratura@primarialugoj.ro')
  await checkPhoneHeader(page, 'back office')
  await page.getByRole('link', { name: 'Registratură', exact: true }).click()
  await page.waitForURL('**/birou/registratura')

  // The desk opens on the sender, the incoming register and the counter chosen.
  await expect.poll(() => focusedId(page)).toBe('desk-sender')
  await visit(page, 'desk')
  expect(await page.locator('#desk-register option:checked').textContent()).toContain('Registrul de intrare')
  expect(await page.locator('#desk-channel option:checked').textContent()).toBe('La ghișeu, pe hârtie')

  // A stray key on the register list switches nothing by itself: the
  // change waits for a confirmation, and "no" keeps the register.
  await page.locator('#desk-register').focus()
  await page.keyboard.press('ArrowDown')
  await page.getByRole('alertdialog', { name: 'Schimbați registrul?' }).waitFor()
  await expect.poll(() => focusedId(page)).toBe('desk-change-confirm')
  expect(await page.locator('#desk-register option:checked').textContent()).toContain('Registrul de intrare')
  await page.getByRole('button', { name: /^Nu, rămân la Registrul de intrare/ }).click()
  expect(await page.getByRole('alertdialog').count()).toBe(0)
  expect(await page.locator('#desk-register option:checked').textContent()).toContain('Registrul de intrare')
  expect(await page.locator('#desk-direction option:checked').textContent()).toBe('Intrare')

  const first = uniqueWord('dosar', 8)
  const scan = pdf(`Cerere autorizatie de construire ${first}`)
  await page.getByLabel('Expeditor').fill('Ștefan Țârlea, str. Bocșei 12, Lugoj')
  await page.getByLabel('Conținut pe scurt').fill(`Cerere pentru autorizația de construire ${first}`)
  await page.getByLabel('Documentul scanat').setInputFiles({ name: 'cerere-scanata.pdf', mimeType: 'application/pdf', buffer: scan })
  await page.getByLabel('Număr de file').fill('3')
  // Enter registers.
  await page.getByLabel('Număr de file').press('Enter')
  await page.getByRole('heading', { name: 'Document înregistrat' }).waitFor()
  const [, n1, year] = /(\d+)\/(\d{4})/.exec((await page.locator('#desk-number').textContent()) ?? '')!
  expect(Number(n1)).toBeGreaterThan(0)
  await expect.poll(() => focusedId(page)).toBe('desk-next')
  await visit(page, 'desk-registered')
  const entry1 = (await page.getByRole('link', { name: 'Deschideți înregistrarea' }).getAttribute('href'))!
  expect(entry1).toMatch(/^\/birou\/registru\/[0-9a-f-]{36}$/)

  // The receipt is a PDF, to download.
  const receipt = await download(page, () => page.getByRole('link', { name: 'Descărcați dovada (PDF)' }).click())
  expect(receipt.subarray(0, 5).toString()).toBe('%PDF-')

  // "Tipăriți dovada" opens the print dialog for it: the receipt, served
  // inline, in a frame of the page, which asks to print (window.print,
  // stubbed in every frame from here on, records whose it was).
  await context.addInitScript(() => {
    window.print = () => {
      const top = window.top as unknown as { printed?: string[] }
      top.printed = [...(top.printed ?? []), location.pathname + location.search]
    }
  })
  const [shown] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/receipt?disposition=inline')),
    page.getByRole('button', { name: 'Tipăriți dovada' }).click(),
  ])
  expect(shown.status()).toBe(200)
  expect(shown.headers()['content-type']).toBe('application/pdf')
  expect(shown.headers()['content-disposition']).toMatch(/^inline;/)
  await expect.poll(() => page.evaluate(() => (window as unknown as { printed?: string[] }).printed))
    .toEqual([expect.stringMatching(/^\/api\/institutions\/[0-9a-f-]{36}\/registry-entries\/[0-9a-f-]{36}\/receipt\?disposition=inline$/)])

  // The next one: the sender is remembered, focused and offered; Ctrl+Enter from the subject registers.
  await page.getByRole('button', { name: 'Înregistrați următorul' }).click()
  await expect.poll(() => focusedId(page)).toBe('desk-sender')
  expect(await page.getByLabel('Expeditor').inputValue()).toBe('Ștefan Țârlea, str. Bocșei 12, Lugoj')
  expect(await page.locator('#desk-senders option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)))
    .toContain('Ștefan Țârlea, str. Bocșei 12, Lugoj')
  expect(await page.getByLabel('Conținut pe scurt').inputValue()).toBe('')
  const second = uniqueWord('dosar', 8)
  await page.getByLabel('Expeditor').press('Tab')
  await page.keyboard.type(`Revenire la cererea de autorizație ${second}`)
  await page.keyboard.press('Control+Enter')
  await page.getByRole('heading', { name: 'Document înregistrat' }).waitFor()
  const [, n2] = /(\d+)\/(\d{4})/.exec((await page.locator('#desk-number').textContent()) ?? '')!
  expect(Number(n2)).toBeGreaterThan(Number(n1))
  const entry2 = (await page.getByRole('link', { name: 'Deschideți înregistrarea' }).getAttribute('href'))!
  // Both are listed at the desk, for a reprint.
  await page.getByRole('link', { name: `I ${n1}/${year}` }).waitFor()
  await page.getByRole('link', { name: `I ${n2}/${year}` }).waitFor()

  // The registers, searched by a word of the first one's subject.
  await page.getByRole('link', { name: 'Căutați în registre' }).click()
  await page.waitForURL('**/birou/registru')
  await page.getByRole('table').waitFor()
  await visit(page, 'registry')
  await page.getByLabel('Căutați în registre').fill(first)
  await page.getByRole('button', { name: 'Căutați', exact: true }).click()
  await page.waitForURL((u) => u.pathname === '/birou/registru' && u.searchParams.get('q') === first)
  const row = page.getByRole('link', { name: `${n1}/${year}`, exact: true })
  await row.waitFor()
  await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
  await visit(page, 'registry-results')

  // The search is in the URL: it reloads as it was.
  await page.reload()
  await row.waitFor()
  expect(await page.getByLabel('Căutați în registre').inputValue()).toBe(first)

  // The day's register, exported as CSV, holds it.
  const csv = await download(page, () => page.getByRole('link', { name: /^Descărcați registrul I,/ }).click())
  expect(csv.toString('utf8')).toContain(first)

  // The entry, with its scan to download; the registrar may not annul.
  await row.click()
  await page.waitForURL(`**${entry1}`)
  await page.getByRole('heading', { name: `Înregistrarea I nr. ${n1}/${year}` }).waitFor()
  await visit(page, 'entry')
  expect(await page.getByText('Ștefan Țârlea, str. Bocșei 12, Lugoj').count()).toBeGreaterThan(0)
  const file = await download(page, () => page.getByRole('link', { name: 'cerere-scanata.pdf' }).click())
  expect(file.equals(scan)).toBe(true)
  // The registrar may annul an entry they made, for a short while.
  await page.locator('#entry-annul-own').waitFor()

  // A correction of its metadata is a new revision, with its reason.
  await page.getByRole('button', { name: 'Corectați datele' }).click()
  await expect.poll(() => focusedId(page)).toBe('correct-subject')
  await page.getByLabel('Număr de file').fill('4')
  await page.getByLabel('Motivul corecturii').fill('Numărul de file era greșit')
  await page.getByRole('button', { name: 'Salvați corectura' }).click()
  await page.getByText('Corectura a fost salvată.').waitFor()
  await page.getByText('Corectată (revizia 2)').waitFor()
  expect(await page.locator('.desk-changes').textContent()).toContain('Număr de file: 3 → 4')
  await visit(page, 'entry-corrected')

  // Linked to the second by its number: the link shows here, and from
  // the second as a back-link (below).
  await page.getByRole('button', { name: 'Conexați cu altă înregistrare' }).click()
  await expect.poll(() => focusedId(page)).toBe('link-number')
  await page.getByLabel('Numărul înregistrării (de exemplu 12/2026)').fill(`${n2}/${year}`)
  await page.getByRole('button', { name: 'Conexați', exact: true }).click()
  await page.getByText('Înregistrarea a fost conexată.').waitFor()
  await page.locator('#entry-link-list').getByRole('link', { name: `I-${n2}/${year}` }).waitFor()
  expect(await page.locator('#entry-link-list').textContent()).toContain('Conexată cu')

  // The registrar annuls their own entry, with a reason, within the window.
  await page.getByRole('button', { name: 'Anulați înregistrarea' }).click()
  await expect.poll(() => focusedId(page)).toBe('annul-reason')
  await page.getByLabel('Motivul anulării').fill('Înregistrat în registrul greșit')
  await page.getByRole('button', { name: 'Confirmați anularea' }).click()
  await page.getByText('Înregistrarea a fost anulată. Numărul rămâne ocupat.').waitFor()
  await page.getByText('Motiv: Înregistrat în registrul greșit').first().waitFor()
  expect(await page.getByRole('button', { name: 'Anulați înregistrarea' }).count()).toBe(0)
  expect(problems).toEqual([])
  await context.close()

  // The secretary general annuls the second, with a reason, after confirming.
  const secretary = await newPage(browser)
  const s = secretary.page
  await signIn(s, 'secretar@primarialugoj.ro')
  await s.goto(entry2)
  await s.getByRole('heading', { name: `Înregistrarea I nr. ${n2}/${year}` }).waitFor()
  await s.locator('#entry-link-list').getByRole('link', { name: `I-${n1}/${year}` }).waitFor()
  expect(await s.locator('#entry-link-list').textContent()).toContain('Conexată de la')
  await s.getByRole('button', { name: 'Anulați înregistrarea' }).click()
  await expect.poll(() => focusedId(s)).toBe('annul-reason')
  // Without a reason, it is asked for.
  await s.getByRole('button', { name: 'Confirmați anularea' }).click()
  await s.getByText('Scrieți motivul.').waitFor()
  await s.getByLabel('Motivul anulării').fill('Înregistrat de două ori din greșeală')
  await s.getByRole('button', { name: 'Confirmați anularea' }).click()
  await s.getByText('Înregistrarea a fost anulată. Numărul rămâne ocupat.').waitFor()
  await s.getByText('Motiv: Înregistrat de două ori din greșeală').first().waitFor()
  expect(await s.getByRole('button', { name: 'Anulați înregistrarea' }).count()).toBe(0)
  await visit(s, 'entry-annulled')

  // Annulled entries are found as such.
  await s.goto(`/birou/registru?q=${second}&status=annulled`)
  const annulled = s.getByRole('row').filter({ has: s.getByRole('link', { name: `${n2}/${year}`, exact: true }) })
  await annulled.waitFor()
  expect(await annulled.textContent()).toContain('Anulată')
  expect(secretary.problems).toEqual([])
  await secretary.context.close()
})

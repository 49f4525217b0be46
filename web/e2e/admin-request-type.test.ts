import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { desktop, focusedId, launch, newPage, phone, signIn, uniqueWord, visit } from './harness'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

/** The elements reaching beyond width, the innermost ones, when the page scrolls sideways. */
function wider(page: Page, width: number): Promise<string[]> {
  return page.evaluate((w) => {
    if (document.documentElement.scrollWidth <= w) return []
    const out: string[] = []
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect()
      if (r.right <= w + 1 || r.width === 0) continue
      if ([...el.children].some((c) => c.getBoundingClientRect().right > w + 1)) continue
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${[...el.classList].join('.')} right=${Math.round(r.right)}`)
    }
    return out.slice(0, 10)
  }, width)
}

/**
 * addField adds a field through the form editor, from the keyboard's point
 * of view: the kind chosen, "Add", and the label typed where the focus
 * lands. It returns the new field's box.
 */
async function addField(page: Page, kind: string, label: string): Promise<Locator> {
  await page.getByLabel('Tipul câmpului nou', { exact: true }).selectOption({ label: kind })
  await page.getByRole('button', { name: 'Adăugați câmpul', exact: true }).click()
  await expect.poll(() => focusedId(page)).toMatch(/^fe-.+-title-ro$/)
  const id = await focusedId(page)
  await page.keyboard.type(label)
  return page.locator(`#${id.replace(/-title-ro$/, '')}`)
}

// The administrator defines a new kind of request with the form editor,
// sees its fields in the live preview, saves and publishes it; a citizen
// then finds it in the catalogue, is told the required field is missing,
// fills the form in and gets a registration number.
test('an administrator builds a request form that a citizen then submits', async () => {
  const admin = await newPage(browser)
  const { page } = admin
  const name = `Adeverință de test ${uniqueWord()}`

  await signIn(page, 'admin@primarialugoj.ro')
  await page.getByRole('link', { name: 'Tipuri de cereri', exact: true }).click()
  await page.waitForURL('**/birou/tipuri-cereri')
  await page.getByRole('rowheader', { name: /^Certificat de urbanism/ }).waitFor()
  await visit(page, 'admin-request-types')

  // A new type: its name, the competent department; the incoming register
  // and the petition's term are chosen already.
  await page.getByLabel('Denumirea tipului de cerere').fill(name)
  await page.getByLabel('Compartimentul competent').selectOption({ label: 'Serviciul Registratură, Relații cu Publicul și Arhivă' })
  await expect.poll(() => page.getByLabel('Registrul de înregistrare').inputValue()).not.toBe('')
  await page.getByRole('button', { name: 'Definiți și deschideți editorul' }).click()
  await page.waitForURL(/\/birou\/tipuri-cereri\/[0-9a-f-]{36}$/)
  await page.getByRole('heading', { level: 1, name }).waitFor()
  const preview = page.locator('.fe-preview')
  // The form starts with the applicant's name.
  await preview.getByLabel('Nume și prenume').waitFor()

  // A required short text.
  const address = await addField(page, 'Text scurt', 'Adresa imobilului')
  await address.getByLabel('Eticheta în engleză').fill('Address of the property')
  await address.getByLabel('Obligatoriu', { exact: true }).check()
  // A choice with its options.
  const purpose = await addField(page, 'Alegere dintr-o listă', 'Scopul adeverinței')
  const options = purpose.getByLabel('Eticheta în română', { exact: true })
  await options.nth(0).fill('Vânzare')
  await options.nth(1).fill('Credit bancar')
  await purpose.getByRole('button', { name: 'Adăugați o opțiune' }).click()
  await expect.poll(() => focusedId(page)).toMatch(/-option-.+-ro$/)
  await page.keyboard.type('Altele')
  // A date.
  await addField(page, 'Dată calendaristică', 'Data dorită')

  // All of them in the live preview, as the citizen will see them.
  await expect.poll(() => preview.getByLabel('Adresa imobilului').getAttribute('required')).not.toBeNull()
  const choice = preview.getByRole('group', { name: 'Scopul adeverinței' })
  await expect.poll(() => choice.getByRole('radio').count()).toBe(3)
  expect(await choice.getByLabel('Credit bancar').count()).toBe(1)
  expect(await preview.getByLabel('Data dorită').getAttribute('type')).toBe('date')
  // Reordered from the keyboard: the date goes before the choice.
  await page.getByRole('button', { name: 'Mutați în sus câmpul «Data dorită»' }).focus()
  await page.keyboard.press('Enter')
  await expect.poll(() => preview.locator('.form-fields > .field > label, .form-fields > fieldset > legend').allTextContents())
    .toEqual(['Nume și prenume * (obligatoriu)', 'Adresa imobilului * (obligatoriu)', 'Data dorită', 'Scopul adeverinței'])
  await visit(page, 'admin-request-type-editor')
  // On a phone, the editor and its preview fit the screen's width.
  await page.setViewportSize(phone)
  expect(await wider(page, phone.width)).toEqual([])
  await page.setViewportSize(desktop)

  await page.getByRole('button', { name: 'Salvați ciorna' }).click()
  await page.getByText('Ciorna (versiunea 1) a fost salvată.').waitFor()
  await page.getByRole('button', { name: 'Publicați', exact: true }).click()
  await page.getByRole('button', { name: 'Da, publicați' }).click()
  await page.getByText('Versiunea 1 a fost publicată: cetățenii trimit de acum cereri cu ea.').waitFor()
  await page.getByRole('button', { name: 'Începeți versiunea 2' }).waitFor()
  expect(admin.problems).toEqual([])
  await admin.context.close()

  // The citizen finds it in the catalogue.
  const citizen = await newPage(browser)
  const cp = citizen.page
  await signIn(cp, 'ioana.popescu@example.ro', { lands: '/cereri' })
  await cp.goto('/servicii')
  await cp.getByLabel('Căutați un serviciu').fill(name)
  await cp.getByRole('link', { name }).click()
  await cp.getByRole('heading', { level: 1, name }).waitFor()
  await cp.getByLabel('Adresa imobilului').waitFor()
  expect(await cp.getByRole('group', { name: 'Scopul adeverinței' }).getByRole('radio').count()).toBe(3)
  expect(await cp.getByLabel('Data dorită').getAttribute('type')).toBe('date')

  // The required field left empty is told next to it.
  await cp.getByLabel('Nume și prenume').fill('Ioana Popescu')
  await cp.getByRole('button', { name: 'Trimiteți cererea' }).click()
  await cp.locator('.field-error').filter({ hasText: 'Câmpul «Adresa imobilului» este obligatoriu.' }).waitFor()
  await expect.poll(() => cp.getByLabel('Adresa imobilului').getAttribute('aria-invalid')).toBe('true')
  await expect.poll(() => cp.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? ''))
    .toContain('Adresa imobilului')

  await cp.getByLabel('Adresa imobilului').fill('str. Bocșei 12, Lugoj')
  await cp.getByLabel('Credit bancar').check()
  await cp.getByLabel('Data dorită').fill('2026-09-15')
  await cp.getByRole('button', { name: 'Trimiteți cererea' }).click()
  await cp.waitForURL(/\/cereri\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/)
  await expect.poll(() => cp.getByRole('status').first().textContent(), { timeout: 60_000 }).toContain('a fost înregistrată cu nr.')
  expect(citizen.problems).toEqual([])
  await citizen.context.close()
})

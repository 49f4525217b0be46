import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { baseURL, focusedId, launch, newPage, signIn, uniqueEmail, uniqueWord, visit, waitForMail } from './harness'

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

/** office opens one of the office page's areas by its link, as a person would. */
async function office(page: Page, link: string, path: string): Promise<void> {
  await page.goto('/birou')
  await page.getByRole('link', { name: link, exact: true }).click()
  await page.waitForURL(`**${path}`)
}

/** What the API answers the signed-in page for the institution's registers (registry.read) and a registration (registry.register). */
async function registryAccess(page: Page): Promise<{ read: number; register: number }> {
  return page.evaluate(async () => {
    const me = (await (await fetch('/api/auth/me')).json()) as { institution: string }
    const read = await fetch(`/api/institutions/${me.institution}/registers`)
    const register = await fetch(`/api/institutions/${me.institution}/registry-entries`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
    })
    return { read: read.status, register: register.status }
  })
}

/** Whether a machine client's id and secret get a token now. */
async function tokenFor(clientId: string, clientSecret: string): Promise<number> {
  const r = await fetch(`${baseURL()}/api/auth/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ clientId, clientSecret }),
  })
  return r.status
}

// The administrator runs the institution: adds a department to the chart
// and removes it again, creates a staff account whose invitation arrives by
// mail, and gives the new colleague, signed in in another browser, the
// registrar's role, which takes effect at their next page without signing
// out, and takes it back, which takes effect as quickly. Then a machine
// client: its secret shown once, rotated, the client disabled.
test('an administrator runs the organisation, the staff and their roles, and the connected systems', async () => {
  const { context, page, problems } = await newPage(browser)
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await signIn(page, 'admin@primarialugoj.ro')
  const t = uniqueWord()

  // ---- The organisation chart: a department added, renamed, removed.
  await office(page, 'Instituție și compartimente', '/birou/institutie')
  const tree = page.getByRole('list', { name: 'Compartimentele instituției' })
  const named = (n: string) => `.admin-dept-name:text-is(${JSON.stringify(n)})`
  const department = (n: string) => tree.locator(named(n))
  await department('Direcția Tehnică').waitFor()
  await page.getByText('Primăria Municipiului Lugoj').first().waitFor()
  await page.getByText('Direcția de Asistență Socială Lugoj').waitFor()
  await visit(page, 'admin-organisation')

  const name = `Biroul de probă ${t}`
  await page.getByRole('button', { name: 'Adăugați subcompartiment în Direcția Tehnică' }).click()
  await expect.poll(() => focusedId(page)).toBe('dept-kind')
  await page.locator('#dept-kind').selectOption('office')
  await page.locator('#dept-code').fill(`DT-${t.toUpperCase()}`)
  await page.locator('#dept-name').fill(name)
  await visit(page, 'admin-organisation-add')
  await page.getByRole('button', { name: 'Adăugați compartimentul' }).click()
  await page.getByText(`Compartimentul „${name}” a fost adăugat.`).waitFor()
  // In the tree, under the Technical Directorate, and focused.
  const added = tree.locator('li', { has: page.locator(`:scope > div > ${named('Direcția Tehnică')}`) }).locator(`ul ${named(name)}`)
  await added.waitFor()
  expect(await focusedId(page)).toBe(await added.getAttribute('id'))

  await page.getByRole('button', { name: `Modificați ${name}` }).click()
  await expect.poll(() => page.locator('#dept-name').inputValue()).toBe(name)
  await page.locator('#dept-name').fill(`${name} redenumit`)
  await page.getByRole('button', { name: 'Salvați' }).click()
  await page.getByText(`Compartimentul „${name} redenumit” a fost salvat.`).waitFor()
  await department(`${name} redenumit`).waitFor()

  await page.getByRole('button', { name: `Ștergeți ${name} redenumit` }).click()
  await page.getByText(`Ștergeți compartimentul „${name} redenumit”?`).waitFor()
  await page.getByRole('button', { name: 'Da, ștergeți compartimentul' }).click()
  await page.getByText(`Compartimentul „${name} redenumit” a fost șters.`).waitFor()
  await expect.poll(() => department(`${name} redenumit`).count()).toBe(0)

  // ---- A new colleague: the account, its invitation by mail.
  await office(page, 'Personal și roluri', '/birou/personal')
  await page.getByRole('rowheader', { name: /Andrei Munteanu/ }).waitFor()
  await visit(page, 'admin-staff')
  const colleague = `Coleg Nou ${t}`
  const email = uniqueEmail('coleg')
  await page.getByRole('button', { name: 'Adăugați o persoană' }).click()
  await expect.poll(() => focusedId(page)).toBe('new-displayName')
  await page.getByLabel('Nume și prenume').fill(colleague)
  await page.getByLabel('Adresă de e-mail').fill(email)
  await page.getByRole('button', { name: 'Creați contul și trimiteți invitația' }).click()
  await page.getByText(`Contul pentru ${colleague} a fost creat. Invitația a plecat la ${email}.`).waitFor()
  const row = page.getByRole('row', { name: new RegExp(colleague) })
  await row.getByText('Invitat: nu și-a ales încă parola').waitFor()

  const mail = await waitForMail(email, /Invitație în Ghișeu/)
  const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail)?.[1]
  expect(token, 'the invitation link').toBeTruthy()

  // The colleague, in a browser of their own, chooses a password and signs in: no role yet.
  const other = await newPage(browser)
  const s = other.page
  const password = `parola colegului ${t} 2026`
  await s.goto(`/reset-password?token=${token}`)
  await s.getByLabel('Parolă nouă').fill(password)
  await s.getByRole('button', { name: 'Salvați parola' }).click()
  await s.getByText('Parola a fost schimbată.').waitFor()
  await signIn(s, email, { password })
  await s.getByText('Contul nu are încă niciun rol.', { exact: false }).waitFor()
  expect(await s.getByRole('link', { name: 'Registratură', exact: true }).count()).toBe(0)
  expect(await registryAccess(s)).toEqual({ read: 403, register: 403 })

  // ---- The registrar's role, assigned: in force at the colleague's next page.
  await page.reload()
  await page.getByRole('button', { name: `Roluri pentru ${colleague}` }).click()
  await page.getByRole('heading', { name: `Roluri: ${colleague}` }).waitFor()
  await expect.poll(() => focusedId(page)).toBe('roles-title')
  await page.getByText('Nu i s-a atribuit niciodată vreun rol.').waitFor()
  await page.locator('#assign-role').selectOption({ label: 'Registratură' })
  await page.locator('#assign-reason').fill(`Înlocuire la registratură ${t}`)
  await visit(page, 'admin-staff-assign')
  await page.getByRole('button', { name: 'Atribuiți rolul' }).click()
  await page.getByText(`Rolul Registratură a fost atribuit: ${colleague}.`, { exact: false }).waitFor()
  const assignments = page.getByRole('list', { name: `Atribuirile de roluri: ${colleague}` })
  await assignments.getByText('În vigoare').waitFor()
  await row.getByText('Registratură').waitFor()

  // Without signing out: the next page shows the desk, and the API agrees.
  await s.reload()
  await s.getByRole('link', { name: 'Registratură', exact: true }).click()
  await s.waitForURL('**/birou/registratura')
  await s.getByLabel('Expeditor').waitFor()
  expect((await registryAccess(s)).read).toBe(200)
  expect((await registryAccess(s)).register).not.toBe(403)

  // ---- Revoked, with a reason: gone at the next page, refused by the API.
  await page.getByRole('button', { name: 'Revocați rolul Registratură, Toată instituția' }).click()
  await expect.poll(() => focusedId(page)).toBe('revoke-reason')
  await page.getByLabel('Motivul revocării').fill(`Înlocuirea s-a încheiat ${t}`)
  await page.getByRole('button', { name: 'Da, revocați rolul' }).click()
  await page.getByText(`Rolul Registratură deținut de ${colleague} a fost revocat.`).waitFor()
  await assignments.getByText(/^Revocat la /).waitFor()
  await assignments.getByText(`Înlocuirea s-a încheiat ${t}`).waitFor()
  await expect.poll(() => row.getByText('Niciun rol').count()).toBe(1)
  await visit(page, 'admin-staff-revoked')

  await s.goto('/birou')
  await s.getByText('Contul nu are încă niciun rol.', { exact: false }).waitFor()
  expect(await s.getByRole('link', { name: 'Registratură', exact: true }).count()).toBe(0)
  expect(await registryAccess(s)).toEqual({ read: 403, register: 403 })
  await s.goto('/birou/registratura')
  await s.getByText('Contul dumneavoastră nu are dreptul necesar pentru această pagină.', { exact: false }).waitFor()
  expect(other.problems).toEqual([])
  await other.context.close()

  // ---- A machine client: its secret once, a new one, then disabled.
  await office(page, 'Sisteme conectate', '/birou/clienti')
  await page.getByRole('heading', { name: 'Clienții instituției' }).waitFor()
  await visit(page, 'admin-clients')
  const system = `Sistem de probă ${t}`
  await page.getByRole('button', { name: 'Adăugați un client' }).click()
  await page.getByLabel('Denumirea sistemului').fill(system)
  await page.getByRole('button', { name: 'Creați clientul' }).click()
  await page.getByRole('heading', { name: `Clientul „${system}” a fost creat` }).waitFor()
  await expect.poll(() => focusedId(page)).toBe('secret-title')
  await page.getByText('Secretul se arată acum și niciodată altă dată.').waitFor()
  const clientId = (await page.locator('#secret-client-id').textContent())!
  const secret = await page.getByLabel('Secret (client secret)').inputValue()
  expect(clientId).toMatch(/^mc_[a-z2-7]{20}$/)
  expect(secret.length).toBeGreaterThan(20)
  await page.getByRole('button', { name: 'Copiați secretul' }).click()
  await page.getByText('Secretul a fost copiat.').waitFor()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret)
  await visit(page, 'admin-clients-secret')
  expect(await tokenFor(clientId, secret)).toBe(200)
  await page.getByRole('button', { name: 'Am păstrat secretul, ascunde-l' }).click()
  await expect.poll(() => page.getByLabel('Secret (client secret)').count()).toBe(0)
  // Shown once: not in the page, not in the list, not after a reload.
  await page.reload()
  await page.getByRole('heading', { name: system }).waitFor()
  expect(await page.content()).not.toContain(secret)

  await page.getByRole('button', { name: `Schimbați secretul pentru ${system}` }).click()
  await page.getByText(`Schimbați secretul clientului „${system}”?`).waitFor()
  await page.getByRole('button', { name: 'Da, schimbați secretul' }).click()
  await page.getByRole('heading', { name: `Secretul nou al clientului „${system}”` }).waitFor()
  await page.getByText(/Secretul anterior mai este acceptat până la/).waitFor()
  const rotated = await page.getByLabel('Secret (client secret)').inputValue()
  expect(rotated).not.toBe(secret)
  expect(await tokenFor(clientId, rotated)).toBe(200)
  await page.getByRole('button', { name: 'Am păstrat secretul, ascunde-l' }).click()

  // Its role, as a staff member's: integration, in force at once.
  await page.getByRole('button', { name: `Roluri pentru ${system}` }).click()
  await page.getByRole('heading', { name: `Roluri: ${system}` }).waitFor()
  await page.locator('#assign-role').selectOption({ label: 'Integrare' })
  await page.locator('#assign-reason').fill(`Schimb de documente ${t}`)
  await page.getByRole('button', { name: 'Atribuiți rolul' }).click()
  await page.getByText(`Rolul Integrare a fost atribuit: ${system}.`, { exact: false }).waitFor()
  await page.getByRole('list', { name: `Atribuirile de roluri: ${system}` }).getByText('În vigoare').waitFor()
  await page.getByRole('button', { name: 'Închideți rolurile' }).click()
  await expect.poll(() => focusedId(page)).toMatch(/^roles-/)

  await page.getByRole('button', { name: `Dezactivați pentru ${system}` }).click()
  await page.getByText(`Dezactivați clientul „${system}”?`).waitFor()
  await page.getByRole('button', { name: 'Da, dezactivați clientul' }).click()
  await page.getByText(`Clientul „${system}” a fost dezactivat.`).waitFor()
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: system }) })
  await card.getByText('Dezactivat', { exact: true }).waitFor()
  expect(await card.getByRole('button', { name: /^Schimbați secretul/ }).count()).toBe(0)
  expect(await tokenFor(clientId, rotated)).not.toBe(200)
  await visit(page, 'admin-clients-disabled')

  expect(problems).toEqual([])
  await context.close()
})

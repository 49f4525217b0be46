// The browser journeys' harness: Debian's Chromium driven by playwright-core
// against the whole local stack (`devstack exec -platform`, which sets
// GHISEU_URL and TEST_MAILPIT_URL), axe-core on every page, and screenshots
// at desktop and phone widths under web/e2e/artifacts.
import { createHmac } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'

const here = path.dirname(fileURLToPath(import.meta.url))
export const artifacts = path.join(here, 'artifacts')

export function baseURL(): string {
  const u = process.env.GHISEU_URL
  if (!u) throw new Error('GHISEU_URL is not set: run the browser tests with `make test` (devstack exec -platform)')
  return u.replace(/\/$/, '')
}

function mailpitURL(): string {
  const u = process.env.TEST_MAILPIT_URL
  if (!u) throw new Error('TEST_MAILPIT_URL is not set: run the browser tests with `make test`')
  return u.replace(/\/$/, '')
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  })
}

export const desktop = { width: 1280, height: 900 }
export const phone = { width: 390, height: 844 }

/** A browser context of its own (cookies, storage) at a viewport, with the page's CSP violations and errors collected. */
export async function newPage(browser: Browser, viewport = desktop): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL: baseURL(), viewport, locale: 'ro-RO', timezoneId: 'Europe/Bucharest', acceptDownloads: true })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => {
    // A refused script or style is a CSP violation: the page relies on what
    // production refuses.
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  return { context, page, problems }
}

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[] }[]
}

/**
 * checkAccessibility runs axe-core (WCAG 2.1 A and AA rules) on the page as
 * it is and fails on any serious or critical violation. The script is
 * evaluated through the DevTools protocol, which the page's CSP does not
 * govern, so the CSP stays on while it runs.
 */
export async function checkAccessibility(page: Page, name: string): Promise<void> {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return r.violations
  })
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
}

/** screenshot saves the page at desktop and phone widths as artifacts/<name>-desktop.png and -phone.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true })
  const size = page.viewportSize() ?? desktop
  for (const [label, viewport] of [['desktop', desktop], ['phone', phone]] as const) {
    await page.setViewportSize(viewport)
    await page.screenshot({ path: path.join(artifacts, `${name}-${label}.png`), fullPage: true })
  }
  await page.setViewportSize(size)
}

/** visit checks a page the way every journey does: accessible, pictured. */
export async function visit(page: Page, name: string): Promise<void> {
  await page.locator('h1').first().waitFor()
  await checkAccessibility(page, name)
  await screenshots(page, name)
}

interface MailSummary {
  ID: string
  Subject: string
  To: { Address: string }[]
}

/** waitForMail waits (with a deadline) for a mail to addr whose subject has the words, and returns its text. */
export async function waitForMail(addr: string, subject: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await fetch(`${mailpitURL()}/api/v1/search?query=${encodeURIComponent(`to:"${addr}"`)}`)
    const list = (await r.json()) as { messages: MailSummary[] }
    const m = list.messages.find((x) => subject.test(x.Subject))
    if (m) {
      const full = (await (await fetch(`${mailpitURL()}/api/v1/message/${m.ID}`)).json()) as { Text: string }
      return full.Text
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${addr} matching ${subject} within ${timeoutMs} ms`)
    await new Promise((res) => setTimeout(res, 250))
  }
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.ro`
}

/** A valid CNP (checksum included) for a person born on the given day, unique enough for tests. */
export function testCNP(): string {
  const digits = `1${String(80 + Math.floor(Math.random() * 19)).padStart(2, '0')}0${1 + Math.floor(Math.random() * 9)}${String(10 + Math.floor(Math.random() * 18))}35${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`
  const weights = '279146358279'
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * Number(weights[i])
  const check = sum % 11 === 10 ? 1 : sum % 11
  return digits + check
}

export function demoPassword(): string {
  const p = process.env.DEMO_PASSWORD
  if (!p) throw new Error('DEMO_PASSWORD is not set: run the browser tests with `make test`')
  return p
}

/**
 * totp is the RFC 6238 code (HMAC-SHA1, 6 digits, 30-second steps) of a
 * base32 secret at a step: what an authenticator app shows.
 */
export function totp(secret: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch)
    if (v < 0) throw new Error(`not base32: ${ch}`)
    bits += v.toString(2).padStart(5, '0')
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8))
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2)
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac('sha1', key).update(counter).digest()
  const offset = mac[mac.length - 1] & 0x0f
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000
  return String(n).padStart(6, '0')
}

/** demoTOTPSecret is the demo administrators' second factor (infra/seed DemoTOTPSecret, demo only), passed by devstack. */
export function demoTOTPSecret(): string {
  const s = process.env.DEMO_TOTP_SECRET
  if (!s) throw new Error('DEMO_TOTP_SECRET is not set: run the browser tests with `make test`')
  return s
}

/**
 * nextTOTP is a code of secret the server has not seen yet. The server
 * takes each 30-second step once per account and allows one step of skew,
 * so a step this run already used (the journeys run one after another, in
 * processes of their own: the last step is kept in a file per platform and
 * account) moves to the next, waiting for the clock when that is too far.
 */
export async function nextTOTP(account: string, secret = demoTOTPSecret()): Promise<string> {
  const file = path.join(os.tmpdir(), `ghiseu-e2e-totp-${encodeURIComponent(baseURL())}-${account}`)
  let last = -1
  try {
    last = Number(readFileSync(file, 'utf8'))
  } catch {
    // Not used yet on this platform.
  }
  for (;;) {
    const now = Math.floor(Date.now() / 30_000)
    const step = Math.max(now, last + 1)
    if (step <= now + 1) {
      writeFileSync(file, String(step))
      return totp(secret, step)
    }
    await new Promise((res) => setTimeout(res, 250))
  }
}

/**
 * signIn signs in on the sign-in page (the demo password unless another is
 * given) and waits to land where expected. An account with a second factor
 * (the demo's administrators: the platform asks it of them by default) is
 * asked for a code after the password: it is given from totpSecret.
 */
export async function signIn(page: Page, email: string,
  { password = demoPassword(), lands = '/birou', totpSecret = '' } = {}): Promise<void> {
  await page.goto('/autentificare')
  await page.getByLabel('Adresă de e-mail').fill(email)
  await page.getByLabel('Parolă').fill(password)
  await page.getByRole('button', { name: 'Intrați în cont' }).click()
  const code = page.getByLabel('Cod de verificare')
  const landed = page.waitForURL(`**${lands}`).then(() => 'landed' as const)
  const asked = code.waitFor().then(() => 'code' as const)
  // The one that loses the race times out later: not an error.
  landed.catch(() => undefined)
  asked.catch(() => undefined)
  if (await Promise.race([landed, asked]) === 'code') {
    await code.fill(await nextTOTP(email, totpSecret || demoTOTPSecret()))
    await page.getByRole('button', { name: 'Intrați în cont' }).click()
    await page.waitForURL(`**${lands}`)
  }
}

/** uniqueWord is prefix and letters no other test's data has (letters only: the searches are Romanian full-text ones). */
export function uniqueWord(prefix = '', length = 6): string {
  const letters = 'bcdfghjklmnprstvz'
  let w = prefix
  for (let i = 0; i < length; i++) w += letters[Math.floor(Math.random() * letters.length)]
  return w
}

/** focusedId is the id of the element that has the focus ('' for none). */
export const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '')

/**
 * checkPhoneHeader checks the header on a phone (390x844): it keeps to one
 * line's budget (the links fold behind the menu button), nothing overflows
 * sideways, and the menu opens the links, "Contul meu" among them, inside
 * the width. The viewport is put back after.
 */
export async function checkPhoneHeader(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? desktop
  await page.setViewportSize(phone)
  const measure = () => page.evaluate(() => ({
    header: document.querySelector('.site-header')?.getBoundingClientRect().height ?? 0,
    width: document.documentElement.scrollWidth,
  }))
  const closed = await measure()
  expect(closed.width, `${name}: the page's width at 390 px`).toBeLessThanOrEqual(phone.width)
  // One line: the tallest control (the language, the menu button, about
  // 2.2rem) and the bar's padding (1.2rem), with room to spare.
  expect(closed.header, `${name}: the header's height at 390 px`).toBeGreaterThan(0)
  expect(closed.header, `${name}: the header's height at 390 px`).toBeLessThanOrEqual(64)
  const menu = page.getByRole('button', { name: 'Meniu' })
  await menu.click()
  await page.getByRole('navigation', { name: 'Navigare principală' }).getByRole('link', { name: 'Contul meu' }).waitFor()
  expect((await measure()).width, `${name}: the page's width at 390 px, menu open`).toBeLessThanOrEqual(phone.width)
  await menu.click()
  await page.setViewportSize(size)
}

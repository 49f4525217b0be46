// Measures the portal's home page load in headless Chromium against the
// platform `devstack exec -platform` started (GHISEU_URL): cold (a new
// browser context, empty cache) and warm (the same context again), each
// many times; prints the median and the 95th percentile of
// DOMContentLoaded, load, and the first contentful paint. `make bench`
// runs it; the numbers go in BENCHMARKS.md.
import { chromium } from 'playwright-core'

const base = process.env.GHISEU_URL
if (!base) {
  console.error('GHISEU_URL is not set: run it with `bin/devstack exec -platform -- node web/scripts/home-load.mjs`')
  process.exit(2)
}
const runs = Number(process.env.RUNS ?? 30)
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})

async function measure(page) {
  await page.goto(base + '/', { waitUntil: 'load' })
  await page.locator('h1').first().waitFor()
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0]
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]
    return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, fcp: fcp ? fcp.startTime : NaN, bytes: nav.transferSize }
  })
}

const cold = []
const warm = []
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const page = await context.newPage()
  cold.push(await measure(page))
  warm.push(await measure(page))
  await context.close()
}
await browser.close()

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
for (const [name, xs] of [['cold', cold], ['warm', warm]]) {
  const line = ['dcl', 'load', 'fcp'].map((k) => `${k} median ${pct(xs.map((x) => x[k]), 50).toFixed(0)} ms, p95 ${pct(xs.map((x) => x[k]), 95).toFixed(0)} ms`)
  console.log(`${name} (${runs} runs): ${line.join('; ')}`)
}

// Checks the production build's initial JavaScript: the entry script and
// every module it preloads, as index.html names them, gzipped. The budget
// is 200 KB; the pages that load later (the back office, the forms) are not
// counted, they are not on the first visit's path.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'

const budget = 200 * 1024
const dist = path.resolve(import.meta.dirname, '..', 'dist')
const html = readFileSync(path.join(dist, 'index.html'), 'utf8')
const scripts = [...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)]
  .map((m) => m[1])
const styles = [...html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1])
if (scripts.length === 0) {
  console.error('bundle-size: index.html names no module script')
  process.exit(1)
}
const size = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(path.join(dist, f))).length, 0)
const js = size(scripts)
const css = size(styles)
const kb = (n) => (n / 1024).toFixed(1) + ' KB'
console.log(`initial JavaScript: ${kb(js)} gzipped (${scripts.join(', ')}); CSS ${kb(css)}; budget ${kb(budget)}`)
if (js > budget) {
  console.error(`bundle-size: the initial JavaScript is ${kb(js)} gzipped, over the ${kb(budget)} budget`)
  process.exit(1)
}

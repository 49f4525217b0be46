import { expect, test } from 'vitest'

import { catalogs, pluralPattern, translate } from './i18n'
import { officeCatalogs } from './office'

// Every text of the interface is in the message files: the code's keys
// exist in both languages, both languages have the same keys with the same
// placeholders, and Romanian is written with ș and ț (comma below).

const sources = import.meta.glob<string>(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts', '!../**/*.test.tsx', '!../**/*.d.ts'], {
  eager: true, query: '?raw', import: 'default',
})

// Keys written out whole, as t('area.key') or in a key list ('office.desk').
function keysIn(text: string): string[] {
  return [...text.matchAll(/\bt\(\s*'([a-z][A-Za-z]*\.[\w.-]+)'/g), ...text.matchAll(/title: '([a-z][A-Za-z]*\.\w+)'/g),
    ...text.matchAll(/text: '([a-z][A-Za-z]*\.\w+)'/g)].map((m) => m[1])
}
const used = new Set(Object.values(sources).flatMap(keysIn))
// The back office's code, whose pages get the back office's texts too.
const backOffice = /^\.\.\/(admin|desk|office|work)\/|^\.\/office\.tsx$/
const usedByPortal = new Set(Object.entries(sources).filter(([path]) => !backOffice.test(path)).flatMap(([, text]) => keysIn(text)))

test('the sources were read', () => {
  expect(used.size).toBeGreaterThan(100)
  expect(usedByPortal.size).toBeGreaterThan(50)
})

test('every key the code uses exists in Romanian and in English', () => {
  const missing = [...used].filter((k) => !officeCatalogs.ro[k] || !officeCatalogs.en[k])
  expect(missing).toEqual([])
})

test("the portal's code uses only the portal's texts, which the first visit loads", () => {
  const missing = [...usedByPortal].filter((k) => !catalogs.ro[k] || !catalogs.en[k])
  expect(missing).toEqual([])
})

test('both languages have the same keys', () => {
  expect(Object.keys(officeCatalogs.en).sort()).toEqual(Object.keys(officeCatalogs.ro).sort())
})

test('placeholders agree between the languages', () => {
  // A plural's choices are not placeholders: only its variable is.
  const names = (s: string) => [...new Set([...s.replace(pluralPattern, '{$1}').matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()
  for (const [key, text] of Object.entries(officeCatalogs.ro)) expect(names(officeCatalogs.en[key] ?? ''), key).toEqual(names(text))
})

test('Romanian uses ș and ț with the comma below, not the cedilla', () => {
  const bad = Object.entries(officeCatalogs.ro).filter(([, text]) => /[şţŞŢ]/.test(text)).map(([k]) => k)
  expect(bad).toEqual([])
})

test.each([
  ['ro', 0, 'astăzi'], ['ro', 1, 'o zi rămasă'], ['ro', 5, '5 zile rămase'], ['ro', 25, '25 de zile rămase'],
  ['en', 1, 'one day left'], ['en', 3, '3 days left'],
] as const)('plural forms: %s %d', (locale, count, want) => {
  expect(translate(locale, 'requests.daysLeft', { count })).toBe(want)
})

test('a key missing in English falls back to Romanian, one missing in both shows itself', () => {
  expect(translate('en', 'no.such')).toBe('no.such')
})

// The interface addresses people formally ("Intrați în cont", "Salvați"),
// never with the familiar imperative it once mixed in. These are the
// familiar forms the texts used; none may come back.
const familiarImperatives = [
  'Intră', 'Adaugă', 'Afișează', 'Anulează', 'Ascunde', 'Atribuie', 'Caută', 'Clasează', 'Confirmă', 'Copiază', 'Corectează',
  'Creează', 'Definește', 'Descarcă', 'Deschide', 'Dezactivează', 'Elimină', 'Exportă', 'Filtrează', 'Golește', 'Marchează',
  'Modifică', 'Mută', 'Pornește', 'Prelungește', 'Publică', 'Redeschide', 'Redirecționează', 'Refuză', 'Renunță', 'Repartizează',
  'Respinge', 'Retrage', 'Revocă', 'Reîncarcă', 'Salvează', 'Schimbă', 'Soluționează', 'Tipărește', 'Trimite', 'Verifică',
  'Vezi', 'Încarcă', 'Începe', 'Închide', 'Înregistrează', 'Șterge', 'Arată', 'Alege', 'Apasă', 'Completează',
]
// Where a sentence or a choice starts ("Salvează"), or after a yes or an
// and ("Da, revocă rolul", "Creați contul și trimite invitația"); lower
// case after a colon is the indicative ("Viitor: intră în vigoare").
const familiar = new RegExp(`(?:(?:^|[.!?]\\s+|\\{)(?:${familiarImperatives.join('|')})|(?:Da, |și )(?:${
  familiarImperatives.map((w) => w.toLowerCase()).join('|')}))(?![\\p{L}-])`, 'u')

test('Romanian addresses the reader formally: no familiar imperative', () => {
  const bad = Object.entries(officeCatalogs.ro).filter(([, text]) => familiar.test(text)).map(([k, text]) => `${k}: ${text}`)
  expect(bad).toEqual([])
})

test.each([
  ['Salvează', true], ['Da, revocă rolul', true], ['Creați contul și trimite invitația', true], ['Intră în cont', true],
  ['Salvați', false], ['Intrați în cont', false], ['Se trimite cererea', false], ['Răspunde la', false],
])('the familiar-imperative check: %s', (text, refused) => {
  expect(familiar.test(text)).toBe(refused)
})

// A count agrees with its noun in every form Romanian has: one (1), few
// (0, 2 to 19, and 101 to 119...), and other (20 and up, with "de").
test.each([
  [1, 'O cerere deschisă.'], [2, '2 cereri deschise, ordonate după termen.'], [19, '19 cereri deschise, ordonate după termen.'],
  [20, '20 de cereri deschise, ordonate după termen.'], [101, '101 cereri deschise, ordonate după termen.'],
])('plural agreement: %d open requests', (count, want) => {
  expect(translate('ro', 'work.count', { count }, officeCatalogs)).toBe(want)
})

test('no text says "lui" before a name placeholder: wrong for feminine names ("lui Ana Bălan")', () => {
  const bad = Object.entries(officeCatalogs.ro).filter(([, text]) => /\blui \{/.test(text)).map(([k]) => k)
  expect(bad).toEqual([])
})

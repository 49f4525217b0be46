import { expect, test } from 'vitest'
import { catalogs } from '../i18n/i18n'
import en from '../i18n/en/forms.json'
import ro from '../i18n/ro/forms.json'

// The forms' sources, to find the message keys they use. Every key is
// written out whole in the code ('forms.error.minLength'), never put
// together, so that this finds them all.
const sources = import.meta.glob<string>(['./*.ts', './*.tsx', '!./*.test.ts', '!./*.test.tsx', '!./*.d.ts'], {
  eager: true,
  query: '?raw',
  import: 'default',
})

const used = new Set(Object.values(sources).flatMap((text) => [...text.matchAll(/'forms\.([\w.]+)'/g)].map((m) => m[1])))

test('the sources were read', () => {
  expect(Object.keys(sources)).toContain('./FormRenderer.tsx')
  expect(used.size).toBeGreaterThan(30)
})

test('every key used exists in Romanian and in English', () => {
  for (const key of used) {
    expect(ro, `ro lacks ${key}`).toHaveProperty([key])
    expect(en, `en lacks ${key}`).toHaveProperty([key])
    expect(catalogs.ro[`forms.${key}`]).toBeTruthy()
    expect(catalogs.en[`forms.${key}`]).toBeTruthy()
  }
})

test('every key in the files is used, and the two files have the same keys', () => {
  expect(Object.keys(ro).sort()).toEqual([...used].sort())
  expect(Object.keys(en).sort()).toEqual(Object.keys(ro).sort())
})

test('placeholders agree between the languages', () => {
  const names = (s: string) => [...s.matchAll(/\{(\w+)[},]/g)].map((m) => m[1]).sort()
  for (const [key, text] of Object.entries(ro)) expect(names(en[key as keyof typeof en]), key).toEqual(names(text))
})

test('Romanian uses ș and ț with the comma below, not the cedilla', () => {
  for (const [key, text] of Object.entries(ro)) expect(text, key).not.toMatch(/[şţŞŢ]/)
})

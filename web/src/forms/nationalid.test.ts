// The contract shared with shared/nationalid (contract_test.go): the same
// vectors, the same codes, the same messages. A change on one side that
// the other does not follow fails here or there.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'

import { translate } from '../i18n/i18n'
import { seeds } from './fixtures'
import { latestDate, parseCNP, parseCUI, trimSpace } from './nationalid'
import type { IdentifierCode } from './nationalid'
import { parseSchema } from './schema'
import { validate } from './validate'

interface Vector {
  name: string
  in: string
  code: IdentifierCode | null
  birth?: string
  canonical?: string
  dated?: boolean
}

interface Contract {
  today: string
  messages: Record<IdentifierCode, { ro: string; en: string }>
  cnp: Vector[]
  cui: Vector[]
}

const here = import.meta.url
const file = decodeURIComponent(new URL('../../../shared/nationalid/testdata/vectors.json', here).pathname)
const contract = JSON.parse(readFileSync(file, 'utf8')) as Contract

describe('the CNP vectors, as shared/nationalid reads them', () => {
  test.each(contract.cnp.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const r = parseCNP(v.in, contract.today)
    expect(r.ok ? null : r.code).toBe(v.code)
    if (r.ok) expect(r.value.birth).toBe(v.birth)
  })
})

describe('the CUI vectors, as shared/nationalid reads them', () => {
  test.each(contract.cui.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const r = parseCUI(v.in)
    expect(r.ok ? null : r.code).toBe(v.code)
    if (r.ok) expect(r.value.canonical).toBe(v.canonical)
  })
})

test('every code has the messages of shared/nationalid in both languages', () => {
  for (const [code, m] of Object.entries(contract.messages)) {
    expect(translate('ro', `forms.error.id.${code}`)).toBe(m.ro)
    expect(translate('en', `forms.error.id.${code}`)).toBe(m.en)
  }
})

test('spaces around are trimmed as Go trims them', () => {
  expect(trimSpace('\u0085 1 \u3000')).toBe('1')
  expect(trimSpace('\ufeff1')).toBe('\ufeff1')
})

test('the latest date of birth is the date somewhere on Earth already', () => {
  expect(latestDate(new Date('2026-06-15T09:59:59Z'))).toBe('2026-06-15')
  expect(latestDate(new Date('2026-06-15T10:00:00Z'))).toBe('2026-06-16')
})

// Through a form: a field of format cnp or cui refuses, in the browser,
// what the server refuses, with sign-up's message.
describe('a form refuses what sign-up refuses', () => {
  const cases: [string, string, Vector][] = [
    ...contract.cnp.filter((v) => !v.dated).map((v): [string, string, Vector] => ['petitie', 'cnp', v]),
    ...contract.cui.map((v): [string, string, Vector] => ['certificat-fiscal', 'cui', v]),
  ]
  const base: Record<string, Record<string, unknown>> = {
    petitie: { name: 'Ioana Popescu', address: { street: 'Bucegi', locality: 'Lugoj', county: 'TM' }, subject: 'Iluminat', text: 'Vă rog să reparați iluminatul public.' },
    'certificat-fiscal': { personType: 'juridica', taxpayerName: 'Lugojana SRL', purpose: 'Licitație' },
  }
  test.each(cases.map(([form, field, v]) => [`${form}.${field}: ${v.name}`, form, field, v] as const))('%s', (_, form, field, v) => {
    for (const locale of ['ro', 'en'] as const) {
      const errors = validate(parseSchema(seeds[form]), { ...base[form], [field]: v.in }, locale)
      expect(errors).toEqual(v.code === null ? {} : { [field]: contract.messages[v.code][locale] })
    }
  })
})

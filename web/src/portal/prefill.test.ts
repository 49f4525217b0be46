import { describe, expect, test } from 'vitest'

import type { Me } from '../api/types'
import { parseSchema } from '../forms'
import { seeds } from '../forms/fixtures'
import { accountFill, asksCNP } from './prefill'

const person: Me = {
  id: 'c', kind: 'person', email: 'ioana@example.ro', emailVerified: true, displayName: 'Ioana Mureșan', phone: '0722 123 456',
  locale: 'ro', cnpMasked: '2*********123', cui: null, institution: null, mfaEnabled: false, mfaPending: false, mfaSetupRequired: false,
  grants: [],
}
const company: Me = { ...person, kind: 'company', displayName: 'Construct SRL', cnpMasked: null, cui: '14399840', phone: null }

describe('accountFill', () => {
  test('the petition takes the name, CNP and e-mail, and leaves the rest', () => {
    const tree = parseSchema(seeds.petitie)
    expect(asksCNP(tree)).toBe(true)
    const got = accountFill(tree, { address: { locality: 'Lugoj' } }, person, '2920822296093')
    expect(got).toEqual({ name: 'Ioana Mureșan', cnp: '2920822296093', email: 'ioana@example.ro', address: { locality: 'Lugoj' } })
  })

  test('what the citizen wrote stays', () => {
    const tree = parseSchema(seeds.petitie)
    expect(accountFill(tree, { name: 'Alt nume', email: '' }, person, '2920822296093'))
      .toEqual({ name: 'Alt nume', cnp: '2920822296093', email: 'ioana@example.ro' })
  })

  test('without the clear CNP the CNP stays empty; a company has none', () => {
    const tree = parseSchema(seeds.petitie)
    expect(accountFill(tree, {}, person)).toEqual({ name: 'Ioana Mureșan', email: 'ioana@example.ro' })
    expect(accountFill(tree, {}, company, '2920822296093')).toEqual({ name: 'Construct SRL', email: 'ioana@example.ro' })
  })

  test('a form asking for the phone gets it; one asking nothing of the account gets nothing', () => {
    expect(accountFill(parseSchema(seeds.audienta), {}, person)).toMatchObject({ name: 'Ioana Mureșan', phone: '0722 123 456' })
    const nothing = parseSchema({ type: 'object', properties: { area: { type: 'number', title: 'Suprafața' } } })
    expect(asksCNP(nothing)).toBe(false)
    expect(accountFill(nothing, {}, person, '2920822296093')).toEqual({})
  })

  test('the urbanism certificate takes the CNP of a person and the CUI of a company (fields of format cnp and cui)', () => {
    const urbanism = parseSchema(seeds['certificat-urbanism'])
    expect(asksCNP(urbanism)).toBe(true)
    expect(accountFill(urbanism, {}, person, '2920822296093')).toEqual({ cnp: '2920822296093' })
    expect(accountFill(urbanism, {}, company)).toEqual({ cui: company.cui })
  })
})

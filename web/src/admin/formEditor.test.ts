import { describe, expect, test } from 'vitest'

import { flatten, initialValue, parseSchema, SchemaError, validate } from '../forms'
import type { Field } from '../forms'
import { seeds } from '../forms/fixtures'
import {
  addField, changeKind, checkForm, containerOf, fieldOfMessage, fieldPaths, fieldSchema, findField, fromSchema, JsonError,
  keptKeywords, keyFrom, kindOf, moveField, moveOption, newField, newOption, phonePattern, readSchemaText, removeField, resolvedKeys,
  resolvedValues, schemaText, toSchema, updateField, valueFrom,
} from './formEditor'
import type { Defaults, EditorField, EditorForm, Kind } from './formEditor'

const defaults: Defaults = {
  phoneHint: { ro: 'un număr de telefon, de exemplu 0256123456', en: 'a phone number, for example 0256123456' },
}

// The model without the editor's own ids, to compare two readings.
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain)
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'uid').map(([k, e]) => [k, plain(e)]))
  }
  return v
}

// What a citizen sees of a form: every field the renderer builds.
const shown = (schema: unknown): Field[] => flatten(parseSchema(schema))

// [path, kind] of every field of the model.
function kindsOf(form: EditorForm): [string, Kind][] {
  const paths = fieldPaths(form)
  return [...paths.entries()].map(([path, id]) => [path, findField(form, id)!.kind])
}

describe.each(Object.keys(seeds))('the seeded form %s', (name) => {
  const seed = seeds[name]

  test('reads into the editor and writes back a form the renderer shows the same', () => {
    const schema = toSchema(fromSchema(seed))
    expect(shown(schema)).toEqual(shown(seed))
    // The root too: its title and whether it is closed.
    const a = parseSchema(schema)
    const b = parseSchema(seed)
    expect([a.title, a.additionalProperties, a.description]).toEqual([b.title, b.additionalProperties, b.description])
  })

  test('what the editor writes reads back into the same model, and writes the same again', () => {
    const model = fromSchema(seed)
    const schema = toSchema(model)
    expect(plain(fromSchema(schema))).toEqual(plain(model))
    expect(toSchema(fromSchema(schema))).toEqual(schema)
  })

  test('goes through the JSON Schema box unchanged', () => {
    const model = fromSchema(seed)
    expect(plain(readSchemaText(schemaText(model)))).toEqual(plain(model))
  })

  test('has nothing the editor would refuse', () => {
    expect(checkForm(fromSchema(seed))).toEqual([])
  })

  test('every field keeps its place and its labels', () => {
    const model = fromSchema(seed)
    const paths = [...fieldPaths(model).keys()]
    expect(paths).toEqual(shown(seed).map((f) => f.path))
  })
})

// The kind the editor finds for each seeded field: what the administrator
// sees in the field's "type" control.
test.each([
  ['petitie', [['name', 'text'], ['cnp', 'cnp'], ['email', 'email'], ['address', 'group'], ['address.street', 'text'],
    ['address.number', 'text'], ['address.locality', 'text'], ['address.county', 'choice'], ['address.postalCode', 'text'],
    ['subject', 'longText'], ['text', 'longText'], ['coSigners', 'list'], ['coSigners[]', 'group'], ['coSigners[].name', 'text'],
    ['coSigners[].cnp', 'cnp']]],
  ['audienta', [['name', 'text'], ['preferredDate', 'date'], ['topic', 'longText'], ['phone', 'phone']]],
  ['certificat-fiscal', [['personType', 'choice'], ['taxpayerName', 'text'], ['cnp', 'cnp'], ['cui', 'cui'], ['purpose', 'text'],
    ['copies', 'choice'], ['years', 'list'], ['years[]', 'number']]],
  ['certificat-urbanism', [['cnp', 'cnp'], ['cui', 'cui'], ['property', 'group'], ['property.locality', 'choice'], ['property.street', 'text'],
    ['property.number', 'text'], ['property.details', 'text'], ['property.postalCode', 'text'], ['cadastralNumber', 'text'],
    ['landBookNumber', 'text'], ['purpose', 'choice'], ['worksDescription', 'longText'], ['area', 'number'], ['floors', 'number'],
    ['inIntravilan', 'yesNo']]],
  ['informatii-publice', [['name', 'text'], ['information', 'longText'], ['answerFormat', 'choice'], ['email', 'email'],
    ['postalAddress', 'longText']]],
])('the kinds of %s', (name, want) => {
  expect(kindsOf(fromSchema(seeds[name]))).toEqual(want)
})

describe('reading details', () => {
  test('a $ref is written out in full, and labels without English keep them unsaid', () => {
    const model = fromSchema(seeds.petitie)
    const county = findField(model, fieldPaths(model).get('address.county')!)!
    expect(county.title).toEqual({ ro: 'Județ', en: 'County' })
    expect(county.options!.map((o) => [o.value, o.label.ro, o.label.en])).toEqual([
      ['TM', 'Timiș', 'Timiș'], ['AR', 'Arad', ''], ['CS', 'Caraș-Severin', ''], ['HD', 'Hunedoara', '']])
    const schema = toSchema(model)
    expect(schema).not.toHaveProperty('$defs')
    expect(JSON.stringify(schema)).not.toContain('$ref')
  })

  test('what a kind has no control for is kept as written, and listed', () => {
    const model = fromSchema(seeds['certificat-fiscal'])
    const copies = findField(model, fieldPaths(model).get('copies')!)!
    expect(copies.valueType).toBe('integer')
    expect(copies.options!.map((o) => o.value)).toEqual(['1', '2', '3'])
    expect(copies.extra).toEqual({ minimum: 1, maximum: 5 })
    expect(keptKeywords(copies)).toEqual(['minimum', 'maximum'])
    expect(fieldSchema(copies)).toMatchObject({ type: 'integer', enum: [1, 2, 3], minimum: 1, maximum: 5 })
  })

  test('comments, examples and others\' extensions survive a round trip', () => {
    const schema = {
      type: 'object', $comment: 'v1', 'x-owner': 'urbanism',
      properties: {
        a: { type: 'string', title: 'A', examples: ['x'], $comment: 'c', 'x-widget': 'big' },
        b: { type: 'string', format: 'date', title: 'B', default: '2026-01-01' },
      },
    }
    const out = toSchema(fromSchema(schema))
    expect(out).toMatchObject({ $comment: 'v1', 'x-owner': 'urbanism' })
    expect((out.properties as Record<string, unknown>).a).toMatchObject({ examples: ['x'], $comment: 'c', 'x-widget': 'big' })
    // A date's default has no control: kept.
    expect((out.properties as Record<string, unknown>).b).toMatchObject({ default: '2026-01-01', format: 'date' })
  })

  test.each([
    [{ type: 'string', maxLength: 200 }, 'text'],
    [{ type: 'string', maxLength: 201 }, 'longText'],
    [{ type: 'string', minLength: 19 }, 'text'],
    [{ type: 'string', minLength: 20 }, 'longText'],
    [{ type: 'string', minLength: 20, maxLength: 100 }, 'text'],
    [{ type: 'string', format: 'email', maxLength: 500 }, 'email'],
    [{ type: 'string', format: 'date-time' }, 'dateTime'],
    [{ type: 'string', pattern: phonePattern }, 'phone'],
    [{ type: 'string', format: 'cnp' }, 'cnp'],
    [{ type: 'string', format: 'cui' }, 'cui'],
    // A CNP written as a pattern, before the format: the text it is, kept as written.
    [{ type: 'string', pattern: '^[1-9]\\d{12}$' }, 'text'],
    [{ type: 'string', pattern: '^\\d{6}$' }, 'text'],
    [{ type: 'string', enum: ['a'], maxLength: 500 }, 'choice'],
    [{ type: 'number', enum: [1.5] }, 'choice'],
    [{ type: 'integer' }, 'number'],
    [{ type: 'boolean' }, 'yesNo'],
  ] as const)('kindOf(%j) is %s, as the renderer shows it', (schema, kind) => {
    expect(kindOf(schema)).toBe(kind)
  })

  test.each([
    ['not JSON', '{"type": "object",', JsonError],
    ['a combinator', '{"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}]}}}', SchemaError],
    ['a form without fields', '{"type": "object", "properties": {}}', SchemaError],
    ['another document', '{"type": "object", "properties": {"a": {"$ref": "https://x.example/a.json"}}}', SchemaError],
    ['a list of lists', '{"type": "object", "properties": {"a": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}}}', SchemaError],
  ])('the JSON Schema box refuses %s', (_, text, kind) => {
    expect(() => readSchemaText(text)).toThrow(kind)
  })
})

// A form as an administrator builds it in the editor.
function built(): EditorForm {
  const name = { ...newField('text', defaults), title: { ro: 'Nume și prenume', en: 'Full name' }, required: true }
  const purpose = {
    ...newField('choice', defaults), title: { ro: 'Scopul', en: 'Purpose' }, required: true,
    options: [{ ...newOption(), label: { ro: 'Construire', en: 'Building' } }, { ...newOption(), label: { ro: 'Vânzare / cumpărare', en: '' } }],
  }
  const when = { ...newField('date', defaults), title: { ro: 'Data dorită', en: 'Preferred date' } }
  const copies = { ...newField('number', defaults), title: { ro: 'Număr de exemplare', en: '' }, integer: true, minimum: 1, maximum: 5 }
  const agree = { ...newField('yesNo', defaults), title: { ro: 'Sunt de acord', en: 'I agree' }, default: false }
  const phone = { ...newField('phone', defaults), title: { ro: 'Telefon', en: 'Phone' } }
  const cnp = { ...newField('cnp', defaults), title: { ro: 'CNP', en: '' } }
  const cui = { ...newField('cui', defaults), title: { ro: 'CUI', en: 'Fiscal code' } }
  const mail = { ...newField('email', defaults), title: { ro: 'E-mail', en: 'Email' } }
  const text = { ...newField('longText', defaults), title: { ro: 'Detalii', en: 'Details' }, description: { ro: 'Descrieți pe larg.', en: '' } }
  const address = { ...newField('group', defaults), title: { ro: 'Adresa', en: 'Address' }, required: true }
  address.fields = [{ ...address.fields![0], title: { ro: 'Stradă', en: 'Street' }, required: true }]
  const people = { ...newField('list', defaults), title: { ro: 'Persoane', en: 'People' }, maxItems: 3 }
  people.item = { ...newField('group', defaults) }
  people.item.fields = [{ ...people.item.fields![0], title: { ro: 'Nume', en: 'Name' }, required: true }]
  return {
    title: { ro: 'Cerere', en: 'Request' }, description: { ro: '', en: '' }, closed: true, extra: {},
    fields: [name, purpose, when, copies, agree, phone, cnp, cui, mail, text, address, people],
  }
}

describe('a form built in the editor', () => {
  test('is one the renderer shows, field by field', () => {
    const form = built()
    expect(checkForm(form)).toEqual([])
    const rows = shown(toSchema(form)).map((f) => [f.path, f.type, f.title.ro, f.title.en, f.required])
    expect(rows).toEqual([
      ['numeSiPrenume', 'string', 'Nume și prenume', 'Full name', true],
      ['scopul', 'string', 'Scopul', 'Purpose', true],
      ['dataDorita', 'string', 'Data dorită', 'Preferred date', false],
      ['numarDeExemplare', 'integer', 'Număr de exemplare', 'Număr de exemplare', false],
      ['suntDeAcord', 'boolean', 'Sunt de acord', 'I agree', false],
      ['telefon', 'string', 'Telefon', 'Phone', false],
      ['cnp', 'string', 'CNP', 'CNP', false],
      ['cui', 'string', 'CUI', 'Fiscal code', false],
      ['eMail', 'string', 'E-mail', 'Email', false],
      ['detalii', 'string', 'Detalii', 'Details', false],
      ['adresa', 'object', 'Adresa', 'Address', true],
      ['adresa.strada', 'string', 'Stradă', 'Street', true],
      ['persoane', 'array', 'Persoane', 'People', false],
      ['persoane[]', 'object', 'Persoane', 'People', false],
      ['persoane[].nume', 'string', 'Nume', 'Name', true],
    ])
    const purpose = shown(toSchema(form))[1]
    expect(purpose.type === 'string' && purpose.enum?.map((o) => [o.value, o.label.ro, o.label.en])).toEqual([
      ['construire', 'Construire', 'Building'], ['vanzare-cumparare', 'Vânzare / cumpărare', 'Vânzare / cumpărare']])
  })

  test('is checked by the renderer\'s validation as the citizen fills it in', () => {
    const tree = parseSchema(toSchema(built()))
    const empty = validate(tree, initialValue(tree), 'ro')
    expect(Object.keys(empty).sort()).toEqual(['adresa.strada', 'numeSiPrenume', 'scopul'])
    expect(empty.numeSiPrenume).toContain('obligatoriu')
    const filled = {
      ...initialValue(tree), numeSiPrenume: 'Ana Pop', scopul: 'construire', dataDorita: '2026-05-04', numarDeExemplare: 2,
      telefon: '0256123456', cnp: '1920822296090', cui: 'RO18547290', eMail: 'ana@example.ro', detalii: 'Pe larg.', adresa: { strada: 'Bocșei' },
      persoane: [{ nume: 'Ion' }],
    }
    expect(validate(tree, filled, 'ro')).toEqual({})
    const wrong = { ...filled, numarDeExemplare: 9, telefon: '12', cnp: '1920822296091', cui: '18547291', eMail: 'ana', dataDorita: '2026-13-40', scopul: 'altceva' }
    const errors = validate(tree, wrong, 'en')
    expect(Object.keys(errors).sort()).toEqual(['cnp', 'cui', 'dataDorita', 'eMail', 'numarDeExemplare', 'scopul', 'telefon'])
    expect([errors.cnp, errors.cui]).toEqual(['The control digit of the CNP does not match; check for a typing mistake.',
      'The control digit of the CUI does not match; check for a typing mistake.'])
  })

  test('new phone fields tell the citizen what is expected; CNP and CUI fields are checked as sign-up checks them', () => {
    const tree = parseSchema(toSchema(built()))
    const phone = tree.properties.find((f) => f.name === 'telefon')!
    expect(phone.type === 'string' && [phone.pattern, phone.patternHint, phone.autocomplete]).toEqual([phonePattern, defaults.phoneHint, 'tel'])
    const cnp = tree.properties.find((f) => f.name === 'cnp')!
    expect(cnp).toMatchObject({ type: 'string', format: 'cnp' })
    expect(cnp).not.toHaveProperty('pattern')
    expect(tree.properties.find((f) => f.name === 'cui')).toMatchObject({ type: 'string', format: 'cui' })
  })

  test('reads back as it was built', () => {
    const form = built()
    const again = fromSchema(toSchema(form))
    expect(kindsOf(again)).toEqual(kindsOf(form))
    expect(toSchema(again)).toEqual(toSchema(form))
  })

  test.each(['text', 'longText', 'number', 'date', 'dateTime', 'yesNo', 'choice', 'email', 'phone', 'cnp', 'cui', 'group', 'list'] as Kind[])(
    'a new %s field, once labelled, is accepted and read back as the same kind', (kind) => {
      let f = newField(kind, defaults)
      f = { ...f, title: { ro: 'Câmp', en: 'Field' } }
      if (f.options) f.options = f.options.map((o, i) => ({ ...o, label: { ro: `Opțiunea ${i + 1}`, en: '' } }))
      if (f.fields) f.fields = f.fields.map((c) => ({ ...c, title: { ro: 'Interior', en: '' } }))
      const form: EditorForm = { title: { ro: '', en: '' }, description: { ro: '', en: '' }, closed: true, extra: {}, fields: [f] }
      expect(checkForm(form)).toEqual([])
      expect(fromSchema(toSchema(form)).fields[0].kind).toBe(kind)
    })
})

describe('keys and values', () => {
  test.each([
    ['Nume și prenume', 'numeSiPrenume'],
    ['Județ', 'judet'],
    ['ȚARĂ de origine', 'taraDeOrigine'],
    ['CNP', 'cnp'],
    ['2 exemplare', 'f2Exemplare'],
    ['Suprafața terenului (mp)', 'suprafataTerenuluiMp'],
    ['', ''],
    ['***', ''],
  ])('keyFrom(%j) = %j', (title, key) => {
    expect(keyFrom(title)).toBe(key)
  })

  test('a key is at most 64 characters', () => {
    expect(keyFrom('a'.repeat(100))).toHaveLength(64)
  })

  test.each([
    ['Persoană fizică', 'persoana-fizica'],
    ['Vânzare / cumpărare', 'vanzare-cumparare'],
    [' prin e-mail ', 'prin-e-mail'],
    ['', ''],
  ])('valueFrom(%j) = %j', (label, value) => {
    expect(valueFrom(label)).toBe(value)
  })

  test('keys are unique among siblings; given keys are kept', () => {
    const f = (ro: string, key = '') => ({ ...newField('text', defaults), title: { ro, en: '' }, key })
    expect(resolvedKeys([f('Nume'), f('Nume'), f('Altceva', 'nume2'), f(''), f('')])).toEqual(['nume', 'nume3', 'nume2', 'camp', 'camp2'])
  })

  test('option values are unique; given values are kept', () => {
    const o = (ro: string, value = '') => ({ ...newOption(), label: { ro, en: '' }, value })
    expect(resolvedValues([o('Da'), o('Da'), o('Nu', 'da-2'), o('')])).toEqual(['da', 'da-3', 'da-2', 'optiune'])
  })
})

describe('editing', () => {
  const form = () => fromSchema(seeds.petitie)
  const id = (f: EditorForm, path: string) => fieldPaths(f).get(path)!
  const order = (f: EditorForm, container: string | null) =>
    (container === null ? f.fields : findField(f, container)!.fields!).map((x) => x.key)

  test('adds at the end or at a place, in the root or in a group', () => {
    let f = form()
    const extra = { ...newField('date', defaults), key: 'ziua' }
    f = addField(f, null, extra)
    expect(order(f, null).at(-1)).toBe('ziua')
    const address = id(f, 'address')
    f = addField(f, address, { ...newField('text', defaults), key: 'bloc' }, 2)
    expect(order(f, address)).toEqual(['street', 'number', 'bloc', 'locality', 'county', 'postalCode'])
    expect(containerOf(f, extra.uid)).toBeNull()
    // A group that is a list's item is a container too.
    const item = id(f, 'coSigners[]')
    f = addField(f, item, { ...newField('email', defaults), key: 'email' })
    expect(order(f, item)).toEqual(['name', 'cnp', 'email'])
  })

  test.each([
    ['up', 'subject', -1, ['name', 'cnp', 'email', 'subject', 'address', 'text', 'coSigners']],
    ['down', 'name', 1, ['cnp', 'name', 'email', 'address', 'subject', 'text', 'coSigners']],
    ['up from the top', 'name', -1, ['name', 'cnp', 'email', 'address', 'subject', 'text', 'coSigners']],
    ['down from the bottom', 'coSigners', 1, ['name', 'cnp', 'email', 'address', 'subject', 'text', 'coSigners']],
  ])('moves %s', (_, path, delta, want) => {
    const f = form()
    const moved = moveField(f, id(f, path), delta)
    expect(order(moved, null)).toEqual(want)
    // The schema follows the order (x-order).
    expect(toSchema(moved)['x-order']).toEqual(want)
  })

  test('moves within a group only', () => {
    const f = form()
    const moved = moveField(f, id(f, 'address.county'), -1)
    expect(order(moved, id(f, 'address'))).toEqual(['street', 'number', 'county', 'locality', 'postalCode'])
    expect(order(moved, null)).toEqual(order(f, null))
  })

  test('removes from wherever the field is', () => {
    const f = form()
    const out = removeField(removeField(f, id(f, 'address.number')), id(f, 'email'))
    expect(order(out, null)).toEqual(['name', 'cnp', 'address', 'subject', 'text', 'coSigners'])
    expect(order(out, id(f, 'address'))).toEqual(['street', 'locality', 'county', 'postalCode'])
    expect(toSchema(out).required).toEqual(['name', 'address', 'subject', 'text'])
  })

  test('updates one field, leaving the others as they are', () => {
    const f = form()
    const out = updateField(f, id(f, 'coSigners[].name'), (x) => ({ ...x, required: false }))
    expect(findField(out, id(f, 'coSigners[].name'))!.required).toBe(false)
    expect(out.fields[0]).toBe(f.fields[0])
  })

  test('a kind changed keeps the labels, drops the rest', () => {
    const f = form()
    const county = findField(f, id(f, 'address.county'))!
    const text = changeKind(county, 'text', defaults)
    expect([text.kind, text.key, text.title, text.required, text.options, text.maxLength]).toEqual(['text', 'county', county.title, true, undefined, 200])
    expect(changeKind(county, 'choice', defaults)).toBe(county)
  })

  test('options move', () => {
    const [a, b, c] = [newOption(), newOption(), newOption()]
    expect(moveOption([a, b, c], c.uid, -1).map((o) => o.uid)).toEqual([a.uid, c.uid, b.uid])
    expect(moveOption([a, b, c], a.uid, -1).map((o) => o.uid)).toEqual([a.uid, b.uid, c.uid])
  })
})

describe('checks', () => {
  const one = (changes: Partial<EditorField>, kind: Kind = 'text'): EditorForm => ({
    title: { ro: '', en: '' }, description: { ro: '', en: '' }, closed: true, extra: {},
    fields: [{ ...newField(kind, defaults), title: { ro: 'Câmp', en: '' }, ...changes }],
  })
  const codes = (f: EditorForm) => checkForm(f).map((p) => `${p.part}:${p.code}`)

  test.each<[string, EditorForm, string[]]>([
    ['a form without fields', { ...one({}), fields: [] }, ['fields:noFields']],
    ['a field without a label', one({ title: { ro: ' ', en: '' } }), ['title:titleRequired']],
    ['an English label alone', one({ title: { ro: '', en: 'Field' } }), ['title:titleRequired']],
    ['an English help alone', one({ description: { ro: '', en: 'Help' } }), ['description:descriptionRo']],
    ['a key with a space', one({ key: 'nume mare' }), ['key:keyInvalid']],
    ['a short text over 200', one({ maxLength: 500 }), ['maxLength:shortTooLong']],
    ['a short text of at least 20, unbounded', one({ minLength: 20, maxLength: undefined }), ['maxLength:shortTooLong']],
    ['lengths the wrong way', one({ minLength: 10, maxLength: 5 }), ['minLength:lengthOrder']],
    ['a negative length', one({ minLength: -1 }), ['minLength:count']],
    ['a long text of 200', one({ maxLength: 200 }, 'longText'), ['maxLength:longTooShort']],
    ['numbers the wrong way', one({ minimum: 5, maximum: 1 }, 'number'), ['minimum:rangeOrder']],
    ['a multiple of 0', one({ multipleOf: 0 }, 'number'), ['multipleOf:multipleOf']],
    ['a choice without options', one({ options: [] }, 'choice'), ['options:noOptions']],
    ['a group without fields', one({ fields: [] }, 'group'), ['fields:noFields']],
    ['a list of lists', one({ item: newField('list', defaults) }, 'list'), ['item:listOfLists']],
    ['a list the wrong way', one({ minItems: 3, maxItems: 1 }, 'list'), ['minItems:itemsOrder']],
  ])('%s', (_, form, want) => {
    expect(codes(form)).toEqual(want)
  })

  test('options: a label or a value each, numbers for numbers, each once', () => {
    const o = (ro: string, value = '') => ({ ...newOption(), label: { ro, en: '' }, value })
    const opts = [o(''), o('Unu', '1'), o('Unu bis', '1.0'), o('Doi', 'doi'), o('Jumătate', '0.5')]
    const form = one({ valueType: 'integer', options: opts }, 'choice')
    expect(codes(form)).toEqual([
      `option-${opts[0].uid}:optionLabel`, `optionValue-${opts[0].uid}:optionNumber`,
      `optionValue-${opts[2].uid}:optionTaken`, `optionValue-${opts[3].uid}:optionNumber`, `optionValue-${opts[4].uid}:optionInteger`,
    ])
    const strings = one({ options: [o('A', 'x'), o('B', 'x')] }, 'choice')
    expect(codes(strings)).toEqual([`optionValue-${(strings.fields[0].options ?? [])[1].uid}:optionTaken`])
  })

  test('two fields given the same key', () => {
    const f = one({ key: 'nume' })
    f.fields.push({ ...newField('text', defaults), title: { ro: 'Altul', en: '' }, key: 'nume' })
    expect(checkForm(f)).toEqual([{ uid: f.fields[1].uid, part: 'key', code: 'keyTaken', params: { key: 'nume' } }])
  })

  test('what only the platform\'s rules catch is a problem of the form, with their reason', () => {
    const f = one({ kind: 'text', maxLength: undefined, minLength: undefined, extra: { format: 'uri' } })
    expect(checkForm(f)).toEqual([{ uid: 'form', part: 'schema', code: 'schema', params: { message: expect.stringContaining('format "uri"') } }])
  })
})

describe('refusals of the form name their field', () => {
  test.each([
    ['field "address.street": minLength must be a whole number', 'address.street'],
    ['Formularul nu poate fi folosit: field "coSigners[].cnp": pattern is not valid', 'coSigners[].cnp'],
    ['field "coSigners[]": an array needs "items"', 'coSigners[]'],
  ])('%s', (message, path) => {
    const f = fromSchema(seeds.petitie)
    expect(fieldOfMessage(f, message)).toBe(fieldPaths(f).get(path))
    expect(fieldOfMessage(f, message)).toBeTruthy()
  })

  test('and not otherwise', () => {
    const f = fromSchema(seeds.petitie)
    expect(fieldOfMessage(f, 'the root must have "properties"')).toBeUndefined()
    expect(fieldOfMessage(f, 'field "nowhere": x')).toBeUndefined()
  })
})

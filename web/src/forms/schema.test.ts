import { describe, expect, test } from 'vitest'
import { seeds } from './fixtures'
import { flatten, maxDepth, maxFields, parseSchema, SchemaError } from './schema'
import type { Field } from './schema'

// [path, title ro, title en, required] of every field, in display order.
type Row = [string, string, string, boolean]

const expected: Record<string, Row[]> = {
  petitie: [
    ['name', 'Nume și prenume', 'Full name', true],
    ['cnp', 'CNP', 'Personal numeric code', false],
    ['email', 'Adresă de e-mail', 'Email address', false],
    ['address', 'Domiciliu', 'Address', true],
    ['address.street', 'Stradă', 'Street', true],
    ['address.number', 'Număr', 'Number', false],
    ['address.locality', 'Localitate', 'Locality', true],
    ['address.county', 'Județ', 'County', true],
    ['address.postalCode', 'Cod poștal', 'Postal code', false],
    ['subject', 'Obiectul petiției', 'Subject', true],
    ['text', 'Conținutul petiției', 'Text', true],
    ['coSigners', 'Cosemnatari', 'Co-signers', false],
    ['coSigners[]', 'Cosemnatari', 'Co-signers', false],
    ['coSigners[].name', 'Nume și prenume', 'Full name', true],
    // No x-title-en: English falls back to Romanian.
    ['coSigners[].cnp', 'CNP', 'CNP', false],
  ],
  'informatii-publice': [
    ['name', 'Nume și prenume / denumire', 'Name', true],
    ['information', 'Informațiile solicitate', 'Information requested', true],
    ['answerFormat', 'Formatul preferat al răspunsului', 'Preferred answer format', true],
    ['email', 'Adresă de e-mail', 'Email address', false],
    ['postalAddress', 'Adresă poștală', 'Postal address', false],
  ],
  'certificat-urbanism': [
    ['cnp', 'CNP solicitant', "Applicant's personal numeric code", false],
    ['cui', 'CUI solicitant', "Applicant's fiscal code", false],
    ['property', 'Adresa imobilului', 'Address of the property', true],
    ['property.locality', 'Localitatea', 'Locality', true],
    ['property.street', 'Stradă', 'Street', true],
    ['property.number', 'Număr', 'Number', false],
    ['property.details', 'Bloc, scară, etaj, apartament', 'Block, entrance, floor, flat', false],
    ['property.postalCode', 'Cod poștal', 'Postal code', false],
    ['cadastralNumber', 'Număr cadastral', 'Cadastral number', true],
    ['landBookNumber', 'Număr carte funciară (CF)', 'Land book number (CF)', true],
    ['purpose', 'Scopul certificatului', 'Purpose of the certificate', true],
    ['worksDescription', 'Descrierea lucrărilor propuse', 'Description of the proposed works', false],
    ['area', 'Suprafața terenului (mp)', 'Land area (sq m)', true],
    ['floors', 'Număr de niveluri', 'Number of floors', false],
    ['inIntravilan', 'Teren în intravilan', 'Land inside the built-up area', false],
  ],
  'certificat-fiscal': [
    ['personType', 'Tipul persoanei', 'Person type', true],
    ['taxpayerName', 'Numele contribuabilului', "Taxpayer's name", true],
    ['cnp', 'CNP contribuabil', "Taxpayer's personal numeric code", false],
    ['cui', 'CUI contribuabil', "Taxpayer's fiscal code", false],
    ['purpose', 'Scopul eliberării', 'Purpose', true],
    ['copies', 'Număr de exemplare', 'Number of copies', false],
    ['years', 'Anii fiscali', 'Fiscal years', false],
    ['years[]', 'Anii fiscali', 'Fiscal years', false],
  ],
  audienta: [
    ['name', 'Nume și prenume', 'Full name', true],
    ['preferredDate', 'Data preferată', 'Preferred date', true],
    ['topic', 'Tema audienței', 'Topic', true],
    ['phone', 'Telefon', 'Phone', false],
  ],
}

function byPath(name: string): Record<string, Field> {
  return Object.fromEntries(flatten(parseSchema(seeds[name])).map((f) => [f.path, f]))
}

describe('seeded forms', () => {
  test('every seeded form is described here', () => {
    expect(Object.keys(seeds).sort()).toEqual(Object.keys(expected).sort())
  })

  for (const [name, rows] of Object.entries(expected)) {
    test(`${name}: fields in x-order, with titles in both languages and required`, () => {
      const fields = flatten(parseSchema(seeds[name]))
      expect(fields.map((f): Row => [f.path, f.title.ro, f.title.en, f.required])).toEqual(rows)
    })
  }

  test('the root is the form, with its title', () => {
    const tree = parseSchema(seeds.petitie)
    expect(tree.type).toBe('object')
    expect(tree.title.ro).toBe('Petiție (OG 27/2002)')
    expect(tree.additionalProperties).toBe(false)
    expect(parseSchema(seeds.audienta).additionalProperties).toBe(true)
  })

  test('petitie: nested address, the county through $ref, coSigners a list of objects', () => {
    const f = byPath('petitie')
    const address = f.address
    expect(address.type === 'object' && address.properties.map((p) => p.name)).toEqual(['street', 'number', 'locality', 'county', 'postalCode'])
    expect(f['address.locality'].default).toBe('Lugoj')
    expect(f['address.county']).toMatchObject({
      type: 'string',
      name: 'county',
      enum: [
        { value: 'TM', label: { ro: 'Timiș', en: 'Timiș' } },
        { value: 'AR', label: { ro: 'Arad', en: 'Arad' } },
        { value: 'CS', label: { ro: 'Caraș-Severin', en: 'Caraș-Severin' } },
        { value: 'HD', label: { ro: 'Hunedoara', en: 'Hunedoara' } },
      ],
    })
    expect(f.coSigners).toMatchObject({ type: 'array', maxItems: 3, uniqueItems: false, items: { type: 'object', path: 'coSigners[]' } })
    expect(f.cnp).toMatchObject({
      format: 'cnp',
      description: { en: 'The personal numeric code, 13 digits (optional: OG 27/2002 asks for the name and the address).' },
    })
    expect(f.cnp).not.toHaveProperty('pattern')
    expect(f['coSigners[].cnp']).toMatchObject({ format: 'cnp' })
    expect(f.email).toMatchObject({ format: 'email' })
    expect(f.text).toMatchObject({ minLength: 20, maxLength: 5000 })
  })

  test('enums with labels, numeric enums, bounds, lists of scalars', () => {
    const u = byPath('certificat-urbanism')
    expect(u.purpose.type === 'string' && u.purpose.enum?.map((o) => [o.value, o.label.ro, o.label.en])).toEqual([
      ['construire', 'Construire', 'Building'],
      ['desfiintare', 'Desființare', 'Demolition'],
      ['vanzare', 'Vânzare / cumpărare', 'Sale / purchase'],
      ['informare', 'Informare', 'Information'],
    ])
    expect(u.area).toMatchObject({ type: 'number', minimum: 1, maximum: 1000000 })
    expect(u.floors).toMatchObject({ type: 'integer', minimum: 0, exclusiveMaximum: 30 })
    expect(u.inIntravilan.type).toBe('boolean')
    const fiscal = byPath('certificat-fiscal')
    expect(fiscal.copies).toMatchObject({ type: 'integer', enum: [{ value: 1, label: { ro: '1', en: '1' } }, { value: 2 }, { value: 3 }] })
    expect(fiscal.years).toMatchObject({ type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 2000, maximum: 2100 } })
    const info = byPath('informatii-publice')
    expect(info.information.description).toEqual({
      ro: 'Descrieți cât mai exact informațiile de interes public solicitate.',
      en: 'Describe the public information you request as precisely as you can.',
    })
    expect(byPath('audienta').preferredDate).toMatchObject({ format: 'date' })
  })

  test('the same schema object gives the same tree, and a tree parses as itself', () => {
    const tree = parseSchema(seeds.petitie)
    expect(parseSchema(seeds.petitie)).toBe(tree)
    expect(parseSchema(tree)).toBe(tree)
  })
})

describe('schemas the platform refuses (shared/forms/check.go)', () => {
  const field = (s: unknown) => ({ type: 'object', properties: { f: s } })
  const many = Object.fromEntries(Array.from({ length: maxFields + 1 }, (_, i) => [`f${i}`, { type: 'string' }]))
  let nest: unknown = { type: 'string' }
  for (let i = 0; i < maxDepth; i++) nest = { type: 'object', properties: { g: nest } }

  const cases: [string, unknown, string][] = [
    ['not an object', ['type', 'object'], 'must be a JSON object'],
    ['root not an object', { type: 'string' }, '"type": "object"'],
    ['root without properties', { type: 'object' }, '"properties"'],
    ['remote $ref', field({ $ref: 'https://evil.example/cnp.json' }), 'another document'],
    ['relative $ref', field({ $ref: 'cnp.json' }), 'another document'],
    ['remote $ref in unused $defs', { type: 'object', properties: { f: { type: 'string' } }, $defs: { x: { $ref: 'http://169.254.169.254/latest' } } }, 'another document'],
    ['$id', { $id: 'https://example.ro/f.json', type: 'object', properties: { f: { type: 'string' } } }, '$id'],
    ['local $ref to nothing', field({ $ref: '#/$defs/none' }), '$ref'],
    ['$ref cycle', { type: 'object', properties: { f: { $ref: '#/$defs/a' } }, $defs: { a: { $ref: '#/$defs/a' } } }, '$ref'],
    ['recursive form', field({ $ref: '#' }), 'deeper'],
    ['too many fields', { type: 'object', properties: many }, `more than ${maxFields} fields`],
    ['too deep', field(nest), `deeper than ${maxDepth}`],
    ['null type', field({ type: 'null' }), '"type"'],
    ['type list', field({ type: ['string', 'null'] }), '"type"'],
    ['no type', field({ title: 'Nume' }), '"type"'],
    ['boolean schema', field(true), 'schema object'],
    ['combinator', field({ type: 'string', anyOf: [{ maxLength: 3 }] }), '"anyOf"'],
    ['oneOf', field({ type: 'string', oneOf: [{ maxLength: 3 }] }), '"oneOf"'],
    ['conditional', field({ type: 'object', properties: { a: { type: 'string' } }, if: {}, then: {} }), '"if"'],
    ['const', field({ type: 'string', const: 'a' }), '"const"'],
    ['string keyword on a number', field({ type: 'number', pattern: '^1$' }), '"pattern"'],
    ['unsupported format', field({ type: 'string', format: 'hostname' }), 'format'],
    ['required names no property', { type: 'object', properties: { f: { type: 'string' } }, required: ['g'] }, '"g"'],
    ['x-order names no property', { type: 'object', properties: { f: { type: 'string' } }, 'x-order': ['g'] }, '"g"'],
    ['enum of the wrong type', field({ type: 'integer', enum: [1, '2'] }), 'enum'],
    ['enum not whole', field({ type: 'integer', enum: [1.5] }), 'whole'],
    ['enum repeated', field({ type: 'string', enum: ['a', 'a'] }), 'twice'],
    ['label for no value', field({ type: 'string', enum: ['a'], 'x-labels': { b: { ro: 'B' } } }), '"b"'],
    ['label without ro', field({ type: 'string', enum: ['a'], 'x-labels': { a: { en: 'A' } } }), '"ro"'],
    ['x-labels without enum', field({ type: 'boolean', 'x-labels': {} }), 'x-labels'],
    ['x-pattern-hint without pattern', field({ type: 'string', 'x-pattern-hint': { ro: 'x' } }), 'x-pattern-hint'],
    ['minLength over maxLength', field({ type: 'string', minLength: 5, maxLength: 2 }), 'minLength'],
    ['negative maxLength', field({ type: 'string', maxLength: -1 }), 'maxLength'],
    ['minimum over maximum', field({ type: 'number', minimum: 5, maximum: 2 }), 'minimum'],
    ['multipleOf 0', field({ type: 'number', multipleOf: 0 }), 'multipleOf'],
    ['array without items', field({ type: 'array' }), '"items"'],
    ['list of lists', field({ type: 'array', items: { type: 'array', items: { type: 'string' } } }), 'list of lists'],
    ['object without properties', field({ type: 'object' }), '"properties"'],
    ['additionalProperties schema', { type: 'object', properties: { f: { type: 'string' } }, additionalProperties: { type: 'string' } }, 'additionalProperties'],
    ['property name with a dot', { type: 'object', properties: { 'a.b': { type: 'string' } } }, '"a.b"'],
    ['other draft', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { f: { type: 'string' } } }, '2020-12'],
  ]
  test.each(cases)('%s', (_, schema, says) => {
    let err: unknown
    try {
      parseSchema(schema)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SchemaError)
    expect((err as Error).message).toContain(says)
  })

  test('the limits themselves are accepted', () => {
    const fields = Object.fromEntries(Array.from({ length: maxFields }, (_, i) => [`f${i}`, { type: 'string' }]))
    expect(flatten(parseSchema({ type: 'object', properties: fields }))).toHaveLength(maxFields)
    let deep: unknown = { type: 'string' }
    for (let i = 0; i < maxDepth - 1; i++) deep = { type: 'object', properties: { g: deep } }
    expect(flatten(parseSchema({ type: 'object', properties: { f: deep } }))).toHaveLength(maxDepth)
  })

  test('$ref: the referencing schema’s own keywords win', () => {
    const tree = parseSchema({
      type: 'object',
      properties: { home: { $ref: '#/$defs/county', title: 'Județul de domiciliu' } },
      $defs: { county: { type: 'string', title: 'Județ', 'x-title-en': 'County', enum: ['TM'] } },
    })
    expect(tree.properties[0]).toMatchObject({ name: 'home', title: { ro: 'Județul de domiciliu' }, enum: [{ value: 'TM' }] })
  })

  test('a pattern only Go understands is kept for the server, not checked here', () => {
    const tree = parseSchema(field({ type: 'string', pattern: '(?i)^abc$' }))
    expect(tree.properties[0]).toMatchObject({ pattern: '(?i)^abc$' })
    expect(tree.properties[0].type === 'string' && tree.properties[0].regexp).toBeUndefined()
  })
})

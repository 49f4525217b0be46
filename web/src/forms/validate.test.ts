import { describe, expect, test } from 'vitest'
import { seeds } from './fixtures'
import { parseSchema } from './schema'
import { isDate, isDateTime, serverErrors, validate } from './validate'
import type { Errors } from './validate'

// Valid submissions of every seeded form (the server's, forms_test.go).
const valid: Record<string, Record<string, unknown>> = {
  petitie: {
    name: 'Ioana Popescu',
    cnp: '1920822296090',
    email: 'ioana@example.ro',
    address: { street: 'Strada Bucegi', number: '12A', locality: 'Lugoj', county: 'TM', postalCode: '305500' },
    subject: 'Iluminat public',
    text: 'Vă rog să reparați iluminatul public de pe strada Bucegi.',
    coSigners: [{ name: 'Ion Pop', cnp: '1920822296090' }],
  },
  'informatii-publice': { name: 'Asociația Civică', information: 'Contractele de iluminat public din 2025.', answerFormat: 'email', email: 'a@example.ro' },
  'certificat-urbanism': {
    cnp: '1920822296090',
    property: { locality: 'Lugoj', street: 'Strada Făgetului', number: '12' },
    cadastralNumber: '401234-C1',
    landBookNumber: '401234',
    purpose: 'construire',
    worksDescription: 'Casă P+1',
    area: 512.5,
    floors: 2,
    inIntravilan: true,
  },
  'certificat-fiscal': { personType: 'juridica', taxpayerName: 'Lugojana SRL', cui: 'RO18547290', purpose: 'Licitație', copies: 2, years: [2024, 2025] },
  audienta: { name: 'Mihai Ionescu', preferredDate: '2026-03-16', topic: 'Reabilitarea parcului din cartier', phone: '0722123456' },
}

// with is the valid submission of form with top-level keys replaced (undefined removes one).
function withChanges(form: string, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...structuredClone(valid[form]), ...changes }
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete out[k]
  return out
}

function check(form: string, value: unknown, locale: 'ro' | 'en' = 'ro'): Errors {
  return validate(parseSchema(seeds[form]), value, locale)
}

describe('valid submissions pass', () => {
  test.each(Object.keys(valid))('%s', (form) => {
    expect(check(form, valid[form])).toEqual({})
  })
  test('a petition without a CNP, email or co-signers', () => {
    expect(check('petitie', withChanges('petitie', { cnp: undefined, email: undefined, coSigners: undefined }))).toEqual({})
  })
  test('unknown properties are allowed when additionalProperties is not false', () => {
    expect(check('audienta', withChanges('audienta', { note: 'după-amiază' }))).toEqual({})
  })
})

// [name, form, value, errors in Romanian, errors in English (undefined: not checked)]
type Case = [string, string, Record<string, unknown>, Errors, Errors?]

const cases: Case[] = [
  [
    'required, with the title in both languages',
    'petitie',
    withChanges('petitie', { name: undefined }),
    { name: 'Câmpul «Nume și prenume» este obligatoriu.' },
    { name: 'Field «Full name» is required.' },
  ],
  [
    'pattern tells the x-pattern-hint, not the regex',
    'certificat-urbanism',
    withChanges('certificat-urbanism', { landBookNumber: 'CF 401234' }),
    { landBookNumber: 'Câmpul «Număr carte funciară (CF)» are o formă nevalidă (numărul cărții funciare, doar cifre).' },
    { landBookNumber: 'Field «Land book number (CF)» has an invalid form (the land book\'s number, digits only).' },
  ],
  [
    'a CNP is refused as sign-up refuses it, with its message',
    'petitie',
    withChanges('petitie', { cnp: '1920822296091' }),
    { cnp: 'Cifra de control a CNP-ului nu este corectă; verificați dacă ați tastat corect.' },
    { cnp: 'The control digit of the CNP does not match; check for a typing mistake.' },
  ],
  [
    'a CNP of county 47 and a CUI with a leading zero',
    'certificat-fiscal',
    withChanges('certificat-fiscal', { cnp: '1920822476095', cui: '018547290' }),
    {
      cnp: 'Codul județului din CNP nu este valid.',
      cui: 'CUI-ul poate conține doar cifre, fără zerouri la început, eventual precedate de RO.',
    },
    { cnp: 'The county code in the CNP is not valid.', cui: 'The CUI may contain only digits, not starting with zero, optionally preceded by RO.' },
  ],
  [
    'email format',
    'petitie',
    withChanges('petitie', { email: 'ioana@' }),
    { email: 'Câmpul «Adresă de e-mail» trebuie să fie o adresă de e-mail validă.' },
    { email: 'Field «Email address» must be a valid email address.' },
  ],
  [
    'nested required belongs to the missing child',
    'petitie',
    withChanges('petitie', { address: { street: 'Bucegi', county: 'TM' } }),
    { 'address.locality': 'Câmpul «Localitate» este obligatoriu.' },
    { 'address.locality': 'Field «Locality» is required.' },
  ],
  [
    'enum through a local $ref lists the labels',
    'petitie',
    withChanges('petitie', { address: { street: 'Bucegi', locality: 'Lugoj', county: 'B' } }),
    { 'address.county': 'Câmpul «Județ» trebuie să aibă una dintre valorile: Timiș, Arad, Caraș-Severin, Hunedoara.' },
    { 'address.county': 'Field «County» must be one of: Timiș, Arad, Caraș-Severin, Hunedoara.' },
  ],
  [
    'unknown properties, top level and nested',
    'petitie',
    withChanges('petitie', { iban: 'RO49', address: { street: 'Bucegi', locality: 'Lugoj', county: 'TM', bloc: 'A1' } }),
    { 'address.bloc': 'Câmpul «bloc» nu face parte din acest formular.', iban: 'Câmpul «iban» nu face parte din acest formular.' },
    { 'address.bloc': 'Field «bloc» is not part of this form.', iban: 'Field «iban» is not part of this form.' },
  ],
  [
    'wrong types',
    'petitie',
    withChanges('petitie', { subject: 42, address: 'Strada Bucegi 12', coSigners: {} }),
    {
      address: 'Câmpul «Domiciliu» trebuie să fie un grup de câmpuri.',
      coSigners: 'Câmpul «Cosemnatari» trebuie să fie o listă.',
      subject: 'Câmpul «Obiectul petiției» trebuie să fie un text.',
    },
    { address: 'Field «Address» must be a group of fields.', coSigners: 'Field «Co-signers» must be a list.', subject: 'Field «Subject» must be text.' },
  ],
  [
    'lengths count characters, with Romanian plural forms',
    'petitie',
    withChanges('petitie', { text: 'ă'.repeat(5001), subject: 'Ilum', address: { street: '', locality: 'Lugoj', county: 'TM' } }),
    {
      'address.street': 'Câmpul «Stradă» trebuie să aibă cel puțin 1 caracter.',
      subject: 'Câmpul «Obiectul petiției» trebuie să aibă cel puțin 5 caractere.',
      text: 'Câmpul «Conținutul petiției» poate avea cel mult 5.000 de caractere.',
    },
    {
      'address.street': 'Field «Street» must have at least 1 character.',
      subject: 'Field «Subject» must have at least 5 characters.',
      text: 'Field «Text» may have at most 5,000 characters.',
    },
  ],
  [
    'a long text exactly at its limit, in characters not bytes',
    'petitie',
    withChanges('petitie', { text: 'ș'.repeat(5000) }),
    {},
  ],
  [
    'list items: errors name the element',
    'petitie',
    withChanges('petitie', { coSigners: [{ name: 'Ion Pop' }, { cnp: '123' }, { name: 'Al' }] }),
    {
      'coSigners[1].cnp': 'CNP-ul trebuie să aibă 13 cifre.',
      'coSigners[1].name': 'Câmpul «Nume și prenume» (Cosemnatari, nr. 2) este obligatoriu.',
      'coSigners[2].name': 'Câmpul «Nume și prenume» (Cosemnatari, nr. 3) trebuie să aibă cel puțin 3 caractere.',
    },
    {
      'coSigners[1].cnp': 'The CNP must have 13 digits.',
      'coSigners[1].name': 'Field «Full name» (Co-signers, no. 2) is required.',
      'coSigners[2].name': 'Field «Full name» (Co-signers, no. 3) must have at least 3 characters.',
    },
  ],
  [
    'list: too many items, an item of the wrong type',
    'petitie',
    withChanges('petitie', { coSigners: [{ name: 'Ion Pop' }, 'Ana', { name: 'Ion Pop' }, { name: 'Ion Pop' }] }),
    {
      coSigners: 'Câmpul «Cosemnatari» poate avea cel mult 3 elemente.',
      'coSigners[1]': 'Câmpul «Cosemnatari» (nr. 2) trebuie să fie un grup de câmpuri.',
    },
    { coSigners: 'Field «Co-signers» may have at most 3 items.', 'coSigners[1]': 'Field «Co-signers» (no. 2) must be a group of fields.' },
  ],
  [
    'public information: enum with labels',
    'informatii-publice',
    withChanges('informatii-publice', { answerFormat: 'fax' }),
    { answerFormat: 'Câmpul «Formatul preferat al răspunsului» trebuie să aibă una dintre valorile: prin e-mail, prin poștă, ridicare de la sediu.' },
    { answerFormat: 'Field «Preferred answer format» must be one of: by email, by post, collected on site.' },
  ],
  [
    'public information: everything missing',
    'informatii-publice',
    {},
    {
      name: 'Câmpul «Nume și prenume / denumire» este obligatoriu.',
      information: 'Câmpul «Informațiile solicitate» este obligatoriu.',
      answerFormat: 'Câmpul «Formatul preferat al răspunsului» este obligatoriu.',
    },
    { name: 'Field «Name» is required.', information: 'Field «Information requested» is required.', answerFormat: 'Field «Preferred answer format» is required.' },
  ],
  [
    'urbanism: minimum, exclusive maximum, boolean and string types',
    'certificat-urbanism',
    withChanges('certificat-urbanism', { area: 0.5, floors: 30, inIntravilan: 'da', landBookNumber: 401234 }),
    {
      area: 'Câmpul «Suprafața terenului (mp)» trebuie să fie cel puțin 1.',
      floors: 'Câmpul «Număr de niveluri» trebuie să fie mai mic decât 30.',
      inIntravilan: 'Câmpul «Teren în intravilan» trebuie să fie da sau nu.',
      landBookNumber: 'Câmpul «Număr carte funciară (CF)» trebuie să fie un text.',
    },
    {
      area: 'Field «Land area (sq m)» must be at least 1.',
      floors: 'Field «Number of floors» must be less than 30.',
      inIntravilan: 'Field «Land inside the built-up area» must be yes or no.',
      landBookNumber: 'Field «Land book number (CF)» must be text.',
    },
  ],
  [
    'urbanism: maximum without grouping, integer type, enum, pattern without a hint',
    'certificat-urbanism',
    withChanges('certificat-urbanism', { area: 2000000, floors: 2.5, purpose: 'demolare', cadastralNumber: '40-1234' }),
    {
      area: 'Câmpul «Suprafața terenului (mp)» poate fi cel mult 1000000.',
      cadastralNumber: 'Câmpul «Număr cadastral» are o formă nevalidă.',
      floors: 'Câmpul «Număr de niveluri» trebuie să fie un număr întreg.',
      purpose: 'Câmpul «Scopul certificatului» trebuie să aibă una dintre valorile: Construire, Desființare, Vânzare / cumpărare, Informare.',
    },
    {
      area: 'Field «Land area (sq m)» may be at most 1000000.',
      cadastralNumber: 'Field «Cadastral number» has an invalid form.',
      floors: 'Field «Number of floors» must be a whole number.',
      purpose: 'Field «Purpose of the certificate» must be one of: Building, Demolition, Sale / purchase, Information.',
    },
  ],
  [
    'urbanism: area given as a string',
    'certificat-urbanism',
    withChanges('certificat-urbanism', { area: '500' }),
    { area: 'Câmpul «Suprafața terenului (mp)» trebuie să fie un număr.' },
    { area: 'Field «Land area (sq m)» must be a number.' },
  ],
  [
    'fiscal: enums, a repeated year, a year out of range',
    'certificat-fiscal',
    withChanges('certificat-fiscal', { personType: 'PF', copies: 4, years: [1999, 2024, 2024] }),
    {
      copies: 'Câmpul «Număr de exemplare» trebuie să aibă una dintre valorile: 1, 2, 3.',
      personType: 'Câmpul «Tipul persoanei» trebuie să aibă una dintre valorile: Persoană fizică, Persoană juridică.',
      years: 'Câmpul «Anii fiscali» nu poate conține valori repetate.',
      'years[0]': 'Câmpul «Anii fiscali» (nr. 1) trebuie să fie cel puțin 2000.',
    },
    {
      copies: 'Field «Number of copies» must be one of: 1, 2, 3.',
      personType: 'Field «Person type» must be one of: Natural person, Legal person.',
      years: 'Field «Fiscal years» may not repeat a value.',
      'years[0]': 'Field «Fiscal years» (no. 1) must be at least 2000.',
    },
  ],
  [
    'fiscal: one field failing two ways is told once; too few items',
    'certificat-fiscal',
    withChanges('certificat-fiscal', { copies: 7, years: [] }),
    {
      copies: 'Câmpul «Număr de exemplare» trebuie să aibă una dintre valorile: 1, 2, 3.',
      years: 'Câmpul «Anii fiscali» trebuie să aibă cel puțin 1 element.',
    },
    { copies: 'Field «Number of copies» must be one of: 1, 2, 3.', years: 'Field «Fiscal years» must have at least 1 item.' },
  ],
  [
    'fiscal: an item added and not filled in',
    'certificat-fiscal',
    withChanges('certificat-fiscal', { years: [2024, null] }),
    { 'years[1]': 'Câmpul «Anii fiscali» (nr. 2) este obligatoriu.' },
    { 'years[1]': 'Field «Fiscal years» (no. 2) is required.' },
  ],
  [
    'audience: a date that does not exist',
    'audienta',
    withChanges('audienta', { preferredDate: '2026-02-30' }),
    { preferredDate: 'Câmpul «Data preferată» trebuie să fie o dată calendaristică validă, de forma AAAA-LL-ZZ (de exemplu 2026-03-15).' },
    { preferredDate: 'Field «Preferred date» must be a valid calendar date in the form YYYY-MM-DD (for example 2026-03-15).' },
  ],
  [
    'audience: a date the Romanian way, a short topic, a bad phone',
    'audienta',
    withChanges('audienta', { preferredDate: '16.03.2026', topic: 'Parcul', phone: '722123456' }),
    {
      preferredDate: 'Câmpul «Data preferată» trebuie să fie o dată calendaristică validă, de forma AAAA-LL-ZZ (de exemplu 2026-03-15).',
      topic: 'Câmpul «Tema audienței» trebuie să aibă cel puțin 10 caractere.',
      phone: 'Câmpul «Telefon» are o formă nevalidă.',
    },
  ],
]

describe.each(cases)('%s', (_, form, value, ro, en) => {
  test('ro', () => expect(check(form, value, 'ro')).toEqual(ro))
  if (en) test('en', () => expect(check(form, value, 'en')).toEqual(en))
})

describe('constraints no seeded form uses', () => {
  const tree = parseSchema({
    type: 'object',
    properties: {
      step: { type: 'number', multipleOf: 0.5, exclusiveMinimum: 0 },
      at: { type: 'string', format: 'date-time', title: 'Data și ora', 'x-title-en': 'Date and time' },
      only: { type: 'string', enum: ['da'], 'x-labels': { da: { ro: 'Da', en: 'Yes' } } },
      tags: { type: 'array', items: { type: 'string', minLength: 2 }, maxItems: 2, title: 'Etichete', 'x-title-en': 'Tags' },
      many: { type: 'array', minItems: 20, items: { type: 'integer' }, title: 'Multe' },
      groups: {
        type: 'array',
        title: 'Grupuri',
        'x-title-en': 'Groups',
        items: { type: 'object', properties: { members: { type: 'array', title: 'Membri', 'x-title-en': 'Members', items: { type: 'string', minLength: 2 } } } },
      },
    },
  })
  test.each<[string, unknown, string, Errors]>([
    ['multipleOf', { step: 1.25 }, 'ro', { step: 'Câmpul «step» trebuie să fie multiplu de 0,5.' }],
    ['multipleOf in English', { step: 1.25 }, 'en', { step: 'Field «step» must be a multiple of 0.5.' }],
    ['multipleOf despite floating point', { step: 0.3 * 10 }, 'ro', {}],
    ['exclusiveMinimum', { step: 0 }, 'ro', { step: 'Câmpul «step» trebuie să fie mai mare decât 0.' }],
    ['date-time', { at: '2026-03-15 10:30' }, 'ro', { at: 'Câmpul «Data și ora» trebuie să fie o dată și o oră valide.' }],
    ['date-time in English', { at: '2026-03-15T10:30:00' }, 'en', { at: 'Field «Date and time» must be a valid date and time.' }],
    ['date-time valid', { at: '2026-03-15T10:30:00+02:00' }, 'ro', {}],
    ['an enum of one value', { only: 'nu' }, 'ro', { only: 'Câmpul «only» trebuie să fie Da.' }],
    ['an enum of one value in English', { only: 'nu' }, 'en', { only: 'Field «only» must be Yes.' }],
    ['a list element’s own error', { tags: ['ab', 'c'] }, 'ro', { 'tags[1]': 'Câmpul «Etichete» (nr. 2) trebuie să aibă cel puțin 2 caractere.' }],
    ['maxItems', { tags: ['ab', 'cd', 'ef'] }, 'en', { tags: 'Field «Tags» may have at most 2 items.' }],
    ['minItems with „de”', { many: [1] }, 'ro', { many: 'Câmpul «Multe» trebuie să aibă cel puțin 20 de elemente.' }],
    [
      'lists within lists of objects',
      { groups: [{ members: ['ab'] }, { members: ['cd', 'e'] }] },
      'ro',
      { 'groups[1].members[1]': 'Câmpul «Membri» (Grupuri, nr. 2; nr. 2) trebuie să aibă cel puțin 2 caractere.' },
    ],
  ])('%s', (_, value, locale, want) => {
    expect(validate(tree, value, locale as 'ro' | 'en')).toEqual(want)
  })
})

test('a value that is not an object at all is told at the root', () => {
  expect(check('petitie', [])).toEqual({ '': 'Câmpul «Petiție (OG 27/2002)» trebuie să fie un grup de câmpuri.' })
})

test('isDate and isDateTime', () => {
  expect(['2024-02-29', '2026-12-31'].every(isDate)).toBe(true)
  expect(['2026-02-29', '2026-13-01', '2026-1-01', '2026-04-31', ''].some(isDate)).toBe(false)
  expect(['2026-03-15T10:30:00Z', '2026-03-15T10:30:00.5+02:00', '2026-03-15t23:59:60-01:30'].every(isDateTime)).toBe(true)
  expect(['2026-03-15T24:00:00Z', '2026-03-15T10:30Z', '2026-03-15T10:30:00', '2026-02-30T10:30:00Z'].some(isDateTime)).toBe(false)
})

describe('serverErrors', () => {
  const problem = [
    { field: 'data.address.street', code: 'address.street.required', message: 'Câmpul «Stradă» este obligatoriu.', messageEn: 'Field «Street» is required.' },
    { field: 'data.coSigners[1].name', code: 'coSigners[].name.min_length', message: 'Câmpul «Nume» (Cosemnatari, nr. 2) e scurt.', messageEn: 'Too short.' },
    { field: 'data.coSigners[1].name', code: 'coSigners[].name.pattern', message: 'A doua eroare.', messageEn: 'A second one.' },
    { field: 'requestTypeId', code: 'requestTypeId.required', message: 'Alt câmp.', messageEn: 'Another field.' },
    { field: 'data', code: 'data.type', message: 'Tot formularul.', messageEn: 'The whole form.' },
  ]
  test('keys as the client names fields, in Romanian', () => {
    expect(serverErrors(problem, 'ro')).toEqual({
      'address.street': 'Câmpul «Stradă» este obligatoriu.',
      'coSigners[1].name': 'Câmpul «Nume» (Cosemnatari, nr. 2) e scurt.',
      '': 'Tot formularul.',
    })
  })
  test('in English', () => {
    expect(serverErrors(problem, 'en')['address.street']).toBe('Field «Street» is required.')
  })
  test('another prefix, and no errors at all', () => {
    expect(serverErrors(problem, 'ro', '')).toMatchObject({ requestTypeId: 'Alt câmp.', 'data.address.street': 'Câmpul «Stradă» este obligatoriu.' })
    expect(serverErrors(undefined, 'ro')).toEqual({})
  })
})

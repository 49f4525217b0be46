import { cleanup, fireEvent, render } from '@testing-library/preact'
import { useState } from 'preact/hooks'
import { afterEach, describe, expect, test } from 'vitest'
import { I18nProvider } from '../i18n/i18n'
import type { Locale } from '../i18n/i18n'
import { focusFirstError } from './focus'
import { FormRenderer, parseDecimal, showDecimal } from './FormRenderer'
import { seeds } from './fixtures'
import { fieldId } from './paths'
import { flatten, parseSchema } from './schema'
import type { Field } from './schema'
import { serverErrors, validate } from './validate'
import type { Errors } from './validate'
import { initialValue } from './value'
import type { FormValue } from './value'

afterEach(cleanup)

interface Options {
  locale?: Locale
  value?: FormValue
  errors?: Errors
  idPrefix?: string
  disabled?: boolean
}

// show renders a form the way a page would: the value in the page's state,
// every change kept. value() is the latest value.
function show(schema: unknown, { locale = 'ro', value, errors, idPrefix, disabled }: Options = {}) {
  let current: FormValue = value ?? initialValue(parseSchema(schema))
  function Page() {
    const [v, setV] = useState(current)
    return (
      <FormRenderer
        schema={schema}
        value={v}
        onChange={(next) => {
          current = next
          setV(next)
        }}
        errors={errors}
        idPrefix={idPrefix}
        disabled={disabled}
      />
    )
  }
  const r = render(
    <I18nProvider locale={locale}>
      <Page />
    </I18nProvider>,
  )
  return { ...r, value: () => current }
}

function byId<T extends HTMLElement = HTMLInputElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`no #${id}`)
  return el as T
}

// The element naming a field: its <label>, or the <legend> of its fieldset.
function labelOf(id: string): HTMLElement {
  const el = byId<HTMLElement>(id)
  const label = el.tagName === 'FIELDSET' ? el.querySelector('legend') : document.querySelector(`label[for="${id}"]`)
  if (!(label instanceof HTMLElement)) throw new Error(`no label for #${id}`)
  return label
}

const idOf = (f: Field) => fieldId('f', f.path.split('.'))

// The fields shown before anything is added to a list.
const shownFields = (schema: unknown) => flatten(parseSchema(schema)).filter((f) => !f.path.includes('[]'))

describe.each(Object.keys(seeds))('%s', (name) => {
  for (const locale of ['ro', 'en'] as const) {
    test(`every field labelled with its title in ${locale}, required marks on exactly the required fields`, () => {
      const { container } = show(seeds[name], { locale })
      const fields = shownFields(seeds[name])
      for (const f of fields) {
        const label = labelOf(idOf(f))
        expect(label.textContent?.startsWith(f.title[locale]), `${f.path}: ${label.textContent}`).toBe(true)
        const marked = label.querySelector('.required-mark') !== null
        expect(marked, `${f.path} required mark`).toBe(f.required && f.type !== 'boolean')
        if (marked) expect(label.querySelector('.visually-hidden')?.textContent).toBe(locale === 'ro' ? ' (obligatoriu)' : ' (required)')
      }
      // In the order of the schema's x-order.
      const shown = [...container.querySelectorAll<HTMLElement>('[data-path]')].map((e) => e.dataset.path)
      expect(shown).toEqual(fields.map((f) => f.path))
      expect(container.textContent).not.toContain('forms.')
    })
  }

  test('controls have the required attribute exactly when required', () => {
    show(seeds[name])
    for (const f of shownFields(seeds[name])) {
      const el = byId<HTMLElement>(idOf(f))
      if (el.tagName === 'FIELDSET') {
        for (const radio of el.querySelectorAll<HTMLInputElement>(':scope > .field-option > input')) expect(radio.required, f.path).toBe(f.required)
      } else {
        expect((el as HTMLInputElement).required, f.path).toBe(f.required && f.type !== 'boolean')
      }
    }
  })

  test('enums show their labels, in both languages', () => {
    for (const locale of ['ro', 'en'] as const) {
      const { unmount } = show(seeds[name], { locale })
      for (const f of shownFields(seeds[name])) {
        if ((f.type !== 'string' && f.type !== 'integer' && f.type !== 'number') || !f.enum) continue
        const labels = [...byId<HTMLElement>(idOf(f)).querySelectorAll('.field-option label')].map((l) => l.textContent)
        expect(labels, f.path).toEqual(f.enum.map((o) => o.label[locale]))
      }
      unmount()
    }
  })
})

describe('petitie', () => {
  test('the address is a fieldset, with the county from $ref as radios; co-signers a list', () => {
    show(seeds.petitie)
    const address = byId<HTMLFieldSetElement>('f-address')
    expect(address.tagName).toBe('FIELDSET')
    expect(address.querySelector('legend')?.textContent).toMatch(/^Domiciliu/)
    expect(address.contains(byId('f-address-street'))).toBe(true)
    expect(byId('f-address-locality').value).toBe('Lugoj') // the default
    const county = byId<HTMLFieldSetElement>('f-address-county')
    expect(county.tagName).toBe('FIELDSET')
    expect([...county.querySelectorAll('label')].map((l) => l.textContent)).toEqual(['Timiș', 'Arad', 'Caraș-Severin', 'Hunedoara'])
    const coSigners = byId<HTMLFieldSetElement>('f-coSigners')
    expect(coSigners.querySelector('legend')?.textContent).toBe('Cosemnatari')
    expect(byId<HTMLButtonElement>('f-coSigners--add').textContent).toBe('Adăugați')
    expect(byId<HTMLButtonElement>('f-coSigners--add').getAttribute('aria-label')).toBe('Adăugați în lista «Cosemnatari»')
  })

  test('controls by type: text, textarea, email; the description as a hint', () => {
    show(seeds.petitie)
    expect(byId('f-name').type).toBe('text')
    expect(byId('f-email').type).toBe('email')
    expect(byId('f-text').tagName).toBe('TEXTAREA') // maxLength 5000
    expect(byId('f-subject').tagName).toBe('TEXTAREA') // maxLength 300
    const cnp = byId('f-cnp')
    expect(cnp.inputMode).toBe('numeric') // digits only, still text
    expect(cnp.getAttribute('aria-describedby')).toBe('f-cnp--hint')
    expect(byId<HTMLElement>('f-cnp--hint').textContent).toBe('Codul numeric personal, 13 cifre (opțional: OG 27/2002 cere numele și adresa).')
    expect(byId('f-name').getAttribute('aria-invalid')).toBeNull()
  })

  test('in English', () => {
    show(seeds.petitie, { locale: 'en' })
    expect(labelOf('f-address').textContent).toBe('Address * (required)')
    expect(byId<HTMLElement>('f-cnp--hint').textContent).toMatch(/^The personal numeric code/)
    expect(byId<HTMLButtonElement>('f-coSigners--add').getAttribute('aria-label')).toBe('Add to the list «Co-signers»')
    expect(document.body.textContent).toContain('Fields marked with * are required.')
  })

  test('typing updates the value; a field emptied leaves it', () => {
    const form = show(seeds.petitie)
    fireEvent.input(byId('f-name'), { target: { value: 'Ioana Popescu' } })
    fireEvent.input(byId('f-address-street'), { target: { value: 'Bucegi' } })
    fireEvent.click(byId('f-address-county--1'))
    expect(form.value()).toEqual({ name: 'Ioana Popescu', address: { locality: 'Lugoj', street: 'Bucegi', county: 'AR' } })
    fireEvent.input(byId('f-name'), { target: { value: '' } })
    fireEvent.input(byId('f-address-locality'), { target: { value: '' } })
    expect(form.value()).toEqual({ address: { street: 'Bucegi', county: 'AR' } })
    expect(byId('f-address-street').value).toBe('Bucegi')
  })

  test('server errors show next to their fields, tied to them', () => {
    const errors = serverErrors(
      [
        { field: 'data.address.street', code: 'address.street.required', message: 'Câmpul «Stradă» este obligatoriu.', messageEn: 'Field «Street» is required.' },
        {
          field: 'data.coSigners[1].name',
          code: 'coSigners[].name.required',
          message: 'Câmpul «Nume și prenume» (Cosemnatari, nr. 2) este obligatoriu.',
          messageEn: 'Field «Full name» (Co-signers, no. 2) is required.',
        },
      ],
      'ro',
    )
    const value = { ...initialValue(parseSchema(seeds.petitie)), coSigners: [{ name: 'Ion Pop' }, {}] }
    const { container } = show(seeds.petitie, { value, errors })
    const street = byId('f-address-street')
    expect(street.getAttribute('aria-invalid')).toBe('true')
    expect(street.getAttribute('aria-describedby')).toBe('f-address-street--error')
    expect(byId<HTMLElement>('f-address-street--error').textContent).toBe('Câmpul «Stradă» este obligatoriu.')
    expect(street.closest('.field')?.classList.contains('field-invalid')).toBe(true)
    const second = byId('f-coSigners-1-name')
    expect(second.getAttribute('aria-invalid')).toBe('true')
    expect(byId<HTMLElement>(second.getAttribute('aria-describedby') ?? '').textContent).toBe(
      'Câmpul «Nume și prenume» (Cosemnatari, nr. 2) este obligatoriu.',
    )
    expect(byId('f-coSigners-0-name').getAttribute('aria-invalid')).toBeNull()
    expect(container.querySelectorAll('[aria-invalid="true"]')).toHaveLength(2)
    expect(container.querySelectorAll('.field-error')).toHaveLength(2)

    expect(focusFirstError(container, errors)).toBe(street)
    expect(document.activeElement).toBe(street)
  })

  test('co-signers: added up to maxItems, removed, focus following', () => {
    const form = show(seeds.petitie)
    const add = () => fireEvent.click(byId<HTMLButtonElement>('f-coSigners--add'))
    add()
    expect(form.value().coSigners).toEqual([{}])
    const item = byId<HTMLFieldSetElement>('f-coSigners-0')
    expect(item.tagName).toBe('FIELDSET')
    expect(item.querySelector('legend')?.textContent).toBe('Cosemnatari 1')
    expect(document.activeElement).toBe(byId('f-coSigners-0-name'))
    expect(labelOf('f-coSigners-0-name').querySelector('.required-mark')).not.toBeNull()
    fireEvent.input(byId('f-coSigners-0-name'), { target: { value: 'Ion Pop' } })
    add()
    add()
    expect(form.value().coSigners).toEqual([{ name: 'Ion Pop' }, {}, {}])
    // At maxItems (3) the Add button gives way to a note.
    expect(document.getElementById('f-coSigners--add')).toBeNull()
    expect(byId<HTMLElement>('f-coSigners--full').textContent).toBe('Lista are numărul maxim de elemente: 3 elemente.')

    fireEvent.input(byId('f-coSigners-2-name'), { target: { value: 'Ana Pop' } })
    const remove = byId<HTMLButtonElement>('f-coSigners-1--remove')
    expect(remove.getAttribute('aria-label')).toBe('Eliminați Cosemnatari 2')
    fireEvent.click(remove)
    expect(form.value().coSigners).toEqual([{ name: 'Ion Pop' }, { name: 'Ana Pop' }])
    expect(byId('f-coSigners-1-name').value).toBe('Ana Pop')
    expect(document.activeElement).toBe(byId('f-coSigners--add'))
    fireEvent.click(byId('f-coSigners-1--remove'))
    fireEvent.click(byId('f-coSigners-0--remove'))
    // An optional list emptied is left out, like an empty field.
    expect(form.value()).not.toHaveProperty('coSigners')
  })
})

describe('numbers, booleans, radios: certificat-urbanism', () => {
  test('number fields give numbers, and lose the key when cleared', () => {
    const form = show(seeds['certificat-urbanism'])
    const area = byId('f-area')
    // Text, not type="number", which drops a decimal comma (512,5 became 5125).
    expect(area.type).toBe('text')
    expect(area.inputMode).toBe('decimal')
    const floors = byId('f-floors')
    expect(floors.inputMode).toBe('numeric')
    fireEvent.input(area, { target: { value: '512.5' } })
    fireEvent.input(floors, { target: { value: '2' } })
    expect(form.value()).toMatchObject({ area: 512.5, floors: 2 })
    fireEvent.input(area, { target: { value: '' } })
    expect(form.value()).not.toHaveProperty('area')
    expect(form.value().floors).toBe(2)
  })

  test('the decimal comma: 512,5 is 512.5, and stays written as typed', () => {
    const form = show(seeds['certificat-urbanism'])
    const area = byId('f-area')
    fireEvent.input(area, { target: { value: '512,5' } })
    expect(form.value().area).toBe(512.5)
    expect(area.value).toBe('512,5')
    fireEvent.input(area, { target: { value: '512,' } }) // on the way to 512,75
    expect(form.value().area).toBe(512)
    expect(area.value).toBe('512,')
    fireEvent.input(area, { target: { value: '512,75' } })
    expect(form.value().area).toBe(512.75)
  })

  test.each([
    ['512,5', 512.5],
    ['512.5', 512.5],
    [' 1000 ', 1000],
    [',5', 0.5],
    ['-3,25', -3.25],
    ['\u22123', -3],
    ['1e3', 1000],
    ['0,1', 0.1],
    ['', undefined],
    ['   ', undefined],
    ['1.500,5', '1.500,5'], // no grouping: neither the Romanian nor the English way
    ['1,5,5', '1,5,5'],
    ['12 mp', '12 mp'],
    ['0x10', '0x10'],
    ['Infinity', 'Infinity'],
    ['1e999', '1e999'],
  ] as const)('parseDecimal(%j) is %j', (text, want) => {
    expect(parseDecimal(text)).toBe(want)
  })

  test('text that is not a number is kept and told, not dropped', () => {
    const form = show(seeds['certificat-urbanism'])
    const area = byId('f-area')
    fireEvent.input(area, { target: { value: '12 mp' } })
    expect(form.value().area).toBe('12 mp')
    expect(area.value).toBe('12 mp')
    expect(validate(parseSchema(seeds['certificat-urbanism']), form.value(), 'ro').area).toBe('Câmpul «Suprafața terenului (mp)» trebuie să fie un număr.')
  })

  test('a value given by the page is written the locale’s way', () => {
    show(seeds['certificat-urbanism'], { value: { area: 512.5 } })
    expect(byId('f-area').value).toBe('512,5')
    cleanup()
    show(seeds['certificat-urbanism'], { value: { area: 512.5 }, locale: 'en' })
    expect(byId('f-area').value).toBe('512.5')
    expect([showDecimal('ro', 1e21), showDecimal('ro', undefined), showDecimal('en', 'x')]).toEqual(['1e+21', '', 'x'])
  })

  test('what is being typed is not rewritten: "1.0" on the way to "1.05"', () => {
    const form = show(seeds['certificat-urbanism'])
    const area = byId('f-area')
    fireEvent.input(area, { target: { value: '1.0' } })
    expect(form.value().area).toBe(1)
    expect(area.value).toBe('1.0')
    fireEvent.input(area, { target: { value: '1.05' } })
    expect(form.value().area).toBe(1.05)
  })

  test('the property’s address: locality from the list, Lugoj to start with', () => {
    const form = show(seeds['certificat-urbanism'])
    const property = byId<HTMLFieldSetElement>('f-property')
    expect(property.querySelector('legend')?.textContent).toBe('Adresa imobilului * (obligatoriu)')
    expect(byId('f-property-locality--0').checked).toBe(true)
    fireEvent.input(byId('f-property-street'), { target: { value: 'Strada Făgetului' } })
    expect(form.value().property).toEqual({ locality: 'Lugoj', street: 'Strada Făgetului' })
  })

  test('a CNP field has the numeric keyboard; a CUI field, which may start with RO, does not', () => {
    show(seeds['certificat-urbanism'])
    expect(byId('f-cnp').inputMode).toBe('numeric')
    expect(byId('f-cui').inputMode).toBe('')
  })

  test('a checkbox gives true and false; radios give the option’s value', () => {
    const form = show(seeds['certificat-urbanism'])
    const box = byId('f-inIntravilan')
    expect(box.type).toBe('checkbox')
    fireEvent.click(box)
    expect(form.value().inIntravilan).toBe(true)
    fireEvent.click(box)
    expect(form.value().inIntravilan).toBe(false)
    fireEvent.click(byId('f-purpose--2'))
    expect(form.value().purpose).toBe('vanzare')
    expect(byId('f-purpose--2').checked).toBe(true)
  })

  test('an error on a radio group marks the group and focuses its first radio', () => {
    const errors = { purpose: 'Câmpul «Scopul certificatului» este obligatoriu.' }
    const { container } = show(seeds['certificat-urbanism'], { errors })
    const group = byId<HTMLFieldSetElement>('f-purpose')
    expect(group.getAttribute('aria-invalid')).toBe('true')
    expect(group.getAttribute('aria-describedby')).toBe('f-purpose--error')
    expect(focusFirstError(container, errors)).toBe(byId('f-purpose--0'))
    expect(focusFirstError(container, { nothing: 'x' })).toBeNull()
  })
})

describe('certificat-fiscal', () => {
  test('a numeric enum gives numbers; a list of numbers adds items labelled with their number', () => {
    const form = show(seeds['certificat-fiscal'], { locale: 'en' })
    fireEvent.click(byId('f-copies--1'))
    expect(form.value().copies).toBe(2)
    fireEvent.click(byId('f-years--add'))
    expect(form.value().years).toEqual([null])
    const year = byId('f-years-0')
    expect(year.inputMode).toBe('numeric')
    expect(labelOf('f-years-0').textContent).toBe('Fiscal years 1 * (required)')
    expect(document.activeElement).toBe(year)
    fireEvent.input(year, { target: { value: '2024' } })
    expect(form.value().years).toEqual([2024])
    fireEvent.input(year, { target: { value: '' } })
    expect(form.value().years).toEqual([null])
    expect(byId<HTMLButtonElement>('f-years-0--remove').textContent).toBe('Remove')
  })
})

describe('audienta and informatii-publice', () => {
  test('a date is a date input holding YYYY-MM-DD; long texts are text areas', () => {
    const form = show(seeds.audienta)
    const date = byId('f-preferredDate')
    expect(date.type).toBe('date')
    fireEvent.input(date, { target: { value: '2026-03-16' } })
    expect(form.value().preferredDate).toBe('2026-03-16')
    expect(byId('f-topic').tagName).toBe('TEXTAREA')
    expect(byId('f-phone').tagName).toBe('INPUT')
    cleanup()
    show(seeds['informatii-publice'])
    expect(byId('f-information').tagName).toBe('TEXTAREA')
    expect(byId('f-name').tagName).toBe('INPUT')
  })
})

describe('other forms', () => {
  const counties = ['TM', 'AR', 'CS', 'HD', 'B']
  const schema = {
    type: 'object',
    required: ['county', 'kind'],
    properties: {
      county: { type: 'string', title: 'Județ', enum: counties, default: 'TM' },
      other: { type: 'string', title: 'Alt județ', enum: counties },
      kind: { type: 'string', title: 'Fel', enum: counties },
      at: { type: 'string', format: 'date-time', title: 'Data și ora' },
      'on-site': { type: 'boolean', title: 'La sediu' },
      code: { type: 'string', title: 'Cod', pattern: '^\\d{6}$', 'x-pattern-hint': { ro: '6 cifre', en: '6 digits' } },
      note: { type: 'object', title: 'Notă', properties: { text: { type: 'string', title: 'Text' }, by: { type: 'string', default: 'cetățean' } } },
    },
  }

  test('more than 4 options are a select, with an empty first option unless required with a default', () => {
    const form = show(schema)
    const county = byId<HTMLSelectElement>('f-county')
    expect(county.tagName).toBe('SELECT')
    expect([...county.options].map((o) => o.textContent)).toEqual(counties)
    expect(county.value).toBe('0')
    expect([...byId<HTMLSelectElement>('f-other').options].map((o) => o.textContent)).toEqual(['Alegeți…', ...counties])
    expect(byId<HTMLSelectElement>('f-kind').options[0].textContent).toBe('Alegeți…')
    fireEvent.change(byId<HTMLSelectElement>('f-other'), { target: { value: '4' } })
    expect(form.value()).toEqual({ county: 'TM', other: 'B' })
    fireEvent.change(byId<HTMLSelectElement>('f-other'), { target: { value: '' } })
    expect(form.value()).toEqual({ county: 'TM' })
  })

  test('without a description, the pattern hint is the hint', () => {
    show(schema, { locale: 'en' })
    expect(byId('f-code').getAttribute('aria-describedby')).toBe('f-code--hint')
    expect(byId<HTMLElement>('f-code--hint').textContent).toBe('Format: 6 digits.')
    expect(byId('f-code').inputMode).toBe('numeric')
  })

  test('a date-time is entered as Romania’s wall clock and kept with its offset', () => {
    const form = show(schema)
    const at = byId('f-at')
    expect(at.type).toBe('datetime-local')
    fireEvent.input(at, { target: { value: '2026-03-15T10:30' } })
    expect(form.value().at).toBe('2026-03-15T10:30:00+02:00')
    fireEvent.input(at, { target: { value: '2026-07-01T09:00' } })
    expect(form.value().at).toBe('2026-07-01T09:00:00+03:00')
    cleanup()
    show(schema, { value: { at: '2026-07-01T06:00:00Z' } })
    expect(byId('f-at').value).toBe('2026-07-01T09:00')
  })

  test('ids escape "-" in names; an optional object takes its defaults when first filled, and goes when emptied', () => {
    const form = show(schema)
    expect(byId('f-on.site').type).toBe('checkbox')
    expect(labelOf('f-note').querySelector('.required-mark')).toBeNull()
    fireEvent.input(byId('f-note-text'), { target: { value: 'Vin la 10' } })
    expect(form.value().note).toEqual({ by: 'cetățean', text: 'Vin la 10' })
    fireEvent.input(byId('f-note-text'), { target: { value: '' } })
    fireEvent.input(byId('f-note-by'), { target: { value: '' } })
    expect(form.value()).not.toHaveProperty('note')
  })

  test('changes made together (autofill) all land', () => {
    const form = show(seeds.petitie)
    // Two events before the page renders again: the second must not undo the first.
    const name = byId('f-name')
    const email = byId('f-email')
    name.value = 'Ioana'
    email.value = 'ioana@example.ro'
    name.dispatchEvent(new Event('input', { bubbles: true }))
    email.dispatchEvent(new Event('input', { bubbles: true }))
    expect(form.value()).toMatchObject({ name: 'Ioana', email: 'ioana@example.ro' })
  })

  test('disabled disables every control; idPrefix prefixes every id', () => {
    const { container } = show(seeds.petitie, { disabled: true, idPrefix: 'g', value: { coSigners: [{}] } })
    const controls = container.querySelectorAll<HTMLInputElement>('input, select, textarea, button')
    expect(controls.length).toBeGreaterThan(10)
    for (const c of controls) expect(c.disabled, c.id).toBe(true)
    expect(byId('g-coSigners-0-name')).toBeTruthy()
    expect(document.getElementById('f-name')).toBeNull()
  })

  test('a schema the platform refuses shows a message, not a broken form', () => {
    const error = console.error
    console.error = () => {}
    try {
      const { container } = show({ type: 'object', properties: { f: { type: 'string', anyOf: [] } } }, { value: {} })
      expect(container.querySelector('[role="alert"]')?.textContent).toBe(
        'Formularul acestei cereri nu poate fi afișat. Vă rugăm să reveniți mai târziu sau să contactați instituția.',
      )
    } finally {
      console.error = error
    }
  })
})

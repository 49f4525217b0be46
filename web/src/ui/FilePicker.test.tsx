import { cleanup, fireEvent, render, screen } from '@testing-library/preact'
import { useState } from 'preact/hooks'
import { afterEach, expect, test } from 'vitest'

import { I18nProvider } from '../i18n/i18n'
import type { Locale } from '../i18n/i18n'
import { FilePicker, formatNames } from './FilePicker'
import type { PickedFile } from './FilePicker'

afterEach(cleanup)

const mib = 1024 * 1024

function show(props: { mediaTypes?: string[]; maxSize?: number; hint?: string }, locale: Locale = 'ro') {
  let current: PickedFile[] = []
  function Page() {
    const [files, setFiles] = useState<PickedFile[]>([])
    return (
      <FilePicker id="plan" label="Plan de situație" files={files} multiple {...props}
        onFiles={(f) => {
          current = f
          setFiles(f)
        }} />
    )
  }
  render(<I18nProvider locale={locale}><Page /></I18nProvider>)
  return { files: () => current, input: document.getElementById('plan') as HTMLInputElement }
}

test('the accepted formats and the maximum size are told before a file is chosen', () => {
  const { input } = show({ mediaTypes: ['application/pdf', 'image/jpeg', 'image/png'], maxSize: 10 * mib, hint: 'Scanat, lizibil.' })
  const accepted = document.getElementById('plan-accepted')!
  expect(accepted.textContent).toBe('Formate acceptate: PDF, JPG, PNG. Mărimea maximă: 10 MB pentru fiecare fișier.')
  // Screen readers hear it with the field, after the hint.
  expect(input.getAttribute('aria-describedby')).toBe('plan-hint plan-accepted')
  expect(input.accept).toBe('.pdf,.jpg,.jpeg,.png')
})

test('in English; a size without formats, formats without a size', () => {
  show({ mediaTypes: ['application/pdf'], maxSize: 20 * mib }, 'en')
  expect(document.getElementById('plan-accepted')!.textContent).toBe('Accepted formats: PDF. Maximum size: 20 MB per file.')
  cleanup()
  show({ maxSize: 512 * 1024 })
  expect(document.getElementById('plan-accepted')!.textContent).toBe('Mărimea maximă: 512 KB pentru fiecare fișier.')
  cleanup()
  show({ mediaTypes: ['image/tiff', 'text/plain'] })
  expect(document.getElementById('plan-accepted')!.textContent).toBe('Formate acceptate: TIF, TXT.')
})

test('without limits nothing is told', () => {
  const { input } = show({})
  expect(document.getElementById('plan-accepted')).toBeNull()
  expect(input.getAttribute('aria-describedby')).toBeNull()
})

test('a file of another format is marked at once, naming the formats as before', () => {
  const { files, input } = show({ mediaTypes: ['application/pdf'], maxSize: mib })
  const exe = new File(['MZ'], 'program.exe', { type: 'application/x-msdownload' })
  const big = new File([new Uint8Array(2 * mib)], 'mare.pdf', { type: 'application/pdf' })
  fireEvent.change(input, { target: { files: [exe, big] } })
  expect(files().map((f) => f.problem)).toEqual(['Tip de fișier neacceptat. Se acceptă: PDF.', 'Fișierul este prea mare: cel mult 1 MB.'])
  expect(screen.getByText('Tip de fișier neacceptat. Se acceptă: PDF.')).toBeTruthy()
})

test('formatNames: one name per format, unknown types as they are', () => {
  expect(formatNames(['image/jpeg', 'image/png', 'application/pdf', 'application/x-custom'])).toBe('JPG, PNG, PDF, application/x-custom')
})

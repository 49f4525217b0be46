import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

import { useI18n } from '../i18n/i18n'
import { Button } from './ui'

/**
 * PrintButton opens the browser's print dialog for the PDF at url: the
 * document is asked for inline (?disposition=inline, not as a file to
 * save), loaded in a frame of the page kept out of sight, and printed from
 * there. The strict CSP allows it: the frame is of the app's own origin.
 */
export function PrintButton({ url, children }: { url: string; children: ComponentChildren }) {
  const { t } = useI18n()
  const [busy, setBusy] = useState(false)
  const [failed, setFailed] = useState(false)
  const frame = useRef<HTMLIFrameElement | null>(null)
  // The frame goes with the page.
  useEffect(() => () => frame.current?.remove(), [])

  const print = () => {
    frame.current?.remove()
    setFailed(false)
    setBusy(true)
    const f = document.createElement('iframe')
    f.className = 'print-frame'
    f.title = t('common.printFrame')
    f.tabIndex = -1
    f.setAttribute('aria-hidden', 'true')
    f.src = `${url}${url.includes('?') ? '&' : '?'}disposition=inline`
    f.addEventListener('load', () => {
      setBusy(false)
      // A refusal (signed out, gone) comes as a problem, not a PDF.
      const type = f.contentDocument?.contentType
      if (!f.contentWindow || (type !== undefined && type !== 'application/pdf')) {
        setFailed(true)
        return
      }
      f.contentWindow.focus()
      f.contentWindow.print()
    })
    frame.current = f
    document.body.appendChild(f)
  }
  return (
    <>
      <Button kind="secondary" onClick={print} busy={busy}>{children}</Button>
      {failed && <span class="field-error" role="alert">{t('common.printFailed')}</span>}
    </>
  )
}

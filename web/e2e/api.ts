// The API as staff use it from the test, for the steps of a journey that
// are not the journey's own (a clerk answering the citizen's request).
import { baseURL, nextTOTP } from './harness'

export async function signInAPI(email: string, password: string): Promise<string> {
  const r = await fetch(`${baseURL()}/api/auth/signin`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, session: 'api' }),
  })
  if (!r.ok) throw new Error(`sign in ${email}: ${r.status} ${await r.text()}`)
  const body = (await r.json()) as { token: string; mfaRequired: boolean }
  // The demo's administrators have a second factor: the session works once its code is given.
  if (body.mfaRequired) await call(body.token, 'POST', '/api/auth/signin/totp', { code: await nextTOTP(email) })
  return body.token
}

export async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${token}` } }
  if (body instanceof FormData) init.body = body
  else if (body !== undefined) {
    init.body = JSON.stringify(body)
    ;(init.headers as Record<string, string>)['Content-Type'] = 'application/json'
  }
  const r = await fetch(`${baseURL()}${path}`, init)
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
  return (r.headers.get('Content-Type') ?? '').includes('json') ? ((await r.json()) as T) : (undefined as T)
}

/** A small valid PDF whose text is the given line. */
export function pdf(line: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${line.replace(/[()\\]/g, '')}) Tj ET`
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((o, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

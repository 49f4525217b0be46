// The platform's HTTP API, on the same origin through the gateway. The
// browser's session is an HttpOnly cookie the API sets at sign-in; requests
// carry it themselves (same-origin), and the API refuses cross-site ones.

/** One field's problem, as the API names it (problem+json "errors"). */
export interface FieldProblem {
  field: string
  code: string
  message: string
  messageEn: string
}

/** An answer other than 2xx: the API's problem+json, or what stood for it. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string
  readonly errors: FieldProblem[]

  constructor(status: number, body: Partial<{ code: string; title: string; detail: string; errors: FieldProblem[] }>) {
    super(body.detail || body.title || `HTTP ${status}`)
    this.status = status
    this.code = body.code ?? (status === 0 ? 'network' : 'http_' + status)
    this.title = body.title ?? ''
    this.detail = body.detail ?? ''
    this.errors = body.errors ?? []
  }
}

/**
 * secondFactorRequired is the event the window gets when the API refuses a
 * session until its second factor is set up (a role that needs one granted
 * while signed in): the session reads itself again and shows the setup.
 */
export const secondFactorRequired = 'ghiseu:second-factor-required'

async function problem(res: Response): Promise<ApiError> {
  const type = res.headers.get('Content-Type') ?? ''
  if (type.includes('json')) {
    try {
      const err = new ApiError(res.status, await res.json())
      if (err.code === 'second_factor_required') window.dispatchEvent(new Event(secondFactorRequired))
      return err
    } catch {
      // fall through: a body that is not what it says
    }
  }
  return new ApiError(res.status, {})
}

export interface RequestOptions {
  headers?: Record<string, string>
  signal?: AbortSignal
}

// exchange makes the request and gives back a 2xx answer; anything else is
// an ApiError: the problem the API sent, or status 0 "network" when no
// answer came.
async function exchange(method: string, path: string, body: unknown, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let payload: BodyInit | undefined
  if (body instanceof FormData) {
    payload = body
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal: opts.signal })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError(0, { code: 'network' })
  }
  if (!res.ok) throw await problem(res)
  return res
}

async function content<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T
  const type = res.headers.get('Content-Type') ?? ''
  return (type.includes('json') ? await res.json() : await res.text()) as T
}

async function send<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  return content<T>(await exchange(method, path, body, opts))
}

/** An answer with what the pages need of its headers. */
export interface Tagged<T> {
  body: T
  /** The answer's ETag, '' when it has none: a change sends it back in If-Match. */
  etag: string
  /** 201 when a creating POST made something, 200 when the same request had made it before. */
  status: number
}

/**
 * tagged sends a request as the other calls do (body as JSON, none when
 * undefined) and gives the answer with its ETag and status, which the
 * others leave out.
 */
async function tagged<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Tagged<T>> {
  const res = await exchange(method, path, body, { headers })
  return { body: await content<T>(res), etag: res.headers.get('ETag') ?? '', status: res.status }
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => send<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => send<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body: unknown, opts?: RequestOptions) => send<T>('PUT', path, body, opts),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => send<T>('PATCH', path, body, opts),
  del: <T>(path: string, opts?: RequestOptions) => send<T>('DELETE', path, undefined, opts),
  tagged,
}

/**
 * upload sends a multipart body with XMLHttpRequest, the one browser API
 * that reports upload progress; onProgress gets the share sent, 0 to 1.
 */
export function upload<T>(path: string, body: FormData, onProgress: (share: number) => void, headers: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.setRequestHeader('Accept', 'application/json')
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onerror = () => reject(new ApiError(0, { code: 'network' }))
    xhr.onload = () => {
      let body: unknown = {}
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : {}
      } catch {
        body = {}
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1)
        resolve(body as T)
      } else {
        reject(new ApiError(xhr.status, body as Record<string, never>))
      }
    }
    xhr.send(body)
  })
}

/** A new idempotency key: a retried submit never creates two requests. */
export function idempotencyKey(): string {
  return crypto.randomUUID()
}

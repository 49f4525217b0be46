// The demo's request forms, as the Lugoj seed publishes them
// (infra/seed/requesttypes): real forms, written as an administrator
// would. Read from disk when the tests run, so that a form added to the
// seed is tested too. Only tests import this module.

import { readdirSync, readFileSync } from 'node:fs'

// A path, not a URL: under jsdom, URL is jsdom's, which Node's fs does not
// take. (import.meta.url goes through a variable: Vite rewrites
// `new URL('...', import.meta.url)` into the URL of an asset it serves.)
const here = import.meta.url
const dir = decodeURIComponent(new URL('../../../infra/seed/requesttypes/', here).pathname)

/** Each seeded form's schema by name ("petitie"), decoded. */
export const seeds: Record<string, unknown> = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(dir + f, 'utf8')) as unknown]),
)

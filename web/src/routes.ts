// The app's addresses: one table (routes.json) that the router is built
// from (app.tsx) and that the Go side builds the links it sends from
// (shared/weblinks, whose test reads the same file). A route's name is its
// key; `:name` is a parameter.
import table from './routes.json'

export type RouteName = keyof typeof table

export const routes: Readonly<Record<RouteName, string>> = table

/** Every route's name, in the table's order (the router tries them in it). */
export const routeNames = Object.keys(table) as RouteName[]

/**
 * href is the address of route name with its parameters filled in (each
 * encoded as a path segment) and the query, if any.
 */
export function href(name: RouteName, params: Record<string, string> = {}, query?: Record<string, string>): string {
  const path = routes[name].replace(/:(\w+)/g, (_, p: string) => {
    const v = params[p]
    if (v === undefined) throw new Error(`route ${name}: no value for :${p}`)
    return encodeURIComponent(v)
  })
  const q = query && new URLSearchParams(query).toString()
  return q ? `${path}?${q}` : path
}

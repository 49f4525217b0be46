import type { ComponentChildren } from 'preact'

import { catalogs, load, translate, WithMessages } from './i18n'
import type { Catalogs, Locale, Params } from './i18n'

// The back office's texts, with the portal's. Only the back office's pages
// import this module (app.tsx loads it with them), so its message files
// travel in their chunk, not in the entry script a citizen's phone loads.

export const officeCatalogs: Catalogs = {
  ro: { ...catalogs.ro, ...load(import.meta.glob('./office/ro/*.json', { eager: true })) },
  en: { ...catalogs.en, ...load(import.meta.glob('./office/en/*.json', { eager: true })) },
}

/** OfficeMessages lets its children use the back office's texts. */
export function OfficeMessages({ children }: { children: ComponentChildren }) {
  return <WithMessages catalogs={officeCatalogs}>{children}</WithMessages>
}

/** translateOffice is translate over the back office's texts, for code outside components. */
export function translateOffice(locale: Locale, key: string, params?: Params): string {
  return translate(locale, key, params, officeCatalogs)
}

import { useEffect, useState } from 'preact/hooks'

import { api } from '../api/client'
import type { Institution, InstitutionList } from '../api/types'

// The portal's institutions: the public directory. The first top-level one
// (the municipality) is the portal's own; the institutions under it are
// offered beside it.
export function useInstitutions(): { list: Institution[] | undefined; home: Institution | undefined; error: unknown } {
  const [list, setList] = useState<Institution[]>()
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    api.get<InstitutionList>('/api/institutions?limit=100').then((l) => setList(l.institutions), setError)
  }, [])
  return { list, home: list?.find((i) => i.parentId === null) ?? list?.[0], error }
}

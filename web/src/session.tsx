import { createContext } from 'preact'
import type { ComponentChildren } from 'preact'
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks'

import { api, ApiError, secondFactorRequired } from './api/client'
import type { Me } from './api/types'

// The signed-in account, read from GET /api/auth/me: undefined while it is
// being read, null when nobody is signed in.
export interface Session {
  me: Me | null | undefined
  reload: () => Promise<Me | null>
  signOut: () => Promise<void>
  can: (permission: string, institution?: string) => boolean
}

const SessionContext = createContext<Session>({
  me: null,
  reload: async () => null,
  signOut: async () => {},
  can: () => false,
})

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const reload = useCallback(async () => {
    try {
      const m = await api.get<Me>('/api/auth/me')
      setMe(m)
      return m
    } catch (e) {
      // 401: nobody, or a session that still waits for its second factor
      // (403 second_factor_required): not signed in yet either.
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        setMe(null)
        return null
      }
      setMe(null)
      throw e
    }
  }, [])
  const signOut = useCallback(async () => {
    try {
      await api.post('/api/auth/signout')
    } finally {
      setMe(null)
    }
  }, [])
  useEffect(() => {
    reload().catch(() => {})
  }, [reload])
  // A role granted while signed in may require a second factor: the API
  // says so on the next call, and the session learns it.
  useEffect(() => {
    const again = () => { reload().catch(() => {}) }
    window.addEventListener(secondFactorRequired, again)
    return () => window.removeEventListener(secondFactorRequired, again)
  }, [reload])
  const value = useMemo<Session>(() => ({
    me, reload, signOut,
    can: (permission, institution) =>
      !!me?.grants.some((g) => g.permissions.includes(permission) && (!institution || g.institution === institution)),
  }), [me, reload, signOut])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

/**
 * returnPath is next when it is a path of this site, else ''. Not //host
 * nor /\host, which browsers read as another site; no backslash or
 * control character anywhere. The API applies the same rule to the
 * verification link's return path (shared/links.ReturnPath).
 */
export function returnPath(next: string | undefined): string {
  if (!next || next.length > 1000 || !next.startsWith('/') || next.startsWith('//')) return ''
  return /[\\\u0000-\u001f\u007f]/.test(next) ? '' : next
}

export function useSession(): Session {
  return useContext(SessionContext)
}

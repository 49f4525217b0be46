import { useEffect } from 'preact/hooks'
import { useLocation } from 'preact-iso'

import { Loading } from '../ui/ui'

// SignInFirst sends a visitor who is not signed in to the sign-in page,
// which brings them back here afterwards.
export function SignInFirst() {
  const { route, url } = useLocation()
  useEffect(() => {
    route(`/autentificare?next=${encodeURIComponent(url)}`, true)
  }, [url])
  return <Loading />
}

import { useEffect, useState } from 'preact/hooks'

import { api } from '../api/client'
import { useI18n } from '../i18n/i18n'
import { useSession } from '../session'
import { Button, ErrorAlert, Loading, Page } from '../ui/ui'
import { SignInFirst } from './SignInFirst'

interface Notification {
  id: string
  kind: string
  title: string
  body: string
  link: string
  createdAt: string
  readAt: string | null
}

interface NotificationList {
  items: Notification[]
  next?: string
  unread: number
}

// Notifications: what the platform told the signed-in account, newest
// first; opening one marks it read.
export function Notifications() {
  const { t, dateTime } = useI18n()
  const { me } = useSession()
  const [list, setList] = useState<NotificationList>()
  const [error, setError] = useState<unknown>()
  const load = () => api.get<NotificationList>('/api/me/notifications?limit=50').then(setList, setError)
  useEffect(() => {
    if (me) load()
  }, [me?.id])
  if (me === null) return <SignInFirst />
  const markRead = async (n: Notification) => {
    if (n.readAt) return
    try {
      await api.post(`/api/me/notifications/${n.id}/read`)
      load()
    } catch (e) {
      setError(e)
    }
  }
  // The link is the platform's own page; kept on this origin.
  const local = (link: string) => {
    try {
      const u = new URL(link, location.origin)
      return u.pathname + u.search
    } catch {
      return '/'
    }
  }
  return (
    <Page title={t('notifications.title')}>
      <ErrorAlert error={error} />
      {!list && !error && <Loading />}
      {list && <p>{t('notifications.unread', { count: list.unread })}</p>}
      {list && list.items.length === 0 && <p>{t('notifications.none')}</p>}
      {list && list.items.length > 0 && (
        <ul class="cards notifications">
          {list.items.map((n) => (
            <li class={n.readAt ? 'card' : 'card card-unread'}>
              <h2><a href={local(n.link)} onClick={() => markRead(n)}>{n.title}</a></h2>
              {n.body && <p>{n.body}</p>}
              <p class="meta">{dateTime(n.createdAt)}{!n.readAt && <> · <strong>{t('notifications.new')}</strong></>}</p>
              {!n.readAt && <Button kind="link" onClick={() => markRead(n)}>{t('notifications.markRead')}</Button>}
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}

import { watch } from 'vue'
import { useRouter, type Router } from 'vue-router'
import { showNotify } from 'vant'
import { useSessionStore } from '../stores/session'
import { useSyncStore } from '../stores/sync'

/**
 * Syncs for whoever is signed in, stops on sign-out, and tells the member when the server refused a change or
 * ended the session. App.vue loads it after the first screen is drawn, outside setup: it passes the router.
 */
export function useSyncLifecycle(router: Router = useRouter()) {
  const session = useSessionStore()
  const sync = useSyncStore()
  watch(
    () => sync.sessionEnded,
    () => void session.refresh(),
  )
  // Signed out from elsewhere (an expired session found by a sync): back to the login page. Immediate, as
  // the session check may have ended the session before this was loaded.
  watch(
    () => session.signedIn,
    (signedIn) => {
      if (!signedIn && !router.currentRoute.value.meta.public) void router.replace('/login')
    },
    { immediate: true },
  )
  watch(
    () => session.me?.user.id,
    (userId) => (userId ? void sync.start(userId) : sync.stop()),
    { immediate: true },
  )
  // Photos for comments go up once the sync that sent the comments has succeeded (loaded only when needed).
  watch(
    () => sync.lastSyncedAt,
    async (at) => {
      const userId = sync.userId
      if (!at || !userId) return
      const [{ uploadPendingPhotos }, { appDB }] = await Promise.all([import('../sync/photoUploads'), import('../db/instance')])
      await uploadPendingPhotos(appDB(), userId)
    },
  )
  watch(
    () => sync.recentRejections,
    (rows) => {
      const first = rows[0]
      if (!first) return
      const more = rows.length > 1 ? `（另有 ${rows.length - 1} 项）` : ''
      showNotify({ type: 'danger', message: `同步未成功：${first.message}${more}`, duration: 5000 })
    },
  )
}

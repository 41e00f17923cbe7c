import { watch } from 'vue'
import { showNotify } from 'vant'
import { useSessionStore } from '../stores/session'
import { useSyncStore } from '../stores/sync'

/** Syncs for whoever is signed in, stops on sign-out, and tells the member when the server refused a change. */
export function useSyncLifecycle() {
  const session = useSessionStore()
  const sync = useSyncStore()
  watch(
    () => session.me?.user.id,
    (userId) => (userId ? void sync.start(userId) : sync.stop()),
    { immediate: true },
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

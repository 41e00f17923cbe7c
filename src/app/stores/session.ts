import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { meSchema, type Me } from '~/domain/users'
import { api, ApiError } from '../api/client'
import { appDB, reportStorageProblem } from '../db/instance'
import { classifyStorageError } from '../db'
import { adoptRenamedUser } from '../db/renamedUser'
import { PHOTO_CACHE, META_KEYS } from '../constants'

/** Who is signed in. Kept on the device so the app opens offline without asking again. */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const restored = ref(false)
  const signedIn = computed(() => me.value !== null)

  async function remember(value: Me | null) {
    const before = me.value?.user
    // The same person (one phone) under a new id: the server renamed ids that embedded phones.
    if (before && value && before.phone === value.user.phone && before.id !== value.user.id) {
      await adoptRenamedUser(appDB(), before.id, value.user.id).catch((error: unknown) => reportStorageProblem(classifyStorageError(error)))
    }
    me.value = value
    try {
      if (value) await appDB().setMeta(META_KEYS.me, value)
      else await appDB().deleteMeta(META_KEYS.me)
    } catch (error) {
      // Signed in for this visit all the same; the notice tells the member why it won't open offline.
      reportStorageProblem(classifyStorageError(error))
    }
  }

  /** Reads the remembered member first (works offline), then checks with the server when it can. */
  async function restore(): Promise<void> {
    const saved = meSchema.safeParse(await appDB().getMeta(META_KEYS.me))
    me.value = saved.success ? saved.data : null
    restored.value = true
    void refresh()
  }

  async function refresh(): Promise<void> {
    try {
      if (await appDB().getMeta(META_KEYS.pendingLogout)) {
        await api('/api/auth/logout', { method: 'POST' })
        await appDB().deleteMeta(META_KEYS.pendingLogout)
      }
      if (!me.value) return
      await remember(meSchema.parse(await api<Me>('/api/me')))
    } catch (error) {
      // Signed out on the server (expired, or revoked): forget here too. A network failure changes nothing.
      if (error instanceof ApiError && error.status === 401) await remember(null)
    }
  }

  async function login(phone: string, password: string): Promise<void> {
    const fresh = meSchema.parse(await api<Me>('/api/auth/login', { method: 'POST', body: { phone, password } }))
    await appDB().deleteMeta(META_KEYS.pendingLogout)
    await remember(fresh)
  }

  async function logout(): Promise<void> {
    try {
      await api('/api/auth/logout', { method: 'POST' })
    } catch (error) {
      if (!(error instanceof ApiError && error.isNetwork)) throw error
      // Offline: the server's session ends when the network is back (see refresh).
      await appDB().setMeta(META_KEYS.pendingLogout, true)
    }
    await remember(null)
    // Photos others posted are theirs and their households': the next person on this phone doesn't see them.
    if ('caches' in globalThis) await caches.delete(PHOTO_CACHE).catch(() => false)
  }

  return { me, restored, signedIn, restore, refresh, login, logout }
})

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Me } from '~/domain/users'
import { MEMBER_STATUSES, ROLES } from '~/domain/roles'
import { api, ApiError } from '../api/client'
import { classifyStorageError, reportStorageProblem } from '../db/problems'
import { readMetaQuickly } from '../db/quickMeta'
import { PHOTO_CACHE, META_KEYS } from '../constants'

// Dexie and the validation schemas are ≈ 140 KB of code the first screen doesn't need: they load when a
// sign-in, a sign-out or the server's answer is written, which is after it.
const database = async () => (await import('../db/instance')).appDB()
const parseMe = async (value: unknown): Promise<Me> => (await import('~/domain/users')).meSchema.parse(value)

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
const isNamed = (value: unknown) => isObject(value) && typeof value.id === 'string' && typeof value.name === 'string'

/**
 * The remembered member, checked by hand rather than by meSchema (not loaded yet): what this app wrote
 * after parsing the server's answer, so only a shape from an older version or a damaged row fails here.
 * It is parsed in full again when the server answers (refresh).
 */
function isRemembered(value: unknown): value is Me {
  if (!isObject(value) || !isObject(value.user) || !isNamed(value.town)) return false
  const { user, branch } = value
  return (
    typeof user.id === 'string' &&
    typeof user.phone === 'string' &&
    typeof user.name === 'string' &&
    (ROLES as readonly unknown[]).includes(user.role) &&
    (MEMBER_STATUSES as readonly unknown[]).includes(user.status) &&
    (user.awayCity === null || typeof user.awayCity === 'string') &&
    typeof user.centerHousehold === 'boolean' &&
    (branch === null || isNamed(branch))
  )
}

/** Who is signed in. Kept on the device so the app opens offline without asking again. */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const restored = ref(false)
  const signedIn = computed(() => me.value !== null)

  async function remember(value: Me | null) {
    const before = me.value?.user
    // The same person (one phone) under a new id: the server renamed ids that embedded phones.
    if (before && value && before.phone === value.user.phone && before.id !== value.user.id) {
      const { adoptRenamedUser } = await import('../db/renamedUser')
      await adoptRenamedUser(await database(), before.id, value.user.id).catch((error: unknown) =>
        reportStorageProblem(classifyStorageError(error)),
      )
    }
    me.value = value
    try {
      if (value) await (await database()).setMeta(META_KEYS.me, value)
      else await (await database()).deleteMeta(META_KEYS.me)
    } catch (error) {
      // Signed in for this visit all the same; the notice tells the member why it won't open offline.
      reportStorageProblem(classifyStorageError(error))
    }
  }

  let restoring: Promise<void> | null = null
  /**
   * Reads the remembered member first (works offline), then checks with the server when it can. Started by
   * main.ts while the shell mounts; the router's guard awaits the same promise, so it runs once. The read is
   * the one row that says who is signed in, without opening Dexie (db/quickMeta.ts).
   */
  function restore(): Promise<void> {
    restoring ??= (async () => {
      try {
        const saved = await readMetaQuickly(META_KEYS.me)
        me.value = isRemembered(saved) ? saved : null
      } finally {
        // Restored even when storage fails: the app opens (to the login page) rather than waiting forever.
        restored.value = true
      }
      void refresh()
    })()
    return restoring
  }

  async function refresh(): Promise<void> {
    try {
      if (await readMetaQuickly(META_KEYS.pendingLogout)) {
        await api('/api/auth/logout', { method: 'POST' })
        await (await database()).deleteMeta(META_KEYS.pendingLogout)
      }
      if (!me.value) return
      await remember(await parseMe(await api<Me>('/api/me')))
    } catch (error) {
      // Signed out on the server (expired, or revoked): forget here too. A network failure changes nothing.
      if (error instanceof ApiError && error.status === 401) await remember(null)
    }
  }

  async function login(phone: string, password: string): Promise<void> {
    const fresh = await parseMe(await api<Me>('/api/auth/login', { method: 'POST', body: { phone, password } }))
    await (await database()).deleteMeta(META_KEYS.pendingLogout)
    await remember(fresh)
  }

  async function logout(): Promise<void> {
    try {
      await api('/api/auth/logout', { method: 'POST' })
    } catch (error) {
      if (!(error instanceof ApiError && error.isNetwork)) throw error
      // Offline: the server's session ends when the network is back (see refresh).
      await (await database()).setMeta(META_KEYS.pendingLogout, true)
    }
    await remember(null)
    // Photos others posted are theirs and their households': the next person on this phone doesn't see them.
    if ('caches' in globalThis) await caches.delete(PHOTO_CACHE).catch(() => false)
  }

  return { me, restored, signedIn, restore, refresh, login, logout }
})

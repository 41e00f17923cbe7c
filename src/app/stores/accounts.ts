import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import { meSchema, type Me } from '~/domain/users'
import { issuedCodeSchema, type IssuedCode } from '~/domain/accounts'
import { api } from '../api/client'
import { appDB, reportStorageProblem } from '../db/instance'
import { classifyStorageError } from '../db'
import { META_KEYS } from '../constants'
import { useSessionStore } from './session'

/** A code just issued, with who asked for it: the slip prints it for them only. */
export interface IssuedForSlip extends IssuedCode {
  issuedBy: string
}

/**
 * Accounts without SMS (issue 12): the first sign-in with an activation code, changing one's password, and
 * (secretaries, the admin) issuing codes. Online only. A code lives in this store's memory alone, never on
 * the device's storage nor in a URL: it is shown once, and the slip page prints it from here.
 */
export const useAccountsStore = defineStore('accounts', () => {
  const session = useSessionStore()
  const issued = shallowRef<IssuedForSlip | null>(null)

  /** Signs in with phone + code, setting the password; remembered for offline use as a login is. */
  async function activate(phone: string, code: string, password: string): Promise<Me> {
    const fresh = meSchema.parse(await api<Me>('/api/auth/activate', { method: 'POST', body: { phone, code, password } }))
    try {
      // As session.login: a sign-out still waiting to be sent must not end this new session.
      await appDB().deleteMeta(META_KEYS.pendingLogout)
      await appDB().setMeta(META_KEYS.me, fresh)
    } catch (error) {
      // Signed in for this visit all the same; the notice tells the member why it won't open offline.
      reportStorageProblem(classifyStorageError(error))
    }
    session.me = fresh
    return fresh
  }

  async function changePassword(current: string, password: string): Promise<void> {
    await api('/api/auth/password', { method: 'POST', body: { current, password } })
  }

  async function issueCode(memberId: string): Promise<IssuedForSlip> {
    const answer = issuedCodeSchema.parse(
      await api<IssuedCode>(`/api/admin/members/${encodeURIComponent(memberId)}/activation`, { method: 'POST' }),
    )
    issued.value = { ...answer, issuedBy: session.me?.user.id ?? '' }
    return issued.value
  }

  /** The code to print, if the one signed in now issued it. */
  function slip(): IssuedForSlip | null {
    return issued.value && issued.value.issuedBy === session.me?.user.id ? issued.value : null
  }

  function forget(): void {
    issued.value = null
  }

  return { issued, activate, changePassword, issueCode, slip, forget }
})

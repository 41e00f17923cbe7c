import { defineStore } from 'pinia'
import { ref } from 'vue'
import {
  browserSupportsWebAuthn,
  platformAuthenticatorIsAvailable,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/browser'
import { api, ApiError } from '../api/client'

export interface Passkey {
  id: string
  deviceName: string
  createdAt: string
  lastUsedAt: string | null
}

/** Turns what the browser or the server said into one sentence for the member. */
export function passkeyErrorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return '这台手机已经登记过了'
  if (error instanceof Error && error.name === 'SecurityError')
    return '当前网址不能使用指纹/面容验证（需要通过 https 域名访问），请联系管理员'
  if (error instanceof Error && error.name === 'NotAllowedError') return '已取消，或验证超时。请重试并按提示验证指纹或面容'
  return '验证失败，请重试'
}

/** 指纹/面容登记: the member's passkeys, which confirm remote attendance (issue 5). Online only. */
export const usePasskeysStore = defineStore('passkeys', () => {
  const passkeys = ref<Passkey[]>([])
  const loading = ref(false)
  const error = ref('')
  const supported = ref<boolean | null>(null)

  async function checkSupport(): Promise<boolean> {
    supported.value = browserSupportsWebAuthn() && (await platformAuthenticatorIsAvailable())
    return supported.value
  }

  async function load(): Promise<void> {
    loading.value = true
    error.value = ''
    try {
      passkeys.value = await api<Passkey[]>('/api/webauthn/credentials')
    } catch (e) {
      error.value = passkeyErrorMessage(e)
    } finally {
      loading.value = false
    }
  }

  /** Asks the phone to create a passkey (it prompts for the fingerprint or face) and registers it. */
  async function register(deviceName: string): Promise<void> {
    const optionsJSON = await api<PublicKeyCredentialCreationOptionsJSON>('/api/webauthn/register/options', { method: 'POST', body: {} })
    const response = await startRegistration({ optionsJSON })
    await api('/api/webauthn/register/verify', { method: 'POST', body: { response, deviceName } })
    await load()
  }

  async function remove(id: string): Promise<void> {
    await api(`/api/webauthn/credentials/${encodeURIComponent(id)}`, { method: 'DELETE' })
    await load()
  }

  return { passkeys, loading, error, supported, checkSupport, load, register, remove }
})

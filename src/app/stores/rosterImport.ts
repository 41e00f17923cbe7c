import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { ApiError, NETWORK_MESSAGE } from '../api/client'
import { ROSTER_LIMITS, ROSTER_MESSAGES } from '~/domain/rosterImport'
import type { RosterReport } from '~/domain/rosterImportRows'

export const OFFLINE_MESSAGE = '导入和导出花名册需要联网：请连上网络后再试。'

type Imported = { members: number; households: number }

/** The server's answer as JSON, or an ApiError with its Chinese message (or why it never arrived). */
async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, { credentials: 'same-origin', ...init })
  } catch {
    throw new ApiError(0, 'network', NETWORK_MESSAGE)
  }
}

async function failure(response: Response): Promise<ApiError> {
  const payload = (await response.json().catch(() => undefined)) as { error?: string; message?: string } | undefined
  return new ApiError(response.status, payload?.error ?? 'http_error', payload?.message ?? `服务器错误（${response.status}）`)
}

/** The file name a download's Content-Disposition gives (RFC 5987 first), else `fallback`. */
export function downloadName(disposition: string | null, fallback: string): string {
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? '')?.[1]
  if (encoded) {
    try {
      return decodeURIComponent(encoded)
    } catch {
      // A broken name: the plain one, or ours.
    }
  }
  return /filename="([^"]+)"/i.exec(disposition ?? '')?.[1] ?? fallback
}

/** Downloads a spreadsheet the server makes (the template, an export) under the name it gives. */
export async function downloadSpreadsheet(path: string, fallback: string): Promise<string> {
  const response = await send(path, { method: 'GET' })
  if (!response.ok) throw await failure(response)
  const name = downloadName(response.headers.get('content-disposition'), fallback)
  const url = URL.createObjectURL(await response.blob())
  const link = Object.assign(document.createElement('a'), { href: url, download: name })
  document.body.append(link)
  link.click()
  link.remove()
  // After the click has handed the file to the browser's download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return name
}

/**
 * 导入花名册: the chosen file, the server's preview of it (every row's problems and the counts), and the
 * import, which the server checks again and writes whole or not at all. Online only: nothing is queued.
 */
export const useRosterImportStore = defineStore('rosterImport', () => {
  const file = shallowRef<File | null>(null)
  const report = shallowRef<RosterReport | null>(null)
  const imported = ref<Imported | null>(null)
  const busy = ref<'preview' | 'import' | null>(null)
  const error = ref('')

  const rows = computed(() => (report.value ? report.value.counts.members + report.value.counts.households : 0))
  const canImport = computed(() => report.value !== null && report.value.problemCount === 0 && rows.value > 0 && busy.value === null)

  function choose(chosen: File | null) {
    file.value = chosen
    report.value = null
    imported.value = null
    error.value = chosen && chosen.size > ROSTER_LIMITS.bytes ? ROSTER_MESSAGES.tooLarge : ''
  }

  async function upload(what: 'preview' | 'import'): Promise<(RosterReport & { imported?: Imported }) | null> {
    const chosen = file.value
    if (!chosen || busy.value) return null
    if (chosen.size > ROSTER_LIMITS.bytes) {
      error.value = ROSTER_MESSAGES.tooLarge
      return null
    }
    busy.value = what
    error.value = ''
    try {
      const response = await send(`/api/admin/roster/${what}?name=${encodeURIComponent(chosen.name)}`, {
        method: 'POST',
        headers: { 'content-type': chosen.type || 'application/octet-stream' },
        body: chosen,
      })
      // 422: someone changed the town since the preview (a phone imported meanwhile): the new problems.
      if (response.status === 422) {
        const refused = (await response.json()) as RosterReport & { message: string }
        report.value = refused
        error.value = refused.message
        return null
      }
      if (!response.ok) throw await failure(response)
      return (await response.json()) as RosterReport & { imported?: Imported }
    } catch (e) {
      error.value = e instanceof Error ? e.message : '操作失败，请稍后再试'
      return null
    } finally {
      busy.value = null
    }
  }

  async function preview() {
    imported.value = null
    const answer = await upload('preview')
    if (answer) report.value = answer
  }

  async function importFile() {
    if (!canImport.value) return
    const answer = await upload('import')
    if (answer?.imported) imported.value = answer.imported
  }

  function reset() {
    choose(null)
  }

  return { file, report, imported, busy, error, rows, canImport, choose, preview, importFile, reset }
})

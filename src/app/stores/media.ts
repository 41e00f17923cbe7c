import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { downloadMedia, listMedia, removeMedia, type CachedMedia } from '../db/mediaCache'

/** Which study recordings are on this device for offline listening, and the space they take. */
export const useMediaStore = defineStore('media', () => {
  const cached = ref<CachedMedia[]>([])
  const busy = ref<string | null>(null)
  const totalBytes = computed(() => cached.value.reduce((sum, m) => sum + m.bytes, 0))
  const has = (file: string) => cached.value.some((m) => m.file === file)

  async function refresh() {
    cached.value = await listMedia()
  }
  async function download(file: string) {
    busy.value = file
    try {
      await downloadMedia(file)
      await refresh()
    } finally {
      busy.value = null
    }
  }
  async function remove(file: string) {
    await removeMedia(file)
    await refresh()
  }

  return { cached, busy, totalBytes, has, refresh, download, remove }
})

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

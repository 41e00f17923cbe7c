import { MEDIA_CACHE } from '../constants'

/**
 * Study audio and video kept for offline use, in the Cache Storage the service worker reads from (it
 * answers range requests from the full file, so seeking works offline). Downloaded only on request.
 */
export const mediaUrl = (file: string) => `/media/study/${file}`

export async function downloadMedia(file: string): Promise<number> {
  const response = await fetch(mediaUrl(file))
  if (!response.ok) throw new Error(`下载失败（${response.status}）`)
  const blob = await response.blob()
  const cache = await caches.open(MEDIA_CACHE)
  await cache.put(
    mediaUrl(file),
    new Response(blob, {
      headers: { 'content-type': response.headers.get('content-type') ?? 'audio/ogg', 'content-length': String(blob.size) },
    }),
  )
  return blob.size
}

export async function removeMedia(file: string): Promise<void> {
  await (await caches.open(MEDIA_CACHE)).delete(mediaUrl(file))
}

export interface CachedMedia {
  file: string
  bytes: number
}

export async function listMedia(): Promise<CachedMedia[]> {
  if (typeof caches === 'undefined') return []
  const cache = await caches.open(MEDIA_CACHE)
  const items: CachedMedia[] = []
  for (const request of await cache.keys()) {
    const response = await cache.match(request)
    const file = new URL(request.url).pathname.split('/').pop() ?? ''
    items.push({ file, bytes: Number(response?.headers.get('content-length')) || (await response?.blob())?.size || 0 })
  }
  return items
}

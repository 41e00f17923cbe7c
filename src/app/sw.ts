/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core'
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { CacheFirst } from 'workbox-strategies'
import { ExpirationPlugin } from 'workbox-expiration'
import { RangeRequestsPlugin } from 'workbox-range-requests'
import { BACKGROUND_SYNC_TAG, MEDIA_CACHE, PHOTO_CACHE } from './constants'

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> }

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()
// The first visit's page is served by this worker as soon as it is active, not only after a reload.
clientsClaim()

// Every app route opens the precached shell, offline too; the API is never answered from a cache.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//] }))

// Study audio and video: cached on first play, with range requests so seeking works offline.
registerRoute(
  ({ url, request }) => url.pathname.startsWith('/media/') || request.destination === 'audio' || request.destination === 'video',
  new CacheFirst({
    cacheName: MEDIA_CACHE,
    plugins: [new RangeRequestsPlugin(), new ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: 60 * 24 * 3600, purgeOnQuotaError: true })],
  }),
)

// 朋友圈 photos: an id never gets other bytes, so once seen a photo shows offline for good (or until space runs short).
registerRoute(
  ({ url, request }) => request.method === 'GET' && /^\/api\/photos\/[\w-]+$/.test(url.pathname),
  new CacheFirst({
    cacheName: PHOTO_CACHE,
    plugins: [new ExpirationPlugin({ maxEntries: 1000, maxAgeSeconds: 180 * 24 * 3600, purgeOnQuotaError: true })],
  }),
)

// Background Sync (Chromium only, an extra trigger): wake the open pages so their engine syncs.
self.addEventListener('sync', (event) => {
  const syncEvent = event as ExtendableEvent & { tag?: string }
  if (syncEvent.tag !== BACKGROUND_SYNC_TAG) return
  syncEvent.waitUntil(
    self.clients
      .matchAll({ type: 'window' })
      .then((clients) => clients.forEach((client) => client.postMessage({ type: 'SYNC_REQUESTED' }))),
  )
})

// The page decides when a waiting version takes over (the 发现新版本 prompt).
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting()
})

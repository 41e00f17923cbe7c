// The second outbox (issue 6): photos named by a comment or topic travel beside the sync protocol. Each
// is kept in IndexedDB (photo_uploads) until the server has every byte, and sent after the sync that sent
// the mutation naming it, in chunks that resume where the server stopped when the connection was cut.
// Compression happens before, in the board store (stores/boardPhotos.ts).
import type { AppDB, PhotoUploadRow } from '../db'

/** Small enough that a chunk gets through a weak village connection between two drop-outs. */
export const UPLOAD_CHUNK_BYTES = 64 * 1024

export interface CompressedPhoto {
  blob: Blob
  width: number
  height: number
}

/** Keeps a compressed photo on the device until it is uploaded; returns its id (the comment names it). */
export async function keepPhoto(db: AppDB, userId: string, photo: CompressedPhoto, now = new Date()): Promise<string> {
  const id = `p-${crypto.randomUUID()}`
  await db.photo_uploads.add({
    id,
    userId,
    blob: photo.blob,
    type: photo.blob.type || 'image/jpeg',
    size: photo.blob.size,
    width: photo.width,
    height: photo.height,
    uploaded: 0,
    doneAt: null,
    error: null,
    createdAt: now.toISOString(),
  })
  return id
}

export type UploadFetch = (url: string, init?: RequestInit) => Promise<Response>

async function serverHas(fetcher: UploadFetch, id: string): Promise<number> {
  const response = await fetcher(`/api/photos/${id}/upload`, { credentials: 'same-origin' })
  if (response.status === 404) return 0
  if (!response.ok) throw new Error(`photo state ${response.status}`)
  const state = (await response.json()) as { received: number; done: boolean; total: number }
  return state.done ? state.total : state.received
}

/**
 * Sends one photo from where the server stopped. Returns true once the server has it all. A network
 * failure throws (the photo waits for the next try); a refusal (not an image, too large) is kept on the
 * row and not tried again.
 */
export async function uploadPhoto(db: AppDB, row: PhotoUploadRow, fetcher: UploadFetch = fetch): Promise<boolean> {
  let offset = await serverHas(fetcher, row.id)
  while (offset < row.size) {
    const end = Math.min(offset + UPLOAD_CHUNK_BYTES, row.size)
    const response = await fetcher(`/api/photos/${row.id}`, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${offset}-${end - 1}/${row.size}` },
      body: row.blob.slice(offset, end),
    })
    if (response.status === 409) {
      // The server has a different amount than we thought (a reply lost on the way): go on from there.
      offset = Number(response.headers.get('x-upload-received') ?? (await serverHas(fetcher, row.id)))
      continue
    }
    if (response.status >= 400 && response.status < 500) {
      const body = (await response.json().catch(() => ({}))) as { message?: string }
      await db.photo_uploads.update(row.id, { error: body.message ?? `照片上传被拒绝（${response.status}）` })
      return false
    }
    if (!response.ok) throw new Error(`photo upload ${response.status}`)
    const state = (await response.json()) as { received: number; done: boolean }
    offset = state.done ? row.size : state.received
    await db.photo_uploads.update(row.id, { uploaded: offset })
  }
  await db.photo_uploads.update(row.id, { uploaded: row.size, doneAt: new Date().toISOString() })
  return true
}

/** How long a photo stays on the device after the server has it, so it shows offline without a download. */
export const KEEP_UPLOADED_MS = 30 * 86_400_000

let running: Promise<void> | null = null

/**
 * Uploads this user's waiting photos, oldest first, one at a time; stops at the first network failure
 * (the next sync tries again). Calls made while a run is going join it.
 */
export function uploadPendingPhotos(db: AppDB, userId: string, fetcher: UploadFetch = fetch): Promise<void> {
  running ??= (async () => {
    try {
      const rows = (await db.photo_uploads.where('userId').equals(userId).sortBy('createdAt')).filter(
        (r) => r.doneAt === null && r.error === null,
      )
      for (const row of rows) await uploadPhoto(db, row, fetcher)
      // Sent long ago: the server's copy (cached by the service worker once seen) is what shows now.
      const before = new Date(Date.now() - KEEP_UPLOADED_MS).toISOString()
      await db.photo_uploads
        .where('userId')
        .equals(userId)
        .filter((r) => r.doneAt !== null && r.doneAt < before)
        .delete()
    } catch {
      // Offline or the server is away: the rows stay, with what was sent so far.
    } finally {
      running = null
    }
  })()
  return running
}

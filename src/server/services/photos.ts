// Photos for the 朋友圈 board (issue 6). A device sends a photo in chunks (each names its byte range, so
// an upload cut off resumes where the server stopped); once all bytes are in, the server checks it is an
// image of sane size and re-encodes it: what is stored and served is the server's own JPEG, with the
// camera's metadata (GPS position included) gone. Bytes live in the database, so every instance behind
// a load balancer serves them.
import sharp from 'sharp'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { Viewer } from '~/domain/sync'
import { HttpError } from '../http/errors'

/** What a device may send for one photo (it compresses to well under this first). */
export const PHOTO_MAX_BYTES = 8 * 1024 * 1024
/** One request's worth: small enough that a weak connection finishes a chunk. */
export const PHOTO_CHUNK_MAX = 256 * 1024
/** Beyond this a "photo" is more likely a decompression bomb than a phone picture (a 12 MP photo is 12 M). */
export const PHOTO_MAX_PIXELS = 50_000_000
/** The long side of the stored copy: sharp on a phone screen, small to send. */
export const PHOTO_STORED_SIDE = 1600

export interface UploadState {
  id: string
  received: number
  total: number
  done: boolean
  width?: number
  height?: number
}

/** `bytes START-END/TOTAL` (END inclusive), as in HTTP's Content-Range. */
export function parseContentRange(header: string | undefined): { start: number; end: number; total: number } | null {
  const match = /^bytes (\d{1,10})-(\d{1,10})\/(\d{1,10})$/.exec(header?.trim() ?? '')
  if (!match) return null
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (end < start || end >= total) return null
  return { start, end, total }
}

/** Checks that the bytes are an image of sane size and re-encodes them; throws a 422 when they aren't. */
export async function reencodePhoto(input: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  try {
    const image = sharp(input, { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'error' })
    const meta = await image.metadata()
    if (!['jpeg', 'png', 'webp', 'heif', 'gif'].includes(meta.format ?? '')) throw new Error(`format ${meta.format}`)
    const { data, info } = await image
      .rotate()
      .resize({ width: PHOTO_STORED_SIDE, height: PHOTO_STORED_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer({ resolveWithObject: true })
    return { data, width: info.width, height: info.height }
  } catch (error) {
    const tooBig = String(error).includes('pixel limit')
    throw new HttpError(
      422,
      tooBig ? 'image_too_large' : 'not_an_image',
      tooBig ? '图片像素过大，请换一张照片' : '文件不是图片，或图片已损坏',
    )
  }
}

export class PhotoService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async state(viewer: Viewer, id: string): Promise<UploadState> {
    const photo = await this.db
      .selectFrom('photos')
      .select(['owner_id', 'received_bytes', 'total_bytes', 'status', 'width', 'height'])
      .where('id', '=', id)
      .executeTakeFirst()
    if (!photo) throw new HttpError(404, 'not_found', '服务器上还没有这张照片')
    if (photo.owner_id !== viewer.id) throw new HttpError(403, 'forbidden', '这张照片不是您上传的')
    return this.describe(id, photo)
  }

  private describe(
    id: string,
    photo: { received_bytes: number; total_bytes: number; status: string; width: number | null; height: number | null },
  ): UploadState {
    const done = photo.status === 'ready'
    return {
      id,
      received: photo.received_bytes,
      total: photo.total_bytes,
      done,
      ...(done ? { width: photo.width ?? 0, height: photo.height ?? 0 } : {}),
    }
  }

  /** Takes one chunk; the chunk that completes the photo has it checked and re-encoded. */
  async receive(viewer: Viewer, id: string, range: { start: number; end: number; total: number }, chunk: Buffer): Promise<UploadState> {
    if (range.total > PHOTO_MAX_BYTES) throw new HttpError(413, 'too_large', `照片不能超过${PHOTO_MAX_BYTES / 1024 / 1024}MB`)
    if (chunk.length !== range.end - range.start + 1) throw new HttpError(400, 'bad_request', '上传的数据与 Content-Range 不符')
    const now = this.clock().toISOString()
    const state = await this.db.transaction().execute(async (trx) => {
      let photo = await trx
        .selectFrom('photos')
        .select(['owner_id', 'received_bytes', 'total_bytes', 'status', 'width', 'height'])
        .where('id', '=', id)
        .executeTakeFirst()
      if (!photo) {
        if (range.start !== 0) throw new HttpError(409, 'upload_offset', '服务器上还没有这张照片，请从头上传', { 'x-upload-received': '0' })
        await trx
          .insertInto('photos')
          .values({
            id,
            owner_id: viewer.id,
            status: 'uploading',
            total_bytes: range.total,
            received_bytes: 0,
            mime: null,
            width: null,
            height: null,
            data: null,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute()
        photo = await trx
          .selectFrom('photos')
          .select(['owner_id', 'received_bytes', 'total_bytes', 'status', 'width', 'height'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      }
      if (photo.owner_id !== viewer.id) throw new HttpError(403, 'forbidden', '这张照片不是您上传的')
      if (photo.status === 'ready') return this.describe(id, photo)
      if (photo.total_bytes !== range.total) throw new HttpError(409, 'upload_size', '照片大小与之前上传的不一致')
      // Only the chunk that continues where the server stopped; two tabs sending the same chunk can't both land.
      const moved = await trx
        .updateTable('photos')
        .set({ received_bytes: range.end + 1, updated_at: now })
        .where('id', '=', id)
        .where('received_bytes', '=', range.start)
        .executeTakeFirst()
      if (Number(moved.numUpdatedRows) !== 1) {
        throw new HttpError(409, 'upload_offset', '上传位置不对，请从服务器已收到的位置继续', {
          'x-upload-received': String(photo.received_bytes),
        })
      }
      await trx.insertInto('photo_chunks').values({ photo_id: id, offset: range.start, data: chunk }).execute()
      return { id, received: range.end + 1, total: range.total, done: false }
    })
    if (state.done || state.received < state.total) return state
    return this.finish(id, now)
  }

  private async finish(id: string, now: string): Promise<UploadState> {
    const chunks = await this.db
      .selectFrom('photo_chunks')
      .select(['offset', 'data'])
      .where('photo_id', '=', id)
      .orderBy('offset')
      .execute()
    let photo: { data: Buffer; width: number; height: number }
    try {
      photo = await reencodePhoto(Buffer.concat(chunks.map((c) => c.data)))
    } catch (error) {
      // Forget it entirely, so the device can't be stuck resuming a photo the server will never take.
      await this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('photo_chunks').where('photo_id', '=', id).execute()
        await trx.deleteFrom('photos').where('id', '=', id).execute()
      })
      throw error
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('photos')
        .set({ status: 'ready', mime: 'image/jpeg', data: photo.data, width: photo.width, height: photo.height, updated_at: now })
        .where('id', '=', id)
        .execute()
      await trx.deleteFrom('photo_chunks').where('photo_id', '=', id).execute()
    })
    const total = chunks.reduce((n, c) => n + c.data.length, 0)
    return { id, received: total, total, done: true, width: photo.width, height: photo.height }
  }

  /** The stored JPEG, for its owner and for those who see a topic or comment that shows it. */
  async read(viewer: Viewer, id: string): Promise<Buffer> {
    const photo = await this.db.selectFrom('photos').select(['owner_id', 'status', 'data']).where('id', '=', id).executeTakeFirst()
    if (!photo || photo.status !== 'ready' || !photo.data) throw new HttpError(404, 'not_found', '照片还没有上传完成')
    if (photo.owner_id !== viewer.id && viewer.role !== 'admin') {
      const link = await this.db
        .selectFrom('photo_links')
        .select('branch_id')
        .where('photo_id', '=', id)
        .where('owner_id', '=', photo.owner_id)
        .where((eb) => eb.or([eb('branch_id', 'is', null), eb('branch_id', '=', viewer.branchId ?? '')]))
        .executeTakeFirst()
      if (!link) throw new HttpError(403, 'forbidden', '无权查看这张照片')
    }
    return Buffer.from(photo.data)
  }
}

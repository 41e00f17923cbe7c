import type { FastifyInstance } from 'fastify'
import { HttpError, validate } from '../http/errors'
import { requireUser } from './auth'
import type { SyncService } from '../sync/service'
import { parseContentRange, PHOTO_CHUNK_MAX, type PhotoService } from '../services/photos'
import { z } from '~/domain/validation'

const photoParams = z.object({ id: z.string().check(z.regex(/^[\w-]{1,64}$/, '照片编号不正确')) })

export async function photoRoutes(app: FastifyInstance, deps: { sync: SyncService; photos: PhotoService }) {
  // Raw bytes only on these routes; every other route still takes JSON alone.
  await app.register(async (scoped) => {
    scoped.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: PHOTO_CHUNK_MAX }, (_request, body, done) =>
      done(null, body),
    )

    /** How much of a photo the server has, so a device resumes from there. */
    scoped.get('/api/photos/:id/upload', async (request) => {
      const viewer = await deps.sync.viewer(requireUser(request))
      return deps.photos.state(viewer, validate(photoParams, request.params, '照片编号').id)
    })

    scoped.put('/api/photos/:id', async (request, reply) => {
      const viewer = await deps.sync.viewer(requireUser(request))
      const { id } = validate(photoParams, request.params, '照片编号')
      const range = parseContentRange(request.headers['content-range'])
      if (!range) throw new HttpError(400, 'bad_request', '缺少或无法识别 Content-Range（应为 bytes 起-止/总长）')
      if (!Buffer.isBuffer(request.body)) throw new HttpError(415, 'unsupported_media_type', '照片应以 application/octet-stream 上传')
      const state = await deps.photos.receive(viewer, id, range, request.body)
      return reply.code(state.done ? 201 : 200).send(state)
    })

    scoped.get('/api/photos/:id', async (request, reply) => {
      const viewer = await deps.sync.viewer(requireUser(request))
      const { id } = validate(photoParams, request.params, '照片编号')
      const bytes = await deps.photos.read(viewer, id)
      // The browser asks again each time, so a signed-out device or another account gets no photo from its cache;
      // a photo id never gets other bytes, so the answer is a 304 after the access check. (The service worker
      // keeps the photos it has shown for offline use, and forgets them on sign-out.)
      const etag = `"${id}"`
      reply.header('cache-control', 'private, no-cache').header('etag', etag)
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      return reply.header('content-type', 'image/jpeg').send(bytes)
    })
  })
}

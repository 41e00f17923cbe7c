import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { HttpError, validate } from '../http/errors'
import { requireUser } from './auth'
import type { SyncService } from '../sync/service'
import type { RelyingParty, WebauthnService } from '../services/webauthn'
import { beat, joinRemotely, postMessage, remoteMeetingFor } from '../features/meetings/remote'
import { memberName } from '../features/members/rows'
import { MutationRejected } from '../sync/rejections'
import { chatMessageSchema } from '~/domain/meetings'
import { line, ref, z } from '~/domain/validation'
import type { SessionUser } from '../services/auth'

// Credential ids go into database lookups: one line, bounded (base64url of at most 1023 bytes).
const credentialBody = z.object({ response: z.looseObject({ id: ref(2048), type: z.literal('public-key') }) })
const registerBody = z.object({
  response: z.looseObject({ id: ref(2048), type: z.literal('public-key') }),
  deviceName: line({ trim: true, min: 1, max: 30, tooShort: '请填写设备名称', tooLong: '设备名称不超过30字' }),
})
const meetingParams = z.object({ id: ref(64) })

/** Refusals from the shared meeting rules become 4xx answers with their Chinese message. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof MutationRejected)
      throw new HttpError(error.code === 'not_found' ? 404 : error.code === 'forbidden' ? 403 : 409, error.code, error.message)
    throw error
  }
}

export function meetingRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<Database>; sync: SyncService; webauthn: WebauthnService; origin: string | null },
) {
  // The relying party is this server as the browser sees it (behind a proxy: with TRUST_PROXY, or set PUBLIC_ORIGIN).
  const relyingParty = (request: FastifyRequest): RelyingParty => {
    const origin = deps.origin ?? `${request.protocol}://${request.host}`
    try {
      const url = new URL(origin)
      return { origin: url.origin, id: url.hostname }
    } catch {
      throw new HttpError(400, 'bad_request', '请求的主机名（Host）无法识别')
    }
  }

  app.get('/api/webauthn/credentials', async (request) => deps.webauthn.credentials(requireUser(request).id))

  app.post('/api/webauthn/register/options', async (request) => {
    const user = requireUser(request)
    return deps.webauthn.registrationOptions(relyingParty(request), { id: user.id, name: await memberName(deps.db, user.id) })
  })

  app.post('/api/webauthn/register/verify', async (request) => {
    const user = requireUser(request)
    const body = validate(registerBody, request.body)
    return deps.webauthn.register(relyingParty(request), user.id, body.response as unknown as RegistrationResponseJSON, body.deviceName)
  })

  app.delete('/api/webauthn/credentials/:id', async (request, reply) => {
    const user = requireUser(request)
    const { id } = validate(z.object({ id: ref(512) }), request.params, '路径参数')
    if (!(await deps.webauthn.remove(user.id, id))) throw new HttpError(404, 'not_found', '找不到这个通行密钥')
    return reply.code(204).send()
  })

  /** The meeting, if this user may be in its remote room now. */
  const remoteMeeting = (user: SessionUser, meetingId: string) => answering(() => remoteMeetingFor(deps.db, user, meetingId))

  app.post('/api/meetings/:id/remote/options', async (request) => {
    const user = requireUser(request)
    const { id } = validate(meetingParams, request.params, '路径参数')
    await remoteMeeting(user, id)
    return deps.webauthn.authenticationOptions(relyingParty(request), user.id, `remote:${id}`)
  })

  // Counted present only after the member's own passkey, with fingerprint or face, signed this meeting's challenge.
  app.post('/api/meetings/:id/remote/verify', async (request) => {
    const user = requireUser(request)
    const { id } = validate(meetingParams, request.params, '路径参数')
    const body = validate(credentialBody, request.body)
    const meeting = await remoteMeeting(user, id)
    await deps.webauthn.verify(relyingParty(request), user.id, `remote:${id}`, body.response as unknown as AuthenticationResponseJSON)
    await answering(() => deps.sync.write((trx, writer, now) => joinRemotely(trx, writer, meeting, user.id, now)))
    return { joined: true }
  })

  app.post('/api/meetings/:id/remote/heartbeat', async (request) => {
    const user = requireUser(request)
    const { id } = validate(meetingParams, request.params, '路径参数')
    return { seconds: await answering(() => beat(deps.db, user.id, id, new Date().toISOString())) }
  })

  // 即时沟通: a message is a sync row of the branch, so it reaches every device in the room and stays with the record.
  app.post('/api/meetings/:id/messages', async (request) => {
    const user = requireUser(request)
    const { id } = validate(meetingParams, request.params, '路径参数')
    const { text } = validate(chatMessageSchema, request.body)
    return answering(() => deps.sync.write((trx, writer, now) => postMessage(trx, writer, user, id, text, now)))
  })
}

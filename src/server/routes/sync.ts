import type { FastifyInstance } from 'fastify'
import type { ServerResponse } from 'node:http'
import { pullQuerySchema, pushBodySchema, type PushReply } from '~/domain/sync'
import { validate } from '../http/errors'
import { requireUser } from './auth'
import type { SyncService } from '../sync/service'
import type { Notifier } from '../sync/notifier'
import type { AuthService } from '../services/auth'

const HEARTBEAT_MS = 25_000
/** How often, at most, a stream asks the database whether its session still exists before a poke. */
const SESSION_CHECK_MS = 5_000
/** How long a stream trusts the scopes it read before reading them again on its next poke. */
const SCOPES_REFRESH_MS = 30_000

export function syncRoutes(app: FastifyInstance, deps: { sync: SyncService; notifier: Notifier; auth: AuthService }) {
  app.post('/api/sync/push', async (request): Promise<PushReply> => {
    const user = requireUser(request)
    const body = validate(pushBodySchema, request.body)
    return { results: await deps.sync.push(user, body) }
  })

  app.get('/api/sync/pull', async (request) => {
    const user = requireUser(request)
    const query = validate(pullQuerySchema, request.query, '查询参数')
    return deps.sync.pull(user, query.clientId, query.cursor)
  })

  // Server-sent events: a `poke` whenever a scope the user sees has changed, so the app pulls at once.
  const streams = new Set<ServerResponse>()
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end()
  })
  app.get('/api/events', async (request, reply) => {
    const user = requireUser(request)
    const sessionId = request.sessionId ?? ''
    let scopes = new Set(await deps.sync.scopesOf(await deps.sync.viewer(user)))
    // What a user sees changes while the stream is open: the admin's town gains a branch, a member is moved
    // or appointed. Read again (from the user's row, not the session's start) when the town or the user's own
    // scope changed, and otherwise now and then, so pokes follow without a reconnect.
    let refreshedAt = Date.now()
    const refreshScopes = async () => {
      refreshedAt = Date.now()
      const me = await deps.auth.me(user.id).catch(() => undefined)
      if (!me) return
      const viewer = await deps.sync.viewer({ id: me.user.id, role: me.user.role, branchId: me.branch?.id ?? null })
      scopes = new Set(await deps.sync.scopesOf(viewer))
    }
    reply.hijack()
    const stream = reply.raw
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      // Reverse proxies (nginx) must not buffer the stream.
      'x-accel-buffering': 'no',
    })
    stream.write('retry: 5000\n\nevent: ready\ndata: {}\n\n')
    streams.add(stream)
    // A stream lives only as long as its session: signing out here ends it at once; signing out on another
    // instance (or the session running out) is noticed before the next poke or ping. Reconnecting then gets a 401.
    let check: { at: number; active: Promise<boolean> } | undefined
    const stillSignedIn = () => {
      if (!check || Date.now() - check.at >= SESSION_CHECK_MS) {
        // A database hiccup keeps the stream: a poke carries no data.
        check = { at: Date.now(), active: deps.auth.sessionActive(sessionId).catch(() => true) }
      }
      return check.active
    }
    const send = (text: string) =>
      void stillSignedIn().then((active) => {
        if (!active) stream.end()
        else if (!stream.writableEnded) stream.write(text)
      })
    const unsubscribe = deps.notifier.subscribe((changed) => {
      const ownChanged = changed.some((scope) => scope === `user:${user.id}` || (scope.startsWith('town:') && scopes.has(scope)))
      // Only a stream about to be poked anyway reads them when stale: it costs less than the pull that follows.
      const stale = Date.now() - refreshedAt >= SCOPES_REFRESH_MS && changed.some((scope) => scopes.has(scope))
      void (ownChanged || stale ? refreshScopes().catch(() => undefined) : Promise.resolve()).then(() => {
        const mine = changed.filter((scope) => scopes.has(scope))
        if (mine.length > 0) send(`event: poke\ndata: ${JSON.stringify({ scopes: mine })}\n\n`)
      })
    })
    const stopOnSignOut = deps.auth.onSessionEnd(sessionId, () => stream.end())
    const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS)
    const cleanUp = () => {
      clearInterval(heartbeat)
      unsubscribe()
      stopOnSignOut()
      streams.delete(stream)
    }
    // The client going away, or the server ending the stream.
    request.raw.once('close', cleanUp)
    stream.once('close', cleanUp)
  })
}

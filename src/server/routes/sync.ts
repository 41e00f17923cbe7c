import type { FastifyInstance } from 'fastify'
import type { ServerResponse } from 'node:http'
import { pullQuerySchema, pushBodySchema, type PushReply } from '../../domain/sync'
import { validate } from '../http/errors'
import { requireUser } from './auth'
import type { SyncService } from '../services/sync'
import type { Notifier } from '../services/notifier'

const HEARTBEAT_MS = 25_000

export function syncRoutes(app: FastifyInstance, deps: { sync: SyncService; notifier: Notifier }) {
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
    const scopes = new Set(await deps.sync.scopesOf(await deps.sync.viewer(user)))
    reply.hijack()
    const stream = reply.raw
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Reverse proxies (nginx) must not buffer the stream.
      'x-accel-buffering': 'no',
    })
    stream.write('retry: 5000\n\nevent: ready\ndata: {}\n\n')
    streams.add(stream)
    const unsubscribe = deps.notifier.subscribe((changed) => {
      const mine = changed.filter((scope) => scopes.has(scope))
      if (mine.length > 0) stream.write(`event: poke\ndata: ${JSON.stringify({ scopes: mine })}\n\n`)
    })
    const heartbeat = setInterval(() => stream.write(': ping\n\n'), HEARTBEAT_MS)
    request.raw.once('close', () => {
      clearInterval(heartbeat)
      unsubscribe()
      streams.delete(stream)
    })
  })
}

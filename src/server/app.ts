import Fastify, { type FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifyHelmet from '@fastify/helmet'
import { migrateToLatest, openDatabase, type DatabaseKind } from './db'
import { seedIfEmpty } from './db/seed'
import type { AppConfig } from './config'
import { answerUnreadableRequest, HttpError, sendError } from './http/errors'
import { isCrossSiteWrite, normaliseOrigin } from './http/origin'
import { compression } from './http/compression'
import { AuthService } from './services/auth'
import { authRoutes } from './routes/auth'
import { accountRoutes } from './routes/accounts'
import { AccountService } from './services/accounts'
import { healthRoutes } from './routes/health'
import { staticRoutes, wantsAppShell } from './routes/static'
import { syncRoutes } from './routes/sync'
import { pointsRoutes } from './routes/points'
import { adminRoutes } from './routes/admin'
import { auditRoutes } from './routes/audit'
import { meetingRoutes } from './routes/meetings'
import { photoRoutes } from './routes/photos'
import { rosterRoutes } from './routes/roster'
import { exportRoutes } from './routes/exports'
import { PhotoService } from './services/photos'
import { WebauthnService } from './services/webauthn'
import { SyncService } from './sync/service'
import { seedRulesIfEmpty } from './features/points/ledger'
import { seedSupervisionDefaults } from './features/supervision/seed'
import { SupervisionService } from './features/supervision/service'
import { pruneTombstones, TOMBSTONE_DAYS } from './sync/changes'
import { LocalNotifier, PostgresNotifier, type Notifier } from './sync/notifier'
import { FEATURES } from './features'

/** scheme://host of a request as browsers write `Origin` (null when the Host header is not a host). */
function ownOrigin(protocol: string, host: string): string | null {
  try {
    return new URL(`${protocol}://${host}`).origin
  } catch {
    return null
  }
}

export interface BuiltApp {
  app: FastifyInstance
  databaseKind: DatabaseKind
}

/** The whole server, ready for `listen` or for tests' `inject`. Closing it closes the database. */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const { db, kind } = openDatabase(config)
  await migrateToLatest(db)
  await seedRulesIfEmpty(db, config.seedDir)
  await seedSupervisionDefaults(db)
  if (config.seedDemoData) await seedIfEmpty(db, config.seedDir, FEATURES.list)
  const notifier: Notifier = config.databaseUrl
    ? await PostgresNotifier.connect(config.databaseUrl, (error) => console.error('PostgreSQL LISTEN connection:', String(error)))
    : new LocalNotifier()
  // The core runs the features it is handed (features.ts) and knows none of them.
  const sync = new SyncService(db, notifier, FEATURES)
  await sync.publishAllIfEmpty()
  await sync.publishMissing()

  const app = Fastify({
    logger: config.logger ?? false,
    trustProxy: config.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // Idle keep-alive sockets must not hold up a graceful shutdown.
    forceCloseConnections: 'idle',
    // Requests arriving while closing get our own 503 (below), in the documented shape.
    return503OnClosing: false,
    // Node would answer these with an empty 400; ours say why, in the documented shape (onRequest, below).
    http: { requireHostHeader: false },
    clientErrorHandler: answerUnreadableRequest,
    // Long enough for any passkey id (the routes' own schemas set the real limits, with a Chinese message).
    routerOptions: { maxParamLength: 1024 },
    // Fastify's own answers for a malformed or over-long path, in the documented shape.
    frameworkErrors: (error, _request, reply) => {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? '请求的路径有误：路径参数过长' : '请求的路径有误'
      return sendError(reply, new HttpError(400, 'bad_request', message))
    },
  })
  // Deletions are remembered for 60 days; a device away longer than that gets a reset instead.
  const pruneTimer = setInterval(() => {
    pruneTombstones(db, new Date(Date.now() - TOMBSTONE_DAYS * 86_400_000).toISOString()).catch((error: unknown) => app.log.error(error))
  }, 6 * 3600_000).unref()
  // Warnings and overviews (issue 13): computed now, on changes and daily; stopped before the database closes.
  const supervision = new SupervisionService(
    (change) => sync.write(change),
    notifier,
    (error) => app.log.error(error),
  )
  app.decorate('supervision', supervision)
  app.addHook('onClose', async () => {
    clearInterval(pruneTimer)
    await supervision.stop()
    await notifier.close()
    await db.destroy()
  })
  await supervision.start({ triggers: config.supervisionTriggers ?? true })

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Vant sets style attributes at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // The camera is needed for scanning check-in codes (later); nothing else.
    crossOriginEmbedderPolicy: false,
  })
  await app.register(fastifyCookie, { secret: config.sessionSecret })
  // Before any route: it hooks each route as it is declared (issue 14: a weak signal).
  await compression(app)

  let shuttingDown = false
  app.addHook('preClose', async () => {
    shuttingDown = true
  })
  const publicOrigin = normaliseOrigin(config.publicOrigin)
  // Before the session is looked up: nothing of a refused request reaches the database.
  app.addHook('onRequest', async (request) => {
    // A request on a keep-alive connection while the server stops: the device retries later (or on another instance).
    if (shuttingDown) throw new HttpError(503, 'shutting_down', '服务器正在重启，请稍后再试', { 'retry-after': '5' })
    if (!request.headers.host && request.raw.httpVersion !== '1.0') throw new HttpError(400, 'bad_request', '请求缺少主机名（Host）')
    if (!request.url.startsWith('/api/')) return
    const crossSite = isCrossSiteWrite({
      method: request.method,
      fetchSite: request.headers['sec-fetch-site'],
      origin: request.headers.origin,
      ownOrigin: ownOrigin(request.protocol, request.host),
      publicOrigin,
    })
    if (crossSite) throw new HttpError(403, 'cross_site', '不接受来自其他网站的操作，请在本应用中操作')
  })
  // Private answers must stay out of shared and browser caches; a route that chose its own policy keeps it.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/') && !request.url.startsWith('/api/health') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store')
  })

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) return sendError(reply, error)
    const status = (error as { statusCode?: number }).statusCode ?? 500
    const code = (error as { code?: string }).code
    if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return sendError(reply, new HttpError(400, 'bad_request', '请求内容不是有效的 JSON'))
    }
    if (status === 413) return sendError(reply, new HttpError(413, 'too_large', '请求内容过大'))
    if (status === 415) return sendError(reply, new HttpError(415, 'unsupported_media_type', '请求格式不受支持，请使用 JSON'))
    if (status >= 400 && status < 500) return sendError(reply, new HttpError(status, 'bad_request', '请求有误'))
    request.log.error(error)
    return sendError(reply, new HttpError(500, 'server_error', '服务器出错了，请稍后再试'))
  })

  app.setNotFoundHandler((request, reply) => {
    if (config.staticDir && wantsAppShell(request.method, request.url, request.headers.accept)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html')
    }
    return sendError(reply, new HttpError(404, 'not_found', '请求的资源不存在'))
  })

  const auth = new AuthService(db)
  const accounts = new AccountService(db, auth)
  healthRoutes(app, { db, kind })
  authRoutes(app, auth, accounts)
  accountRoutes(app, { accounts })
  syncRoutes(app, { sync, notifier, auth })
  pointsRoutes(app, { db })
  adminRoutes(app, { db })
  auditRoutes(app, { db })
  meetingRoutes(app, { db, sync, webauthn: new WebauthnService(db), origin: config.publicOrigin ?? null })
  await photoRoutes(app, { sync, photos: new PhotoService(db) })
  await rosterRoutes(app, { db, sync })
  exportRoutes(app, { db })
  if (config.staticDir) await staticRoutes(app, config.staticDir)
  return app
}

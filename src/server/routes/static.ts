import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'

const NEVER_CACHED = /(^|\/)(index\.html|sw\.js|manifest\.webmanifest|registerSW\.js)$/
/** The build's precompressed copies (vite.config.ts), served in place of the file they sit beside. */
const PRECOMPRESSED = /\.(br|gz)$/

/**
 * Serves the built PWA: hashed assets for a year, the shell files never, and index.html for app routes, each
 * from its .br or .gz copy when the browser accepts it (`preCompressed`), with `Vary: accept-encoding`.
 */
export async function staticRoutes(app: FastifyInstance, staticDir: string) {
  if (!existsSync(join(staticDir, 'index.html'))) {
    app.log.warn(`未找到前端构建 ${staticDir}，只提供 API（请先运行 npm run build）`)
    return
  }
  await app.register(fastifyStatic, {
    root: staticDir,
    wildcard: true,
    index: false,
    cacheControl: false,
    preCompressed: true,
    // `path` is the file sent: index.html.br keeps index.html's policy.
    setHeaders(res, sentPath) {
      const path = sentPath.replace(PRECOMPRESSED, '')
      if (path.includes('/assets/')) res.header('cache-control', 'public, max-age=31536000, immutable')
      else if (NEVER_CACHED.test(path)) res.header('cache-control', 'no-cache')
      else res.header('cache-control', 'public, max-age=3600')
    },
  })
  app.get('/', (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'))
}

export function wantsAppShell(method: string, url: string, accept: string | undefined): boolean {
  return method === 'GET' && !url.startsWith('/api/') && (accept ?? '').includes('text/html')
}

import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface AppConfig {
  dataDir: string
  databaseUrl?: string | undefined
  sessionSecret: string
  /** Load seeds/ into an empty database on start. */
  seedDemoData: boolean
  seedDir: string
  /** The built PWA; not served when absent (API-only tests). */
  staticDir?: string | undefined
  logger?: boolean
  /** Behind a reverse proxy, trust X-Forwarded-For for the client's address (login throttling). */
  trustProxy?: boolean
  /** The origin browsers use (https://…), for WebAuthn; derived from each request when absent. */
  publicOrigin?: string | undefined
  /**
   * Warnings and overviews (issue 13) computed again on their own: a second after a change in a branch and
   * when the day changes (default). Off, they are computed at start and when `app.supervision.refresh` is
   * called: tests see only the writes they ask for.
   */
  supervisionTriggers?: boolean
}

/** Reads the environment of a real run: PORT, HOST, DATA_DIR, DATABASE_URL, SESSION_SECRET, SEED_DEMO_DATA, STATIC_DIR, TRUST_PROXY, PUBLIC_ORIGIN. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig & { port: number; host: string } {
  const dataDir = resolve(env.DATA_DIR ?? join(PROJECT_ROOT, 'data'))
  return {
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    sessionSecret: env.SESSION_SECRET || persistentSecret(dataDir),
    seedDemoData: !['0', 'false', 'no'].includes((env.SEED_DEMO_DATA ?? '1').toLowerCase()),
    seedDir: join(PROJECT_ROOT, 'seeds'),
    staticDir: resolve(env.STATIC_DIR ?? join(PROJECT_ROOT, 'dist')),
    logger: true,
    trustProxy: env.TRUST_PROXY === '1',
    publicOrigin: env.PUBLIC_ORIGIN || undefined,
  }
}

/** Without SESSION_SECRET, one is made once and kept in DATA_DIR so a restart keeps everyone signed in. */
function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export interface Postgres {
  url: string
  /** Where it came from, for the report. */
  source: 'BENCH_DATABASE_URL' | 'throwaway cluster'
  stop: () => void
}

// The same approach as tests/server/postgres.global.ts, without vitest: Debian's postgresql package,
// a throwaway cluster in a temp dir, run as the `postgres` user when we are root.

function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a))
  return versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')))
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** BENCH_DATABASE_URL, else a throwaway cluster; `{ skipped: reason }` when neither can be had. */
export async function startPostgres(env: NodeJS.ProcessEnv = process.env): Promise<Postgres | { skipped: string }> {
  if (env.BENCH_DATABASE_URL) return { url: env.BENCH_DATABASE_URL, source: 'BENCH_DATABASE_URL', stop: () => {} }
  const bin = findPostgresBin()
  if (!bin) return { skipped: 'no BENCH_DATABASE_URL and no /usr/lib/postgresql/*/bin/initdb' }

  const dir = mkdtempSync(join(tmpdir(), 'djy-bench-pg-'))
  const asRoot = process.getuid?.() === 0
  // PostgreSQL refuses to run as root; the package's own `postgres` user runs it then.
  const command = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args]
  const run = (cmd: string, args: string[]) => execFileSync(...command(cmd, args), { stdio: 'pipe' })
  const data = join(dir, 'data')
  const stop = () => {
    spawnSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']), { stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    if (asRoot) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim())
      chownSync(dir, id('-u'), id('-g'))
    }
    const port = await freePort()
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
    run('pg_ctl', [
      '-D',
      data,
      '-w',
      '-l',
      join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ])
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, source: 'throwaway cluster', stop }
  } catch (error) {
    stop()
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
    return { skipped: `could not start a throwaway cluster: ${stderr || String(error)}` }
  }
}

/** A fresh, empty database on the cluster `url` points at, so a bench run starts from nothing; `drop` removes it. */
export async function createDatabase(url: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(query)
    } finally {
      await client.end()
    }
  }
  await admin(`create database ${name}`)
  const fresh = new URL(url)
  fresh.pathname = `/${name}`
  return { url: fresh.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) }
}

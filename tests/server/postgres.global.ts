import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null
  }
}

function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a))
  return versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')))
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/**
 * Server tests run on SQLite always and on PostgreSQL whenever one can be had: TEST_DATABASE_URL, or a
 * throwaway cluster started here from Debian's postgresql package. REQUIRE_POSTGRES=1 (CI) makes its
 * absence a failure instead of a note.
 */
export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL ?? null
  let stop: (() => void) | undefined
  const bin = url ? undefined : findPostgresBin()
  if (!url && bin) {
    const dir = mkdtempSync(join(tmpdir(), 'djy-pg-'))
    const asRoot = process.getuid?.() === 0
    // PostgreSQL refuses to run as root; the package's own `postgres` user runs it then.
    const run = (cmd: string, args: string[]) =>
      asRoot
        ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
        : execFileSync(join(bin, cmd), args, { stdio: 'pipe' })
    if (asRoot)
      chownSync(
        dir,
        Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
        Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
      )
    const port = await freePort()
    run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync'])
    run('pg_ctl', [
      '-D',
      join(dir, 'data'),
      '-w',
      '-l',
      join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ])
    url = `postgres://postgres@127.0.0.1:${port}/postgres`
    stop = () => {
      spawnSync(
        asRoot ? 'runuser' : join(bin, 'pg_ctl'),
        asRoot
          ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', 'stop']
          : ['-D', join(dir, 'data'), '-m', 'immediate', 'stop'],
      )
      rmSync(dir, { recursive: true, force: true })
    }
  }
  if (!url && process.env.REQUIRE_POSTGRES === '1') {
    throw new Error('REQUIRE_POSTGRES=1 but no PostgreSQL: install the postgresql package or set TEST_DATABASE_URL')
  }
  console.log(
    url
      ? `server tests: SQLite and PostgreSQL (${url.replace(/:[^:@/]*@/, ':***@')})`
      : 'server tests: SQLite only (no PostgreSQL found; set TEST_DATABASE_URL or install postgresql)',
  )
  project.provide('postgresUrl', url)
  return () => stop?.()
}

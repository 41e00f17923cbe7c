import { spawn, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import type { TestProject } from 'vitest/node'
import { PROJECT_ROOT } from '~/server/config'

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
    staticDir: string
    /** The server's SQLite data directory: for a test that must set up what no API can (last month's points). */
    dataDir: string
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Starts the real server (`src/server/main.ts`) on the built PWA, on a fresh SQLite database with the demo data. */
export default async function setup(project: TestProject) {
  // E2E_DIST: a build elsewhere, so several checkouts' e2e runs don't rebuild one `dist` under each other.
  const dist = process.env.E2E_DIST ?? join(PROJECT_ROOT, 'dist')
  if (!existsSync(join(dist, 'index.html'))) {
    execFileSync('npx', ['vite', 'build', '--outDir', dist], { cwd: PROJECT_ROOT, stdio: 'inherit' })
  }
  const work = mkdtempSync(join(tmpdir(), 'djy-e2e-'))
  // A copy of the build, so a test can publish a "new version" of the service worker.
  const staticDir = join(work, 'dist')
  cpSync(dist, staticDir, { recursive: true })
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: join(work, 'data'), STATIC_DIR: staticDir, DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const baseUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    const ok = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) throw new Error('server did not start within 60 s')
    await new Promise((r) => setTimeout(r, 200))
  }
  project.provide('baseUrl', baseUrl)
  project.provide('staticDir', staticDir)
  project.provide('dataDir', join(work, 'data'))
  return async () => {
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
    rmSync(work, { recursive: true, force: true })
  }
}

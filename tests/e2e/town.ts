// A town of its own for an e2e file: the real server (`src/server/main.ts`) on a fresh SQLite database in a
// temporary folder, serving the built app. Files that change the demo town's people (move, end, import)
// use one, so the files that read the shared server's demo data never see their changes.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROJECT_ROOT } from '~/server/config'

export interface OwnTown {
  baseUrl: string
  /** `npm run admin -- …` against this town's database, as the town committee runs it; resolves with its output. */
  admin(args: string[]): Promise<string>
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Starts a town with the demo data (`demoData: true`) or an empty one, as a town starting for real. */
export async function startTown(staticDir: string, options: { demoData: boolean }): Promise<OwnTown> {
  const work = mkdtempSync(join(tmpdir(), options.demoData ? 'djy-e2e-town-' : 'djy-e2e-empty-'))
  const env = {
    ...process.env,
    DATA_DIR: join(work, 'data'),
    DATABASE_URL: '',
    SEED_DEMO_DATA: options.demoData ? '1' : '0',
    STATIC_DIR: staticDir,
  }
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGTERM')
      await exited
    }
    rmSync(work, { recursive: true, force: true })
  }
  const deadline = Date.now() + 60_000
  while (
    !(await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    const failure =
      server.exitCode !== null ? `server exited with ${server.exitCode}` : Date.now() > deadline ? 'server did not start within 60 s' : ''
    if (failure) {
      await stop()
      throw new Error(failure)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const admin = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], { cwd: PROJECT_ROOT, env }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    )
  return { baseUrl, admin, stop }
}

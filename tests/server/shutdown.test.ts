import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '~/server/config'
import { SQLITE_FILE } from '~/server/db'
import { DEMO } from './helpers'

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/**
 * Starts the server with `command`, sends a login (a scrypt run: long enough to signal the server while it is
 * still being answered), signals the server as `kill` says, and returns what happened.
 */
async function stopDuringLogin(command: string, args: string[], dataDir: string, kill: (child: ChildProcess) => void) {
  const port = await freePort()
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      STATIC_DIR: join(dataDir, 'no-build'),
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a terminal or a supervisor starts it (so it can be signalled as a group).
    detached: true,
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
      const deadline = Date.now() + 30_000
      while (!(await condition())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    const base = `http://127.0.0.1:${port}`
    await until(
      () =>
        fetch(`${base}/api/health`).then(
          (r) => r.ok,
          () => false,
        ),
      'the server to start',
    )
    expect(output).toContain(`http://localhost:${port}`)

    const inFlight = fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: DEMO.member, password: DEMO.password }),
    })
    await until(() => output.includes('"url":"/api/auth/login"'), 'the login to arrive')
    kill(child)

    const response = await inFlight
    return { response, exitCode: await exited, output: () => output }
  } finally {
    // Never leave a server behind, whatever failed.
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL')
  }
}

describe('the real server process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'djy-main-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('finishes a request in flight on SIGTERM, then closes the database and exits 0', async () => {
    const { response, exitCode, output } = await stopDuringLogin(
      process.execPath,
      ['--import', 'tsx', 'src/server/main.ts'],
      dataDir,
      (child) => child.kill('SIGTERM'),
    )
    expect(response.status).toBe(200)
    expect(((await response.json()) as { user: { phone: string } }).user.phone).toBe(DEMO.member)
    expect(exitCode).toBe(0)
    expect(output()).toContain('SIGTERM')
    // SQLite folds its write-ahead log back into the file only when the last connection closes cleanly.
    expect(existsSync(join(dataDir, SQLITE_FILE))).toBe(true)
    expect(existsSync(join(dataDir, `${SQLITE_FILE}-wal`))).toBe(false)
  }, 60_000)

  // The README's command: `npm run serve` (npm start is the same after its build).
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  it.each([
    ['its whole process group (a terminal, systemd, docker)', (child: ChildProcess) => process.kill(-child.pid!, 'SIGTERM')],
    ['npm alone (which passes it on)', (child: ChildProcess) => child.kill('SIGTERM')],
  ])(
    'stops gracefully under `npm run serve` when SIGTERM reaches %s',
    async (_name, kill) => {
      const { response, exitCode, output } = await stopDuringLogin(npm, ['run', 'serve'], dataDir, kill)
      expect(response.status).toBe(200)
      expect(((await response.json()) as { user: { phone: string } }).user.phone).toBe(DEMO.member)
      // npm's exit code is the server's.
      expect(exitCode).toBe(0)
      expect(output()).toContain('SIGTERM')
      expect(existsSync(join(dataDir, `${SQLITE_FILE}-wal`))).toBe(false)
    },
    90_000,
  )
})

// PostgreSQL drops the server's connections (a database restart, a failover, an administrator, an idle
// timeout): the server must neither crash nor go deaf to changes. Only on PostgreSQL; SQLite is in-process.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import pg from 'pg'
import { DEMO, databases, login, startServer, type TestServer } from '../server/helpers'
import { closeServer, rig } from './kit'

/** Ends every connection the server holds to its database, as a PostgreSQL restart would. */
async function terminateConnections(server: TestServer): Promise<number> {
  const name = new URL(server.config.databaseUrl!).pathname.slice(1)
  const admin = new pg.Client({ connectionString: inject('postgresUrl') ?? '' })
  await admin.connect()
  try {
    const { rowCount } = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    )
    return rowCount ?? 0
  } finally {
    await admin.end()
  }
}

/** Collects what would crash a real server process: errors nobody handled. */
function catchUncaught() {
  const errors: unknown[] = []
  const listener = (error: unknown) => errors.push(error)
  process.on('uncaughtException', listener)
  return { errors, stop: () => process.off('uncaughtException', listener) }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.runIf(databases.includes('postgres'))('the server when PostgreSQL drops its connections', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer('postgres')
  })
  afterAll(() => closeServer(server))

  it('keeps syncing without an uncaught error after PostgreSQL terminated the server’s connections', async () => {
    const phone = await rig(() => server.app, DEMO.member, 'u-66hr2jf7sv8n')
    const uncaught = catchUncaught()
    try {
      await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '杭州' })
      await phone.engine.sync()
      expect(await terminateConnections(server)).toBeGreaterThan(0)
      await settle(300)

      await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '上海' })
      expect(await phone.engine.sync()).toEqual({ applied: 1, rejected: [] })
      expect(await phone.db.members.get('u-66hr2jf7sv8n')).toMatchObject({ status: 'away', awayCity: '上海' })
      await settle(100)
      expect(uncaught.errors.map(String)).toEqual([])
    } finally {
      uncaught.stop()
      await phone.close()
    }
  })

  it('still pokes a secretary’s event stream after PostgreSQL terminated the server’s connections', async () => {
    const uncaught = catchUncaught()
    const phone = await rig(() => server.app, DEMO.member, 'u-66hr2jf7sv8n')
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' })
    const controller = new AbortController()
    try {
      await terminateConnections(server)
      await settle(300)
      const secretary = await login(server.app, DEMO.secretary)
      const response = await fetch(`${address}/api/events`, { headers: { cookie: secretary }, signal: controller.signal })
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      let received = ''
      const waitFor = async (event: string, ms: number) => {
        const deadline = Date.now() + ms
        while (!received.includes(`event: ${event}\n`) && Date.now() < deadline) {
          const chunk = await Promise.race([reader.read(), settle(deadline - Date.now()).then(() => null)])
          if (chunk && !chunk.done) received += decoder.decode(chunk.value)
          if (chunk?.done) break
        }
        return received.includes(`event: ${event}\n`)
      }
      expect(await waitFor('ready', 5000)).toBe(true)

      await phone.engine.enqueue('profile.update', { status: 'home' })
      expect(await phone.engine.sync()).toEqual({ applied: 1, rejected: [] })

      expect(await waitFor('poke', 3000), `events received: ${JSON.stringify(received)}`).toBe(true)
    } finally {
      controller.abort()
      uncaught.stop()
      await phone.close()
    }
  })
})

import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { inject } from 'vitest'
import { startServer, DEMO, login } from '../server/helpers'

describe.runIf(inject('postgresUrl'))('scratch', () => {
  it('server survives pg terminating idle connections', async () => {
    const server = await startServer('postgres')
    const uncaught: unknown[] = []
    const onErr = (e: unknown) => uncaught.push(e)
    process.on('uncaughtException', onErr)
    try {
      await login(server.app, DEMO.member)
      const dbName = new URL(server.config.databaseUrl!).pathname.slice(1)
      const admin = new pg.Client({ connectionString: inject('postgresUrl')! })
      await admin.connect()
      const r = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName])
      await admin.end()
      console.log('terminated', r.rowCount)
      await new Promise((r) => setTimeout(r, 500))
      console.log('uncaught', uncaught.map((e) => String(e)))
      const res = await server.app.inject({ url: '/api/health' })
      console.log('health after', res.statusCode)
    } finally {
      process.off('uncaughtException', onErr)
      await server.close().catch((e) => console.log('close err', String(e)))
    }
    expect(uncaught).toEqual([])
  })
})

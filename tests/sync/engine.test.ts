import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from '../server/helpers'
import { pullAll } from '../server/sync-helpers'
import { device } from './harness'
import { META_KEYS } from '~/app/constants'

describe.each(databases)('the app sync engine against the server on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  it('pulls the roster, pushes a status change, and ends with the server’s row and an empty outbox', async () => {
    const phone = await device(() => server.app, DEMO.member, 'u-66hr2jf7sv8n')
    try {
      await phone.engine.sync()
      expect(await phone.db.members.count()).toBe(12)
      await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '杭州' })
      expect(await phone.db.outbox.count()).toBe(1)
      const outcome = await phone.engine.sync()
      expect(outcome).toEqual({ applied: 1, rejected: [] })
      expect(await phone.db.outbox.count()).toBe(0)
      expect(await phone.db.members.get('u-66hr2jf7sv8n')).toMatchObject({ status: 'away', awayCity: '杭州' })
      expect(await phone.db.getMeta(META_KEYS.lastSyncedAt)).toBeTruthy()
      const secretaryView = await pullAll(server.app, await login(server.app, DEMO.secretary), 'c_secretaryview1')
      expect(secretaryView.rows.get('members/u-66hr2jf7sv8n')).toMatchObject({ status: 'away', awayCity: '杭州' })
    } finally {
      await phone.close()
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Me } from '~/domain/users'
import { embedsPhone } from '~/server/services/userIds'
import { FIXTURE_PASSWORD, insertBranch, insertMembers, insertTown } from '../fixtures/town'
import { databases, login, startServer, type TestServer } from './helpers'

describe.each(databases)('the hand-built town fixture on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind, { seedDemoData: false })
  })
  afterAll(async () => {
    await server.close()
  })

  it('builds a town, two branches and members with opaque ids who can sign in', async () => {
    const { ids, users } = await server.withDb(async (db) => {
      const town = await insertTown(db)
      const second = { id: 'b-second', name: '第二村', kind: 'community' } as const
      const branches = [await insertBranch(db, town), await insertBranch(db, town, second)]
      const secretaryFirst = (i: number) => (i === 0 ? { role: 'secretary' as const } : {})
      const ids = await insertMembers(db, 5, { branchId: (i) => branches[i % 2]!, firstPhone: '13600000000', with: secretaryFirst })
      const more = await insertMembers(db, 2, { branchId: 'b-second', firstPhone: '13600000100' })
      const users = await db.selectFrom('users').select(['id', 'phone', 'branch_id', 'role']).orderBy('phone').execute()
      return { ids: [...ids, ...more], users }
    })
    expect(ids).toHaveLength(7)
    expect(new Set(ids).size).toBe(7)
    expect(users.map((u) => u.id)).toEqual(ids)
    for (const user of users) {
      expect(user.id).toMatch(/^u-[2-9a-km-np-z]{12}$/)
      expect(embedsPhone(user)).toBe(false)
    }
    const phones = ['13600000000', '13600000001', '13600000002', '13600000003', '13600000004', '13600000100', '13600000101']
    expect(users.map((u) => u.phone)).toEqual(phones)
    expect(users.map((u) => u.branch_id)).toEqual(['b-test', 'b-second', 'b-test', 'b-second', 'b-test', 'b-second', 'b-second'])
    expect(users.map((u) => u.role)).toEqual(['secretary', 'member', 'member', 'member', 'member', 'member', 'member'])

    const cookie = await login(server.app, '13600000000', FIXTURE_PASSWORD)
    const me = (await server.app.inject({ url: '/api/me', headers: { cookie } })).json<Me>()
    expect(me.user).toMatchObject({ id: ids[0], role: 'secretary', name: '党员0' })
  })
})

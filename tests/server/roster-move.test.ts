// 组织关系转接 on the server (issue 12): member.move on the demo town (who sees what after it, what stays
// with the member, the refusals), on SQLite and PostgreSQL. The move's safe order is roster-move-order.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REJECTIONS } from '~/domain/sync'
import { dayInShanghai } from '~/domain/calendar'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pull, pullAll } from './sync-helpers'
import { ADMIN_ID, JINJIWO, outcome, send } from './roster-helpers'

describe.each(databases)('moving a member between branches on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  let otherSecretary: string

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
    otherSecretary = await login(server.app, JINJIWO.secretaryPhone)
  })
  afterAll(() => server.close())

  const count = (table: 'attendance' | 'households', id: string) =>
    server.withDb(async (db) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('member_id', '=', id)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    )

  it('takes the member from the old branch’s devices to the new one’s; their own rows, points and attendance stay', async () => {
    const phone = '13800000010' // 许光荣, 党员中心户 of 合兴村
    const id = demoUserId(phone)
    expect(
      outcome(
        await send(server.app, admin, 'group.save', {
          groupId: 'g-move',
          branchId: 'b-hexing',
          name: '第二党小组',
          leaderId: id,
          memberIds: [id],
        }),
      ),
    ).toBe('applied')
    const own = await login(server.app, phone)
    const [ownDevice, oldDevice, newDevice] = [clientId(), clientId(), clientId()]
    const ownBefore = await pullAll(server.app, own, ownDevice)
    const oldBefore = await pullAll(server.app, secretary, oldDevice)
    const newBefore = await pullAll(server.app, otherSecretary, newDevice)
    expect(newBefore.members.some((m) => m.id === id)).toBe(false)
    const kept = { households: await count('households', id), attendance: await count('attendance', id) }
    expect(kept.households).toBeGreaterThan(0)
    expect(kept.attendance).toBeGreaterThan(0)

    expect(outcome(await send(server.app, admin, 'member.move', { memberId: id, toBranchId: 'b-jinjiwo', note: '随子女迁居' }))).toBe(
      'applied',
    )

    // The old branch's secretary loses the row (and the group loses its leader); the new one's gets it.
    const oldChanges = (await pull(server.app, secretary, oldDevice, oldBefore.cursor)).changes
    expect(oldChanges).toContainEqual({ table: 'members', id, op: 'delete' })
    expect(oldChanges.find((c) => c.table === 'party_groups')?.row).toMatchObject({ id: 'g-move', leaderId: null })
    expect((await pullAll(server.app, secretary, clientId())).members.some((m) => m.id === id)).toBe(false)
    const newChanges = (await pull(server.app, otherSecretary, newDevice, newBefore.cursor)).changes
    expect(newChanges.find((c) => c.id === id)).toMatchObject({
      op: 'put',
      row: { branchId: 'b-jinjiwo', role: 'member', partyGroupId: null, loginPhone: phone },
    })
    // The member's own device: its cursor names a branch it no longer sees, so it starts again.
    const ownAfter = await pullAll(server.app, own, ownDevice, ownBefore.cursor)
    expect(ownAfter.reset).toBe(true)
    expect(ownAfter.members.find((m) => m.id === id)?.branchId).toBe('b-jinjiwo')
    expect(new Set(ownAfter.members.map((m) => m.branchId))).toEqual(new Set(['b-jinjiwo', null]))
    expect([...ownAfter.rows.keys()].filter((key) => key.startsWith('households/')).length).toBe(kept.households)
    expect({ households: await count('households', id), attendance: await count('attendance', id) }).toEqual(kept)

    const entry = await server.withDb((db) =>
      db.selectFrom('audit_log').selectAll().where('target_id', '=', id).where('action', '=', 'member.move').executeTakeFirstOrThrow(),
    )
    expect(entry).toMatchObject({ actor_id: ADMIN_ID, branch_id: 'b-hexing' })
    expect(JSON.parse(entry.detail_json)).toEqual({
      branchId: ['b-hexing', 'b-jinjiwo'],
      note: '随子女迁居',
      partyGroupId: ['g-move', null],
    })
  })

  it('moves a secretary as a member: their rights and meeting keys stay with the old branch', async () => {
    const phone = '13800000103' // 陈海涛, 流洞社区's secretary
    const id = demoUserId(phone)
    const cookie = await login(server.app, phone)
    const keys = () =>
      server.withDb((db) =>
        db
          .selectFrom('sync_rows')
          .select('op')
          .distinct()
          .where('scope', '=', `user:${id}`)
          .where('table_name', '=', 'meeting_keys')
          .execute(),
      )
    expect(await keys()).toEqual([{ op: 'put' }])
    expect(outcome(await send(server.app, admin, 'member.move', { memberId: id, toBranchId: 'b-dongting', note: null }))).toBe('applied')
    expect(await keys()).toEqual([{ op: 'delete' }])
    // The same session, its next request: a member of 东亭村 now.
    const group = { groupId: 'g-after-move', branchId: 'b-dongting', name: '新小组', leaderId: null, memberIds: [] }
    expect(await send(server.app, cookie, 'group.save', group)).toMatchObject({ code: 'forbidden', message: REJECTIONS.forbidden })
  })

  it('refuses a move to the same branch, to an archived or unknown one, of an ended member or the admin, and from a secretary', async () => {
    const id = demoUserId('13800000002')
    const move = (toBranchId: string, memberId = id) => ({ memberId, toBranchId, note: null })
    expect(
      outcome(
        await send(server.app, admin, 'branch.save', { branchId: 'b-old', name: '旧社区党支部', place: '旧社区', kind: 'community' }),
      ),
    ).toBe('applied')
    expect(outcome(await send(server.app, admin, 'branch.archive', { branchId: 'b-old', archived: true }))).toBe('applied')
    expect(await send(server.app, admin, 'member.move', move('b-hexing'))).toMatchObject({ code: 'same_branch' })
    expect(await send(server.app, admin, 'member.move', move('b-old'))).toMatchObject({
      code: 'branch_archived',
      message: '转入的支部已归档',
    })
    expect(await send(server.app, admin, 'member.move', move('b-nowhere'))).toMatchObject({
      code: 'not_found',
      message: '找不到转入的支部',
    })
    expect(await send(server.app, admin, 'member.move', move('b-jinjiwo', ADMIN_ID))).toMatchObject({ code: 'forbidden' })
    expect(await send(server.app, admin, 'member.move', move('b-jinjiwo', 'u-nobody00000'))).toMatchObject({ code: 'not_found' })
    expect(await send(server.app, secretary, 'member.move', move('b-jinjiwo'))).toMatchObject({
      code: 'forbidden',
      message: REJECTIONS.forbidden,
    })
    const ended = demoUserId('13800000004')
    expect(
      outcome(await send(server.app, admin, 'member.end', { memberId: ended, reason: 'other', on: dayInShanghai(new Date()), note: null })),
    ).toBe('applied')
    expect(await send(server.app, admin, 'member.move', move('b-jinjiwo', ended))).toMatchObject({ code: 'already_ended' })
    expect(
      (await server.withDb((db) => db.selectFrom('users').select('branch_id').where('id', '=', id).executeTakeFirstOrThrow())).branch_id,
    ).toBe('b-hexing')
  })
})

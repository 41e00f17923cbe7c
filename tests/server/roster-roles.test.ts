// Roles, branches and 党小组 on the server (issue 12): member.role with the meeting keys that follow it,
// branch.save / branch.archive, group.save / group.archive, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REJECTIONS } from '~/domain/sync'
import { dayInShanghai } from '~/domain/calendar'
import type { MutationName } from '~/domain/mutations'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pull, pullAll } from './sync-helpers'
import { exampleArgs } from './mutation-examples'
import { ADMIN_ID, HEXING, JINJIWO, memberForm, outcome, send } from './roster-helpers'

const ROSTER_MUTATIONS: MutationName[] = [
  'member.save',
  'member.end',
  'member.move',
  'member.role',
  'branch.save',
  'branch.archive',
  'group.save',
  'group.archive',
]

describe.each(databases)('roles, branches and 党小组 on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  let otherSecretary: string
  let member: string

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
    otherSecretary = await login(server.app, JINJIWO.secretaryPhone)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  const user = (id: string) => server.withDb((db) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const openKeys = (branchId: string) =>
    server.withDb(async (db) =>
      (
        await db
          .selectFrom('meetings')
          .innerJoin('meeting_keys', 'meeting_keys.meeting_id', 'meetings.id')
          .select('meetings.id')
          .where('branch_id', '=', branchId)
          .where('status', '=', 'scheduled')
          .orderBy('meetings.id')
          .execute()
      ).map((m) => m.id),
    )
  const tableOf = (rows: Map<string, unknown>, table: string) =>
    [...rows].filter(([key]) => key.startsWith(`${table}/`)).map(([, row]) => row)

  it('gives a new secretary the keys of the branch’s open meetings at once, and the rights', async () => {
    const phone = '13800000002'
    const id = demoUserId(phone)
    const cookie = await login(server.app, phone)
    const device = clientId()
    const before = await pullAll(server.app, cookie, device)
    expect(tableOf(before.rows, 'meeting_keys')).toEqual([])
    const open = await openKeys('b-hexing')
    expect(open.length).toBeGreaterThan(0)

    expect(outcome(await send(server.app, admin, 'member.role', { memberId: id, role: 'secretary' }))).toBe('applied')
    const after = await pullAll(server.app, cookie, device, before.cursor)
    expect(tableOf(after.rows, 'meeting_keys').map((k) => (k as { id: string }).id)).toEqual(open)
    expect(after.members.find((m) => m.id === id)).toMatchObject({ role: 'secretary', committeePost: 'secretary' })
    // Several secretaries: the first keeps their rights; the new one has them on the same session.
    expect((await user(HEXING.secretary)).role).toBe('secretary')
    const group = { groupId: 'g-by-new', branchId: 'b-hexing', name: '新书记的小组', leaderId: null, memberIds: [] }
    expect(outcome(await send(server.app, cookie, 'group.save', group))).toBe('applied')

    const entry = await server.withDb((db) =>
      db.selectFrom('audit_log').selectAll().where('target_id', '=', id).where('action', '=', 'member.role').executeTakeFirstOrThrow(),
    )
    expect(entry).toMatchObject({ actor_id: ADMIN_ID, branch_id: 'b-hexing' })
    // A branch secretary is the committee's 书记.
    expect(JSON.parse(entry.detail_json)).toEqual({ role: ['member', 'secretary'], committeePost: [null, 'secretary'] })
  })

  it('takes keys and rights from a removed secretary on their next request', async () => {
    const id = demoUserId('13800000002')
    const cookie = await login(server.app, '13800000002')
    const device = clientId()
    const before = await pullAll(server.app, cookie, device)
    expect(tableOf(before.rows, 'meeting_keys').length).toBeGreaterThan(0)

    expect(outcome(await send(server.app, admin, 'member.role', { memberId: id, role: 'member' }))).toBe('applied')
    // The branch's office: scope (issue 13: its warnings, notices and overview) is theirs no longer, so the
    // device starts again (a reset), and holds none of the keys afterwards.
    expect((await pull(server.app, cookie, device, before.cursor)).reset).toBe(true)
    const after = await pullAll(server.app, cookie, device, before.cursor)
    expect(after.members.find((m) => m.id === id)).toMatchObject({ role: 'member', committeePost: null })
    expect(tableOf(after.rows, 'meeting_keys')).toEqual([])
    expect(await openKeys('b-hexing')).not.toEqual([])
    // The same session, still signed in: a secretary's mutation is refused by the role it now has.
    const group = { groupId: 'g-after-removal', branchId: 'b-hexing', name: '不该建的小组', leaderId: null, memberIds: [] }
    expect(await send(server.app, cookie, 'group.save', group)).toMatchObject({ code: 'forbidden', message: REJECTIONS.forbidden })
    expect(await send(server.app, cookie, 'member.save', memberForm())).toMatchObject({ code: 'forbidden', message: REJECTIONS.forbidden })
  })

  it('refuses a role unchanged, the admin’s account, an ended member, and anyone but the admin', async () => {
    const id = HEXING.members[2]!
    expect(await send(server.app, admin, 'member.role', { memberId: id, role: 'member' })).toMatchObject({ code: 'unchanged' })
    expect(await send(server.app, admin, 'member.role', { memberId: HEXING.secretary, role: 'secretary' })).toMatchObject({
      code: 'unchanged',
    })
    expect(await send(server.app, admin, 'member.role', { memberId: ADMIN_ID, role: 'member' })).toMatchObject({ code: 'forbidden' })
    expect(await send(server.app, secretary, 'member.role', { memberId: id, role: 'secretary' })).toMatchObject({
      code: 'forbidden',
      message: REJECTIONS.forbidden,
    })
    const ended = demoUserId('13800000009')
    expect(
      outcome(await send(server.app, admin, 'member.end', { memberId: ended, reason: 'other', on: dayInShanghai(new Date()), note: null })),
    ).toBe('applied')
    expect(await send(server.app, admin, 'member.role', { memberId: ended, role: 'secretary' })).toMatchObject({ code: 'already_ended' })
  })

  it('creates, renames and archives a branch; every device sees its row; a branch with members stays', async () => {
    const device = clientId()
    const before = await pullAll(server.app, member, device)
    const branch = { branchId: 'b-new', name: '新村党支部', place: '新村', kind: 'village' as const }
    expect(outcome(await send(server.app, admin, 'branch.save', branch))).toBe('applied')
    expect(outcome(await send(server.app, admin, 'branch.save', { ...branch, name: '新丰村党支部', place: '新丰村' }))).toBe('applied')
    const seen = await pullAll(server.app, member, device, before.cursor)
    expect(seen.branches.find((b) => (b as { id: string }).id === 'b-new')).toEqual({
      id: 'b-new',
      name: '新丰村党支部',
      place: '新丰村',
      kind: 'village',
      archivedAt: null,
    })
    // The admin's devices see the new branch's scope from now on.
    expect(outcome(await send(server.app, admin, 'member.save', memberForm({ branchId: 'b-new' })))).toBe('applied')
    expect((await pullAll(server.app, admin, clientId())).members.some((m) => m.branchId === 'b-new')).toBe(true)

    expect(await send(server.app, admin, 'branch.save', { ...branch, branchId: 'b-other', name: '合兴村党支部' })).toMatchObject({
      code: 'branch_name_taken',
    })
    expect(await send(server.app, admin, 'branch.archive', { branchId: 'b-hexing', archived: true })).toMatchObject({
      code: 'branch_not_empty',
      message: '支部还有党员，请先转出',
    })
    expect(await send(server.app, admin, 'branch.archive', { branchId: 'b-new', archived: true })).toMatchObject({
      code: 'branch_not_empty',
    })
    const [newcomer] = (await pullAll(server.app, admin, clientId())).members.filter((m) => m.branchId === 'b-new')
    const today = dayInShanghai(new Date())
    expect(
      outcome(await send(server.app, admin, 'member.end', { memberId: newcomer!.id, reason: 'transfer_out', on: today, note: null })),
    ).toBe('applied')
    // Only ended memberships left: it can go.
    expect(outcome(await send(server.app, admin, 'branch.archive', { branchId: 'b-new', archived: true }))).toBe('applied')
    expect(await send(server.app, admin, 'branch.archive', { branchId: 'b-new', archived: true })).toMatchObject({
      code: 'already_archived',
    })
    const archived = await pull(server.app, member, device, seen.cursor)
    expect(archived.changes.find((c) => c.id === 'b-new')?.row).toMatchObject({ archivedAt: expect.any(String) })
    expect(outcome(await send(server.app, admin, 'branch.archive', { branchId: 'b-new', archived: false }))).toBe('applied')
    expect(await send(server.app, admin, 'branch.archive', { branchId: 'b-new', archived: false })).toMatchObject({ code: 'not_archived' })
    expect(await send(server.app, admin, 'branch.archive', { branchId: 'b-nowhere', archived: true })).toMatchObject({ code: 'not_found' })

    const entries = await server.withDb((db) =>
      db.selectFrom('audit_log').select(['action', 'detail_json']).where('target_id', '=', 'b-new').execute(),
    )
    expect(entries.map((e) => e.action).sort()).toEqual(['branch.archive', 'branch.create', 'branch.restore', 'branch.update'])
    const renamed = entries.find((e) => e.action === 'branch.update')!
    expect(JSON.parse(renamed.detail_json)).toEqual({ name: ['新村党支部', '新丰村党支部'], place: ['新村', '新丰村'] })
  })

  it('sets up 党小组: members move between groups, a leader leaving one stops leading it, archived groups let go', async () => {
    const [a, b, c, d] = HEXING.members as [string, string, string, string]
    const group = (groupId: string, name: string, leaderId: string | null, memberIds: string[]) => ({
      groupId,
      branchId: 'b-hexing',
      name,
      leaderId,
      memberIds,
    })
    const device = clientId()
    const before = await pullAll(server.app, secretary, device)
    expect(outcome(await send(server.app, secretary, 'group.save', group('g-1', '第一党小组', a, [a, b])))).toBe('applied')
    expect(outcome(await send(server.app, secretary, 'group.save', group('g-2', '第二党小组', c, [c, d])))).toBe('applied')
    // c joins the first group: leaves the second, which loses its leader.
    expect(outcome(await send(server.app, secretary, 'group.save', group('g-1', '第一党小组', a, [a, c])))).toBe('applied')
    const seen = await pullAll(server.app, secretary, device, before.cursor)
    const groupOf = (id: string) => seen.members.find((m) => m.id === id)?.partyGroupId
    expect([groupOf(a), groupOf(b), groupOf(c), groupOf(d)]).toEqual(['g-1', null, 'g-1', 'g-2'])
    expect(tableOf(seen.rows, 'party_groups')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'g-1', branchId: 'b-hexing', leaderId: a, archivedAt: null }),
        expect.objectContaining({ id: 'g-2', leaderId: null }),
      ]),
    )
    // Another branch's devices don't see them.
    const other = await pullAll(server.app, otherSecretary, clientId())
    expect(tableOf(other.rows, 'party_groups').some((g) => (g as { id: string }).id === 'g-1')).toBe(false)
    const details = await server.withDb((db) => db.selectFrom('audit_log').select('detail_json').where('target_id', '=', 'g-1').execute())
    expect(details.map((d) => JSON.parse(d.detail_json) as unknown)).toEqual(
      expect.arrayContaining([
        { name: [null, '第一党小组'], leaderId: [null, a], added: [a, b] },
        { added: [c], removed: [b] },
      ]),
    )

    // The member form may name a group of the branch.
    const newcomer = memberForm({ partyGroupId: 'g-2' })
    expect(outcome(await send(server.app, secretary, 'member.save', newcomer))).toBe('applied')
    expect((await user(newcomer.memberId)).party_group_id).toBe('g-2')

    expect(outcome(await send(server.app, secretary, 'group.archive', { groupId: 'g-2' }))).toBe('applied')
    expect([(await user(d)).party_group_id, (await user(newcomer.memberId)).party_group_id]).toEqual([null, null])
    expect(await send(server.app, secretary, 'group.archive', { groupId: 'g-2' })).toMatchObject({ code: 'already_archived' })
    expect(await send(server.app, secretary, 'group.save', group('g-2', '第二党小组', null, []))).toMatchObject({ code: 'group_archived' })
    expect(await send(server.app, secretary, 'member.save', memberForm({ partyGroupId: 'g-2' }))).toMatchObject({ code: 'invalid_args' })
  })

  it('refuses groups with strangers, a leader outside, a taken name, another branch, or from a member', async () => {
    const [a, b] = HEXING.members as [string, string]
    const group = (over: object) => ({ groupId: 'g-x', branchId: 'b-hexing', name: '第三党小组', leaderId: null, memberIds: [a], ...over })
    const refused = [
      [secretary, group({ memberIds: [a, JINJIWO.member] }), 'invalid_args', '党小组成员须是本支部的在册党员'],
      [secretary, group({ memberIds: [a, demoUserId('13800000009')] }), 'invalid_args', '党小组成员须是本支部的在册党员'],
      [secretary, group({ leaderId: b }), 'invalid_args', '组长须是本小组的成员'],
      [secretary, group({ name: '第一党小组' }), 'group_name_taken', '本支部已有同名的党小组'],
      [otherSecretary, group({}), 'forbidden', '只能管理本支部的党小组'],
      [otherSecretary, group({ groupId: 'g-1', branchId: 'b-jinjiwo', memberIds: [] }), 'forbidden', '只能管理本支部的党小组'],
      [admin, group({ groupId: 'g-1', branchId: 'b-jinjiwo', memberIds: [] }), 'invalid_args', '党小组不能换到其他支部'],
      [member, group({}), 'forbidden', REJECTIONS.forbidden],
    ] as const
    for (const [cookie, args, code, message] of refused)
      expect(await send(server.app, cookie, 'group.save', args), message).toMatchObject({ status: 'rejected', code, message })
    expect(await send(server.app, otherSecretary, 'group.archive', { groupId: 'g-1' })).toMatchObject({ code: 'forbidden' })
    expect(await send(server.app, secretary, 'group.archive', { groupId: 'g-nowhere' })).toMatchObject({ code: 'not_found' })
  })
})

describe.each(databases)('the roster’s examples on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  // The authorization matrix and the property test start from them: they must be arguments that work.
  it('apply on the demo data: the secretary’s where declared, then all of them for the admin in the registry’s order', async () => {
    const admin = await login(server.app, DEMO.admin)
    const secretary = await login(server.app, DEMO.secretary)
    for (const name of ['member.save', 'group.save'] as const)
      expect(outcome(await send(server.app, secretary, name, exampleArgs(name))), name).toBe('applied')
    for (const name of ROSTER_MUTATIONS) expect(outcome(await send(server.app, admin, name, exampleArgs(name))), name).toBe('applied')
  })
})

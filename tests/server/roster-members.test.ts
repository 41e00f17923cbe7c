// A member's record on the server (issue 12): member.save (add, edit, a new login phone, households), with
// every refusal, on SQLite and PostgreSQL. Ending a membership is roster-end.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MemberSaveArgs } from '~/domain/roster'
import { REJECTIONS } from '~/domain/sync'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pull, pullAll } from './sync-helpers'
import { ADMIN_ID, HEXING, JINJIWO, formOf, memberForm, outcome, send } from './roster-helpers'

describe.each(databases)('the roster’s member records on %s', (kind) => {
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
  const auditOf = (id: string) =>
    server.withDb((db) => db.selectFrom('audit_log').selectAll().where('target_id', '=', id).orderBy('at').orderBy('action').execute())
  const auditCount = () =>
    server.withDb(async (db) =>
      Number(
        (
          await db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    )
  const signIn = (phone: string) =>
    server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: DEMO.password } })
  const me = (cookie: string) => server.app.inject({ url: '/api/me', headers: { cookie } })

  it('lets a secretary add a member to their branch: not activated, the whole record on the branch’s devices, audited', async () => {
    const form = memberForm({
      centerHousehold: true,
      status: 'away',
      awayCity: '杭州',
      membership: 'probationary',
      households: [
        { id: 'h-new-1', headName: '林大伯', address: '合兴村二组8号', people: 3 },
        { id: 'h-new-2', headName: '林阿婆', address: '合兴村二组9号', people: 2 },
      ],
    })
    const device = clientId()
    const before = await pullAll(server.app, secretary, device)
    expect(outcome(await send(server.app, secretary, 'member.save', form))).toBe('applied')

    const stored = await user(form.memberId)
    expect(stored).toMatchObject({ role: 'member', branch_id: 'b-hexing', password_hash: '', birth_year: 1986, birth_date: '1986-04-09' })
    expect(stored).toMatchObject({
      membership: 'probationary',
      status: 'away',
      away_city: '杭州',
      contact_phone: form.phone,
      ended_at: null,
    })
    const seen = await pull(server.app, secretary, device, before.cursor)
    expect(seen.changes.find((c) => c.table === 'members')?.row).toMatchObject({
      id: form.memberId,
      name: '林小红',
      branchId: 'b-hexing',
      gender: 'female',
      loginPhone: form.phone,
      birthDate: '1986-04-09',
      joinedPartyOn: '2012-07-01',
      membership: 'probationary',
      partyGroupId: null,
      committeePost: null,
      endedAt: null,
      endReason: null,
    })
    // Households are the member's own: their `user:` scope only, as the board writes them.
    const households = await server.withDb((db) =>
      db
        .selectFrom('sync_rows')
        .select(['scope', 'row_id'])
        .where('table_name', '=', 'households')
        .where('row_id', 'like', 'h-new-%')
        .execute(),
    )
    expect(households.map((h) => h.scope)).toEqual([`user:${form.memberId}`, `user:${form.memberId}`])
    // Another member sees the row without the private fields.
    const other = (await pullAll(server.app, member, clientId())).members.find((m) => m.id === form.memberId)
    expect(other).toMatchObject({ loginPhone: null, birthDate: null, contactPhone: null })
    // Not activated: no password signs in until the account engineer's code is used.
    expect((await signIn(form.phone)).statusCode).toBe(401)
    const [entry] = await auditOf(form.memberId)
    expect(entry).toMatchObject({ actor_id: HEXING.secretary, action: 'member.create', branch_id: 'b-hexing' })
    expect(JSON.parse(entry!.detail_json)).toMatchObject({ name: [null, '林小红'], phone: [null, form.phone], households: [0, 2] })
  })

  it('edits a member: households absent stay, present replace, and no longer a 党员中心户 clears them', async () => {
    const form = memberForm({
      centerHousehold: true,
      households: [{ id: 'h-edit-1', headName: '周大伯', address: '合兴村一组1号', people: 4 }],
    })
    expect(outcome(await send(server.app, admin, 'member.save', form))).toBe('applied')
    const households = () =>
      server.withDb((db) => db.selectFrom('households').select('id').where('member_id', '=', form.memberId).orderBy('id').execute())

    // Sent without `households` (JSON drops undefined): an edit that leaves them as they are.
    const withoutHouseholds = { ...form, households: undefined }
    expect(
      outcome(await send(server.app, secretary, 'member.save', { ...withoutHouseholds, name: '林晓红', status: 'away', awayCity: '温州' })),
    ).toBe('applied')
    expect(await households()).toEqual([{ id: 'h-edit-1' }])
    expect(await user(form.memberId)).toMatchObject({ name: '林晓红', away_city: '温州' })

    const replaced = [
      { id: 'h-edit-2', headName: '吴阿婆', address: '合兴村一组2号', people: 1 },
      { id: 'h-edit-3', headName: '吴大叔', address: '合兴村一组3号', people: 5 },
    ]
    expect(outcome(await send(server.app, secretary, 'member.save', { ...form, households: replaced }))).toBe('applied')
    expect(await households()).toEqual([{ id: 'h-edit-2' }, { id: 'h-edit-3' }])
    const tombstone = await server.withDb((db) =>
      db
        .selectFrom('sync_rows')
        .select(['scope', 'op'])
        .where('table_name', '=', 'households')
        .where('row_id', '=', 'h-edit-1')
        .executeTakeFirstOrThrow(),
    )
    expect(tombstone).toEqual({ scope: `user:${form.memberId}`, op: 'delete' })

    expect(outcome(await send(server.app, secretary, 'member.save', { ...withoutHouseholds, centerHousehold: false }))).toBe('applied')
    expect(await households()).toEqual([])
    const update = (await auditOf(form.memberId)).filter((e) => e.action === 'member.update').map((e) => JSON.parse(e.detail_json))
    expect(update[0]).toEqual({ name: ['林小红', '林晓红'], status: ['home', 'away'], awayCity: [null, '温州'] })
    expect(update.at(-1)).toEqual({ centerHousehold: [true, false], households: [2, 0] })
  })

  it('changes a login phone: the member’s sessions end, the old number no longer signs in, audited as member.phone', async () => {
    const phone = '13800000003'
    const id = demoUserId(phone)
    const cookie = await login(server.app, phone)
    const newPhone = '13912340003'
    expect(outcome(await send(server.app, secretary, 'member.save', { ...formOf(await user(id)), phone: newPhone }))).toBe('applied')
    expect((await me(cookie)).statusCode).toBe(401)
    expect((await signIn(phone)).statusCode).toBe(401)
    expect((await signIn(newPhone)).statusCode).toBe(200)
    // The contact phone was the login phone: it follows.
    expect(await user(id)).toMatchObject({ phone: newPhone, contact_phone: newPhone })
    // The phone is its own entry; the rest of the form (a birth date first recorded) is an update.
    const entries = await auditOf(id)
    expect(entries.map((e) => e.action)).toEqual(['member.phone', 'member.update'])
    expect(JSON.parse(entries[0]!.detail_json)).toEqual({ phone: [phone, newPhone] })
    expect(JSON.parse(entries[1]!.detail_json)).toEqual({ birthDate: [null, '1952-01-01'] })
  })

  it('refuses what a member form may not do, and writes nothing', async () => {
    const before = await auditCount()
    const existing = formOf(await user(HEXING.members[1]!))
    const otherBranch = formOf(await user(JINJIWO.member))
    const cases: [string, MemberSaveArgs, string, string][] = [
      [secretary, memberForm({ phone: DEMO.member }), 'phone_taken', '该手机号已被其他账号使用'],
      [admin, { ...existing, phone: DEMO.secretary }, 'phone_taken', '该手机号已被其他账号使用'],
      [secretary, otherBranch, 'forbidden', '只能管理本支部的党员'],
      [secretary, memberForm({ branchId: 'b-jinjiwo' }), 'forbidden', '只能管理本支部的党员'],
      [otherSecretary, existing, 'forbidden', '只能管理本支部的党员'],
      [secretary, { ...memberForm(), memberId: ADMIN_ID, branchId: 'b-hexing' }, 'forbidden', '只能管理本支部的党员'],
      [admin, { ...existing, branchId: 'b-jinjiwo' }, 'invalid_args', '更换支部请使用“组织关系转接”'],
      [admin, memberForm({ branchId: 'b-nowhere' }), 'not_found', '找不到这个支部'],
      [admin, memberForm({ partyGroupId: 'g-nowhere' }), 'invalid_args', '所选党小组不存在、已撤销或不属于本支部'],
      [admin, memberForm({ memberId: 'u-13912345678', phone: '13912345678' }), 'invalid_args', '党员编号不能包含手机号码'],
      [member, memberForm(), 'forbidden', REJECTIONS.forbidden],
    ]
    for (const [cookie, args, code, message] of cases) {
      expect(await send(server.app, cookie, 'member.save', args), `${code}: ${message}`).toMatchObject({
        status: 'rejected',
        code,
        message,
      })
    }
    expect(await auditCount()).toBe(before)
  })

  it('accepts no new member into an archived branch', async () => {
    expect(
      outcome(await send(server.app, admin, 'branch.save', { branchId: 'b-closed', name: '旧村党支部', place: '旧村', kind: 'village' })),
    ).toBe('applied')
    expect(outcome(await send(server.app, admin, 'branch.archive', { branchId: 'b-closed', archived: true }))).toBe('applied')
    expect(await send(server.app, admin, 'member.save', memberForm({ branchId: 'b-closed' }))).toMatchObject({
      code: 'branch_archived',
      message: '该支部已归档，不能再加入党员',
    })
  })
})

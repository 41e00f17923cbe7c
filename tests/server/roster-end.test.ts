// Ending a membership on the server (issue 12): member.end keeps the record as history and deactivates
// the account (no session, no code, no sign-in), with every refusal, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REJECTIONS } from '~/domain/sync'
import { addDays, dayInShanghai } from '~/domain/calendar'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pull, pullAll } from './sync-helpers'
import { ADMIN_ID, HEXING, JINJIWO, formOf, outcome, send } from './roster-helpers'

describe.each(databases)('ending a membership on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  let member: string

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  const user = (id: string) => server.withDb((db) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const auditOf = (id: string) =>
    server.withDb((db) => db.selectFrom('audit_log').selectAll().where('target_id', '=', id).orderBy('at').orderBy('action').execute())
  const signIn = (phone: string) =>
    server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: DEMO.password } })
  const me = (cookie: string) => server.app.inject({ url: '/api/me', headers: { cookie } })

  it('ends a membership: kept with its reason, role and group cleared, signed out, no code left, no sign-in', async () => {
    const phone = '13800000005'
    const id = demoUserId(phone)
    const cookie = await login(server.app, phone)
    await server.withDb((db) =>
      db
        .insertInto('activation_codes')
        .values({
          user_id: id,
          code_hash: 'x',
          expires_at: '2099-01-01T00:00:00.000Z',
          issued_by: ADMIN_ID,
          issued_at: new Date().toISOString(),
        })
        .execute(),
    )
    const device = clientId()
    const before = await pullAll(server.app, secretary, device)
    const today = dayInShanghai(new Date())
    expect(
      outcome(await send(server.app, secretary, 'member.end', { memberId: id, reason: 'deceased', on: today, note: '因病去世' })),
    ).toBe('applied')
    expect(await user(id)).toMatchObject({
      ended_at: today,
      end_reason: 'deceased',
      end_note: '因病去世',
      role: 'member',
      party_group_id: null,
    })
    expect((await me(cookie)).statusCode).toBe(401)
    expect((await signIn(phone)).statusCode).toBe(401)
    expect(await server.withDb((db) => db.selectFrom('activation_codes').select('user_id').where('user_id', '=', id).execute())).toEqual([])
    // History: the row stays on the branch's devices, marked.
    const change = (await pull(server.app, secretary, device, before.cursor)).changes.find((c) => c.id === id)
    expect(change).toMatchObject({ op: 'put', row: { endedAt: today, endReason: 'deceased', branchId: 'b-hexing' } })
    const [entry] = (await auditOf(id)).filter((e) => e.action === 'member.end')
    expect(JSON.parse(entry!.detail_json)).toEqual({ reason: 'deceased', on: today, note: '因病去世' })
    // An ended record is history: not edited, not ended again.
    expect(await send(server.app, admin, 'member.save', formOf(await user(id)))).toMatchObject({ code: 'already_ended' })
    expect(await send(server.app, admin, 'member.end', { memberId: id, reason: 'other', on: today, note: null })).toMatchObject({
      code: 'already_ended',
    })
  })

  it('ends the last secretary of a branch, whose meeting keys leave their devices', async () => {
    const id = demoUserId('13800000104') // 东亭村's only secretary
    const keys = (op: 'put' | 'delete') =>
      server.withDb(async (db) =>
        (
          await db
            .selectFrom('sync_rows')
            .select('row_id')
            .where('scope', '=', `user:${id}`)
            .where('table_name', '=', 'meeting_keys')
            .where('op', '=', op)
            .orderBy('row_id')
            .execute()
        ).map((r) => r.row_id),
      )
    const held = await keys('put')
    expect(held.length).toBeGreaterThan(0)
    expect(
      outcome(
        await send(server.app, admin, 'member.end', { memberId: id, reason: 'transfer_out', on: dayInShanghai(new Date()), note: null }),
      ),
    ).toBe('applied')
    expect(await keys('put')).toEqual([])
    expect(await keys('delete')).toEqual(held)
    expect(await user(id)).toMatchObject({ role: 'member' })
  })

  it('refuses to end one’s own membership, another branch’s member, the admin, or on a day to come', async () => {
    const today = dayInShanghai(new Date())
    const end = (memberId: string, on = today) => ({ memberId, reason: 'other', on, note: null })
    expect(await send(server.app, secretary, 'member.end', end(HEXING.secretary))).toMatchObject({
      code: 'forbidden',
      message: '不能终止自己的党籍关系，请联系镇党委',
    })
    expect(await send(server.app, secretary, 'member.end', end(JINJIWO.member))).toMatchObject({
      code: 'forbidden',
      message: '只能管理本支部的党员',
    })
    expect(await send(server.app, secretary, 'member.end', end(ADMIN_ID))).toMatchObject({ code: 'forbidden' })
    expect(await send(server.app, admin, 'member.end', end(ADMIN_ID))).toMatchObject({ code: 'forbidden' })
    expect(await send(server.app, admin, 'member.end', end(HEXING.members[1]!, addDays(today, 1)))).toMatchObject({
      code: 'invalid_args',
      message: '终止日期不能晚于今天',
    })
    expect(await send(server.app, admin, 'member.end', end('u-nobody00000'))).toMatchObject({ code: 'not_found' })
    expect(await send(server.app, member, 'member.end', end(HEXING.members[1]!))).toMatchObject({
      code: 'forbidden',
      message: REJECTIONS.forbidden,
    })
  })

  it('refuses every request of a session whose account has ended, even one that was never signed out', async () => {
    const phone = '13800000006'
    const cookie = await login(server.app, phone)
    expect((await me(cookie)).statusCode).toBe(200)
    // Ended behind the API's back (as a restore or a script might): the session row is still there.
    await server.withDb((db) => db.updateTable('users').set({ ended_at: '2026-01-01' }).where('id', '=', demoUserId(phone)).execute())
    expect((await me(cookie)).statusCode).toBe(401)
    expect((await signIn(phone)).statusCode).toBe(401)
  })
})

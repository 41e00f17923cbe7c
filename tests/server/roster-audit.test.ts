// GET /api/admin/audit (issue 12): who may read the log, what each reads, pages and their cursor, on
// SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditEntry } from '~/domain/roster'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { ADMIN_ID, HEXING, JINJIWO, memberForm, outcome, readAudit, send } from './roster-helpers'

describe.each(databases)('the audit log route on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  let otherSecretary: string
  let member: string
  const created: { hexing: string[]; jinjiwo: string } = { hexing: [], jinjiwo: '' }

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
    otherSecretary = await login(server.app, JINJIWO.secretaryPhone)
    member = await login(server.app, DEMO.member)
    // Seven actions: a branch, three members of 合兴村 and one of 金鸡窝村, one moved there, one edited.
    expect(
      outcome(
        await send(server.app, admin, 'branch.save', { branchId: 'b-audit', name: '审计村党支部', place: '审计村', kind: 'village' }),
      ),
    ).toBe('applied')
    for (const name of ['甲', '乙', '丙']) {
      const form = memberForm({ name: `合兴${name}` })
      expect(outcome(await send(server.app, secretary, 'member.save', form))).toBe('applied')
      created.hexing.push(form.memberId)
    }
    const other = memberForm({ name: '金鸡丁', branchId: 'b-jinjiwo' })
    expect(outcome(await send(server.app, otherSecretary, 'member.save', other))).toBe('applied')
    created.jinjiwo = other.memberId
    expect(
      outcome(await send(server.app, admin, 'member.move', { memberId: created.hexing[2]!, toBranchId: 'b-jinjiwo', note: '迁居' })),
    ).toBe('applied')
    expect(outcome(await send(server.app, admin, 'member.role', { memberId: HEXING.members[1]!, role: 'secretary' }))).toBe('applied')
  })
  afterAll(() => server.close())

  async function everything(cookie: string, query: Record<string, string> = {}): Promise<AuditEntry[]> {
    const { status, body } = await readAudit(server.app, cookie, { limit: '200', ...query })
    expect(status).toBe(200)
    expect(body.next).toBeNull()
    return body.entries
  }

  it('refuses members (403) and anyone signed out (401), in the documented shape', async () => {
    const refused = await readAudit(server.app, member)
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({ error: 'forbidden', message: '只有支部书记和镇党委管理员可以查看操作记录' })
    const anonymous = await server.app.inject({ url: '/api/admin/audit' })
    expect(anonymous.statusCode).toBe(401)
  })

  it('gives the admin every entry, newest first, with names and what changed', async () => {
    const entries = await everything(admin)
    expect(entries).toHaveLength(7)
    const times = entries.map((e) => e.at)
    expect(times).toEqual([...times].sort().reverse())
    const actions = entries.map((e) => e.action)
    expect(actions.sort()).toEqual([
      'branch.create',
      'member.create',
      'member.create',
      'member.create',
      'member.create',
      'member.move',
      'member.role',
    ])
    const move = entries.find((e) => e.action === 'member.move')
    expect(move).toMatchObject({
      actorId: ADMIN_ID,
      actorName: '周卫东',
      targetId: created.hexing[2],
      targetName: '合兴丙',
      branchId: 'b-hexing',
      detail: { branchId: ['b-hexing', 'b-jinjiwo'], note: '迁居' },
    })
    expect(entries.find((e) => e.action === 'branch.create')).toMatchObject({
      targetName: '审计村党支部',
      detail: { name: [null, '审计村党支部'] },
    })
    expect(entries.find((e) => e.targetId === created.hexing[0])).toMatchObject({ actorName: '张志强', detail: { name: [null, '合兴甲'] } })
    // Never a secret: the detail holds what a form shows.
    expect(JSON.stringify(entries)).not.toMatch(/password|code_hash|scrypt/)
  })

  it('pages with a cursor: every entry once, in order, the last page without `next`', async () => {
    const all = await everything(admin)
    const seen: AuditEntry[] = []
    let before: string | undefined
    for (let pages = 0; pages < 10; pages++) {
      const { status, body } = await readAudit(server.app, admin, { limit: '3', ...(before ? { before } : {}) })
      expect(status).toBe(200)
      expect(body.entries.length).toBeLessThanOrEqual(3)
      seen.push(...body.entries)
      if (!body.next) break
      before = body.next
    }
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id))
  })

  it('filters by target', async () => {
    const entries = await everything(admin, { targetId: created.hexing[2]! })
    expect(entries.map((e) => e.action).sort()).toEqual(['member.create', 'member.move'])
  })

  it('gives a secretary their branch’s entries and the history of members now in it, nothing else', async () => {
    const hexing = await everything(secretary)
    // Their three creates (one of a member since moved out, and the move itself), the appointment in their branch.
    expect(hexing.map((e) => `${e.action} ${e.targetName}`).sort()).toEqual([
      'member.create 合兴丙',
      'member.create 合兴乙',
      'member.create 合兴甲',
      'member.move 合兴丙',
      'member.role 李俊杰',
    ])
    const jinjiwo = await everything(otherSecretary)
    // Their own member, and the one who moved in with their history.
    expect(jinjiwo.map((e) => `${e.action} ${e.targetName}`).sort()).toEqual([
      'member.create 合兴丙',
      'member.create 金鸡丁',
      'member.move 合兴丙',
    ])
    expect(await everything(otherSecretary, { targetId: created.hexing[0]! })).toEqual([])
  })

  it('says what is wrong with a query, in Chinese', async () => {
    const queries: Record<string, string>[] = [
      { limit: '0' },
      { limit: '201' },
      { limit: 'ten' },
      { before: 'not-a-cursor' },
      { targetId: 'a\u0000b' },
    ]
    for (const query of queries) {
      const { status, body } = await readAudit(server.app, admin, query)
      expect(status, JSON.stringify(query)).toBe(400)
      expect(body).toEqual({ error: 'bad_request', message: expect.stringMatching(/^查询参数有误/) })
    }
  })
})

// 总览 rows (issue 13) on both databases: the server's rows are exactly what the pure functions give on
// the facts it loads; the facts put each comment, study day and point where they belong; an unchanged
// town costs no sync traffic; an archived branch's row goes; the rules and the working calendar reach
// every device, on a new database and on one that never sent them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { dayInShanghai, monthOf } from '~/domain/calendar'
import { branchOverview, townOverview, type OverviewRow } from '~/domain/overview'
import { DEFAULT_WARNING_RULES, warningRuleRowId, type WarningRuleRow, type WorkdayRow } from '~/domain/supervision'
import { loadBranchFacts } from '~/server/features/supervision/facts'
import { noteStudyDays } from '~/server/features/study/studyMonths'
import { loadSupervisionState } from '~/server/features/supervision/service'
import { HOLIDAYS_2026 } from '~/server/features/supervision/holidays'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pullAll } from './sync-helpers'

const tableOf = <T>(rows: Map<string, unknown>, name: string) =>
  [...rows].filter(([key]) => key.startsWith(`${name}/`)).map(([, row]) => row as T)

describe.each(databases)('the overview computed by the server on %s', (kind) => {
  let server: TestServer
  const rowsOf = async (phone: string) => (await pullAll(server.app, await login(server.app, phone), clientId())).rows

  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  it('sends exactly what branchOverview and townOverview give on the facts it loads', async () => {
    const now = new Date().toISOString()
    await server.app.supervision.refresh({ now })
    const { facts, state } = await server.withDb(async (db) => ({
      facts: await loadBranchFacts(db, now),
      state: await loadSupervisionState(db, now),
    }))
    const overviews = new Map(tableOf<OverviewRow>(await rowsOf(DEMO.admin), 'overviews').map((o) => [o.id, o]))
    expect(facts.map((f) => f.branchId)).toEqual(['b-dongting', 'b-hexing', 'b-jinjiwo', 'b-liudong', 'b-xinhang'])
    // A row unchanged since an earlier refresh keeps that refresh's time.
    const timeless = (o: OverviewRow | undefined) => o && { ...o, computedAt: '' }
    for (const f of facts) expect(timeless(overviews.get(f.branchId)), f.branchId).toEqual(timeless(branchOverview(f, state, now)))
    expect(timeless(overviews.get('town'))).toEqual(timeless(townOverview('新杭镇', facts, state, now)))
    // The figures say something: members counted, this quarter's meetings attended.
    expect(overviews.get('town')?.figures.members).toBe(53)
    expect(overviews.get('b-hexing')?.figures.attendance.all).toBeGreaterThan(50)
  })

  it('loads each comment, study day and month of points into the right branch', async () => {
    const member = demoUserId(DEMO.member) // 合兴村
    const month = monthOf(dayInShanghai(new Date()))
    await server.withDb(async (db) => {
      await db.insertInto('points_totals').values({ member_id: member, period: month, points: 7 }).execute()
      await db
        .insertInto('points_totals')
        .values({ member_id: member, period: month.slice(0, 4), points: 7 })
        .execute()
      const at = new Date().toISOString()
      await db
        .insertInto('study_sessions')
        .values({
          id: randomUUID(),
          member_id: member,
          material_id: 'm-001',
          started_at: at,
          ended_at: at,
          active_seconds: 60,
          completed: 0,
          day: dayInShanghai(at),
          received_at: at,
        })
        .execute()
      await noteStudyDays(db, [{ member_id: member, day: dayInShanghai(at) }])
    })
    const facts = new Map((await server.withDb((db) => loadBranchFacts(db, new Date().toISOString()))).map((f) => [f.branchId, f]))
    const hexing = facts.get('b-hexing')!
    expect(hexing.points).toEqual([{ memberId: member, month, points: 7 }])
    // Study: the last day of each month a member studied (the demo's members study now and then too).
    expect(hexing.studyDays).toContainEqual({ memberId: member, day: dayInShanghai(new Date()) })
    expect(hexing.studyDays.filter((s) => s.memberId === member && s.day.startsWith(month))).toHaveLength(1)
    expect(facts.get('b-jinjiwo')?.studyDays.some((s) => s.memberId === member)).toBe(false)
    expect(facts.get('b-jinjiwo')?.points).toEqual([])
    // A comment on the branch's topic is the branch's; on a town-wide topic, its author's branch's.
    const comments = (id: string) => facts.get(id)!.comments.map((c) => c.id)
    expect(comments('b-hexing')).toEqual(expect.arrayContaining(['c-hexing-road-1', 'c-hexing-road-2', 'c-hexing-garbage-1']))
    expect(comments('b-liudong')).toEqual(expect.arrayContaining(['c-town-tea-1', 'c-liudong-parking-1']))
    expect(comments('b-hexing')).not.toContain('c-town-tea-1')
    // Members: the branch's, never the admin; meetings: the demo's and the routine's.
    expect(hexing.members).toHaveLength(11)
    expect(hexing.members.some((m) => m.id === demoUserId(DEMO.admin))).toBe(false)
    expect(hexing.meetings.map((m) => m.id)).toEqual(expect.arrayContaining(['demo-hexing-03']))
    expect(hexing.meetings.some((m) => m.id.startsWith('routine-b-hexing-'))).toBe(true)
    // Only the branches asked for.
    const one = await server.withDb((db) => loadBranchFacts(db, new Date().toISOString(), ['b-liudong']))
    expect(one.map((f) => f.branchId)).toEqual(['b-liudong'])
    expect(one[0]?.comments).toEqual(facts.get('b-liudong')?.comments)
  })

  it('writes nothing when nothing changed: an unchanged town costs devices no traffic', async () => {
    const now = Date.now()
    await server.app.supervision.refresh({ now: new Date(now).toISOString() })
    const versions = () => server.withDb((db) => db.selectFrom('scope_versions').selectAll().orderBy('scope').execute())
    const before = await versions()
    await server.app.supervision.refresh({ now: new Date(now + 1000).toISOString() })
    expect(await versions()).toEqual(before)
    // A branch's refresh (after a change there) reloads that branch and reuses the others' facts: same rows.
    await server.app.supervision.refresh({ branchIds: ['b-hexing'], now: new Date(now + 2000).toISOString() })
    expect(await versions()).toEqual(before)
  })

  it('removes an archived branch’s row and leaves it out of the town’s figures', async () => {
    await server.withDb((db) =>
      db.updateTable('branches').set({ archived_at: new Date().toISOString() }).where('id', '=', 'b-xinhang').execute(),
    )
    await server.app.supervision.refresh()
    const overviews = tableOf<OverviewRow>(await rowsOf(DEMO.admin), 'overviews')
    expect(overviews.map((o) => o.id).sort()).toEqual(['b-dongting', 'b-hexing', 'b-jinjiwo', 'b-liudong', 'town'])
    expect(overviews.find((o) => o.id === 'town')?.figures.members).toBe(42)
  })

  it('sends every device the rules in force and the working calendar', async () => {
    const rows = await rowsOf(DEMO.member)
    const rules = tableOf<WarningRuleRow>(rows, 'warning_rules')
    expect(rules.map((r) => r.id).sort()).toEqual(DEFAULT_WARNING_RULES.map(warningRuleRowId).sort())
    expect(rules.find((r) => r.id === 'assembly-quarterly@1')).toMatchObject({
      kind: 'meeting',
      meetingType: 'assembly',
      period: 'quarter',
    })
    const days = tableOf<WorkdayRow>(rows, 'workdays')
    expect(days).toHaveLength(HOLIDAYS_2026.length)
    expect(days.find((d) => d.id === '2026-10-10')).toEqual({ id: '2026-10-10', kind: 'workday', name: '国庆节调休上班' })
  })

  it('sends them again from a database that never did (publishMissing at start)', async () => {
    await server.withDb((db) => db.deleteFrom('sync_rows').where('table_name', 'in', ['warning_rules', 'workdays']).execute())
    expect(tableOf(await rowsOf(DEMO.member), 'warning_rules')).toEqual([])
    await server.reopen()
    const rows = await rowsOf(DEMO.member)
    expect(tableOf(rows, 'warning_rules')).toHaveLength(DEFAULT_WARNING_RULES.length)
    expect(tableOf(rows, 'workdays')).toHaveLength(HOLIDAYS_2026.length)
  })
})

describe.each(databases)('a database without demo data on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind, { seedDemoData: false })
  })
  afterAll(() => server.close())

  it('starts with the default rules and the 2026 calendar, and refreshes nothing before a town exists', async () => {
    const counts = await server.withDb(async (db) => ({
      rules: (await db.selectFrom('warning_rules').select('code').execute()).length,
      days: (await db.selectFrom('workdays').select('day').execute()).length,
      warnings: (await db.selectFrom('warnings').select('id').execute()).length,
    }))
    expect(counts).toEqual({ rules: DEFAULT_WARNING_RULES.length, days: HOLIDAYS_2026.length, warnings: 0 })
    await expect(server.app.supervision.refresh()).resolves.toBeUndefined()
    // A restart leaves them as they are.
    await server.reopen()
    expect(await server.withDb(async (db) => (await db.selectFrom('warning_rules').select('code').execute()).length)).toBe(
      DEFAULT_WARNING_RULES.length,
    )
  })
})

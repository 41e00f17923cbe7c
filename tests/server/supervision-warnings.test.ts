// 组织生活预警 (issue 13) computed by the server on both databases: what the demo town raises on its own
// day, a meeting held clearing one (through the API, picked up a second later without a hand-made
// refresh), time travel across a quarter (yellow at its half, red after its end, red at once when the
// previous quarter was warned too), and who receives warnings, notices and overviews when they pull.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { addMonths, dayInShanghai, monthOf } from '~/domain/calendar'
import { warningId, type WarningRow } from '~/domain/supervision'
import type { OverviewRow } from '~/domain/overview'
import type { Database } from '~/server/db/schema'
import { SupervisionService } from '~/server/features/supervision/service'
import { warningFromRow } from '~/server/features/supervision/warningRows'
import { ChangeWriter } from '~/server/sync/changes'
import { LocalNotifier } from '~/server/sync/notifier'
import type { SyncWrite } from '~/server/sync/feature'
import { insertBranch, insertMembers, insertTown } from '../fixtures/town'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pull, pullAll, push } from './sync-helpers'

const PHONES = { dongtingSecretary: '13800000104', jinjiwoSecretary: '13800000102' } as const
const BRANCHES = ['b-dongting', 'b-hexing', 'b-jinjiwo', 'b-liudong', 'b-xinhang']
const iso = (ms: number) => new Date(ms).toISOString()
const HOUR = 3_600_000

const warningsOf = (db: Kysely<Database>) => db.selectFrom('warnings').selectAll().orderBy('id').execute()
const openIn = <W extends { branch_id: string; cleared_at: string | null }>(rows: W[], branchId: string) =>
  rows.filter((w) => w.branch_id === branchId && w.cleared_at === null)

/** The rows a pull from scratch gives, by table. */
async function tablesOf(server: TestServer, phone: string) {
  const { rows } = await pullAll(server.app, await login(server.app, phone), clientId())
  const table = <T>(name: string) => [...rows].filter(([key]) => key.startsWith(`${name}/`)).map(([, row]) => row as T)
  return {
    warnings: table<WarningRow>('warnings'),
    rectifications: table<{ branchId: string }>('rectifications'),
    overviews: table<OverviewRow>('overviews'),
  }
}

describe.each(databases)('warnings computed by the server on %s', (kind) => {
  let server: TestServer
  const lastMonth = addMonths(monthOf(dayInShanghai(new Date())), -1)
  const dongtingCommittee = warningId('b-dongting', 'committee-monthly', lastMonth)

  beforeAll(async () => {
    // With the refresh a second after changes, as a real server runs (tests' servers leave it out).
    server = await startServer(kind, { supervisionTriggers: true })
  })
  afterAll(() => server.close())

  describe('the demo town, on the day it is loaded', () => {
    it('warns 东亭村 red for last month’s missing 支委会, with the notice it opens, and the comments past their deadline yellow', async () => {
      const rows = await server.withDb(warningsOf)
      const red = rows.find((w) => w.id === dongtingCommittee)
      expect(red).toMatchObject({ level: 'red', cleared_at: null, title: expect.stringContaining('未召开支委会') })
      expect(red?.rectification_id).toEqual(expect.any(String))
      const notice = await server.withDb((db) =>
        db.selectFrom('rectifications').selectAll().where('id', '=', red!.rectification_id!).executeTakeFirst(),
      )
      expect(notice).toMatchObject({ branch_id: 'b-dongting', warning_id: dongtingCommittee, status: 'open', issued_by: 'system' })
      // 合兴村 and 流洞社区 (a town-wide topic's comment is its author's branch's) have comments past 限时办结.
      for (const branchId of ['b-hexing', 'b-liudong']) {
        const overdue = openIn(rows, branchId).filter((w) => w.rule_code === 'overdue-comments')
        expect(
          overdue.map((w) => w.level),
          branchId,
        ).toEqual(['yellow'])
      }
      // The others hold their meetings and post their topics: nothing open.
      expect(openIn(rows, 'b-jinjiwo')).toEqual([])
      expect(openIn(rows, 'b-xinhang')).toEqual([])
      // Nothing is red but 东亭村's 支委会 (this month's too, once half of it has passed without one).
      expect(
        rows.filter((w) => w.level === 'red' && w.cleared_at === null).every((w) => w.id.startsWith('w:b-dongting:committee-monthly:')),
      ).toBe(true)
    })

    it('keeps the history: 东亭村’s quarter without a 党员大会 cleared by the one it held since', async () => {
      const rows = (await server.withDb(warningsOf)).map(warningFromRow)
      const assembly = rows.filter((w) => w.branchId === 'b-dongting' && w.ruleCode === 'assembly-quarterly')
      for (const w of assembly) {
        expect(w.history[0]).toMatchObject({ event: 'opened' })
        if (w.clearedAt) expect(w.history.at(-1)).toMatchObject({ event: 'cleared', why: w.clearReason })
      }
    })

    it('gives the town and each branch an overview, lights included', async () => {
      const { overviews } = await tablesOf(server, DEMO.admin)
      expect(overviews.map((o) => o.id).sort()).toEqual([...BRANCHES, 'town'])
      const by = new Map(overviews.map((o) => [o.id, o]))
      expect(by.get('b-dongting')?.lights.meetings).toBe('red')
      expect(by.get('b-jinjiwo')?.lights.meetings).toBe('green')
      expect(by.get('b-hexing')?.lights.comments).toBe('yellow')
      expect(by.get('town')?.lights.meetings).toBe('red')
      expect(by.get('town')?.figures.warnings.red).toBeGreaterThanOrEqual(1)
    })
  })

  describe('who receives them', () => {
    it('sends a branch’s warnings, notices and overview to its secretary only', async () => {
      const own = await tablesOf(server, PHONES.dongtingSecretary)
      expect(own.warnings.map((w) => w.id)).toContain(dongtingCommittee)
      expect(new Set(own.warnings.map((w) => w.branchId))).toEqual(new Set(['b-dongting']))
      expect(own.rectifications.length).toBeGreaterThan(0)
      expect(new Set(own.rectifications.map((r) => r.branchId))).toEqual(new Set(['b-dongting']))
      expect(own.overviews.map((o) => o.id)).toEqual(['b-dongting'])

      const other = await tablesOf(server, PHONES.jinjiwoSecretary)
      expect(other.warnings.filter((w) => w.branchId !== 'b-jinjiwo')).toEqual([])
      expect(other.rectifications.filter((r) => r.branchId !== 'b-jinjiwo')).toEqual([])
      expect(other.overviews.map((o) => o.id)).toEqual(['b-jinjiwo'])
    })

    it('sends members none of it', async () => {
      for (const phone of [DEMO.member, '13800000030']) {
        expect(await tablesOf(server, phone)).toEqual({ warnings: [], rectifications: [], overviews: [] })
      }
    })

    it('sends the admin every branch’s and the town’s', async () => {
      const admin = await tablesOf(server, DEMO.admin)
      expect(admin.warnings.map((w) => w.id)).toContain(dongtingCommittee)
      expect(new Set(admin.warnings.map((w) => w.branchId))).toEqual(new Set(['b-dongting', 'b-hexing', 'b-liudong']))
      expect(admin.overviews.find((o) => o.id === 'town')).toMatchObject({ branchId: null, name: '新杭镇' })
    })
  })

  describe('a meeting held', () => {
    it('clears last month’s red a second after it closes, with no refresh asked for', async () => {
      const admin = await login(server.app, DEMO.admin)
      const secretary = await login(server.app, PHONES.dongtingSecretary)
      const start = Date.now() - 2 * HOUR
      const meeting = {
        id: `m-makeup-${randomUUID().slice(0, 8)}`,
        branchId: 'b-dongting',
        type: 'committee',
        title: '补开支委会',
        agenda: '研究上月未议事项',
        place: '东亭村村委会办公室',
        startsAt: iso(start),
        endsAt: iso(start + HOUR),
        audience: 'committee',
        memberIds: [demoUserId(PHONES.dongtingSecretary), 'u-wd6p9jdq46mk', 'u-r7dsaezypwcy'],
        remoteAllowed: false,
        remoteMemberIds: [],
        videoUrl: null,
        materialIds: [],
        backfillReason: '支委会上月未开，本月补开后补录',
      }
      const scheduled = await push(server.app, admin, clientId(), [mutation('meeting.schedule', { meeting })])
      expect(scheduled.map((r) => r.status)).toEqual(['applied'])
      const minutes = '会议记录：补开支委会，研究上月未议事项，今后按月召开。'
      const closed = await push(server.app, secretary, clientId(), [mutation('meeting.close', { meetingId: meeting.id, minutes })])
      expect(closed.map((r) => r.status)).toEqual(['applied'])

      // The pokes of the push bring the refresh (about a second later): wait for it, bounded.
      const cleared = async () =>
        (
          await server.withDb((db) =>
            db.selectFrom('warnings').select('cleared_at').where('id', '=', dongtingCommittee).executeTakeFirstOrThrow(),
          )
        ).cleared_at
      for (let tries = 0; tries < 150 && (await cleared()) === null; tries++) await new Promise((r) => setTimeout(r, 100))
      const row = await server.withDb(async (db) =>
        warningFromRow(await db.selectFrom('warnings').selectAll().where('id', '=', dongtingCommittee).executeTakeFirstOrThrow()),
      )
      expect(row.clearedAt).not.toBeNull()
      expect(row.clearReason).toContain('补开支委会')
      expect(row.history.at(-1)).toMatchObject({ event: 'cleared', level: 'red' })
      // The secretary's device gets the cleared row.
      const own = await tablesOf(server, PHONES.dongtingSecretary)
      expect(own.warnings.find((w) => w.id === dongtingCommittee)?.clearedAt).toBe(row.clearedAt)
    })
  })

  describe('a secretary who stops being one', () => {
    it('has their device reset at the next pull, and receives no office rows after it', async () => {
      const secretary = await login(server.app, PHONES.jinjiwoSecretary)
      const device = clientId()
      const first = await pullAll(server.app, secretary, device)
      expect([...first.rows.keys()].some((k) => k.startsWith('overviews/'))).toBe(true)
      const admin = await login(server.app, DEMO.admin)
      const demoted = await push(server.app, admin, clientId(), [
        mutation('member.role', { memberId: demoUserId(PHONES.jinjiwoSecretary), role: 'member' }),
      ])
      expect(demoted.map((r) => r.status)).toEqual(['applied'])
      const next = await pull(server.app, secretary, device, first.cursor)
      expect(next.reset).toBe(true)
      const after = await pullAll(server.app, secretary, device, first.cursor)
      const tables = new Set([...after.rows.keys()].map((k) => k.slice(0, k.indexOf('/'))))
      for (const table of ['warnings', 'rectifications', 'overviews']) expect(tables.has(table), table).toBe(false)
    })
  })
})

/** A refresh with no timers and no subscriptions of its own: only the clock the test gives it. */
function standaloneService(db: Kysely<Database>): SupervisionService {
  const write: SyncWrite = (change) =>
    db.transaction().execute((trx) => {
      const now = new Date().toISOString()
      return change(trx, new ChangeWriter(trx, now), now)
    })
  return new SupervisionService(write, new LocalNotifier())
}

describe.each(databases)('time travel across a quarter on %s', (kind) => {
  let server: TestServer
  const branch = 'b-travel'
  const q2 = warningId(branch, 'assembly-quarterly', '2027-Q2')
  const q3 = warningId(branch, 'assembly-quarterly', '2027-Q3')

  const assembly = (db: Kysely<Database>, day: string, members: string[]) =>
    db
      .insertInto('meetings')
      .values({
        id: `m-${day}`,
        branch_id: branch,
        type: 'assembly',
        title: `${day} 支部党员大会`,
        agenda: '议程',
        place: '村委会',
        starts_at: `${day}T11:30:00.000Z`,
        ends_at: `${day}T13:30:00.000Z`,
        audience: 'branch',
        expected_ids_json: JSON.stringify(members),
        remote_allowed: 0,
        remote_member_ids_json: '[]',
        video_url: null,
        material_ids_json: '[]',
        status: 'closed',
        minutes: '会议记录：通报工作，讨论事项。',
        backfill_reason: null,
        created_by: members[0]!,
        created_at: `${day}T01:00:00.000Z`,
        closed_at: `${day}T14:00:00.000Z`,
        closed_by: members[0]!,
      })
      .execute()

  /** Refreshes as of `now` on a connection of its own and answers the two warnings. */
  const refreshAt = (now: string) =>
    server.withDb(async (db) => {
      await standaloneService(db).refresh({ now })
      const rows = (await db.selectFrom('warnings').selectAll().where('id', 'in', [q2, q3]).execute()).map(warningFromRow)
      return { q2: rows.find((w) => w.id === q2), q3: rows.find((w) => w.id === q3) }
    })

  beforeAll(async () => {
    server = await startServer(kind, { seedDemoData: false })
    await server.withDb(async (db) => {
      const town = await insertTown(db, { id: 'town-travel', name: '穿越镇' })
      await insertBranch(db, town, { id: branch, name: '穿越村党支部' })
      const members = await insertMembers(db, 4, { branchId: branch, with: (i) => (i === 0 ? { role: 'secretary' } : {}) })
      // Held in the quarter before: the second quarter's yellow is its first warning.
      await assembly(db, '2027-02-10', members)
    })
  })
  afterAll(() => server.close())

  it('raises nothing before half of the quarter has passed', async () => {
    expect(await refreshAt('2027-05-15T15:59:59.000Z')).toEqual({ q2: undefined, q3: undefined })
  })

  it('turns yellow at the half (2027-05-16 in Shanghai), still yellow the last instant of the quarter', async () => {
    const { q2: half } = await refreshAt('2027-05-15T16:00:00.000Z')
    expect(half).toMatchObject({ level: 'yellow', period: '2027-Q2', clearedAt: null, rectificationId: null })
    expect(half?.history.map((h) => h.event)).toEqual(['opened'])
    const { q2: last } = await refreshAt('2027-06-30T15:59:59.999Z')
    expect(last).toMatchObject({ level: 'yellow', escalatedAt: null })
  })

  it('turns red once the quarter ended without it, which opens a notice by itself', async () => {
    const { q2: red } = await refreshAt('2027-06-30T16:00:00.000Z')
    expect(red).toMatchObject({ level: 'red', escalatedAt: '2027-06-30T16:00:00.000Z', clearedAt: null })
    expect(red?.history.map((h) => [h.event, h.level])).toEqual([
      ['opened', 'yellow'],
      ['escalated', 'red'],
    ])
    expect(red?.rectificationId).toEqual(expect.any(String))
    const notice = await server.withDb((db) => db.selectFrom('rectifications').selectAll().where('warning_id', '=', q2).execute())
    expect(notice).toHaveLength(1)
  })

  it('makes the next quarter’s half red at once: yellow twice in a row', async () => {
    const { q3: twice } = await refreshAt('2027-08-16T01:00:00.000Z')
    expect(twice).toMatchObject({ level: 'red', period: '2027-Q3', clearedAt: null })
    expect(twice?.history.at(-1)?.why).toContain('连续')
  })

  it('clears both when a 党员大会 is held, and a second run changes nothing', async () => {
    const members = await server.withDb(async (db) => (await db.selectFrom('users').select('id').orderBy('id').execute()).map((u) => u.id))
    await server.withDb((db) => assembly(db, '2027-08-20', members))
    const { q2: made, q3: held } = await refreshAt('2027-08-21T02:00:00.000Z')
    expect(held).toMatchObject({ clearedAt: '2027-08-21T02:00:00.000Z', clearReason: expect.stringContaining('2027-08-20 支部党员大会') })
    expect(made).toMatchObject({ clearedAt: '2027-08-21T02:00:00.000Z' })
    const versions = () => server.withDb((db) => db.selectFrom('scope_versions').selectAll().orderBy('scope').execute())
    const before = await versions()
    await refreshAt('2027-08-21T02:05:00.000Z')
    expect(await versions()).toEqual(before)
  })
})

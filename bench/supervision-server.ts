// The supervision bench's server half: the in-memory town (bench/supervision-town.ts) written into a fresh
// SQLite database of the real app (no demo data: the town is the only one), then the server's full refresh
// (src/server/features/supervision/service.ts: facts, the warning engine, notices, overviews, in one write
// transaction) as of the town's day. The tables the refresh reads are written directly through a second
// connection; the rows devices would pull of them aren't (the refresh never reads those).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { TOPIC_CATEGORIES } from '../src/domain/board'
import { addDays, dayInShanghai } from '../src/domain/calendar'
import { buildApp } from '../src/server/app'
import type { AppConfig } from '../src/server/config'
import { openDatabase } from '../src/server/db'
import type { Database } from '../src/server/db/schema'
import { loadBranchFacts } from '../src/server/features/supervision/facts'
import { noteStudyDays } from '../src/server/features/study/studyMonths'
import { sized } from './quick'
import type { Town } from './supervision-town'

const RUNS = sized(5, 2)
const BATCH = 500

export interface RefreshBench {
  /** Writing the town's tables (one transaction). */
  insertMs: number
  rows: number
  /** loadBranchFacts for every branch, alone. */
  facts: Timings
  /** The first full refresh: every warning, notice and overview row written. */
  firstMs: number
  /** Full refreshes after it, nothing having changed (what the daily run and most changes cost). */
  again: Timings
  /** What the first refresh left in the tables. */
  written: { warnings: number; rectifications: number; overviews: number }
}

/** Wall and process CPU time (SQLite runs in this thread) per run, with their medians. */
export interface Timings {
  runsMs: number[]
  medianMs: number
  cpuMedianMs: number
}

const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[ms.length >> 1]!

async function timings(fn: () => Promise<unknown>): Promise<Timings> {
  const runsMs: number[] = []
  const cpuMs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const cpu = process.cpuUsage()
    const started = performance.now()
    await fn()
    runsMs.push(performance.now() - started)
    const used = process.cpuUsage(cpu)
    cpuMs.push((used.user + used.system) / 1000)
  }
  return { runsMs, medianMs: median(runsMs), cpuMedianMs: median(cpuMs) }
}

async function insertAll<T extends keyof Database>(db: Kysely<Database>, table: T, rows: readonly Record<string, unknown>[]) {
  for (let i = 0; i < rows.length; i += BATCH)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + BATCH) as never)
      .execute()
  return rows.length
}

/** The town's tables: town, branches, members (the first of each branch its secretary), groups, meetings, attendance, leaves, study, points, 朋友圈. */
export async function insertTown(db: Kysely<Database>, town: Town): Promise<number> {
  const created = '2025-01-01T00:00:00.000Z'
  let rows = 0
  await db.transaction().execute(async (trx) => {
    rows += await insertAll(trx, 'towns', [{ id: 't-bench', name: '城关镇' }])
    rows += await insertAll(trx, 'materials', [
      {
        id: 'mat-bench',
        column_name: 'library',
        course_id: null,
        lesson: null,
        category: 'theory',
        kind: 'article',
        title: '学习材料',
        summary: '学习材料',
        body: '学习材料',
        media_file: null,
        duration_seconds: null,
        status: 'published',
        published_at: created,
        updated_at: created,
      },
    ])
    rows += await insertAll(
      trx,
      'branches',
      town.facts.map((f) => ({
        id: f.branchId,
        town_id: 't-bench',
        name: f.branchName,
        place: '',
        kind: 'village',
        archived_at: null,
        created_on: null,
      })),
    )
    let phone = 17_000_000_000
    for (const f of town.facts) {
      const secretary = f.members[0]!.id
      const groups = f.groups.map((g) => ({
        id: g.id,
        branch_id: f.branchId,
        name: g.name,
        leader_id: null,
        archived_at: null,
        created_at: created,
        updated_at: created,
      }))
      const users = f.members.map((m, i) => ({
        id: m.id,
        phone: String(phone++),
        name: m.name,
        role: i === 0 ? 'secretary' : 'member',
        branch_id: f.branchId,
        gender: 'male',
        birth_year: 1970,
        joined_party_on: '1995-07-01',
        status: m.away ? 'away' : 'home',
        away_city: m.away ? '杭州' : null,
        return_date: null,
        center_household: 0,
        password_hash: 'bench',
        contact_phone: null,
        created_at: created,
        updated_at: created,
        party_group_id: m.partyGroupId,
        ended_at: m.endedAt,
        end_reason: m.endedAt ? 'transfer_out' : null,
      }))
      rows += (await insertAll(trx, 'party_groups', groups)) + (await insertAll(trx, 'users', users))
      rows += await insertAll(
        trx,
        'meetings',
        f.meetings.map((m) => ({
          id: m.id,
          branch_id: f.branchId,
          type: m.type,
          title: m.title,
          agenda: '',
          place: '村委会',
          starts_at: m.startsAt,
          ends_at: m.endsAt,
          audience: m.audience,
          expected_ids_json: JSON.stringify(m.expectedIds),
          remote_allowed: 1,
          remote_member_ids_json: '[]',
          video_url: null,
          material_ids_json: '[]',
          status: m.status,
          minutes: m.minutes,
          backfill_reason: null,
          created_by: secretary,
          created_at: new Date(Date.parse(m.startsAt) - 7 * 86_400_000).toISOString(),
          closed_at: m.closedAt,
          closed_by: m.closedAt ? secretary : null,
        })),
      )
      rows += await insertAll(
        trx,
        'attendance',
        f.attendance.map((a) => ({
          id: `${a.meetingId}:${a.memberId}`,
          meeting_id: a.meetingId,
          member_id: a.memberId,
          mode: a.mode,
          checked_in_at: a.checkedInAt,
          remote_seconds: a.remoteSeconds,
          last_heartbeat_at: null,
          proxy_by: a.mode === 'proxy' ? secretary : null,
          note: null,
          received_at: a.checkedInAt,
        })),
      )
      rows += await insertAll(
        trx,
        'leaves',
        f.leaves.map((l) => ({
          id: `${l.meetingId}:${l.memberId}`,
          meeting_id: l.meetingId,
          member_id: l.memberId,
          reason: '家中有事',
          status: l.status,
          requested_at: created,
          decided_by: l.status === 'pending' ? null : secretary,
          decided_at: l.status === 'pending' ? null : created,
          note: null,
        })),
      )
      // The study writer keeps each member's last day of each month with the sessions (study_months).
      await noteStudyDays(
        trx,
        f.studyDays.map((s) => ({ member_id: s.memberId, day: s.day })),
      )
      rows += await insertAll(
        trx,
        'study_sessions',
        f.studyDays.map((s, i) => {
          const at = new Date(Date.parse(`${s.day}T12:00:00.000Z`)).toISOString()
          return {
            id: `${f.branchId}-s${i}`,
            member_id: s.memberId,
            material_id: 'mat-bench',
            started_at: at,
            ended_at: at,
            active_seconds: 600,
            completed: 1,
            day: s.day,
            received_at: at,
          }
        }),
      )
      rows += await insertAll(
        trx,
        'points_totals',
        f.points.map((p) => ({ member_id: p.memberId, period: p.month, points: p.points })),
      )
      rows += await insertAll(
        trx,
        'board_topics',
        f.topics.map((t, i) => ({
          id: t.id,
          branch_id: f.branchId,
          category: TOPIC_CATEGORIES[i % TOPIC_CATEGORIES.length]!,
          title: '征求意见',
          text: '请各位党员收集联系户的意见。',
          photos_json: '[]',
          closes_on: addDays(dayInShanghai(t.createdAt), 30),
          created_by: secretary,
          created_at: t.createdAt,
          updated_at: t.createdAt,
        })),
      )
      rows += await insertAll(
        trx,
        'board_comments',
        f.comments.map((c, i) => {
          const author = f.members[1 + (i % (f.members.length - 1))]!
          return {
            id: c.id,
            topic_id: f.topics[0]!.id,
            branch_id: f.branchId,
            author_id: author.id,
            author_name: author.name,
            author_branch_id: f.branchId,
            text: '村口路灯坏了，晚上出行不便。',
            category: c.category,
            household_id: null,
            resident_name: null,
            photos_json: '[]',
            status: c.status,
            deadline: c.deadline,
            handler_id: c.acceptedAt ? secretary : null,
            reply: c.status === 'resolved' ? '已修好' : null,
            reason: c.status === 'rejected' ? '不属于本村事务' : null,
            merged_into: null,
            liked_by_json: '[]',
            created_at: c.createdAt,
            updated_at: c.closedAt ?? c.createdAt,
            accepted_at: c.acceptedAt,
            closed_at: c.closedAt,
            received_at: c.createdAt,
          }
        }),
      )
    }
  })
  return rows
}

export async function refreshBench(root: string, town: Town): Promise<RefreshBench> {
  const dataDir = mkdtempSync(join(tmpdir(), 'djy-bench-supervision-'))
  const config: AppConfig = {
    dataDir,
    databaseUrl: undefined,
    sessionSecret: 'bench-secret-xxxxxxxxxxxxxxxxxxxxxxxx',
    seedDemoData: false,
    seedDir: join(root, 'seeds'),
    logger: false,
  }
  const app = await buildApp(config)
  const { db } = openDatabase(config)
  try {
    let started = performance.now()
    const rows = await insertTown(db, town)
    const insertMs = performance.now() - started

    const facts = await timings(() => loadBranchFacts(db, town.now))
    started = performance.now()
    await app.supervision.refresh({ now: town.now })
    const firstMs = performance.now() - started
    const again = await timings(() => app.supervision.refresh({ now: town.now }))
    const count = async (table: 'warnings' | 'rectifications') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const overviews = await db
      .selectFrom('sync_rows')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('table_name', '=', 'overviews')
      .where('op', '=', 'put')
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n))
    return {
      insertMs,
      rows,
      facts,
      firstMs,
      again,
      written: { warnings: await count('warnings'), rectifications: await count('rectifications'), overviews },
    }
  } finally {
    await db.destroy()
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

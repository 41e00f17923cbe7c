// Points at town scale: 2,300 members and a year of ledger history (~3 million points_ledger rows),
// then the ranking over real HTTP, one member's ledger page through Kysely, and awardPoints for one
// member's day of events. SQLite or a fresh PostgreSQL database. Every loop is bounded.
// BENCH_LEDGER_ROWS scales the ledger down while developing; the default is the full size (20,000 rows in quick mode).
import { sql, type Kysely } from 'kysely'
import type { Database } from '../src/server/db/schema'
import { openDatabase } from '../src/server/db'
import { ChangeWriter } from '../src/server/sync/changes'
import { awardPoints } from '../src/server/features/points/ledger'
import type { PointsEvent } from '../src/domain/points'
import { insertMembers } from '../tests/fixtures/town'
import { createDatabase } from './postgres'
import { sized } from './quick'
import { DEMO_MEMBER, signIn, startServer } from './server'

export const POINTS_TARGET_MS = 100
export const TOWN_MEMBERS = 2_300
export const DEFAULT_LEDGER_ROWS = 2_990_000 // 1,300 per member
const FIRST_DAY = '2026-01-01'
/** 2026-01-01 … 2026-11-25 */
const DAYS = 329
const RUNS = sized(5, 2)

export interface Timing {
  label: string
  runsMs: number[]
  medianMs: number
  pass: boolean
  note?: string
}

export interface PointsBench {
  database: 'sqlite' | 'postgres'
  members: number
  syntheticMembers: number
  ledgerRows: number
  totalsRows: number
  perMember: number
  load: { usersMs: number; ledgerMs: number; totalsMs: number; analyzeMs: number; totalMs: number }
  timings: Timing[]
  note?: string
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

async function timed(label: string, run: (i: number) => Promise<string | void>): Promise<Timing> {
  await run(-1) // warm-up
  const runsMs: number[] = []
  let note: string | undefined
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    note = (await run(i)) ?? note
    runsMs.push(performance.now() - start)
  }
  const medianMs = median(runsMs)
  return { label, runsMs, medianMs, pass: medianMs < POINTS_TARGET_MS, ...(note ? { note } : {}) }
}

function ledgerRowsWanted(env: NodeJS.ProcessEnv): number {
  const n = Number(env.BENCH_LEDGER_ROWS)
  return env.BENCH_LEDGER_ROWS && Number.isFinite(n) && n > 0 ? Math.floor(n) : sized(DEFAULT_LEDGER_ROWS, 20_000)
}

/** Synthetic members up to TOWN_MEMBERS, a year of ledger history for every member, totals rebuilt from the ledger. */
async function loadTown(db: Kysely<Database>, kind: 'sqlite' | 'postgres', ledgerRows: number) {
  const t0 = performance.now()
  const existing = await db.selectFrom('users').select(['id', 'password_hash']).where('role', '!=', 'admin').execute()
  const branches = (await db.selectFrom('branches').select('id').orderBy('id').execute()).map((b) => b.id)
  const hash = existing[0]?.password_hash
  if (!hash || branches.length === 0) throw new Error('points bench: the demo data has no members or no branches')
  const synthetic = Math.max(0, TOWN_MEMBERS - existing.length)
  const syntheticIds = await insertMembers(db, synthetic, {
    branchId: (n) => branches[n % branches.length] ?? null,
    firstPhone: '13900000000',
    passwordHash: hash,
  })
  const usersMs = performance.now() - t0

  // The ledger, generated in the database: member i (numbered by id), entry k of perMember, day spread over the year.
  const members = existing.length + synthetic
  const perMember = Math.max(1, Math.round(ledgerRows / members))
  const rules = await db.selectFrom('points_rules').select('code').groupBy('code').execute()
  const day = (n: string) =>
    kind === 'postgres'
      ? `to_char(date '${FIRST_DAY}' + ${n} * ${DAYS} / ${perMember}, 'YYYY-MM-DD')`
      : `date('${FIRST_DAY}', '+' || (${n} * ${DAYS} / ${perMember}) || ' days')`
  // k: entry number n and its day.
  const series = sql.raw(
    kind === 'postgres'
      ? `(select n, ${day('n')} as day from generate_series(0, ${perMember - 1}) as g(n)) k`
      : `(with recursive s(n) as (select 0 union all select n + 1 from s where n < ${perMember - 1}) select n, ${day('n')} as day from s) k`,
  )
  const chunk = Math.max(1, Math.floor((kind === 'postgres' ? 200_000 : 50_000) / perMember))
  const t1 = performance.now()
  for (let from = 0; from < members; from += chunk) {
    await db.transaction().execute(async (trx) => {
      await sql`
        insert into points_ledger (id, member_id, rule_code, rule_version, source_id, day, points, reason, created_by, created_at)
        select r.code || ':bench-' || (m.i * ${sql.lit(perMember)} + k.n), m.id, r.code, r.version,
               'bench-' || (m.i * ${sql.lit(perMember)} + k.n), k.day, 1 + (m.i * 7 + k.n) % 3, null, null, k.day || 'T08:00:00.000Z'
        from (select id, row_number() over (order by id) - 1 as i from users where role <> 'admin') m
        cross join ${series}
        join (select code, version, row_number() over (order by code) - 1 as j
              from (select code, max(version) as version from points_rules group by code) v) r
          on r.j = (m.i + k.n) % ${sql.lit(rules.length)}
        where m.i >= ${sql.lit(from)} and m.i < ${sql.lit(from + chunk)}
      `.execute(trx)
    })
  }
  const ledgerMs = performance.now() - t1

  const t2 = performance.now()
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('points_totals').execute()
    for (const len of [4, 7]) {
      await sql`
        insert into points_totals (member_id, period, points)
        select member_id, substr(day, 1, ${sql.lit(len)}), sum(points) from points_ledger group by member_id, substr(day, 1, ${sql.lit(len)})
      `.execute(trx)
    }
  })
  const totalsMs = performance.now() - t2
  // PostgreSQL's autovacuum would analyze a table this size within a minute; the app never runs ANALYZE on SQLite, so neither does this.
  const t3 = performance.now()
  if (kind === 'postgres') await sql`analyze`.execute(db)
  const analyzeMs = performance.now() - t3

  const count = async (table: 'points_ledger' | 'points_totals') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  return {
    members,
    synthetic,
    syntheticIds,
    perMember,
    ledgerRows: await count('points_ledger'),
    totalsRows: await count('points_totals'),
    load: { usersMs, ledgerMs, totalsMs, analyzeMs, totalMs: performance.now() - t0 },
  }
}

export async function pointsBench(
  root: string,
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PointsBench> {
  const server = await startServer(root, databaseUrl)
  const { db, kind } = openDatabase(server.config)
  try {
    const town = await loadTown(db, kind, ledgerRowsWanted(env))
    const { url } = server
    const { cookie } = await signIn(url, DEMO_MEMBER)
    const timings: Timing[] = []

    for (const query of ['scope=town&period=year', 'scope=branch&period=month']) {
      timings.push(
        await timed(`GET /api/points/ranking?${query}`, async () => {
          const response = await fetch(`${url}/api/points/ranking?${query}`, { headers: { cookie } })
          const body = (await response.json()) as { rows?: unknown[] }
          if (!response.ok) throw new Error(`ranking ${query}: HTTP ${response.status}`)
          return `${body.rows?.length ?? 0} rows`
        }),
      )
    }

    const pageMember = town.syntheticIds[100]!
    timings.push(
      await timed('ledger page: 50 newest of one member (Kysely)', async () => {
        const rows = await db
          .selectFrom('points_ledger')
          .selectAll()
          .where('member_id', '=', pageMember)
          .orderBy('day', 'desc')
          .limit(50)
          .execute()
        if (rows.length !== Math.min(50, town.perMember)) throw new Error(`ledger page: ${rows.length} rows`)
        return `${pageMember}, ${town.perMember.toLocaleString('en')} entries`
      }),
    )

    // A different synthetic member each run: the daily caps would leave a second run for the same member nothing to write.
    const created: number[] = []
    const stamp = Date.now().toString(36)
    timings.push(
      await timed(`awardPoints: 20 study.article for one member`, async (run) => {
        const memberId = town.syntheticIds[200 + run + 1]!
        const events: PointsEvent[] = Array.from({ length: 20 }, (_, i) => ({
          id: `bench-award-${stamp}-${run + 1}-${i}`,
          memberId,
          kind: 'study.article',
          day: '2026-11-25',
          quantity: 300,
        }))
        const now = new Date().toISOString()
        const entries = await db.transaction().execute(async (trx) => awardPoints(trx, new ChangeWriter(trx, now), events, now))
        if (run >= 0) created.push(entries.length)
        return `entries written per run: ${created.join(', ')}`
      }),
    )

    return {
      database: kind,
      members: town.members,
      syntheticMembers: town.synthetic,
      ledgerRows: town.ledgerRows,
      totalsRows: town.totalsRows,
      perMember: town.perMember,
      load: town.load,
      timings,
    }
  } finally {
    await db.destroy()
    await server.close()
  }
}

/** pointsBench on SQLite, or on a fresh database of the given PostgreSQL cluster. */
export async function pointsBenchOn(root: string, postgresUrl: string | undefined): Promise<PointsBench> {
  if (!postgresUrl) return pointsBench(root, undefined)
  let fresh: Awaited<ReturnType<typeof createDatabase>>
  try {
    fresh = await createDatabase(postgresUrl, 'djy_bench_points')
  } catch (error) {
    return { ...(await pointsBench(root, postgresUrl)), note: `could not create a database, used the given one: ${String(error)}` }
  }
  try {
    return await pointsBench(root, fresh.url)
  } finally {
    await fresh.drop()
  }
}

const pad = (s: string, n: number) => s.padEnd(n)
const num = (n: number, digits = 0) => n.toFixed(digits).padStart(10)
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export function printPointsSection(runs: PointsBench[], postgresSkipped: string | null): void {
  const name = (r: PointsBench) => (r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL')
  console.log(
    `\nPoints at town scale (in-process server on 127.0.0.1; median of ${RUNS} after a warm-up; target < ${POINTS_TARGET_MS} ms each)`,
  )
  if (postgresSkipped) console.log(`  PostgreSQL skipped: ${postgresSkipped}`)
  for (const r of runs) {
    console.log(
      `  ${name(r)}: ${r.members.toLocaleString('en')} members (${r.syntheticMembers.toLocaleString('en')} synthetic), ${r.ledgerRows.toLocaleString('en')} ledger rows (${r.perMember.toLocaleString('en')} per member), ${r.totalsRows.toLocaleString('en')} totals rows; ` +
        `loading took ${secs(r.load.totalMs)} (users ${secs(r.load.usersMs)}, ledger ${secs(r.load.ledgerMs)}, totals ${secs(r.load.totalsMs)}${r.database === 'postgres' ? `, analyze ${secs(r.load.analyzeMs)}` : ''})${r.note ? ` — ${r.note}` : ''}`,
    )
  }
  console.log(`  ${pad('', 60)}${'median ms'.padStart(10)}`)
  for (const r of runs) {
    for (const t of r.timings) {
      console.log(
        `  ${pad(`${name(r)}: ${t.label}`, 60)}${num(t.medianMs, 1)}   ${t.pass ? 'PASS' : 'MISS'}   (runs: ${t.runsMs.map((x) => x.toFixed(1)).join(', ')} ms${t.note ? `; ${t.note}` : ''})`,
      )
    }
  }
}

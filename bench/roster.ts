// 花名册 import at town scale (issue 12), over real HTTP on 127.0.0.1, on SQLite or a fresh PostgreSQL database:
// one .xlsx of 2,300 members across the demo town's five branches, one in ten a 党员中心户 with ten
// households (2,300 households), previewed and then imported by the admin (users, households, their sync
// rows and the audit entry in one transaction), then the admin's device pulls everything from scratch,
// and the export of the whole roster.
// Run alone: npx tsx bench/roster.ts (SQLite, then PostgreSQL when one can be had; writes bench/results/roster.json).
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import writeXlsxFile from 'write-excel-file/node'
import { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS } from '../src/domain/rosterImport'
import type { PullReply } from '../src/domain/sync'
import { createDatabase, startPostgres } from './postgres'
import { sized } from './quick'
import { clientId, DEMO_ADMIN, signIn, startServer } from './server'

export const ROSTER_MEMBERS = sized(2300, 200)
const HOUSEHOLDS_PER_CENTER = 10
const BRANCHES = ['合兴村党支部', '金鸡窝村党支部', '流洞社区党支部', '东亭村党支部', '新杭社区党支部']
const MAX_PAGES = 10_000

export interface Timed {
  ms: number
  status: number
}

export interface RosterBench {
  database: 'sqlite' | 'postgres'
  loadavgBefore: number[]
  members: number
  households: number
  fileBytes: number
  preview: Timed & { problems: number }
  import: Timed & { rowsPerSecond: number }
  /** The admin's device from nothing: every page of GET /api/sync/pull. */
  firstPull: { ms: number; pages: number; rows: number; members: number; rowsPerSecond: number }
  export: Timed & { bytes: number }
  note?: string
}

/** The town's roster as a county office would send it: every column filled, dates as text. */
export async function rosterFile(members = ROSTER_MEMBERS): Promise<Buffer> {
  const phone = (i: number) => String(15_900_000_000 + i)
  const rows = Array.from({ length: members }, (_, i) => [
    `党员${i}`,
    phone(i),
    BRANCHES[i % BRANCHES.length] ?? '',
    i % 3 ? '男' : '女',
    `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 9}`,
    `20${String(i % 25).padStart(2, '0')}-07-01`,
    i % 20 ? '正式' : '预备',
    i % 7 ? '在家' : '外出',
    i % 7 ? null : '杭州',
    i % 10 ? '否' : '是',
  ])
  const households = rows
    .filter((_, i) => i % 10 === 0)
    .flatMap((_, c) =>
      Array.from({ length: HOUSEHOLDS_PER_CENTER }, (_, h) => [phone(c * 10), `户主${c}-${h}`, `某村${c % 12}组${h + 1}号`, 1 + (h % 6)]),
    )
  return writeXlsxFile([
    { sheet: '党员', data: [MEMBER_COLUMNS.map((c) => c.header), ...rows] },
    { sheet: '联系户', data: [HOUSEHOLD_COLUMNS.map((c) => c.header), ...households] },
  ]).toBuffer()
}

async function timed(request: () => Promise<Response>): Promise<{ ms: number; response: Response }> {
  const start = performance.now()
  const response = await request()
  await response.clone().arrayBuffer()
  return { ms: performance.now() - start, response }
}

async function rosterBench(root: string, databaseUrl: string | undefined): Promise<RosterBench> {
  const loadavgBefore = loadavg()
  const server = await startServer(root, databaseUrl)
  try {
    const admin = await signIn(server.url, DEMO_ADMIN)
    const file = await rosterFile()
    const upload = (what: 'preview' | 'import') => () =>
      fetch(`${server.url}/api/admin/roster/${what}?name=bench.xlsx`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(file),
      })
    const preview = await timed(upload('preview'))
    const previewed = (await preview.response.json()) as { problemCount: number }
    const imported = await timed(upload('import'))
    const body = (await imported.response.json()) as { imported?: { members: number; households: number }; message?: string }
    if (!body.imported) throw new Error(`import refused: ${imported.response.status} ${body.message ?? ''}`)
    const written = body.imported.members + body.imported.households

    const device = clientId('roster')
    let cursor: string | undefined
    let pages = 0
    let rows = 0
    let members = 0
    const pullStart = performance.now()
    for (let more = true; more && pages < MAX_PAGES; pages++) {
      const query = new URLSearchParams({ clientId: device, ...(cursor ? { cursor } : {}) })
      const response = await fetch(`${server.url}/api/sync/pull?${query}`, { headers: { cookie: admin.cookie } })
      if (!response.ok) throw new Error(`pull: HTTP ${response.status}`)
      const reply = (await response.json()) as PullReply
      rows += reply.changes.length
      members += reply.changes.filter((c) => c.table === 'members').length
      cursor = reply.cursor
      more = reply.hasMore
    }
    const pullMs = performance.now() - pullStart
    const exported = await timed(() => fetch(`${server.url}/api/admin/roster/export.xlsx`, { headers: { cookie: admin.cookie } }))

    return {
      database: databaseUrl ? 'postgres' : 'sqlite',
      loadavgBefore,
      members: body.imported.members,
      households: body.imported.households,
      fileBytes: file.length,
      preview: { ms: preview.ms, status: preview.response.status, problems: previewed.problemCount },
      import: { ms: imported.ms, status: imported.response.status, rowsPerSecond: (written / imported.ms) * 1000 },
      firstPull: { ms: pullMs, pages, rows, members, rowsPerSecond: (rows / pullMs) * 1000 },
      export: { ms: exported.ms, status: exported.response.status, bytes: (await exported.response.arrayBuffer()).byteLength },
    }
  } finally {
    await server.close()
  }
}

/** SQLite when `postgresUrl` is undefined, else a fresh database on that cluster (dropped afterwards). */
export async function rosterBenchOn(root: string, postgresUrl: string | undefined): Promise<RosterBench> {
  if (!postgresUrl) return rosterBench(root, undefined)
  let fresh: Awaited<ReturnType<typeof createDatabase>>
  try {
    fresh = await createDatabase(postgresUrl, 'djy_bench_roster')
  } catch (error) {
    return { ...(await rosterBench(root, postgresUrl)), note: `could not create a database, used the given one: ${String(error)}` }
  }
  try {
    return await rosterBench(root, fresh.url)
  } finally {
    await fresh.drop()
  }
}

const num = (n: number, digits = 0) => n.toFixed(digits).padStart(9)

export function printRosterSection(runs: RosterBench[], postgresSkipped: string | null): void {
  const first = runs[0]
  console.log(
    `\n花名册 import (in-process server on 127.0.0.1; one .xlsx of ${first?.members ?? ROSTER_MEMBERS} members and ${first?.households ?? ''} households, ` +
      `${first ? (first.fileBytes / 1024).toFixed(0) : '?'} KB; the demo town's five branches)`,
  )
  if (postgresSkipped) console.log(`  PostgreSQL skipped: ${postgresSkipped}`)
  console.log(`  ${''.padEnd(54)}${'s'.padStart(9)}${'rows/s'.padStart(9)}${'rows'.padStart(9)}${'pages'.padStart(9)}`)
  for (const r of runs) {
    const name = r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    const load = r.loadavgBefore[0]?.toFixed(1) ?? '-'
    console.log(
      `  ${`${name}: preview (read + check, writes nothing)`.padEnd(54)}${num(r.preview.ms / 1000, 2)}${''.padStart(9)}${num(r.members + r.households)}`,
    )
    console.log(
      `  ${`${name}: import (one transaction)`.padEnd(54)}${num(r.import.ms / 1000, 2)}${num(r.import.rowsPerSecond)}${num(r.members + r.households)}   load ${load}`,
    )
    console.log(
      `  ${`${name}: the admin's first pull afterwards`.padEnd(54)}${num(r.firstPull.ms / 1000, 2)}${num(r.firstPull.rowsPerSecond)}${num(r.firstPull.rows)}${num(r.firstPull.pages)}   (${r.firstPull.members} member rows)`,
    )
    console.log(
      `  ${`${name}: export of the whole roster`.padEnd(54)}${num(r.export.ms / 1000, 2)}${''.padStart(9)}${''.padStart(9)}${''.padStart(9)}   ${(r.export.bytes / 1024).toFixed(0)} KB`,
    )
    if (r.note) console.log(`  ${name}: ${r.note}`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const postgres = await startPostgres()
  const runs: RosterBench[] = []
  try {
    runs.push(await rosterBenchOn(root, undefined))
    if ('url' in postgres) runs.push(await rosterBenchOn(root, postgres.url))
  } finally {
    if ('stop' in postgres) postgres.stop()
  }
  const skipped = 'skipped' in postgres ? postgres.skipped : null
  printRosterSection(runs, skipped)
  const out = join(root, 'bench', 'results', 'roster.json')
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(
    out,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg(), roster: { runs, postgresSkipped: skipped } }, null, 2)}\n`,
  )
  console.log(`\nWritten to ${relative(root, out)}`)
}

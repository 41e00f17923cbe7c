// npm run bench [-- --build]: first-load size of the built PWA, then the server under load on SQLite and,
// when one can be had, PostgreSQL, then sync (push, pull, and pulling into IndexedDB in Chromium), then points
// at town scale (2,300 members, ~3 million ledger rows; BENCH_LEDGER_ROWS scales it down while developing), then
// 积分明细 in Chromium with 10,000 ledger entries on the device, then the 朋友圈 board (a 20,000-comment branch pulled
// and opened in Chromium, and a 12-megapixel photo compressed on the device), then a 花名册 import of 2,300 members
// with their households and the admin's first pull afterwards, then 总览: the overview's figures for a town of 50
// branches and the server's supervision refresh on SQLite, and the 总览 page drawn in Chromium with that town synced in.
// Prints a report and writes it to bench/results/latest.json.
// It reports; it never fails the process over a number.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadServer, type LoadResult, type ServerLoad } from './load'
import { startPostgres } from './postgres'
import { measureSizes, type SizeGroup } from './size'
import { browserSyncBench, type BrowserSync } from './browser-sync'
import { syncBenchOn, type SyncBench } from './sync'
import { printSyncSection } from './sync-report'
import { pointsBenchOn, printPointsSection, type PointsBench } from './points'
import { ledgerPageBench, printLedgerPageSection, type LedgerPageBench } from './ledger-page'
import { meetingsBenchOn, printMeetingsSection, type MeetingsBench } from './meetings'
import { printRosterSection, rosterBenchOn, type RosterBench } from './roster'
import { boardBench, printBoardSection, type BoardBench } from './board'
import { printSupervisionSection, supervisionBench, type SupervisionBench } from './supervision'
import { overviewRenderBench, printOverviewRenderSection, type OverviewRender } from './overview-render'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SECONDS = 5
const OUT = join(ROOT, 'bench', 'results', 'latest.json')

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const pad = (s: string, n: number) => s.padEnd(n)
const num = (n: number, digits = 0) => n.toFixed(digits).padStart(9)

console.log(
  `智慧党建云 bench — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, load avg ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
)

// 1. First-load size
const size = measureSizes(ROOT, { forceBuild: process.argv.includes('--build') })
const line = (label: string, g: SizeGroup) =>
  `  ${pad(label, 30)}${String(g.files.length).padStart(3)} files   raw ${kb(g.raw).padStart(9)}   gzip ${kb(g.gzip).padStart(9)}`
const files = (g: SizeGroup) =>
  g.files.map((f) => `      ${pad(f.file, 52)}${kb(f.raw).padStart(9)}  gz ${kb(f.gzip).padStart(8)}`).join('\n')
const spare = size.budgetGzip - size.firstLoad.gzip
console.log(
  `\nFirst-load size (dist/ ${size.built ? 'built just now' : `as built at ${size.builtAt}; npm run bench -- --build to rebuild`}; each file gzipped at level 9; 1 KB = 1024 bytes)`,
)
console.log(line('index.html (script+preload+css)', size.firstLoad))
console.log(files(size.firstLoad))
console.log(line('login chunk (LoginPage-*)', size.loginChunk))
console.log(files(size.loginChunk))
console.log(line('login route, other new chunks', size.loginShared))
if (size.loginShared.files.length) console.log(files(size.loginShared))
console.log(line('first screen (all of the above)', size.firstScreen))
console.log(
  `  budget: first-load JS+CSS ≤ ${kb(size.budgetGzip)} gzipped → ${size.withinBudget ? 'PASS' : 'OVER'} (${kb(size.firstLoad.gzip)}, ${size.withinBudget ? `${kb(spare)} to spare` : `${kb(-spare)} over`})`,
)
console.log(line('lazy chart chunk (总览 only)', size.chartChunks))
console.log(files(size.chartChunks))
console.log(
  `  Chart.js in the first screen: ${size.chartInFirstScreen.length ? `YES (${size.chartInFirstScreen.join(', ')})` : 'no'}${size.chartChunks.files.length ? '' : ' — no chart chunk found'}`,
)

// 2. Server under load
const postgres = await startPostgres()
const stopPostgres = () => ('stop' in postgres ? postgres.stop() : undefined)
process.once('SIGINT', () => {
  stopPostgres()
  process.exit(130)
})
const databases: { name: string; url: string | undefined }[] = [{ name: 'SQLite', url: undefined }]
if ('url' in postgres) databases.push({ name: `PostgreSQL (${postgres.source})`, url: postgres.url })
console.log(`\nServer under load (in-process, 127.0.0.1, ${SECONDS} s per run; a bare-http baseline run before each database)`)
console.log(
  `  databases: ${databases.map((d) => d.name).join(', ')}${'skipped' in postgres ? ` — PostgreSQL skipped: ${postgres.skipped}` : ''}`,
)

const row = (label: string, r: LoadResult, note = '') =>
  `  ${pad(label, 42)}${num(r.okPerSecond)}${num(r.p50Ms)}${num(r.p99Ms)}${num(r.non2xx)}${num(r.errors)}${note}`
const runs: ServerLoad[] = []
const syncRuns: SyncBench[] = []
let browserSync: BrowserSync | { failed: string }
const pointsRuns: PointsBench[] = []
let ledgerPage: LedgerPageBench | { failed: string }
const meetingsRuns: MeetingsBench[] = []
const rosterRuns: RosterBench[] = []
let board: BoardBench | { failed: string }
let supervision: SupervisionBench | { failed: string }
let overviewRender: OverviewRender | { failed: string }
try {
  for (const database of databases) {
    console.log(`  running ${database.name}…`)
    runs.push(await loadServer(ROOT, database.url, SECONDS))
  }
  console.log(
    `\n  ${pad('', 42)}${'ok/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}${'errors'.padStart(9)}`,
  )
  for (const r of runs) {
    console.log(row(`${r.database}: baseline GET / (20 conn)`, r.baseline))
    console.log(row(`${r.database}: GET /api/health (20 conn)`, r.health, `   ${r.healthVsBaseline.toFixed(2)}× baseline`))
    console.log(row(`${r.database}: POST /api/auth/login (10 conn)`, r.login, '   (scrypt: slow on purpose)'))
  }

  // 3. Sync: push and pull over HTTP on each database (PostgreSQL still up), then into IndexedDB in Chromium.
  console.log(`\nSync (${databases.map((d) => d.name).join(', ')}, then Chromium)`)
  for (const database of databases) {
    console.log(`  running ${database.name}…`)
    syncRuns.push(await syncBenchOn(ROOT, database.url, SECONDS))
  }
  console.log('  running Chromium…')
  browserSync = await browserSyncBench(ROOT).catch((error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) }))
  console.log('  running 积分明细 in Chromium with 100, 1,000 and 10,000 ledger entries…')
  ledgerPage = await ledgerPageBench(ROOT, join(ROOT, 'dist')).catch((error: unknown) => ({
    failed: error instanceof Error ? error.message : String(error),
  }))
  console.log(
    '  running 朋友圈 in Chromium (200 topics, 20,000 comments: the first pull, the feed, a topic with 500 comments; a 12 MP photo compressed)…',
  )
  board = await boardBench(ROOT, join(ROOT, 'dist')).catch((error: unknown) => ({
    failed: error instanceof Error ? error.message : String(error),
  }))

  // 4. Points at town scale, on each database.
  for (const database of databases) {
    console.log(`  running points at town scale on ${database.name} (loading ~3 million ledger rows takes a while)…`)
    pointsRuns.push(await pointsBenchOn(ROOT, database.url))
  }

  // 三会一课: 500 check-ins in one minute, and the remote room with 100 members, on each database.
  for (const database of databases) {
    console.log(`  running meetings on ${database.name} (500 check-ins, one of the runs spread over a minute; the remote room)…`)
    meetingsRuns.push(await meetingsBenchOn(ROOT, database.url))
  }

  // 花名册: 2,300 members with their households imported from one .xlsx, then the admin's first pull, on each database.
  for (const database of databases) {
    console.log(`  running the roster import on ${database.name} (2,300 members, 2,300 households)…`)
    rosterRuns.push(await rosterBenchOn(ROOT, database.url))
  }

  // 总览: the overview's figures for a town of 2,300 members in 50 branches, then the server's refresh on SQLite.
  console.log('  running the overview at town scale (50 branches, 2,300 members; then the server refresh on SQLite)…')
  supervision = await supervisionBench(ROOT).catch((error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) }))
  console.log('  running 总览 in Chromium (the 50-branch town synced in; the page drawn, against /me)…')
  overviewRender = await overviewRenderBench(ROOT, join(ROOT, 'dist')).catch((error: unknown) => ({
    failed: error instanceof Error ? error.message : String(error),
  }))
} finally {
  stopPostgres()
}

printSyncSection(syncRuns, browserSync, SECONDS)
printPointsSection(pointsRuns, 'skipped' in postgres ? postgres.skipped : null)
printLedgerPageSection(ledgerPage)
printMeetingsSection(meetingsRuns, 'skipped' in postgres ? postgres.skipped : null)
printRosterSection(rosterRuns, 'skipped' in postgres ? postgres.skipped : null)
printBoardSection(board)
printSupervisionSection(supervision)
printOverviewRenderSection(overviewRender)

// 5. JSON
const report = {
  at: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg(),
  size,
  load: {
    seconds: SECONDS,
    databases: databases.map((d) => d.name),
    postgresSkipped: 'skipped' in postgres ? postgres.skipped : null,
    runs,
  },
  sync: { seconds: SECONDS, runs: syncRuns, browser: browserSync },
  points: { runs: pointsRuns, postgresSkipped: 'skipped' in postgres ? postgres.skipped : null },
  ledgerPage,
  meetings: { runs: meetingsRuns, postgresSkipped: 'skipped' in postgres ? postgres.skipped : null },
  roster: { runs: rosterRuns, postgresSkipped: 'skipped' in postgres ? postgres.skipped : null },
  board,
  supervision,
  overviewRender,
}
mkdirSync(dirname(OUT), { recursive: true })
writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\nWritten to ${relative(ROOT, OUT)}`)

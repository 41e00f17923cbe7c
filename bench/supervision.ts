// 总览 (issue 13) at town scale: the overview's pure functions (src/domain/overview.ts) over a town of 2,300
// members in 50 branches with 13 months of meetings, attendance, study days, points and comments, in memory
// (bench/supervision-town.ts), in plain Node. What a server refresh does: every branch's row, then the town's
// (which reuses the branches' counts), each run with a fresh SupervisionState as a refresh would have.
// Baseline, in the same process: `attendanceRates` (src/domain/meetings.ts) once per branch over all its
// meetings, the one pass over attendance every attendance figure already costs.
// Then the server: the same town written into a fresh SQLite database of the real app, and its full
// refresh (facts, warnings, notices, overviews) timed (bench/supervision-server.ts).
// It reports; it never fails over a number. Run alone: npx tsx bench/supervision.ts [--json]
import { loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { attendanceRates } from '../src/domain/meetings'
import { branchOverview, townOverview, type OverviewRow } from '../src/domain/overview'
import { sized } from './quick'
import { buildTown, TOWN_BRANCHES, type Town } from './supervision-town'
import { refreshBench, type RefreshBench } from './supervision-server'

/** This part's share of the issue's target for the server (warnings and overviews for the whole town < 200 ms). */
export const OVERVIEW_TARGET_MS = 50
export const REFRESH_TARGET_MS = 200
const RUNS = sized(15, 3)
const WARM_UP = sized(5, 1)

export interface Stat {
  runsMs: number[]
  medianMs: number
  /** The process's CPU time (user + system) per run, median: steadier than wall time on a shared machine; ratios use it. */
  cpuMedianMs?: number
}

export interface SupervisionBench {
  counts: Town['counts']
  buildMs: number
  /** attendanceRates once per branch, over all its meetings. */
  baseline: Stat
  /** branchOverview for the 50 branches. */
  branches: Stat
  /** The refresh: the 50 branches, then townOverview reusing their counts. */
  refresh: Stat & { ratio: number; pass: boolean }
  /** townOverview alone, from nothing (it counts every branch itself). */
  townCold: Stat
  /** JSON of the rows a refresh writes (what devices pull when they change). */
  rows: { count: number; bytes: number; townBytes: number; largestBranchBytes: number }
  server: RefreshBench | { failed: string }
  loadavg: number[]
}

const median = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function measure(fn: (run: number) => void): Stat {
  for (let i = 0; i < WARM_UP; i++) fn(-1 - i)
  const runsMs: number[] = []
  const cpuMs: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const cpu = process.cpuUsage()
    const start = performance.now()
    fn(run)
    runsMs.push(performance.now() - start)
    const used = process.cpuUsage(cpu)
    cpuMs.push((used.user + used.system) / 1000)
  }
  return { runsMs, medianMs: median(runsMs), cpuMedianMs: median(cpuMs) }
}

export async function supervisionBench(root: string): Promise<SupervisionBench> {
  const built = performance.now()
  const town = buildTown()
  const buildMs = performance.now() - built
  const { facts, now } = town
  // A new state object each run: the functions keep the counts of the last (facts, state, now) they saw.
  const fresh = () => ({ ...town.state })

  const baseline = measure(() => {
    for (const f of facts) attendanceRates({ meetings: f.meetings, attendance: f.attendance, leaves: f.leaves, awayIds: new Set() })
  })
  const branches = measure(() => {
    const state = fresh()
    for (const f of facts) branchOverview(f, state, now)
  })
  let rows: OverviewRow[] = []
  const refresh = measure(() => {
    const state = fresh()
    rows = facts.map((f) => branchOverview(f, state, now))
    rows.push(townOverview('城关镇', facts, state, now))
  })
  const townCold = measure(() => townOverview('城关镇', facts, fresh(), now))

  const sizes = rows.map((r) => Buffer.byteLength(JSON.stringify(r)))
  const server = await refreshBench(root, town).catch((error: unknown) => ({
    failed: error instanceof Error ? error.message : String(error),
  }))
  return {
    counts: town.counts,
    buildMs,
    baseline,
    branches,
    refresh: { ...refresh, ratio: refresh.cpuMedianMs! / baseline.cpuMedianMs!, pass: refresh.cpuMedianMs! < OVERVIEW_TARGET_MS },
    townCold,
    rows: {
      count: rows.length,
      bytes: sizes.reduce((a, b) => a + b, 0),
      townBytes: sizes.at(-1)!,
      largestBranchBytes: Math.max(...sizes.slice(0, -1)),
    },
    server,
    loadavg: loadavg(),
  }
}

export function printSupervisionSection(result: SupervisionBench | { failed: string }): void {
  console.log(`\n总览 (overview figures, src/domain/overview.ts, in plain Node; median of ${RUNS} runs after ${WARM_UP} warm-ups)`)
  if ('failed' in result) return void console.log(`  FAILED: ${result.failed}`)
  const c = result.counts
  const n = (x: number) => x.toLocaleString('en')
  console.log(
    `  town: ${n(c.members)} members in ${TOWN_BRANCHES} branches; ${n(c.meetings)} meetings, ${n(c.attendance)} attendance rows, ${n(c.leaves)} leaves, ` +
      `${n(c.studyDays)} study days, ${n(c.points)} member-months of points, ${n(c.topics)} topics, ${n(c.comments)} comments, ` +
      `${c.warnings} warnings, ${c.notices} notices (built in ${result.buildMs.toFixed(0)} ms)`,
  )
  const row = (label: string, s: Stat, note = '') =>
    console.log(
      `  ${label.padEnd(58)}${s.medianMs.toFixed(1).padStart(8)} ms${s.cpuMedianMs === undefined ? ''.padStart(12) : `${s.cpuMedianMs.toFixed(1).padStart(9)} ms`}${note}`,
    )
  console.log(`  ${''.padEnd(58)}${'wall'.padStart(11)}${'CPU'.padStart(12)}`)
  row('baseline: attendanceRates once per branch', result.baseline, '   (baseline)')
  row(
    `branchOverview × ${TOWN_BRANCHES}`,
    result.branches,
    `   ${(result.branches.cpuMedianMs! / result.baseline.cpuMedianMs!).toFixed(2)}× baseline`,
  )
  row(
    `refresh: branchOverview × ${TOWN_BRANCHES}, then townOverview`,
    result.refresh,
    `   ${result.refresh.ratio.toFixed(2)}× baseline; target < ${OVERVIEW_TARGET_MS} ms CPU → ${result.refresh.pass ? 'PASS' : 'OVER'}`,
  )
  row('townOverview alone, from nothing', result.townCold)
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  console.log(
    `  rows written: ${result.rows.count}, ${kb(result.rows.bytes)} of JSON (the town's ${kb(result.rows.townBytes)}, the largest branch's ${kb(result.rows.largestBranchBytes)})`,
  )
  console.log(`  runs, refresh: ${result.refresh.runsMs.map((ms) => ms.toFixed(1)).join(', ')} ms`)
  const s = result.server
  console.log('  the server: that town written into a fresh SQLite database of the real app, then its full refresh')
  if ('failed' in s) console.log(`     FAILED: ${s.failed}`)
  else {
    console.log(`     ${n(s.rows)} rows written in ${(s.insertMs / 1000).toFixed(1)} s (one transaction)`)
    row(
      '   loadBranchFacts, every branch',
      s.facts,
      `   ${(s.facts.cpuMedianMs / result.refresh.cpuMedianMs!).toFixed(2)}× the overview functions`,
    )
    console.log(
      `  ${'   first refresh (writes every warning, notice, overview)'.padEnd(58)}${s.firstMs.toFixed(1).padStart(8)} ms   → ${s.written.warnings} warnings, ${s.written.rectifications} notices, ${s.written.overviews} overview rows`,
    )
    row(
      '   refresh again, nothing changed',
      s.again,
      `   ${(s.again.cpuMedianMs / result.refresh.cpuMedianMs!).toFixed(2)}× the overview functions; target < ${REFRESH_TARGET_MS} ms CPU → ${s.again.cpuMedianMs! < REFRESH_TARGET_MS ? 'PASS' : 'OVER'}`,
    )
    console.log(
      `     runs, refresh again: ${s.again.runsMs.map((ms) => ms.toFixed(0)).join(', ')} ms; loadBranchFacts: ${s.facts.runsMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    )
  }
  console.log(`  load average at the end: ${result.loadavg.map((x) => x.toFixed(2)).join(' ')} (compare within this run, not across runs)`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = await supervisionBench(resolve(dirname(fileURLToPath(import.meta.url)), '..'))
  printSupervisionSection(result)
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2))
}

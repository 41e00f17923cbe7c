// Prints the sync section of the bench report.
import { printBrowserSyncSection, type BrowserSync } from './browser-sync'
import type { SyncBench } from './sync'

export const PUSH_TARGET = 2_000

const pad = (s: string, n: number) => s.padEnd(n)
const num = (n: number, digits = 0) => n.toFixed(digits).padStart(10)
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS')

export function printSyncSection(runs: SyncBench[], browser: BrowserSync | { failed: string }, seconds: number): void {
  const name = (r: SyncBench) => (r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL')
  console.log(
    `\n  Over HTTP (in-process server on 127.0.0.1, Node fetch; push: batches of 100 profile.update, 1 member, then 4 members of 4 branches at once, ${seconds} s per run after a 1 s warm-up)`,
  )
  console.log(
    `  ${pad('', 40)}${'mut/s'.padStart(10)}${'batches'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'rejected'.padStart(10)}`,
  )
  for (const r of runs) {
    for (const p of [r.pushSequential, r.pushConcurrent]) {
      const target =
        r.database === 'sqlite' && p.clients === 1
          ? `   target ≥ ${PUSH_TARGET.toLocaleString('en')} → ${verdict(p.mutationsPerSecond >= PUSH_TARGET)}`
          : ''
      console.log(
        `  ${pad(`${name(r)}: push, ${p.clients} client${p.clients > 1 ? 's' : ''}`, 40)}${num(p.mutationsPerSecond)}${num(p.batches)}${num(p.p50BatchMs, 1)}${num(p.p99BatchMs, 1)}${num(p.rejected)}${target}`,
      )
    }
  }
  for (const r of runs) {
    console.log(
      `  ${pad(`${name(r)}: GET /api/health, sequential`, 40)}${num(r.health.perSecond)} req/s   (one push of 100 costs ${r.pushBatchVsHealth.toFixed(1)} health requests)`,
    )
    if (r.commitCeiling)
      console.log(
        `  ${pad(`${name(r)}: bare commits (WAL, sync=FULL)`, 40)}${num(r.commitCeiling.perSecond)} commits/s   (one-row transactions on this disk: the ceiling for one transaction per mutation)`,
      )
    const u = r.underPush
    const ms = (l: { p50Ms: number; p99Ms: number }) => `p50 ${l.p50Ms.toFixed(1)} / p99 ${l.p99Ms.toFixed(1)} ms`
    console.log(
      `  ${pad(`${name(r)}: health p99 while a push batch runs`, 40)}${num(u.health.p99Ms, 1)} ms   (health ${ms(u.healthIdle)} idle, ${ms(u.health)} under push; a member's pull ${ms(u.pullIdle)} idle, ${ms(u.pull)} under push)`,
    )
  }

  console.log(`\n  full pull as the admin (10,000 inserted rows + the demo data; a new device each run; median of 3 after a warm-up)`)
  console.log(
    `  ${pad('', 40)}${'ms'.padStart(10)}${'pages'.padStart(10)}${'rows'.padStart(10)}${'rows/s'.padStart(10)}${'bytes'.padStart(12)}`,
  )
  for (const r of runs) {
    const m = r.pull.median
    console.log(
      `  ${pad(`${name(r)}: GET /api/sync/pull, all pages`, 40)}${num(m.ms, 1)}${num(m.pages)}${num(m.rows)}${num(m.rowsPerSecond)}${mb(m.bytes).padStart(12)}   (runs: ${r.pull.runs.map((x) => x.ms.toFixed(0)).join(', ')} ms; insert took ${r.pull.insertMs.toFixed(0)} ms)`,
    )
  }

  printBrowserSyncSection(browser)
}

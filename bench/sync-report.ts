// Prints the sync section of the bench report.
import type { BrowserSync } from './browser-sync'
import type { SyncBench } from './sync'

export const PUSH_TARGET = 2_000
export const BROWSER_TARGET_MS = 3_000

const pad = (s: string, n: number) => s.padEnd(n)
const num = (n: number, digits = 0) => n.toFixed(digits).padStart(10)
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS')

export function printSyncSection(runs: SyncBench[], browser: BrowserSync | { failed: string }, seconds: number): void {
  const name = (r: SyncBench) => (r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL')
  console.log(
    `\n  Over HTTP (in-process server on 127.0.0.1, Node fetch; push: batches of 100 profile.update as the demo member, ${seconds} s per run after a 1 s warm-up)`,
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

  console.log(
    `\n  Into IndexedDB (the built app in Chromium, served by the real server on SQLite; the admin signs in through the form and the app's own SyncEngine pulls)`,
  )
  if ('skipped' in browser) return void console.log(`  skipped: ${browser.skipped}`)
  if ('failed' in browser) return void console.log(`  FAILED: ${browser.failed}`)
  browser.runs.forEach((r, i) => {
    console.log(
      `  run ${i + 1} (fresh context): login click → ${browser.members.toLocaleString('en')} members in IndexedDB ${r.clickToDoneMs.toFixed(0)} ms; first pull request → done ${r.firstPullToDoneMs.toFixed(0)} ms   target < ${BROWSER_TARGET_MS.toLocaleString('en')} ms → ${verdict(r.firstPullToDoneMs < BROWSER_TARGET_MS)}`,
    )
    console.log(
      `      click → first pull ${r.clickToFirstPullMs.toFixed(0)} ms; first pull sent → last pull received ${r.pullSpanMs.toFixed(0)} ms; the ${r.pages} pull requests themselves ${r.pullNetworkMs.toFixed(0)} ms (${mb(r.responseBytes)}); applying and the rest ${r.applyAndOtherMs.toFixed(0)} ms`,
    )
  })
  const floor = browser.floor
  console.log(
    `  raw IndexedDB, same Chromium, no app: ${floor.rows.toLocaleString('en')} rows in pages of 500, each put awaited (as SyncEngine.apply) ${floor.awaitEachMs.toFixed(0)} ms; puts issued together (as bulkPut) ${floor.pipelinedMs.toFixed(0)} ms`,
  )
  const f = browser.fakeIndexedDb
  console.log(
    `  fake-indexeddb in Node (NOT a browser): SyncEngine.pull() of ${f.members.toLocaleString('en')} members over HTTP ${f.ms.toFixed(0)} ms, ${f.pages} pages`,
  )
}

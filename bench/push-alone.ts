// Push figures alone (bench/sync.ts's push part), SQLite then PostgreSQL: `npx tsx bench/push-alone.ts [seconds]`.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, startPostgres } from './postgres'
import { startServer } from './server'
import { pushFigures } from './sync'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const seconds = Number(process.argv[2] ?? 3)
const postgres = await startPostgres()
try {
  for (const name of ['sqlite', 'postgres'] as const) {
    if (name === 'postgres' && !('url' in postgres)) break
    const fresh = name === 'postgres' && 'url' in postgres ? await createDatabase(postgres.url, 'djy_push') : undefined
    const server = await startServer(ROOT, fresh?.url)
    try {
      const r = await pushFigures(server.url, seconds)
      const p = (x: typeof r.pushSequential) =>
        `${x.mutationsPerSecond.toFixed(0)} mut/s (p50 ${x.p50BatchMs.toFixed(1)} ms, p99 ${x.p99BatchMs.toFixed(1)} ms, rejected ${x.rejected})`
      const l = (x: { p50Ms: number; p99Ms: number }) => `p50 ${x.p50Ms.toFixed(1)} p99 ${x.p99Ms.toFixed(1)} ms`
      console.log(`${name}: 1 client ${p(r.pushSequential)}; 4 clients ${p(r.pushConcurrent)}`)
      console.log(
        `${name}: health idle ${l(r.underPush.healthIdle)}, under push ${l(r.underPush.health)}; pull idle ${l(r.underPush.pullIdle)}, under push ${l(r.underPush.pull)}`,
      )
    } finally {
      await server.close()
      await fresh?.drop()
    }
  }
} finally {
  if ('stop' in postgres) postgres.stop()
}

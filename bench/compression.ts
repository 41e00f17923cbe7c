// Compression on the wire (issue 14): what the login route and a first pull cost in bytes and in server time,
// sent as is (identity), as brotli and as gzip, from the same server in the same run.
// 1. The login route: the files Chromium loads for /login on a fresh profile (index.html, scripts, styles), then
//    each fetched over HTTP with each Accept-Encoding; static files are served from the build's .br/.gz copies.
// 2. A first pull: a 合兴村 member's pages from a server given 20,000 comments (bench/board.ts's data set; 2,000
//    in quick mode), all pages with a fresh client id per run, encodings interleaved; the time is request sent →
//    last byte received on 127.0.0.1, i.e. the server's time to answer, compression included.
// 3. The biggest pull page compressed in-process at several brotli qualities and gzip, to show why on-the-fly
//    answers use quality 4 (src/server/http/compression.ts) and the build quality 11.
// Wire time at a weak signal is estimated as bytes × 8 / 400 kbps. It reports; it never fails over a number.
// Standalone: npx tsx bench/compression.ts [--quick] (serves COMPRESSION_DIST, or dist/).
import { existsSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { DYNAMIC_BROTLI_QUALITY } from '../src/server/http/compression'
import { BOARD_COMMENTS, BOARD_MEMBER, insertBoard } from './board'
import { QUICK, sized } from './quick'
import { signIn, startServer, type BenchServer } from './server'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const ENCODINGS = ['identity', 'br', 'gzip'] as const
type Encoding = (typeof ENCODINGS)[number]
const RUNS = sized(3, 1)
const LEVEL_RUNS = sized(9, 3)
const WEAK_SIGNAL_BPS = 400_000

export interface Wire {
  encoding: Encoding
  /** Bytes of the bodies as sent (compressed or not). */
  bytes: number
  /** Median over runs of the summed request → last-byte times. */
  ms: number
  /** Bytes at 400 kbps. */
  weakSignalS: number
}
export interface LoginRoute {
  files: string[]
  wire: Wire[]
}
export interface FirstPull {
  comments: number
  rows: number
  pages: number
  wire: (Wire & { rowsPerSecond: number })[]
}
export interface Level {
  label: string
  bytes: number
  ms: number
}
export type CompressionBench =
  | { login: LoginRoute | { failed: string }; pull: FirstPull | { failed: string }; levels: Level[]; biggestPage: number }
  | { skipped: string }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
const failure = (error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) })

/** One GET over a kept-alive connection: the body exactly as it came over the wire, and how long it took. */
function get(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; encoding: string; body: Buffer; ms: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    request(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          encoding: String(response.headers['content-encoding'] ?? 'identity'),
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      )
      response.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

const acceptFor = (encoding: Encoding) => ({ identity: 'identity', br: 'br, gzip', gzip: 'gzip' })[encoding]
const decode = (encoding: string, body: Buffer) =>
  encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body

function wire(encoding: Encoding, bytes: number, runsMs: number[]): Wire {
  return { encoding, bytes, ms: median(runsMs), weakSignalS: (bytes * 8) / WEAK_SIGNAL_BPS }
}

/** The paths Chromium fetches from the server to show /login on a fresh profile (the API and the service worker's own fetches left out). */
async function loginRouteFiles(url: string): Promise<string[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
    const paths = new Set<string>()
    page.on('request', (r) => {
      const u = new URL(r.url())
      if (u.origin === url && !u.pathname.startsWith('/api/') && !r.serviceWorker()) paths.add(u.pathname)
    })
    await page.goto(`${url}/login`)
    await page.getByRole('button', { name: '登录' }).waitFor()
    return [...paths]
  } finally {
    await browser.close()
  }
}

async function loginRoute(server: BenchServer): Promise<LoginRoute> {
  const files = await loginRouteFiles(server.url)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const bytes = new Map<Encoding, number>()
    const times = new Map<Encoding, number[]>(ENCODINGS.map((e) => [e, []]))
    for (let run = 0; run < RUNS + 1; run++) {
      for (const encoding of run % 2 ? [...ENCODINGS].reverse() : ENCODINGS) {
        let sum = 0
        let ms = 0
        for (const file of files) {
          const answer = await get(agent, `${server.url}${file}`, { accept: 'text/html,*/*', 'accept-encoding': acceptFor(encoding) })
          if (answer.status !== 200) throw new Error(`${file}: HTTP ${answer.status}`)
          sum += answer.body.length
          ms += answer.ms
        }
        bytes.set(encoding, sum)
        // The first round only warms the files into the page cache.
        if (run > 0) times.get(encoding)!.push(ms)
      }
    }
    return { files, wire: ENCODINGS.map((e) => wire(e, bytes.get(e)!, times.get(e)!)) }
  } finally {
    agent.destroy()
  }
}

/** Every page of a member's first pull, with one Accept-Encoding. */
async function pullAll(agent: Agent, server: BenchServer, cookie: string, encoding: Encoding) {
  const clientId = `bench_gz_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
  const pages: Buffer[] = []
  let bytes = 0
  let ms = 0
  let rows = 0
  let cursor: string | undefined
  for (;;) {
    const query = new URLSearchParams({ clientId, ...(cursor ? { cursor } : {}) })
    const answer = await get(agent, `${server.url}/api/sync/pull?${query}`, { cookie, 'accept-encoding': acceptFor(encoding) })
    if (answer.status !== 200) throw new Error(`pull: HTTP ${answer.status}`)
    bytes += answer.body.length
    ms += answer.ms
    const body = decode(answer.encoding, answer.body)
    pages.push(body)
    const reply = JSON.parse(body.toString('utf8')) as { cursor: string; changes: unknown[]; hasMore: boolean }
    rows += reply.changes.length
    cursor = reply.cursor
    if (!reply.hasMore) return { bytes, ms, rows, pages }
  }
}

async function firstPull(server: BenchServer): Promise<{ pull: FirstPull; biggest: Buffer }> {
  const inserted = await insertBoard(server.config)
  const { cookie } = await signIn(server.url, BOARD_MEMBER)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const results = new Map<Encoding, { bytes: number; rows: number; ms: number[] }>()
    let biggest: Buffer = Buffer.alloc(0)
    let pages = 0
    for (let run = 0; run < RUNS; run++) {
      for (const encoding of run % 2 ? [...ENCODINGS].reverse() : ENCODINGS) {
        const r = await pullAll(agent, server, cookie, encoding)
        const seen = results.get(encoding) ?? { bytes: r.bytes, rows: r.rows, ms: [] }
        seen.ms.push(r.ms)
        results.set(encoding, seen)
        pages = r.pages.length
        for (const page of r.pages) if (page.length > biggest.length) biggest = page
      }
    }
    const rows = results.get('identity')!.rows
    return {
      biggest,
      pull: {
        comments: inserted.comments,
        rows,
        pages,
        wire: ENCODINGS.map((e) => {
          const r = results.get(e)!
          const w = wire(e, r.bytes, r.ms)
          return { ...w, rowsPerSecond: (r.rows / w.ms) * 1000 }
        }),
      },
    }
  } finally {
    agent.destroy()
  }
}

/** One page compressed in-process: what each setting costs in CPU and saves in bytes. */
function levels(page: Buffer): Level[] {
  const brotli = (quality: number) => () => brotliCompressSync(page, { params: { [constants.BROTLI_PARAM_QUALITY]: quality } })
  const settings: [string, () => Buffer][] = [
    ...[1, DYNAMIC_BROTLI_QUALITY, 5, 6, ...(QUICK ? [] : [11])].map((q): [string, () => Buffer] => [`brotli ${q}`, brotli(q)]),
    ['gzip 6', () => gzipSync(page, { level: 6 })],
    ['gzip 9', () => gzipSync(page, { level: 9 })],
  ]
  return settings.map(([label, run]) => {
    const times: number[] = []
    let bytes = 0
    // Quality 11 takes seconds a page: once is enough to see it is no setting for answers made on the fly.
    for (let i = 0; i < (label === 'brotli 11' ? 1 : LEVEL_RUNS); i++) {
      const started = performance.now()
      bytes = run().length
      times.push(performance.now() - started)
    }
    return { label, bytes, ms: median(times) }
  })
}

export async function compressionBench(root: string, dist: string): Promise<CompressionBench> {
  if (!existsSync(join(dist, 'index.html'))) return { skipped: `no ${join(dist, 'index.html')}: build the app first` }
  if (!existsSync(join(dist, 'index.html.br')))
    return { skipped: `${dist} has no precompressed files: rebuild it (vite.config.ts precompress())` }
  const server = await startServer(root, undefined, dist)
  try {
    const login = existsSync(CHROMIUM) ? await loginRoute(server).catch(failure) : { failed: `no Chromium at ${CHROMIUM}` }
    let pull: FirstPull | { failed: string }
    let page: Buffer = Buffer.alloc(0)
    try {
      const measured = await firstPull(server)
      pull = measured.pull
      page = measured.biggest
    } catch (error) {
      pull = failure(error)
    }
    return { login, pull, levels: page.length ? levels(page) : [], biggestPage: page.length }
  } finally {
    await server.close()
  }
}

export function printCompressionSection(result: CompressionBench | { failed: string }): void {
  console.log(
    `\nCompression on the wire (SQLite, 127.0.0.1; identity vs brotli vs gzip from the same server; median of ${RUNS} interleaved run(s); wire time at ${WEAK_SIGNAL_BPS / 1000} kbps estimated from the bytes)`,
  )
  if ('skipped' in result) return void console.log(`  skipped: ${result.skipped}`)
  if ('failed' in result) return void console.log(`  FAILED: ${result.failed}`)
  const kb = (bytes: number) =>
    (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`).padStart(10)
  const x = (n: number) => `${n.toFixed(3)}×`.padStart(9)
  const table = (wires: (Wire & { rowsPerSecond?: number })[]) => {
    const base = wires.find((w) => w.encoding === 'identity')!
    console.log(
      `     ${''.padEnd(10)}${'bytes'.padStart(10)}${'ratio'.padStart(9)}${'server ms'.padStart(11)}${'ratio'.padStart(9)}${'@400kbps'.padStart(10)}${'rows/s'.padStart(9)}`,
    )
    for (const w of wires)
      console.log(
        `     ${w.encoding.padEnd(10)}${kb(w.bytes)}${x(w.bytes / base.bytes)}${w.ms.toFixed(1).padStart(11)}${x(w.ms / base.ms)}${`${w.weakSignalS.toFixed(1)} s`.padStart(10)}${w.rowsPerSecond === undefined ? '' : w.rowsPerSecond.toFixed(0).padStart(9)}${w === base ? '   (baseline)' : ''}`,
      )
  }
  const { login, pull, levels: settings, biggestPage } = result
  console.log('  1. the login route, every file Chromium loads for /login on a fresh profile')
  if ('failed' in login) console.log(`     FAILED: ${login.failed}`)
  else {
    console.log(
      `     ${login.files.length} files: ${login.files.filter((f) => !f.startsWith('/assets/')).join(', ')} and ${login.files.filter((f) => f.startsWith('/assets/')).length} under /assets/`,
    )
    table(login.wire)
  }
  console.log(
    `  2. a 合兴村 member's first pull with ${BOARD_COMMENTS.toLocaleString('en')} comments in the branch${QUICK ? ' (quick mode)' : ''}`,
  )
  if ('failed' in pull) console.log(`     FAILED: ${pull.failed}`)
  else {
    console.log(`     ${pull.rows.toLocaleString('en')} rows in ${pull.pages} pages`)
    table(pull.wire)
  }
  if (settings.length) {
    const raw = biggestPage
    console.log(
      `  3. the biggest pull page (${kb(raw).trim()}) compressed in-process; on-the-fly answers use brotli ${DYNAMIC_BROTLI_QUALITY}, the build brotli 11`,
    )
    for (const level of settings)
      console.log(
        `     ${level.label.padEnd(10)}${kb(level.bytes)}${x(level.bytes / raw)}${`${level.ms.toFixed(1)} ms`.padStart(12)}${`${(raw / 1024 / 1024 / (level.ms / 1000)).toFixed(0)} MB/s`.padStart(11)}`,
      )
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  printCompressionSection(await compressionBench(root, resolve(process.env.COMPRESSION_DIST ?? join(root, 'dist'))).catch(failure))
}

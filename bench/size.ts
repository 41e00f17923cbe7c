import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

export interface FileSize {
  file: string
  raw: number
  gzip: number
}

export interface SizeGroup {
  files: FileSize[]
  raw: number
  gzip: number
}

export interface SizeReport {
  /** The folder measured. */
  dist: string
  /** Whether this run built it, and when its index.html was written. */
  built: boolean
  builtAt: string
  /** What index.html loads itself: entry script, modulepreloads, stylesheets. */
  firstLoad: SizeGroup
  /** The /login route's own chunk: LoginPage-*.js and LoginPage-*.css. */
  loginChunk: SizeGroup
  /** Other chunks the router preloads with LoginPage that index.html did not already load. */
  loginShared: SizeGroup
  /** firstLoad + loginChunk + loginShared: everything a signed-out user downloads before the login form shows. */
  firstScreen: SizeGroup
  budgetGzip: number
  withinBudget: boolean
  /** The chunks that carry Chart.js (the 总览 pages load them on demand), with the chart component's CSS. */
  chartChunks: SizeGroup
  /** Files of the first screen that carry Chart.js: must be none. */
  chartInFirstScreen: string[]
}

/** First-load JS + CSS, gzipped, that index.html may cost at most. */
export const FIRST_LOAD_BUDGET_GZIP = 120 * 1024

/**
 * A message only Chart.js's core carries (Chart's constructor), so it survives minification: a chunk with it
 * holds Chart.js.
 */
export const CHART_JS_MARKER = 'Canvas is already in use. Chart with ID'

const carriesChartJs = (dist: string, file: string) =>
  file.endsWith('.js') && readFileSync(join(dist, file), 'utf8').includes(CHART_JS_MARKER)

function measureFile(dist: string, file: string): FileSize {
  const bytes = readFileSync(join(dist, file))
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

function group(dist: string, files: string[]): SizeGroup {
  const sizes = [...new Set(files)].map((f) => measureFile(dist, f))
  return { files: sizes, raw: sizes.reduce((n, s) => n + s.raw, 0), gzip: sizes.reduce((n, s) => n + s.gzip, 0) }
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {}
  for (const m of tag.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    if (m[1]) attrs[m[1].toLowerCase()] = m[2] ?? m[3] ?? ''
  }
  return attrs
}

/** A same-origin asset URL from index.html as a path inside dist ("/assets/x.js" → "assets/x.js"). */
function localPath(url: string): string | undefined {
  if (/^[a-z]+:\/\//i.test(url) || url.startsWith('//')) return undefined
  const path = url.replace(/^\.?\//, '').split(/[?#]/)[0]
  return path && /\.(m?js|css)$/.test(path) ? path : undefined
}

/** The JS and CSS index.html loads: <script src>, <link rel=modulepreload>, <link rel=stylesheet>. */
export function indexAssets(html: string): string[] {
  const files: string[] = []
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    const attrs = attributes(tag)
    const url = tag.toLowerCase().startsWith('<script')
      ? attrs.src
      : ['modulepreload', 'stylesheet'].includes(attrs.rel ?? '')
        ? attrs.href
        : undefined
    const path = url && localPath(url)
    if (path) files.push(path)
  }
  return files
}

/**
 * Files the router preloads for the LoginPage chunk, from Vite's `__vite__mapDeps` table in the entry:
 * `import("./LoginPage-x.js"),__vite__mapDeps([0,1,…])` indexes `m.f=["assets/…", …]`.
 */
function loginRouteDeps(dist: string, entryFiles: string[]): string[] | undefined {
  for (const file of entryFiles.filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(join(dist, file), 'utf8')
    const table = code.match(/m\.f=(\[[^\]]*\])/)?.[1]
    const call = code.match(/import\("\.\/LoginPage-[\w-]+\.js"\),__vite__mapDeps\(\[([\d,\s]*)\]/)?.[1]
    if (!table || call === undefined) continue
    const paths = JSON.parse(table) as string[]
    return call
      .split(',')
      .filter((s) => s.trim())
      .map((i) => paths[Number(i)])
      .filter((p): p is string => typeof p === 'string')
  }
  return undefined
}

/** Builds the app into `dist` (npx vite build --outDir) when it has no index.html, or always with `force`. */
export function buildIfMissing(root: string, force = false, dist = join(root, 'dist')): boolean {
  if (!force && existsSync(join(dist, 'index.html'))) return false
  console.log(`${force ? 'Building' : `${dist}/index.html missing: building`} the app (npx vite build --outDir ${dist})…`)
  const result = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir'], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`npx vite build failed (exit ${result.status ?? result.signal})`)
  return true
}

/** `dist`: the built app to measure, BENCH_DIST or dist/ by default. */
export function measureSizes(root: string, options: { forceBuild?: boolean; dist?: string } = {}): SizeReport {
  const dist = resolve(options.dist ?? process.env.BENCH_DIST ?? join(root, 'dist'))
  const built = buildIfMissing(root, options.forceBuild, dist)
  const entryFiles = [...new Set(indexAssets(readFileSync(join(dist, 'index.html'), 'utf8')))]
  const firstLoad = group(dist, entryFiles)

  const own = readdirSync(join(dist, 'assets'))
    .filter((f) => /^LoginPage-[\w-]+\.(js|css)$/.test(f))
    .map((f) => `assets/${f}`)
  if (!own.some((f) => f.endsWith('.js'))) throw new Error('no dist/assets/LoginPage-*.js: is the login route still lazily loaded?')
  const loaded = new Set([...entryFiles, ...own])
  const shared = (loginRouteDeps(dist, entryFiles) ?? []).filter((f) => !loaded.has(f))
  const loginChunk = group(dist, own)
  const loginShared = group(dist, shared)
  const firstScreen = group(dist, [...entryFiles, ...own, ...shared])
  const assets = readdirSync(join(dist, 'assets')).map((f) => `assets/${f}`)
  const chartChunks = group(
    dist,
    assets.filter((f) => carriesChartJs(dist, f) || /^assets\/OverviewChart-[\w-]+\.(js|css)$/.test(f)),
  )
  const chartInFirstScreen = firstScreen.files.map((f) => f.file).filter((f) => carriesChartJs(dist, f))

  return {
    dist,
    built,
    builtAt: statSync(join(dist, 'index.html')).mtime.toISOString(),
    firstLoad,
    loginChunk,
    loginShared,
    firstScreen,
    budgetGzip: FIRST_LOAD_BUDGET_GZIP,
    withinBudget: firstLoad.gzip <= FIRST_LOAD_BUDGET_GZIP,
    chartChunks,
    chartInFirstScreen,
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/** What fails the full bench (at its very end): the first load over budget, Chart.js in the first screen. */
export function sizeProblems(size: SizeReport): string[] {
  const problems: string[] = []
  if (!size.withinBudget)
    problems.push(
      `first load ${kb(size.firstLoad.gzip)} gzipped is over the ${kb(size.budgetGzip)} budget by ${kb(size.firstLoad.gzip - size.budgetGzip)}`,
    )
  if (size.chartInFirstScreen.length) problems.push(`Chart.js loads in the first screen (${size.chartInFirstScreen.join(', ')})`)
  else if (!size.chartChunks.files.some((f) => f.file.endsWith('.js'))) problems.push('no lazy Chart.js chunk found')
  return problems
}

export function printSizeSection(size: SizeReport): void {
  const pad = (s: string, n: number) => s.padEnd(n)
  const line = (label: string, g: SizeGroup) =>
    `  ${pad(label, 30)}${String(g.files.length).padStart(3)} files   raw ${kb(g.raw).padStart(9)}   gzip ${kb(g.gzip).padStart(9)}`
  const files = (g: SizeGroup) =>
    g.files.map((f) => `      ${pad(f.file, 52)}${kb(f.raw).padStart(9)}  gz ${kb(f.gzip).padStart(8)}`).join('\n')
  const spare = size.budgetGzip - size.firstLoad.gzip
  console.log(
    `\nFirst-load size (${size.dist} ${size.built ? 'built just now' : `as built at ${size.builtAt}`}; each file gzipped at level 9; 1 KB = 1024 bytes)`,
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
}

// `npx tsx bench/size.ts [--build] [--dist=folder]` (or BENCH_DIST=folder): this part alone, exiting 1 when over
// budget or Chart.js loads up front. Without --dist or BENCH_DIST it measures dist/ (building it when missing).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const dist = process.argv.find((a) => a.startsWith('--dist='))?.slice('--dist='.length)
  const report = measureSizes(root, { forceBuild: process.argv.includes('--build'), ...(dist ? { dist } : {}) })
  printSizeSection(report)
  const problems = sizeProblems(report)
  for (const p of problems) console.log(`FAIL: ${p}`)
  if (problems.length) process.exitCode = 1
}

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
  /** Whether this run built dist/, and when dist/index.html was written. */
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
export const FIRST_LOAD_BUDGET_GZIP = 150 * 1024

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

export function buildIfMissing(root: string, force = false): boolean {
  if (!force && existsSync(join(root, 'dist', 'index.html'))) return false
  console.log(force ? 'Building the app (npx vite build)…' : 'dist/index.html missing: building the app (npx vite build)…')
  const result = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`npx vite build failed (exit ${result.status ?? result.signal})`)
  return true
}

export function measureSizes(root: string, options: { forceBuild?: boolean } = {}): SizeReport {
  const built = buildIfMissing(root, options.forceBuild)
  const dist = join(root, 'dist')
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

// `npx tsx bench/size.ts [--build]`: this part alone, failing when over budget or Chart.js loads up front.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const report = measureSizes(root, { forceBuild: process.argv.includes('--build') })
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const chartOk = report.chartChunks.files.some((f) => f.file.endsWith('.js')) && report.chartInFirstScreen.length === 0
  console.log(
    `first load: ${kb(report.firstLoad.gzip)} gzipped (budget ${kb(report.budgetGzip)}) → ${report.withinBudget ? 'PASS' : 'OVER'}`,
  )
  console.log(`first screen (with the login route): ${kb(report.firstScreen.gzip)} gzipped`)
  console.log(
    `lazy chart chunk (Chart.js, 总览 only): ${kb(report.chartChunks.gzip)} gzipped — ${report.chartChunks.files.map((f) => f.file).join(', ') || 'none found'}`,
  )
  console.log(
    `Chart.js in the first screen: ${report.chartInFirstScreen.length ? `YES (${report.chartInFirstScreen.join(', ')})` : 'no'} → ${chartOk ? 'PASS' : 'FAIL'}`,
  )
  if (!report.withinBudget || !chartOk) process.exitCode = 1
}

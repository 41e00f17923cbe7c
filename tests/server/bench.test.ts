// The bench's own arithmetic (issue 14): what it expects the admin to pull, what counts against the first-load
// budget and when that fails the run, and how Lighthouse runs are summarised against their goals. No timings.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Result } from 'lighthouse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PullReply } from '~/domain/sync'
import { PROJECT_ROOT } from '~/server/config'
import { clientId, insertMemberRows } from '../../bench/server'
import { CHART_JS_MARKER, FIRST_LOAD_BUDGET_GZIP, measureSizes, sizeProblems } from '../../bench/size'
import { LIGHTHOUSE_GOALS, summarise } from '../../bench/lighthouse'
import { databases, DEMO, login, startServer, type TestServer } from './helpers'

describe.each(databases)("the sync bench's expected pull on %s", (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  it("counts exactly the rows the demo admin's first pull returns, its own check-in keys included", async () => {
    const { rows: expected, members } = await insertMemberRows(server.config, 120)
    expect(members).toBeGreaterThanOrEqual(120)
    const cookie = await login(server.app, DEMO.admin)
    const id = clientId('test')
    let cursor = ''
    let pulled = 0
    for (let page = 0; page < 1000; page++) {
      const response = await server.app.inject({
        url: `/api/sync/pull?${new URLSearchParams({ clientId: id, cursor })}`,
        headers: { cookie },
      })
      expect(response.statusCode).toBe(200)
      const reply = response.json<PullReply>()
      pulled += reply.changes.filter((c) => c.op === 'put').length
      cursor = reply.cursor
      if (!reply.hasMore) break
    }
    expect(pulled).toBe(expected)
  })
})

describe('the first-load budget', () => {
  let dist: string
  const write = (file: string, content: string | Buffer) => writeFileSync(join(dist, file), content)
  const indexHtml = (extra = '') =>
    `<!doctype html><script type="module" src="/assets/index-a1.js"></script><link rel="modulepreload" href="/assets/vendor-b2.js">` +
    `<link rel="stylesheet" href="/assets/index-c3.css"><link rel="icon" href="/favicon.png">${extra}<div id="app"></div>`
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'djy-bench-size-'))
    mkdirSync(join(dist, 'assets'))
    write('assets/index-a1.js', 'import("./LoginPage-d4.js");'.repeat(50))
    write('assets/vendor-b2.js', 'export const v = 1;'.repeat(50))
    write('assets/index-c3.css', 'body{margin:0}'.repeat(50))
    write('assets/LoginPage-d4.js', 'export default {}')
    write('assets/OverviewChart-e5.js', `throw new Error("${CHART_JS_MARKER}")`)
    // Random bytes don't compress: a file that alone is over the budget once loaded up front.
    write('assets/huge-f6.js', randomBytes(FIRST_LOAD_BUDGET_GZIP + 1024).toString('base64'))
  })
  afterAll(() => rmSync(dist, { recursive: true, force: true }))

  it("counts index.html's script, modulepreloads and stylesheets, and passes under the budget", () => {
    write('index.html', indexHtml())
    const size = measureSizes(PROJECT_ROOT, { dist })
    expect(size.firstLoad.files.map((f) => f.file).sort()).toEqual(['assets/index-a1.js', 'assets/index-c3.css', 'assets/vendor-b2.js'])
    expect(size.budgetGzip).toBe(120 * 1024)
    expect(size.withinBudget).toBe(true)
    expect(sizeProblems(size)).toEqual([])
  })

  it('fails when a modulepreload takes the first load over the budget, or Chart.js loads up front', () => {
    write('index.html', indexHtml('<link rel="modulepreload" href="/assets/huge-f6.js">'))
    expect(sizeProblems(measureSizes(PROJECT_ROOT, { dist }))).toEqual([expect.stringMatching(/over the 120\.0 KB budget/)])
    write('index.html', indexHtml('<link rel="modulepreload" href="/assets/OverviewChart-e5.js">'))
    expect(sizeProblems(measureSizes(PROJECT_ROOT, { dist }))).toEqual([expect.stringMatching(/Chart\.js loads in the first screen/)])
  })
})

describe('Lighthouse runs summarised', () => {
  const lhr = (perf: number, bestPractices: number, lcp: number) =>
    ({
      lighthouseVersion: '12.8.2',
      categories: {
        performance: {
          score: perf / 100,
          auditRefs: [
            { id: 'largest-contentful-paint', weight: 25 },
            { id: 'bootup-time', weight: 0 },
          ],
        },
        accessibility: { score: 1, auditRefs: [] },
        'best-practices': { score: bestPractices / 100, auditRefs: [{ id: 'errors-in-console', weight: 1 }] },
      },
      audits: {
        'largest-contentful-paint': {
          id: 'largest-contentful-paint',
          title: 'LCP',
          score: 0.5,
          numericValue: lcp,
          scoreDisplayMode: 'numeric',
        },
        'first-contentful-paint': { id: 'first-contentful-paint', title: 'FCP', score: 1, numericValue: 900, scoreDisplayMode: 'numeric' },
        'total-blocking-time': { id: 'total-blocking-time', title: 'TBT', score: 1, numericValue: 40, scoreDisplayMode: 'numeric' },
        'cumulative-layout-shift': { id: 'cumulative-layout-shift', title: 'CLS', score: 1, numericValue: 0, scoreDisplayMode: 'numeric' },
        'speed-index': { id: 'speed-index', title: 'SI', score: 1, numericValue: 1000, scoreDisplayMode: 'numeric' },
        'bootup-time': { id: 'bootup-time', title: 'JS execution', score: 0.2, scoreDisplayMode: 'numeric', metricSavings: { TBT: 300 } },
        'errors-in-console': {
          id: 'errors-in-console',
          title: 'Browser errors were logged to the console',
          score: bestPractices === 100 ? 1 : 0,
          scoreDisplayMode: 'binary',
          details: { type: 'table', items: [{ source: 'network', description: 'font blocked by CSP', url: 'http://cdn.example/x.woff' }] },
        },
      },
    }) as unknown as Result

  it('reports medians and the failed audits of the median run, and misses the goals on best practices alone', () => {
    const page = summarise('登录', '/login', [lhr(97, 92, 2000), lhr(99, 92, 1000), lhr(96, 92, 3000)])
    expect(page).toMatchObject({ performance: 97, accessibility: 100, bestPractices: 92, meetsGoals: false })
    expect(page.metrics.LCP).toBe(2000)
    expect(page.bestPracticesFailed).toEqual([
      expect.objectContaining({ id: 'errors-in-console', items: [expect.stringContaining('font blocked by CSP')] }),
    ])
    expect(page.opportunities).toEqual([expect.objectContaining({ id: 'bootup-time', savingsMs: 300 })])
  })

  it('meets the goals at performance ≥ 95, accessibility ≥ 95 and best practices 100', () => {
    expect(LIGHTHOUSE_GOALS).toEqual({ performance: 95, accessibility: 95, bestPractices: 100 })
    expect(summarise('首页', '/', [lhr(95, 100, 1000)]).meetsGoals).toBe(true)
    expect(summarise('首页', '/', [lhr(94, 100, 1000)]).meetsGoals).toBe(false)
  })
})

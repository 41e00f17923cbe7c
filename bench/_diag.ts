import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { insertMemberRows, startServer, DEMO_ADMIN, DEMO_PASSWORD } from './server'
const root = '/work/main'
const server = await startServer(root, undefined, join(root, 'dist'))
try {
  const { members } = await insertMemberRows(server.config, 10000)
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
  const context = await browser.newContext({ baseURL: server.url })
  const page = await context.newPage()
  await page.goto('/login')
  const cdp = await context.newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
  await page.getByPlaceholder('请输入手机号').fill(DEMO_ADMIN)
  await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD)
  await cdp.send('Profiler.start')
  const t0 = Date.now()
  await page.getByRole('button', { name: '登录' }).click()
  let last = 0
  for (;;) {
    const resp = await page.waitForResponse((r) => r.url().includes('/api/sync/pull'))
    const body = (await resp.json()) as { hasMore: boolean }
    if (!body.hasMore) break
  }
  await page.waitForFunction(`(async () => { const d = await new Promise(r => { const q = indexedDB.open('dangjian-yun'); q.onsuccess = () => r(q.result) }); const n = await new Promise(r => { const c = d.transaction('members').objectStore('members').count(); c.onsuccess = () => r(c.result) }); d.close(); return n >= ${members} })()`, undefined, { polling: 200 })
  console.log('done in', Date.now() - t0, last)
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[]; samples: number[]; timeDeltas: number[] } }
  // self time per function
  const self = new Map<string, number>()
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0).padStart(7)} ms  ${k}`).join('\n'))
  await browser.close()
} finally {
  await server.close()
}

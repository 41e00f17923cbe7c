import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { startServer } from './server'
const root = '/work/main'
const server = await startServer(root, undefined, join(root, 'dist'))
try {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
  const page = await (await browser.newContext({ baseURL: server.url })).newPage()
  await page.goto('/login')
  const result = await page.evaluate(`(async () => {
    const open = (name) => new Promise((r) => { const q = indexedDB.open(name, 1); q.onupgradeneeded = () => q.result.createObjectStore('members', { keyPath: 'id' }); q.onsuccess = () => r(q.result) })
    const rows = Array.from({ length: 10000 }, (_, n) => ({ id: 'bench-' + n, name: '测试党员' + n, role: 'member', branchId: 'b-hexing', status: 'home', awayCity: null, returnDate: null, centerHousehold: false, contactPhone: null, updatedAt: new Date().toISOString() }))
    const out = {}
    for (const mode of ['awaitEach', 'pipelined', 'awaitEach', 'pipelined']) {
      const db = await open('diag-' + mode + Math.random())
      const t0 = performance.now()
      for (let p = 0; p < 20; p++) {
        const tx = db.transaction('members', 'readwrite'); const store = tx.objectStore('members')
        const page = rows.slice(p * 500, p * 500 + 500)
        if (mode === 'awaitEach') { for (const row of page) await new Promise((r) => { store.put(row).onsuccess = r }) }
        else for (const row of page) store.put(row)
        await new Promise((r) => { tx.oncomplete = r })
      }
      out[mode] = (out[mode] ? out[mode] + ' / ' : '') + (performance.now() - t0).toFixed(0) + ' ms'
      db.close()
    }
    return out
  })()`)
  console.log(result)
  await browser.close()
} finally {
  await server.close()
}

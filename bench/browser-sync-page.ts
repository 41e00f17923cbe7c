// What bench/browser-sync.ts runs in the page. Strings, so the TypeScript compiler's helpers never end up in
// the browser.

/**
 * Polls the members count with the raw IndexedDB API until it reaches `target`, watching meanwhile the page's
 * long tasks after the login click and the 已同步 n 条 progress on screen.
 */
export const WATCH = `async ({ name, target, timeoutMs, pollMs }) => {
  let clickAt = null
  document.addEventListener('click', () => { clickAt ??= Date.now() }, { capture: true })
  const tasks = []
  new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(e) }).observe({ type: 'longtask' })
  let progress = null
  const readProgress = () => {
    const match = /已同步\\s*([\\d,]+)\\s*条/.exec(document.body.textContent || '')
    if (match) progress = Math.max(progress ?? 0, Number(match[1].replaceAll(',', '')))
  }
  const count = () => new Promise((resolve) => {
    const request = indexedDB.open(name)
    // Never create the database: the app does.
    request.onupgradeneeded = () => request.transaction.abort()
    request.onerror = () => resolve(0)
    request.onsuccess = () => {
      const db = request.result
      db.onversionchange = () => db.close()
      if (!db.objectStoreNames.contains('members')) { db.close(); resolve(0); return }
      const counted = db.transaction('members', 'readonly').objectStore('members').count()
      counted.onsuccess = () => { db.close(); resolve(counted.result) }
      counted.onerror = () => { db.close(); resolve(0) }
    }
  })
  const deadline = Date.now() + timeoutMs
  let last = 0
  while (Date.now() < deadline) {
    readProgress()
    last = await count()
    if (last >= target) break
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  const doneAt = last >= target ? Date.now() : null
  const clickPerf = clickAt === null ? 0 : clickAt - performance.timeOrigin
  const during = tasks.filter((t) => t.startTime >= clickPerf)
  return {
    doneAt,
    count: last,
    clickAt,
    longest: Math.max(0, ...during.map((t) => t.duration)),
    over200: during.filter((t) => t.duration > 200).length,
    progress,
  }
}`

/** The same number of rows written with the raw IndexedDB API, no app: the floor. */
export const FLOOR = `async ({ rows, pageSize }) => {
  const all = Array.from({ length: rows }, (_, n) => ({ id: 'bench-' + n, name: '测试党员' + n, role: 'member', branchId: 'b-hexing', status: 'home', awayCity: null, returnDate: null, centerHousehold: false, contactPhone: null, updatedAt: new Date().toISOString() }))
  const result = {}
  for (const mode of ['awaitEach', 'pipelined']) {
    const name = 'bench-floor-' + mode + '-' + Math.random().toString(36).slice(2)
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore('members', { keyPath: 'id' }).createIndex('branchId', 'branchId')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    const start = performance.now()
    for (let offset = 0; offset < rows; offset += pageSize) {
      const tx = db.transaction('members', 'readwrite')
      const store = tx.objectStore('members')
      const done = new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error) })
      const page = all.slice(offset, offset + pageSize)
      if (mode === 'awaitEach') for (const row of page) await new Promise((resolve, reject) => { const put = store.put(row); put.onsuccess = resolve; put.onerror = () => reject(put.error) })
      else for (const row of page) store.put(row)
      await done
    }
    result[mode + 'Ms'] = performance.now() - start
    db.close()
    await new Promise((resolve) => { const request = indexedDB.deleteDatabase(name); request.onsuccess = resolve; request.onerror = resolve })
  }
  return result
}`

// The app's SyncEngine in Node, on fake-indexeddb (an in-memory IndexedDB written in JS: not a browser),
// pulling over real HTTP. Imported dynamically, so fake-indexeddb's globals exist only once this runs.
import 'fake-indexeddb/auto'
import { AppDB } from '../src/app/db'
import { SyncEngine } from '../src/app/sync/engine'
import type { SyncTransport } from '../src/app/sync/transport'
import type { PullReply, PushReply } from '../src/domain/sync'

export interface EnginePull {
  ms: number
  pages: number
  members: number
}

function httpTransport(url: string, cookie: string): SyncTransport {
  const send = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${url}${path}`, { ...init, headers: { ...init.headers, cookie, 'content-type': 'application/json' } })
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
    return (await response.json()) as T
  }
  return {
    push: (body) => send<PushReply>('/api/sync/push', { method: 'POST', body: JSON.stringify(body) }),
    pull: (clientId, cursor) => send<PullReply>(`/api/sync/pull?${new URLSearchParams({ clientId, ...(cursor ? { cursor } : {}) })}`),
  }
}

/** SyncEngine.pull() of everything the signed-in user sees, into an empty fake-indexeddb database. */
export async function enginePull(url: string, cookie: string, userId: string): Promise<EnginePull> {
  const db = new AppDB(`bench-${process.pid}-${Date.now()}`)
  try {
    const engine = new SyncEngine(db, httpTransport(url, cookie), userId)
    await engine.adoptUser()
    const start = performance.now()
    const pages = await engine.pull()
    const ms = performance.now() - start
    return { ms, pages, members: await db.members.count() }
  } finally {
    db.close()
    await db.delete()
  }
}

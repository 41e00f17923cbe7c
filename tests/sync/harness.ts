import type { FastifyInstance, InjectOptions } from 'fastify'
import { AppDB } from '~/app/db'
import { SyncEngine } from '~/app/sync/engine'
import type { SyncTransport } from '~/app/sync/transport'
import type { PullReply, PushBody, PushReply } from '~/domain/sync'
import { login } from '../server/helpers'

export class NetworkError extends Error {}

/** What goes wrong on the next requests: fail before the server sees it, or lose the reply after it ran. */
export interface Faults {
  failBeforeSend: number
  loseReplyAfterCommit: number
}

/**
 * A transport that talks to the real server in-process (app.inject) under one user's session cookie,
 * and fails on purpose when told to. `server` is read on every request, so a test can restart it.
 */
export function injectTransport(getServer: () => FastifyInstance, cookie: () => string, faults: Partial<Faults> = {}) {
  const state: Faults & { requests: number } = { failBeforeSend: 0, loseReplyAfterCommit: 0, requests: 0, ...faults }
  const send = async <T>(request: InjectOptions): Promise<T> => {
    state.requests++
    if (state.failBeforeSend > 0) {
      state.failBeforeSend--
      throw new NetworkError('network down')
    }
    const response = await getServer().inject({ ...request, headers: { cookie: cookie() } })
    if (state.loseReplyAfterCommit > 0) {
      state.loseReplyAfterCommit--
      throw new NetworkError('reply lost')
    }
    if (response.statusCode >= 400) throw new Error(`${response.statusCode} ${response.body}`)
    return response.json() as T
  }
  const transport: SyncTransport = {
    push: (body: PushBody) => send<PushReply>({ method: 'POST', url: '/api/sync/push', payload: body }),
    pull: (clientId: string, cursor: string | undefined) =>
      send<PullReply>({ method: 'GET', url: `/api/sync/pull?${new URLSearchParams({ clientId, ...(cursor ? { cursor } : {}) })}` }),
  }
  return { transport, faults: state }
}

let dbCounter = 0

/** A device: its own IndexedDB (fake-indexeddb), signed in as `phone`, with an engine. */
export async function device(getServer: () => FastifyInstance, phone: string, userId: string, faults: Partial<Faults> = {}) {
  let cookie = await login(getServer(), phone)
  const db = new AppDB(`device-${process.pid}-${++dbCounter}-${Math.random().toString(36).slice(2)}`)
  const { transport, faults: state } = injectTransport(getServer, () => cookie, faults)
  const engine = new SyncEngine(db, transport, userId)
  await engine.adoptUser()
  return {
    db,
    engine,
    faults: state,
    /** A second tab of the same device: the same database, its own engine. */
    otherTab: () => new SyncEngine(new AppDB(db.name), transport, userId),
    relogin: async () => {
      cookie = await login(getServer(), phone)
    },
    close: async () => {
      db.close()
      await db.delete()
    },
  }
}

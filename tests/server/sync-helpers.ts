import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { MutationResult, PullReply } from '~/domain/sync'
import type { MemberRow } from '~/domain/members'

export const clientId = () => `c_${randomUUID().replaceAll('-', '')}`.slice(0, 40)

export function mutation(name: string, args: unknown, id: string = randomUUID()) {
  return { id, name, args, clientTime: new Date().toISOString() }
}

export async function push(app: FastifyInstance, cookie: string, client: string, mutations: unknown[]) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/sync/push',
    headers: { cookie },
    payload: { clientId: client, schemaVersion: 1, mutations },
  })
  if (response.statusCode !== 200) throw new Error(`push ${response.statusCode}: ${response.body}`)
  return (response.json() as { results: MutationResult[] }).results
}

export async function pull(app: FastifyInstance, cookie: string, client: string, cursor?: string): Promise<PullReply> {
  const query = new URLSearchParams({ clientId: client, ...(cursor ? { cursor } : {}) })
  const response = await app.inject({ url: `/api/sync/pull?${query}`, headers: { cookie } })
  if (response.statusCode !== 200) throw new Error(`pull ${response.statusCode}: ${response.body}`)
  return response.json() as PullReply
}

/** Pulls every page; returns the rows by table and id, and the final cursor. */
export async function pullAll(app: FastifyInstance, cookie: string, client: string, cursor?: string) {
  const rows = new Map<string, unknown>()
  let reply: PullReply
  let pages = 0
  do {
    reply = await pull(app, cookie, client, cursor)
    if (reply.reset) rows.clear()
    for (const change of reply.changes) {
      if (change.op === 'put') rows.set(`${change.table}/${change.id}`, change.row)
      else rows.delete(`${change.table}/${change.id}`)
    }
    cursor = reply.cursor
    pages++
  } while (reply.hasMore && pages < 1000)
  const table = (name: string) => [...rows].filter(([key]) => key.startsWith(`${name}/`)).map(([, row]) => row)
  return { rows, members: table('members') as MemberRow[], branches: table('branches'), cursor: reply.cursor, reset: reply.reset === true }
}

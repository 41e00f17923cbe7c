// The authorization matrix, generated from the mutation registry: every mutation × every role. A role the
// mutation doesn't declare is refused (`forbidden`) with valid arguments, and nothing changes; so a new
// mutation is covered the day it is added to MUTATIONS (with an example in mutation-examples.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { MUTATIONS, type MutationName } from '~/domain/mutations'
import { REJECTIONS, type MutationResult } from '~/domain/sync'
import { ROLES, type Role } from '~/domain/users'
import { openDatabase } from '~/server/db'
import type { Database } from '~/server/db/schema'
import { databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation } from './sync-helpers'
import { exampleArgs, ROLE_PHONES, serverState } from './mutation-examples'

const NAMES = Object.keys(MUTATIONS) as MutationName[]
const CELLS = NAMES.flatMap((name) =>
  ROLES.map((role) => ({ name, role, allowed: (MUTATIONS[name].roles as readonly Role[]).includes(role) })),
)

describe('the authorization matrix', () => {
  it('has a cell for every mutation and every role, and some of each kind', () => {
    expect(ROLES).toEqual(['member', 'secretary', 'admin'])
    expect(CELLS).toHaveLength(NAMES.length * ROLES.length)
    expect(NAMES.length).toBeGreaterThanOrEqual(25)
    expect(CELLS.filter((c) => !c.allowed).length).toBeGreaterThan(20)
    // Every mutation's example is valid for its schema: a refusal below is the role's, not the arguments'.
    for (const name of NAMES) expect(MUTATIONS[name].args.safeParse(exampleArgs(name)).success, name).toBe(true)
  })
})

describe.each(databases)('the authorization matrix on %s', (kind) => {
  let server: TestServer
  let db: Kysely<Database>
  const cookies = {} as Record<Role, string>
  const clients = {} as Record<Role, string>

  beforeAll(async () => {
    server = await startServer(kind)
    db = openDatabase(server.config).db
    for (const role of ROLES) {
      cookies[role] = await login(server.app, ROLE_PHONES[role])
      clients[role] = clientId()
    }
  })
  afterAll(async () => {
    await db.destroy()
    await server.close()
  })

  async function send(role: Role, name: MutationName): Promise<{ status: number; result: MutationResult | undefined }> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie: cookies[role] },
      payload: { clientId: clients[role], schemaVersion: 1, mutations: [mutation(name, exampleArgs(name))] },
    })
    return {
      status: response.statusCode,
      result: response.statusCode === 200 ? (response.json() as { results: MutationResult[] }).results[0] : undefined,
    }
  }

  it.each(CELLS.filter((c) => !c.allowed).map((c) => [c.name, c.role] as const))(
    'refuses %s from a %s, and changes nothing',
    async (name, role) => {
      const before = await serverState(db)
      const { status, result } = await send(role, name)
      expect(status).toBe(200)
      expect(result).toMatchObject({ status: 'rejected', code: 'forbidden', message: REJECTIONS.forbidden })
      expect(await serverState(db)).toEqual(before)
    },
  )

  it('lets every declared role past the role check (what it then does is up to the mutation’s own rules)', async () => {
    const passed: string[] = []
    for (const { name, role } of CELLS.filter((c) => c.allowed)) {
      const { status, result } = await send(role, name)
      expect(status, `${name} as ${role}`).toBe(200)
      expect(
        result?.status === 'rejected' && result.message === REJECTIONS.forbidden,
        `${name} as ${role}: ${JSON.stringify(result)}`,
      ).toBe(false)
      passed.push(`${name}/${role}`)
    }
    expect(passed).toHaveLength(CELLS.filter((c) => c.allowed).length)
  })
})

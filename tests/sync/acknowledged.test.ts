// A mutation the server applied stays in the device's outbox, acknowledged, until the pull that carries its
// result has been stored (issue 11, part 2): the overlay never shows the old rows in between, the push
// never sends it again, and a crash between the push and the pull loses nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SyncTransport } from '~/app/sync/transport'
import { SCHEMA_VERSION, type PushBody } from '~/domain/sync'
import { withPendingMembers } from '~/domain/optimistic'
import { demoUserId } from '../demo-users'
import { DEMO, databases, type TestServer, startServer } from '../server/helpers'
import { closeServer, inspectServer, rig, type Rig, type ServerInspector } from './kit'

const MEMBER = demoUserId(DEMO.member)

describe.each(databases)('acknowledged mutations, on %s', (kind) => {
  let server: TestServer
  let inspect: ServerInspector
  const phones: Rig[] = []

  beforeAll(async () => {
    server = await startServer(kind)
    inspect = inspectServer(server.config)
  })
  afterEach(async () => {
    for (const phone of phones.splice(0)) await phone.close()
  })
  afterAll(async () => {
    await inspect.close()
    await closeServer(server)
  })

  /** A phone whose pushes are recorded, and whose pulls first call `beforePull` (what the screen shows then). */
  async function phone(pushes: PushBody[], beforePull: () => Promise<void> = async () => {}) {
    const p = await rig(() => server.app, DEMO.member, MEMBER, {
      wrap: (raw: SyncTransport): SyncTransport => ({
        push: (body) => (pushes.push(body), raw.push(body)),
        pull: async (clientId, cursor) => (await beforePull(), raw.pull(clientId, cursor)),
      }),
    })
    phones.push(p)
    return p
  }

  it('keeps an applied change in the overlay until its pull is stored, then lets it go in the same transaction', async () => {
    const shownAtPull: unknown[] = []
    const pushes: PushBody[] = []
    const p = await phone(pushes, async () => {
      const shown = withPendingMembers(await p.db.members.toArray(), await p.db.outbox.toArray())
      shownAtPull.push(shown.find((m) => m.id === MEMBER)?.status)
    })
    await p.engine.sync()
    shownAtPull.length = 0
    const id = await p.engine.enqueue('profile.update', { status: 'away', awayCity: '杭州' })

    expect(await p.engine.sync()).toEqual({ applied: 1, rejected: [] })
    // When the pull went out, the table still held 'home': the acknowledged mutation kept 'away' on screen.
    expect(shownAtPull).toEqual(['away'])
    expect(await p.db.outbox.count()).toBe(0)
    expect(await p.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '杭州' })
    expect(pushes.flatMap((b) => b.mutations.map((m) => m.id))).toEqual([id])
  })

  it('never sends an acknowledged mutation again, and a restart between push and pull loses nothing', async () => {
    const pushes: PushBody[] = []
    const p = await phone(pushes)
    await p.engine.sync()
    const id = await p.engine.enqueue('profile.update', { status: 'away', awayCity: '苏州' })
    const after = await p.engine.enqueue('leave.request', { meetingId: 'demo-hexing-05', reason: '外出务工，无法参加' })

    // The push, then the app is closed before it pulls.
    expect(await p.engine.push()).toEqual({ applied: 2, rejected: [] })
    expect((await p.db.outbox.toArray()).map((row) => [row.id, row.acknowledged])).toEqual([
      [id, true],
      [after, true],
    ])
    expect(await p.outboxIds()).toEqual([])

    // Opened again: a new engine on the same database pushes nothing and lets them go with its pull.
    const reopened = p.tab()
    pushes.length = 0
    expect(await reopened.sync()).toEqual({ applied: 0, rejected: [] })
    expect(pushes).toEqual([])
    expect(await p.db.outbox.count()).toBe(0)
    expect(await p.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '苏州' })
    expect((await inspect.applied([id, after])).map((r) => r.status)).toEqual(['applied', 'applied'])
  })

  it('gets the stored result when an acknowledged id is sent again (an older app in another tab)', async () => {
    const p = await phone([])
    await p.engine.sync()
    const id = await p.engine.enqueue('profile.update', { status: 'away', awayCity: '宁波' })
    await p.engine.push()
    const [row] = await p.db.outbox.toArray()
    const before = await inspect.version(`branch:b-hexing`)

    const reply = await p.raw.push({
      clientId: await p.engine.clientId(),
      schemaVersion: SCHEMA_VERSION,
      mutations: [{ id, name: row!.name, args: row!.args, clientTime: row!.clientTime }],
    })
    expect(reply.results).toEqual([{ id, status: 'applied' }])
    expect(await inspect.applied([id])).toHaveLength(1)
    expect(await inspect.version(`branch:b-hexing`)).toBe(before)
  })
})

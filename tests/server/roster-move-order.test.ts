// The move's safe order (issue 12, docs/architecture.md): a member moved between branches is a tombstone
// in the old branch's scope and a put in the new one's, and the admin's device pulls every branch, one
// scope after another, in pages. Whatever the page size and wherever the device stood when the move
// happened, it must never be without the member after any page it stores, and must end where a fresh
// device would. On a small town, so every page size can be tried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { openDatabase } from '~/server/db'
import { FEATURES } from '~/server/features'
import { pullPage } from '~/server/sync/pull'
import { visibleScopes, type PullReply, type Viewer } from '~/domain/sync'
import { FIXTURE_PASSWORD, insertBranch, insertMembers, insertTown } from '../fixtures/town'
import { databases, login, startServer, type TestServer } from './helpers'
import { outcome, send } from './roster-helpers'
import { clientId, pull, pullAll } from './sync-helpers'

interface Device {
  cursor: string | undefined
  rows: Map<string, unknown>
}

function store(device: Device, reply: PullReply): Device {
  const rows = reply.reset ? new Map<string, unknown>() : new Map(device.rows)
  for (const change of reply.changes) {
    if (change.op === 'put') rows.set(`${change.table}/${change.id}`, change.row)
    else rows.delete(`${change.table}/${change.id}`)
  }
  return { cursor: reply.cursor, rows }
}

describe.each(databases)('the move’s safe order on %s', (kind) => {
  let server: TestServer
  let db: Kysely<Database>
  let admin: string
  let viewer: Viewer
  let moved: string
  const secretaries = {} as Record<'a' | 'b', { cookie: string; device: string; cursor: string | undefined }>

  beforeAll(async () => {
    server = await startServer(kind, { seedDemoData: false })
    await server.withDb(async (db) => {
      const townId = await insertTown(db)
      await insertBranch(db, townId, { id: 'b-a', name: '甲村党支部' })
      await insertBranch(db, townId, { id: 'b-b', name: '乙村党支部' })
      const [adminId] = await insertMembers(db, 1, {
        branchId: null,
        firstPhone: '13900000000',
        with: () => ({ role: 'admin', name: '管理员' }),
      })
      const secretary = (i: number) => ({ role: i === 0 ? ('secretary' as const) : ('member' as const) })
      ;[, moved] = (await insertMembers(db, 3, { branchId: 'b-a', firstPhone: '13900000100', with: secretary })) as [string, string]
      await insertMembers(db, 3, { branchId: 'b-b', firstPhone: '13900000200', with: secretary })
      viewer = { id: adminId!, role: 'admin', branchId: null, townId }
    })
    // The first start with a town publishes its rows, as a real town's first start does.
    await server.reopen()
    db = openDatabase(server.config).db
    admin = await login(server.app, '13900000000', FIXTURE_PASSWORD)
    for (const [side, phone] of [
      ['a', '13900000100'],
      ['b', '13900000200'],
    ] as const)
      secretaries[side] = { cookie: await login(server.app, phone, FIXTURE_PASSWORD), device: clientId(), cursor: undefined }
  })
  afterAll(async () => {
    await db.destroy()
    await server.close()
  })

  const page = (device: Device, size: number) =>
    pullPage(db, FEATURES, viewer, visibleScopes(viewer, ['b-a', 'b-b']), { pulledBefore: true }, device.cursor, size)
  const fresh = (): Device => ({ cursor: undefined, rows: new Map() })
  const key = () => `members/${moved}`

  /** Every state a device of this page size passes through, pulling from scratch to the end. */
  async function journey(size: number): Promise<Device[]> {
    const states = [fresh()]
    for (let reply: PullReply | undefined; !reply || reply.hasMore;) {
      reply = await page(states.at(-1)!, size)
      states.push(store(states.at(-1)!, reply))
    }
    return states
  }

  /** Pulls to the end; once the device holds the member, every stored page must still hold them. */
  async function pullChecked(start: Device, size: number, label: string, failures: string[]): Promise<Device> {
    let device = start
    let held = device.rows.has(key())
    for (let reply: PullReply | undefined, n = 1; !reply || reply.hasMore; n++) {
      reply = await page(device, size)
      device = store(device, reply)
      if (held && !device.rows.has(key())) failures.push(`${label}: without the member after page ${n}`)
      held ||= device.rows.has(key())
    }
    return device
  }

  async function moveAndCheck(toBranchId: string) {
    const total = (await page(fresh(), 100_000)).changes.length
    expect(total).toBeGreaterThan(10)
    // Devices of every page size, stopped after every page of their first sync before the move.
    const before = new Map<number, Device[]>()
    for (let size = 1; size <= total + 1; size++) before.set(size, await journey(size))

    for (const side of [secretaries.a, secretaries.b]) side.cursor = (await pullAll(server.app, side.cookie, side.device)).cursor
    expect(outcome(await send(server.app, admin, 'member.move', { memberId: moved, toBranchId, note: null }))).toBe('applied')
    const truth = (await journey(100_000)).at(-1)!.rows
    expect(truth.get(key())).toMatchObject({ branchId: toBranchId })

    // Devices that see one branch: the old one's loses the member, the new one's gets them.
    const [oldSide, newSide] = toBranchId === 'b-b' ? [secretaries.a, secretaries.b] : [secretaries.b, secretaries.a]
    expect((await pull(server.app, oldSide.cookie, oldSide.device, oldSide.cursor)).changes).toContainEqual({
      table: 'members',
      id: moved,
      op: 'delete',
    })
    const arrived = (await pull(server.app, newSide.cookie, newSide.device, newSide.cursor)).changes.find((c) => c.id === moved)
    expect(arrived).toMatchObject({ op: 'put', row: { branchId: toBranchId } })

    const failures: string[] = []
    for (const [size, states] of before) {
      for (const [index, state] of states.entries()) {
        const label = `page size ${size}, cursor after page ${index} before the move`
        const end = await pullChecked(state, size, label, failures)
        if (JSON.stringify([...end.rows].sort()) !== JSON.stringify([...truth].sort()))
          failures.push(`${label}: ends unlike a fresh device`)
      }
      // A cursor taken after the move: a device starting now.
      const end = await pullChecked(fresh(), size, `page size ${size}, from scratch after the move`, failures)
      if (end.rows.get(key()) === undefined) failures.push(`page size ${size}, from scratch: no member`)
    }
    expect(failures).toEqual([])
  }

  // 甲村 is pulled before 乙村: the tombstone comes first, then (pages later) the put.
  it('never leaves the admin’s device without a member moved to a branch pulled later', () => moveAndCheck('b-b'))

  // And back: the put comes first, the tombstone after it, which would delete the member for good.
  it('never leaves the admin’s device without a member moved to a branch pulled earlier', () => moveAndCheck('b-a'))
})

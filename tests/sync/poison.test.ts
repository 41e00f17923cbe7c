// A mutation the server can never take (it fails on it with a 500, every time) must not block the outbox
// for good (issue 10, defect 2): the engine finds it by sending the batch one at a time, lets the others
// through, and after POISON_ATTEMPTS failures gives it up as a rejection the member sees (我的 → 同步状态).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '~/app/api/client'
import { POISON_ATTEMPTS, POISON_REJECTION } from '~/app/sync/engine'
import type { SyncTransport } from '~/app/sync/transport'
import type { PushBody } from '~/domain/sync'
import { demoUserId } from '../demo-users'
import { DEMO, databases, type TestServer, startServer } from '../server/helpers'
import { closeServer, inspectServer, rig, type Rig, type ServerInspector } from './kit'

const MEMBER = demoUserId(DEMO.member)

/** The server as the app's http transport reports it: an ApiError with the status. */
const serverError = (status: number) =>
  new ApiError(status, status === 500 ? 'server_error' : 'unavailable', status === 500 ? '服务器出错了，请稍后再试' : '服务暂不可用')

const leave = (reason: string) => ({ meetingId: 'demo-hexing-05', reason })

describe.each(databases)('a poison mutation in the outbox, on %s', (kind) => {
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

  /** A phone whose pushes fail with `status` whenever `fails(body)` says so (nothing reaches the server then). */
  async function phoneWhere(fails: (body: PushBody) => number | null, pushes: PushBody[] = []) {
    const phone = await rig(() => server.app, DEMO.member, MEMBER, {
      wrap: (raw: SyncTransport): SyncTransport => ({
        pull: (clientId, cursor) => raw.pull(clientId, cursor),
        push: async (body) => {
          pushes.push(body)
          const status = fails(body)
          if (status !== null) throw serverError(status)
          return raw.push(body)
        },
      }),
    })
    phones.push(phone)
    return phone
  }

  it('lets the changes around it through, and ends it as a rejection the member sees, with an empty outbox', async () => {
    let poisonId = ''
    const pushes: PushBody[] = []
    const phone = await phoneWhere((body) => (body.mutations.some((m) => m.id === poisonId) ? 500 : null), pushes)
    const before = await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '杭州' })
    poisonId = await phone.engine.enqueue('comment.like', { commentId: 'c-hexing-road-1', liked: true })
    const after = await phone.engine.enqueue('leave.request', leave('家里有事，请假一次'))

    // Each sync until the last: the batch fails, the one before the poison goes through alone, the poison fails alone.
    for (let attempt = 1; attempt < POISON_ATTEMPTS; attempt++) {
      await expect(phone.engine.push()).rejects.toMatchObject({ status: 500 })
      expect(await phone.outboxIds()).toEqual([poisonId, after])
      expect((await phone.db.outbox.get({ id: poisonId }))?.serverFailures).toBe(attempt)
    }
    expect(await inspect.applied([before])).toHaveLength(1)

    const outcome = await phone.engine.push()
    expect(outcome.applied).toBe(1)
    expect(outcome.rejected).toMatchObject([
      { id: poisonId, name: 'comment.like', code: POISON_REJECTION.code, message: POISON_REJECTION.message },
    ])
    // Nothing left to send: the two applied ones only wait, acknowledged, for the next pull.
    expect(await phone.outboxIds()).toEqual([])
    expect((await phone.db.outbox.toArray()).map((row) => row.id)).toEqual([before, after])
    expect(await phone.db.rejected.get(poisonId)).toMatchObject({
      code: 'server_error',
      message: '服务器无法处理这项更改，已停止重试，请联系支部书记',
    })
    // On the server: the two good ones, once each; the poison never.
    expect((await inspect.applied([before, after, poisonId])).map((r) => [r.id, r.status]).sort()).toEqual(
      [
        [before, 'applied'],
        [after, 'applied'],
      ].sort(),
    )
    // It was sent alone exactly POISON_ATTEMPTS times.
    expect(pushes.filter((b) => b.mutations.length === 1 && b.mutations[0]!.id === poisonId)).toHaveLength(POISON_ATTEMPTS)
  })

  it('never blames a mutation while the server is down or restarting (502, 503, 504), nor for a lost network', async () => {
    let down: number | null = 503
    const phone = await phoneWhere(() => down)
    const ids = [
      await phone.engine.enqueue('profile.update', { status: 'home' }),
      await phone.engine.enqueue('leave.request', leave('外出务工，无法参加')),
    ]
    for (const status of [503, 502, 504, 503, 503]) {
      down = status
      await expect(phone.engine.push()).rejects.toMatchObject({ status })
    }
    expect(await phone.outboxIds()).toEqual(ids)
    expect((await phone.db.outbox.toArray()).map((row) => row.serverFailures ?? 0)).toEqual([0, 0])
    expect(await phone.db.rejected.count()).toBe(0)
    down = null
    expect(await phone.engine.push()).toEqual({ applied: 2, rejected: [] })
    expect(await inspect.applied(ids)).toHaveLength(2)
  })

  it('resends one by one a batch the server applied but answered with a 500, and each applies once', async () => {
    let failedOnce = false
    const phone = await rig(() => server.app, DEMO.member, MEMBER, {
      wrap: (raw: SyncTransport): SyncTransport => ({
        pull: (clientId, cursor) => raw.pull(clientId, cursor),
        push: async (body) => {
          const reply = await raw.push(body)
          // Committed, then failed before answering (say, while notifying other devices).
          if (!failedOnce && body.mutations.length > 1) {
            failedOnce = true
            throw serverError(500)
          }
          return reply
        },
      }),
    })
    phones.push(phone)
    const ids = [
      await phone.engine.enqueue('comment.like', { commentId: 'c-hexing-road-1', liked: false }),
      await phone.engine.enqueue('profile.update', { status: 'home' }),
    ]
    expect(await phone.engine.push()).toEqual({ applied: 2, rejected: [] })
    expect(failedOnce).toBe(true)
    expect(await phone.outboxIds()).toEqual([])
    const records = await inspect.applied(ids)
    expect(records.map((r) => r.status)).toEqual(['applied', 'applied'])
  })
})

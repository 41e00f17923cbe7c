// @vitest-environment node
// 待办留言: what loadTodo reads by the [topicId+status] index and what useBoardTodo shows, with the
// secretary's own handling not yet sent laid over it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, ref } from 'vue'
import { useBoardStore } from '~/app/stores/board'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import { useBoardTodo } from '~/app/composables/useBoardTodo'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { CommentRow, TopicRow } from '~/domain/board'
import type { Me } from '~/domain/users'
import { demoMe, freshDB } from './helpers'

const SECRETARY = 'u-d2h5f8be4qmj'
const NOW = Date.parse('2026-03-10T09:00:00+08:00')
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString()
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}
const secretaryMe: Me = { ...demoMe, user: { ...demoMe.user, id: SECRETARY, phone: '13800000101', name: '张志强', role: 'secretary' } }
const memberMe: Me = { ...demoMe, user: { ...demoMe.user, id: 'u-u8qzcrmkzu7p', phone: '13800000009', name: '冯玉兰' } }

const topic = (id: string, branchId: string | null): TopicRow => ({
  id,
  branchId,
  category: 'livelihood',
  title: `话题 ${id}`,
  text: '',
  photos: [],
  closesOn: '2026-04-30',
  createdBy: SECRETARY,
  createdAt: at(-3000),
  updatedAt: at(-3000),
})
const comment = (id: string, topicId: string, over: Partial<CommentRow> = {}): CommentRow => ({
  id,
  topicId,
  branchId: topicId === 't-town' ? null : topicId === 't-other' ? 'b-jinjiwo' : 'b-hexing',
  authorId: 'u-u8qzcrmkzu7p',
  authorName: '冯玉兰',
  authorBranchId: 'b-hexing',
  text: `留言 ${id}`,
  category: 'need',
  householdId: null,
  residentName: null,
  photos: [],
  status: 'pending',
  deadline: null,
  handlerId: null,
  reply: null,
  reason: null,
  mergedInto: null,
  likedBy: [],
  createdAt: at(-600),
  updatedAt: at(-600),
  acceptedAt: null,
  closedAt: null,
  ...over,
})

const TOPICS = [topic('t-road', 'b-hexing'), topic('t-other', 'b-jinjiwo'), topic('t-town', null)]
const COMMENTS = [
  comment('c-new', 't-road', { createdAt: at(-60) }),
  comment('c-old', 't-road', { createdAt: at(-900) }),
  comment('c-late', 't-road', { status: 'accepted', acceptedAt: at(-9000), deadline: at(-10) }),
  comment('c-soon', 't-road', { status: 'accepted', acceptedAt: at(-600), deadline: at(3000) }),
  comment('c-done', 't-road', { status: 'resolved', closedAt: at(-5) }),
  comment('c-no', 't-road', { status: 'rejected', closedAt: at(-5) }),
  // Not this secretary's: another branch's topic, and a town topic (the admin's).
  comment('c-other', 't-other'),
  comment('c-town', 't-town'),
]

let db: AppDB
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

async function device(me: Me) {
  useSessionStore().me = me
  const sync = useSyncStore()
  await sync.start(me.user.id, { schedule: false, transport: unreachable })
  await db.topics.bulkPut(TOPICS)
  await db.comments.bulkPut(COMMENTS)
  const board = useBoardStore()
  await waitFor(() => expect(board.feed).toHaveLength(TOPICS.length))
  return board
}

describe('待办留言', { timeout: 20_000 }, () => {
  beforeEach(() => {
    db = freshDB()
    setActivePinia(createPinia())
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(NOW))
  })
  afterEach(async () => {
    useBoardStore().$dispose()
    useSyncStore().stop()
    vi.useRealTimers()
    await db.delete()
  })

  it('reads only the 待处理 and 已受理 comments of the topics the viewer handles', async () => {
    const board = await device(secretaryMe)
    expect((await board.loadTodo()).map((c) => c.id).sort()).toEqual(['c-late', 'c-new', 'c-old', 'c-soon'])
  })

  it('has nothing for a member', async () => {
    const board = await device(memberMe)
    expect(await board.loadTodo()).toEqual([])
  })

  it('lists 待处理 first, then 已受理 by deadline (已超期 first), counts pending and overdue, and follows offline handling', async () => {
    await device(secretaryMe)
    const scope = effectScope()
    const todo = scope.run(() => useBoardTodo(ref(true)))!
    await waitFor(() => expect(todo.loaded.value).toBe(true))
    expect(todo.items.value.map((i) => [i.comment.id, i.status.key])).toEqual([
      ['c-old', 'pending'],
      ['c-new', 'pending'],
      ['c-late', 'overdue'],
      ['c-soon', 'accepted'],
    ])
    expect(todo.count.value).toBe(3)

    // Accepted with no signal: it moves at once, marked as waiting to be sent.
    await useBoardStore().act('c-old', { type: 'accept', days: 3 })
    await waitFor(() => expect(todo.count.value).toBe(2))
    const accepted = todo.items.value.find((i) => i.comment.id === 'c-old')!
    expect(accepted.status.key).toBe('accepted')
    expect(accepted.comment.pending).toBe(true)
    expect(todo.items.value[0]!.comment.id).toBe('c-new')

    // A pull brings a new comment: it appears without asking.
    await db.comments.put(comment('c-pulled', 't-road', { createdAt: at(-1) }))
    await waitFor(() => expect(todo.items.value.map((i) => i.comment.id)).toContain('c-pulled'))
    expect(todo.count.value).toBe(3)
    scope.stop()
  })
})

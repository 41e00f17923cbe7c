// @vitest-environment node
// Node's own Blob, Response and structuredClone: Dexie (which keeps Blobs of the global Blob class as they
// are) and fake-indexeddb then keep a photo's Blob whole, as a browser does. Under happy-dom a Blob read
// back from IndexedDB is a plain object. Nothing here draws on a DOM.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, ref } from 'vue'
import { useBoardStore, useTopicComments } from '~/app/stores/board'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import { overlayComments, overlayTopics, type CommentOverlayContext } from '~/app/stores/boardOverlay'
import { fitWithin } from '~/app/stores/boardPhotos'
import {
  keepPhoto,
  uploadPendingPhotos,
  uploadPhoto,
  UPLOAD_CHUNK_BYTES,
  KEEP_UPLOADED_MS,
  type UploadFetch,
} from '~/app/sync/photoUploads'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { CommentRow, HouseholdRow, NoticeRow, TopicRow } from '~/domain/board'
import type { OutboxEntry } from '~/app/sync/pending'
import type { Viewer } from '~/domain/sync'
import type { Me } from '~/domain/users'
import { demoMe, freshDB } from './helpers'

const MEMBER = 'u-2sxm9c477t5z'
const OTHER = 'u-u8qzcrmkzu7p'
const SECRETARY = 'u-d2h5f8be4qmj'
const BRANCH = 'b-hexing'
const NOW = Date.parse('2026-03-10T09:00:00+08:00')
const MIN = 60_000
const at = (minutes: number) => new Date(NOW + minutes * MIN).toISOString()

/** A device that never reaches the server: everything stays in the outbox. */
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const memberViewer: Viewer = { id: MEMBER, role: 'member', branchId: BRANCH, townId: 'town-xinhang' }
const secretaryViewer: Viewer = { id: SECRETARY, role: 'secretary', branchId: BRANCH, townId: 'town-xinhang' }
const memberMe: Me = { ...demoMe, user: { ...demoMe.user, id: MEMBER, phone: '13800000010', name: '许光荣', centerHousehold: true } }
const secretaryMe: Me = { ...demoMe, user: { ...demoMe.user, id: SECRETARY, phone: '13800000101', name: '张志强', role: 'secretary' } }

function topic(id: string, over: Partial<TopicRow> = {}): TopicRow {
  return {
    id,
    branchId: BRANCH,
    category: 'livelihood',
    title: `话题 ${id}`,
    text: '',
    photos: [],
    closesOn: '2026-04-30',
    createdBy: SECRETARY,
    createdAt: at(-3000),
    updatedAt: at(-3000),
    ...over,
  }
}
const OPEN = topic('t-road')
const CLOSED = topic('t-closed', { closesOn: '2026-03-01' })

function commentRow(id: string, over: Partial<CommentRow> = {}): CommentRow {
  return {
    id,
    topicId: OPEN.id,
    branchId: BRANCH,
    authorId: OTHER,
    authorName: '冯玉兰',
    authorBranchId: BRANCH,
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
  }
}

const HOUSEHOLDS: HouseholdRow[] = [
  { id: 'h-13800000010-01', memberId: MEMBER, headName: '文和平', address: '合兴村一组38号', people: 2 },
  { id: 'h-13800000010-02', memberId: MEMBER, headName: '田秀兰', address: '合兴村一组40号', people: 3 },
]

function pending(name: string, args: unknown, clientTime = at(0), userId = MEMBER): OutboxEntry {
  return { userId, name, args, clientTime }
}
const draft = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  topicId: OPEN.id,
  text: '路灯坏了',
  category: 'need',
  householdId: null,
  photos: [],
  ...over,
})

function context(viewer: Viewer, name = '许光荣'): CommentOverlayContext {
  return { viewer, viewerName: name, topicOf: (id) => [OPEN, CLOSED].find((t) => t.id === id), households: HOUSEHOLDS }
}

describe('the pending overlay', () => {
  it('shows a comment written offline at once, as pending, with the resident’s name', () => {
    const views = overlayComments(
      [commentRow('c-1')],
      [pending('comment.post', { comment: draft('c-new', { householdId: 'h-13800000010-02', text: '田阿姨家门口要装路灯' }) }, at(-5))],
      context(memberViewer),
    )
    expect(views.map((c) => [c.id, c.pending])).toEqual([
      ['c-1', false],
      ['c-new', true],
    ])
    expect(views[1]).toMatchObject({
      status: 'pending',
      authorId: MEMBER,
      authorName: '许光荣',
      residentName: '田秀兰',
      householdId: 'h-13800000010-02',
      branchId: BRANCH,
      createdAt: at(-5),
      likedBy: [],
    })
  })

  it('shows a waiting acceptance as 已受理 and a waiting deletion as gone', () => {
    const views = overlayComments(
      [commentRow('c-1'), commentRow('c-2', { authorId: SECRETARY })],
      [
        pending('comment.act', { commentId: 'c-1', action: { type: 'accept', days: 3 } }, at(0), SECRETARY),
        pending('comment.delete', { commentId: 'c-2' }, at(1), SECRETARY),
      ],
      context(secretaryViewer, '张志强'),
    )
    expect(views).toHaveLength(1)
    expect(views[0]).toMatchObject({ id: 'c-1', status: 'accepted', pending: true, handlerId: SECRETARY, acceptedAt: at(0) })
    // 3 days from 10 March in Shanghai: the end of 13 March there.
    expect(views[0]?.deadline).toBe('2026-03-13T15:59:59.999Z')
  })

  it('leaves out what the rules refuse: the server will refuse it too', () => {
    const confirmed = [
      commentRow('c-1'),
      commentRow('c-accepted', { authorId: MEMBER, status: 'accepted', deadline: at(7 * 24 * 60), acceptedAt: at(-60) }),
    ]
    const views = overlayComments(
      confirmed,
      [
        // A member can't handle comments.
        pending('comment.act', { commentId: 'c-1', action: { type: 'accept' } }),
        // Nor edit one once it was accepted.
        pending('comment.act', { commentId: 'c-accepted', action: { type: 'edit', text: '改了', category: 'need', photos: [] } }),
        // Nor post on a closed topic, for a household that isn't theirs, or on a topic the device doesn't have.
        pending('comment.post', { comment: draft('c-closed', { topicId: CLOSED.id }) }),
        pending('comment.post', { comment: draft('c-not-mine', { householdId: 'h-13800000003-01' }) }),
        pending('comment.post', { comment: draft('c-unknown', { topicId: 't-unknown' }) }),
        // Junk in the outbox.
        pending('comment.act', { commentId: 'c-1', action: { type: 'explode' } }),
      ],
      context(memberViewer),
    )
    expect(views.map((c) => c.id)).toEqual(['c-1', 'c-accepted'])
    expect(views.every((c) => !c.pending)).toBe(true)
    expect(views[0]?.status).toBe('pending')
    expect(views[1]).toMatchObject({ status: 'accepted', text: '留言 c-accepted' })
  })

  it('toggles a like in likedBy without marking the comment pending', () => {
    const confirmed = [commentRow('c-1', { likedBy: [OTHER] }), commentRow('c-2')]
    const liked = overlayComments(confirmed, [pending('comment.like', { commentId: 'c-1', liked: true })], context(memberViewer))
    expect(liked[0]).toMatchObject({ likedBy: [OTHER, MEMBER], pending: false })
    const unliked = overlayComments(
      confirmed,
      [
        pending('comment.like', { commentId: 'c-1', liked: true }),
        pending('comment.like', { commentId: 'c-1', liked: false }),
        pending('comment.like', { commentId: 'c-2', liked: false }),
      ],
      context(memberViewer),
    )
    expect(unliked.map((c) => [c.likedBy, c.pending])).toEqual([
      [[OTHER], false],
      [[], false],
    ])
    // Liking one's own comment while it waits to be sent keeps it pending.
    const own = overlayComments(
      [],
      [pending('comment.post', { comment: draft('c-new') }), pending('comment.like', { commentId: 'c-new', liked: true })],
      context(memberViewer),
    )
    expect(own[0]).toMatchObject({ likedBy: [MEMBER], pending: true })
  })

  it('shows a topic saved offline, new or edited, as pending', () => {
    const draftTopic = {
      id: 't-new',
      branchId: BRANCH,
      category: 'environment',
      title: '池塘清淤',
      text: '',
      photos: [],
      closesOn: '2026-03-31',
    }
    const views = overlayTopics(
      [OPEN, CLOSED],
      [
        pending('topic.save', { topic: draftTopic }, at(-2), SECRETARY),
        pending(
          'topic.save',
          { topic: { ...draftTopic, id: OPEN.id, title: '村东组道路硬化（改）', closesOn: OPEN.closesOn } },
          at(-1),
          SECRETARY,
        ),
        pending('topic.save', { topic: { id: 'broken' } }, at(0), SECRETARY),
      ],
    )
    expect(views.map((t) => [t.id, t.pending])).toEqual([
      [OPEN.id, true],
      [CLOSED.id, false],
      ['t-new', true],
    ])
    expect(views[0]).toMatchObject({
      title: '村东组道路硬化（改）',
      createdAt: OPEN.createdAt,
      createdBy: SECRETARY,
      updatedAt: at(-1),
      category: 'environment',
    })
    expect(views[2]).toMatchObject({ createdBy: SECRETARY, createdAt: at(-2), updatedAt: at(-2), title: '池塘清淤' })
  })
})

// ------------------------------------------------------------------------------------------------- the store

let db: AppDB
/** IndexedDB is slow on a busy machine: wait longer than the default second (the tests allow for it). */
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

async function device(
  me: Me,
  tables: { topics?: TopicRow[]; comments?: CommentRow[]; households?: HouseholdRow[]; notices?: NoticeRow[] } = {},
) {
  useSessionStore().me = me
  const sync = useSyncStore()
  await sync.start(me.user.id, { schedule: false, transport: unreachable })
  await db.topics.bulkPut(tables.topics ?? [OPEN, CLOSED])
  await db.comments.bulkPut(tables.comments ?? [])
  await db.households.bulkPut(tables.households ?? HOUSEHOLDS)
  await db.notices.bulkPut(tables.notices ?? [])
  const board = useBoardStore()
  await waitFor(() => {
    expect(board.loaded).toBe(true)
    expect(board.feed).toHaveLength((tables.topics ?? [OPEN, CLOSED]).length)
    expect(board.notices).toHaveLength(tables.notices?.length ?? 0)
  })
  return { board, sync }
}

function notice(id: string, readAt: string | null, minutes: number): NoticeRow {
  return { id, kind: 'comment', topicId: OPEN.id, commentId: 'c-1', title: '您的留言已受理', body: '…', createdAt: at(minutes), readAt }
}

describe('the board store', { timeout: 20_000 }, () => {
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

  it('counts each topic’s comments and resolved ones from the index, with this user’s comments waiting to be sent', async () => {
    const other = topic('t-other')
    const { board } = await device(memberMe, {
      topics: [OPEN, other],
      comments: [
        commentRow('c-1', { status: 'resolved' }),
        commentRow('c-2', { status: 'accepted' }),
        commentRow('c-3'),
        commentRow('c-4', { topicId: other.id, status: 'resolved' }),
      ],
    })
    await waitFor(() => expect(board.summaryOf(OPEN.id)).toEqual({ comments: 3, resolved: 1, waiting: 0 }))
    expect(board.summaryOf(other.id)).toEqual({ comments: 1, resolved: 1, waiting: 0 })
    expect(board.summaryOf('t-none')).toEqual({ comments: 0, resolved: 0, waiting: 0 })

    await board.postComment({ topicId: OPEN.id, text: '再加一盏路灯', category: 'need', householdId: 'h-13800000010-01' })
    await board.postComment({ topicId: OPEN.id, text: '路边种点树', category: 'suggestion', householdId: null })
    await waitFor(() => expect(board.summaryOf(OPEN.id)).toEqual({ comments: 5, resolved: 1, waiting: 2 }))
    expect(board.summaryOf(other.id)).toEqual({ comments: 1, resolved: 1, waiting: 0 })

    // A pull changes a status: the counts follow.
    await db.comments.put(commentRow('c-2', { status: 'resolved' }))
    await waitFor(() => expect(board.summaryOf(OPEN.id)).toEqual({ comments: 5, resolved: 2, waiting: 2 }))
  })

  it('gives one topic’s comments oldest first, with the waiting changes laid over them', async () => {
    const other = topic('t-other')
    const { board } = await device(memberMe, {
      topics: [OPEN, other],
      comments: [
        commentRow('c-late', { createdAt: at(-10) }),
        commentRow('c-early', { createdAt: at(-500) }),
        commentRow('c-gone', { authorId: MEMBER, createdAt: at(-300) }),
        commentRow('c-mid', { createdAt: at(-100) }),
        commentRow('c-elsewhere', { topicId: other.id, createdAt: at(-50) }),
      ],
    })
    const topicId = ref(OPEN.id)
    const scope = effectScope()
    const { comments, loaded } = scope.run(() => useTopicComments(topicId))!
    try {
      await waitFor(() => expect(loaded.value).toBe(true))
      expect(comments.value.map((c) => c.id)).toEqual(['c-early', 'c-gone', 'c-mid', 'c-late'])

      vi.setSystemTime(new Date(NOW + 5 * MIN))
      const id = await board.postComment({
        topicId: OPEN.id,
        text: '文大爷想要太阳能路灯',
        category: 'suggestion',
        householdId: 'h-13800000010-01',
      })
      await board.deleteComment('c-gone')
      await board.like('c-mid', true)
      await waitFor(() => {
        expect(comments.value.map((c) => c.id)).toEqual(['c-early', 'c-mid', 'c-late', id])
        expect(comments.value[1]?.likedBy).toEqual([MEMBER])
      })
      expect(comments.value[3]).toMatchObject({
        pending: true,
        status: 'pending',
        residentName: '文和平',
        authorName: '许光荣',
        createdAt: at(5),
      })
      expect(comments.value[1]?.pending).toBe(false)

      topicId.value = other.id
      await waitFor(() => expect(comments.value.map((c) => c.id)).toEqual(['c-elsewhere']))
    } finally {
      scope.stop()
    }
  })

  it('shows the secretary’s handling before it is sent', async () => {
    const { board } = await device(secretaryMe, { comments: [commentRow('c-1')], households: [] })
    const scope = effectScope()
    const { comments } = scope.run(() => useTopicComments(ref(OPEN.id)))!
    try {
      await waitFor(() => expect(comments.value).toHaveLength(1))
      expect(board.canHandle(OPEN)).toBe(true)
      await board.act('c-1', { type: 'accept' })
      await waitFor(() => expect(comments.value[0]).toMatchObject({ status: 'accepted', pending: true, handlerId: SECRETARY }))
      // 7 days from 10 March in Shanghai: the end of 17 March there.
      expect(comments.value[0]?.deadline).toBe('2026-03-17T15:59:59.999Z')
      await board.act('c-1', { type: 'resolve', reply: '已安排电工维修。' })
      await waitFor(() => expect(comments.value[0]).toMatchObject({ status: 'resolved', reply: '已安排电工维修。', pending: true }))
    } finally {
      scope.stop()
    }
  })

  it('counts unread notices, leaving out those being marked read', async () => {
    const { board, sync } = await device(memberMe, {
      notices: [notice('n-1', null, -30), notice('n-2', null, -20), notice('n-3', at(-10), -40)],
    })
    await waitFor(() => expect(board.unreadNotices).toBe(2))
    expect(board.notices.map((n) => n.id)).toEqual(['n-2', 'n-1', 'n-3'])
    await board.markNoticesRead(['n-1'])
    await waitFor(() => expect(board.unreadNotices).toBe(1))
    // Nothing to mark: nothing queued.
    await board.markNoticesRead([])
    expect(sync.pending.filter((p) => p.name === 'notice.read')).toHaveLength(1)
    // The pull brings them read: still one unread once the outbox is sent.
    await db.transaction('rw', db.notices, db.outbox, async () => {
      await db.outbox.clear()
      await db.notices.put(notice('n-1', at(0), -30))
    })
    await waitFor(() => expect(sync.pending).toHaveLength(0))
    expect(board.unreadNotices).toBe(1)
  })
})

// ------------------------------------------------------------------------------------------------ photos

/** The server's photo protocol (src/server/routes/photos.ts), in memory. */
class FakePhotoServer {
  photos = new Map<string, { total: number; bytes: number[]; done: boolean }>()
  /** Every request, as `GET id` or `PUT id start-end`. */
  log: string[] = []
  private puts = 0
  /** Per PUT (1-based): 'offline' fails before the server sees it; 'reply-lost' is applied, then the reply is lost. */
  fault: (put: number) => 'offline' | 'reply-lost' | null = () => null
  /** What the state query says, when it lies (an old answer from a cache, another tab sending meanwhile). */
  staleReceived: number | null = null
  /** Whether the finished bytes are an image. */
  isImage: (bytes: number[]) => boolean = () => true

  fetch: UploadFetch = async (url, init = {}) => {
    const state = /^\/api\/photos\/([\w-]+)\/upload$/.exec(url)
    if (state && (init.method ?? 'GET') === 'GET') {
      const id = state[1]!
      this.log.push(`GET ${id}`)
      const photo = this.photos.get(id)
      if (!photo) return this.reply(404, { error: 'not_found', message: '服务器上还没有这张照片' })
      const received = this.staleReceived ?? photo.bytes.length
      this.staleReceived = null
      return this.reply(200, { id, received, total: photo.total, done: photo.done })
    }
    const put = /^\/api\/photos\/([\w-]+)$/.exec(url)
    if (!put || init.method !== 'PUT') throw new Error(`unexpected request ${init.method} ${url}`)
    const id = put[1]!
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(new Headers(init.headers).get('content-range') ?? '')
    if (!range) return this.reply(400, { error: 'bad_request', message: '缺少 Content-Range' })
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])]
    this.log.push(`PUT ${id} ${start}-${end}`)
    const fault = this.fault(++this.puts)
    if (fault === 'offline') throw new TypeError('Failed to fetch')
    const chunk = [...new Uint8Array(await (init.body as Blob).arrayBuffer())]
    if (chunk.length !== end - start + 1) return this.reply(400, { error: 'bad_request', message: '上传的数据与 Content-Range 不符' })
    let photo = this.photos.get(id)
    if (!photo) {
      if (start !== 0) return this.reply(409, { error: 'upload_offset' }, { 'x-upload-received': '0' })
      photo = { total, bytes: [], done: false }
      this.photos.set(id, photo)
    }
    if (photo.done) return this.reply(201, { id, received: total, total, done: true })
    if (start !== photo.bytes.length)
      return this.reply(409, { error: 'upload_offset' }, { 'x-upload-received': String(photo.bytes.length) })
    photo.bytes.push(...chunk)
    let response: Response
    if (photo.bytes.length < total) response = this.reply(200, { id, received: photo.bytes.length, total, done: false })
    else if (!this.isImage(photo.bytes)) {
      this.photos.delete(id)
      response = this.reply(422, { error: 'not_an_image', message: '文件不是图片，或图片已损坏' })
    } else {
      photo.done = true
      response = this.reply(201, { id, received: total, total, done: true, width: 4, height: 3 })
    }
    if (fault === 'reply-lost') throw new TypeError('Failed to fetch')
    return response
  }

  private reply(status: number, body: unknown, headers: Record<string, string> = {}) {
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
  }

  /** Whether the server has exactly these bytes for the photo. */
  holds(id: string, bytes: Uint8Array) {
    const photo = this.photos.get(id)
    return photo !== undefined && Buffer.from(photo.bytes).equals(bytes)
  }

  rangesSent(id: string) {
    return this.log.filter((l) => l.startsWith(`PUT ${id} `)).map((l) => l.split(' ')[2])
  }
}

/** Bytes 0, 1, 2, … (mod 251), so a chunk in the wrong place shows. */
const pattern = (size: number) => Uint8Array.from({ length: size }, (_, i) => i % 251)

async function keep(userId: string, size: number, createdAt = new Date()): Promise<string> {
  const blob = new Blob([pattern(size)], { type: 'image/jpeg' })
  return keepPhoto(db, userId, { blob, width: 4, height: 3 }, createdAt)
}
const row = async (id: string) => (await db.photo_uploads.get(id))!

describe('photos on the device', { timeout: 20_000 }, () => {
  let server: FakePhotoServer
  beforeEach(() => {
    db = freshDB()
    server = new FakePhotoServer()
  })
  afterEach(async () => {
    await db.delete()
  })

  it('fits a photo within the long side, never enlarging it', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 })
    expect(fitWithin(3000, 4000)).toEqual({ width: 1200, height: 1600 })
    expect(fitWithin(1000, 800)).toEqual({ width: 1000, height: 800 })
    expect(fitWithin(1600, 1600)).toEqual({ width: 1600, height: 1600 })
    expect(fitWithin(4032, 3024, 1000)).toEqual({ width: 1000, height: 750 })
    // A panorama: the short side never rounds to nothing.
    expect(fitWithin(20000, 5)).toEqual({ width: 1600, height: 1 })
    expect(fitWithin(1601, 1201)).toEqual({ width: 1600, height: 1200 })
  })

  it('uploads in 64 KB chunks and marks the photo done', async () => {
    const size = 3 * UPLOAD_CHUNK_BYTES + 1000
    const id = await keep(MEMBER, size)
    expect(UPLOAD_CHUNK_BYTES).toBe(64 * 1024)
    expect(await uploadPhoto(db, await row(id), server.fetch)).toBe(true)
    expect(server.rangesSent(id)).toEqual(['0-65535', '65536-131071', '131072-196607', `196608-${size - 1}`])
    expect(server.holds(id, pattern(size))).toBe(true)
    expect(await row(id)).toMatchObject({ uploaded: size, error: null, doneAt: expect.any(String) })
  })

  it('resumes after the connection drops mid-way from what the server has, not from zero', async () => {
    const size = 5 * UPLOAD_CHUNK_BYTES + 123
    const id = await keep(MEMBER, size)
    // The third chunk reaches the server but its reply is lost.
    server.fault = (n) => (n === 3 ? 'reply-lost' : null)
    await expect(uploadPhoto(db, await row(id), server.fetch)).rejects.toThrow('Failed to fetch')
    // The device knows of two chunks; the server has three.
    expect((await row(id)).uploaded).toBe(2 * UPLOAD_CHUNK_BYTES)
    expect((await row(id)).doneAt).toBeNull()
    server.log = []
    server.fault = () => null
    expect(await uploadPhoto(db, await row(id), server.fetch)).toBe(true)
    expect(server.log[0]).toBe(`GET ${id}`)
    expect(server.rangesSent(id)).toEqual(['196608-262143', '262144-327679', `327680-${size - 1}`])
    expect(server.holds(id, pattern(size))).toBe(true)
    expect((await row(id)).uploaded).toBe(size)
  })

  it('goes on from x-upload-received when the server answers 409', async () => {
    const size = 4 * UPLOAD_CHUNK_BYTES
    const id = await keep(MEMBER, size)
    // Two chunks went up before, but the state query gives an old answer (nothing yet).
    server.fault = (n) => (n === 2 ? 'offline' : null)
    await expect(uploadPhoto(db, await row(id), server.fetch)).rejects.toThrow()
    server.fault = () => null
    await server.fetch(`/api/photos/${id}`, {
      method: 'PUT',
      headers: { 'content-range': `bytes 65536-131071/${size}` },
      body: new Blob([pattern(size).subarray(65536, 131072)]),
    })
    server.log = []
    server.staleReceived = 0
    expect(await uploadPhoto(db, await row(id), server.fetch)).toBe(true)
    // The 409 says where to go on from: no second question needed.
    expect(server.log).toEqual([`GET ${id}`, `PUT ${id} 0-65535`, `PUT ${id} 131072-196607`, `PUT ${id} 196608-262143`])
    expect(server.holds(id, pattern(size))).toBe(true)
  })

  it('keeps a refusal (422) on the photo and never sends it again', async () => {
    const id = await keep(MEMBER, 1000)
    server.isImage = () => false
    expect(await uploadPhoto(db, await row(id), server.fetch)).toBe(false)
    expect(await row(id)).toMatchObject({ error: '文件不是图片，或图片已损坏', doneAt: null })
    server.log = []
    await uploadPendingPhotos(db, MEMBER, server.fetch)
    expect(server.log).toEqual([])
    expect(await row(id)).toMatchObject({ error: '文件不是图片，或图片已损坏', doneAt: null })
  })

  it('uploads this user’s waiting photos oldest first, stops at a network failure and finishes on the next try', async () => {
    const newer = await keep(MEMBER, 70_000, new Date(NOW + MIN))
    const older = await keep(MEMBER, 70_000, new Date(NOW))
    const someoneElses = await keep(OTHER, 1000, new Date(NOW - MIN))
    const refused = await keep(MEMBER, 1000, new Date(NOW - 2 * MIN))
    await db.photo_uploads.update(refused, { error: '文件不是图片，或图片已损坏' })
    // Sent long ago: cleared away after the run; sent recently: kept so it shows offline.
    const longAgo = await keep(MEMBER, 10, new Date(NOW - 40 * 86_400_000))
    await db.photo_uploads.update(longAgo, { uploaded: 10, doneAt: new Date(Date.now() - KEEP_UPLOADED_MS - 60_000).toISOString() })
    const recently = await keep(MEMBER, 10, new Date(NOW - 86_400_000))
    await db.photo_uploads.update(recently, { uploaded: 10, doneAt: new Date(Date.now() - 60_000).toISOString() })

    // Offline from the second chunk on: nothing thrown, what was sent is kept, the newer one not started.
    server.fault = (n) => (n >= 2 ? 'offline' : null)
    const run = uploadPendingPhotos(db, MEMBER, server.fetch)
    // A call while a run is going joins it.
    expect(uploadPendingPhotos(db, MEMBER, server.fetch)).toBe(run)
    await run
    expect((await row(older)).uploaded).toBe(UPLOAD_CHUNK_BYTES)
    expect((await row(newer)).uploaded).toBe(0)
    expect(server.log.every((l) => l.includes(older))).toBe(true)
    expect(await db.photo_uploads.get(longAgo)).toBeDefined()

    server.fault = () => null
    server.log = []
    await uploadPendingPhotos(db, MEMBER, server.fetch)
    expect(server.log).toEqual([
      `GET ${older}`,
      `PUT ${older} 65536-69999`,
      `GET ${newer}`,
      `PUT ${newer} 0-65535`,
      `PUT ${newer} 65536-69999`,
    ])
    for (const id of [older, newer]) expect(await row(id)).toMatchObject({ uploaded: 70_000, doneAt: expect.any(String) })
    expect(await row(someoneElses)).toMatchObject({ uploaded: 0, doneAt: null })
    expect(await row(refused)).toMatchObject({ doneAt: null })
    expect(await db.photo_uploads.get(longAgo)).toBeUndefined()
    expect(await db.photo_uploads.get(recently)).toBeDefined()
  })
})

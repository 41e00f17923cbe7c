import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import type { CommentDraft, CommentRow, HouseholdRow, NoticeRow, TopicRow } from '~/domain/board'
import type { MutationResult } from '~/domain/sync'

const codes = (results: MutationResult[]) => results.map((r) => (r.status === 'rejected' ? r.code : r.status))

// 合兴村 (b-hexing): secretary 张志强 (…101); 许光荣 (…010) looks after ten households h-13800000010-01…10.
const AUTHOR = '13800000010'
const AUTHOR_ID = 'u-2sxm9c477t5z'
const HOUSEHOLD = 'h-13800000010-03'
const OTHER_HEXING_MEMBER = '13800000009'
const OTHER_BRANCH_MEMBER = '13800000011'
const TOPIC = 't-hexing-road'

function comment(over: Partial<CommentDraft> = {}): CommentDraft {
  return {
    id: `c-${randomUUID()}`,
    topicId: TOPIC,
    text: '村口的路灯坏了两盏，晚上看不清。',
    category: 'need',
    householdId: HOUSEHOLD,
    photos: [],
    ...over,
  }
}

async function photoBytes(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Make: 'TestPhone' } } })
    .toBuffer()
}

describe.each(databases)('朋友圈 board on %s', (kind) => {
  let server: TestServer
  let author: string
  let secretary: string
  const device = clientId()

  beforeAll(async () => {
    server = await startServer(kind)
    author = await login(server.app, AUTHOR)
    secretary = await login(server.app, DEMO.secretary)
  })
  afterAll(() => server.close())

  it('sends the member their households and the demo topics', async () => {
    const { rows } = await pullAll(server.app, author, device)
    const households = [...rows].filter(([k]) => k.startsWith('households/')).map(([, r]) => r as HouseholdRow)
    expect(households).toHaveLength(10)
    expect(households.every((h) => h.memberId === AUTHOR_ID)).toBe(true)
    const topics = [...rows].filter(([k]) => k.startsWith('topics/')).map(([, r]) => r as TopicRow)
    // Their branch's topics and the town's, not another branch's.
    expect(topics.map((t) => t.id)).toContain(TOPIC)
    expect(topics.map((t) => t.id)).toContain('t-town-tea')
    expect(topics.map((t) => t.id)).not.toContain('t-jinjiwo-water')
  })

  it('posts a comment on behalf of a household, with the resident named only to those who may see it', async () => {
    const draft = comment()
    expect(codes(await push(server.app, author, device, [mutation('comment.post', { comment: draft })]))).toEqual(['applied'])
    const mine = (await pullAll(server.app, author, clientId())).rows.get(`comments/${draft.id}`) as CommentRow
    expect(mine.residentName).not.toBeNull()
    expect(mine.status).toBe('pending')
    const theirs = (await pullAll(server.app, await login(server.app, OTHER_HEXING_MEMBER), clientId())).rows.get(
      `comments/${draft.id}`,
    ) as CommentRow
    expect(theirs.text).toBe(draft.text)
    expect(theirs.residentName).toBeNull()
    expect(theirs.householdId).toBeNull()
    const secretarys = (await pullAll(server.app, secretary, clientId())).rows.get(`comments/${draft.id}`) as CommentRow
    expect(secretarys.residentName).toBe(mine.residentName)
  })

  it('accepts, resolves and tells the author at each step', async () => {
    const draft = comment({ category: 'suggestion' })
    await push(server.app, author, device, [mutation('comment.post', { comment: draft })])
    const sec = clientId()
    expect(
      codes(
        await push(server.app, secretary, sec, [mutation('comment.act', { commentId: draft.id, action: { type: 'accept', days: 3 } })]),
      ),
    ).toEqual(['applied'])
    expect(
      codes(
        await push(server.app, author, device, [
          mutation('comment.act', { commentId: draft.id, action: { type: 'edit', text: '改一下', category: 'need', photos: [] } }),
        ]),
      ),
    ).toEqual(['not_pending'])
    expect(
      codes(
        await push(server.app, secretary, sec, [
          mutation('comment.act', { commentId: draft.id, action: { type: 'resolve', reply: '已安排电工修好。' } }),
        ]),
      ),
    ).toEqual(['applied'])
    const { rows } = await pullAll(server.app, author, clientId())
    const row = rows.get(`comments/${draft.id}`) as CommentRow
    expect(row.status).toBe('resolved')
    expect(row.reply).toBe('已安排电工修好。')
    const notices = [...rows]
      .filter(([k]) => k.startsWith('notices/'))
      .map(([, r]) => r as NoticeRow)
      .filter((n) => n.commentId === draft.id)
    expect(notices.map((n) => n.title).sort()).toEqual(['您的留言已办结', '您的留言已受理'])
    const points = [...rows].filter(([k]) => k.startsWith('points/')).map(([, r]) => r as { ruleCode: string; points: number })
    expect(points.filter((p) => p.ruleCode === 'board-adopted')).toEqual([expect.objectContaining({ points: 2 })])
  })

  it('uploads a photo in chunks, resumes after a cut, re-encodes it, and shows it to the branch only', async () => {
    const bytes = await photoBytes()
    const id = `p-${randomUUID()}`
    const half = Math.floor(bytes.length / 2)
    const put = (cookie: string, start: number, end: number) =>
      server.app.inject({
        method: 'PUT',
        url: `/api/photos/${id}`,
        headers: { cookie, 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end - 1}/${bytes.length}` },
        payload: bytes.subarray(start, end),
      })
    expect((await put(author, 0, half)).statusCode).toBe(200)
    // The same chunk again (its reply was lost) is refused with where to go on from.
    const again = await put(author, 0, half)
    expect(again.statusCode).toBe(409)
    expect(again.headers['x-upload-received']).toBe(String(half))
    const state = await server.app.inject({ url: `/api/photos/${id}/upload`, headers: { cookie: author } })
    expect(state.json()).toMatchObject({ received: half, total: bytes.length, done: false })
    const done = await put(author, half, bytes.length)
    expect(done.statusCode).toBe(201)
    expect(done.json()).toMatchObject({ done: true, width: 640, height: 480 })

    await push(server.app, author, device, [mutation('comment.post', { comment: comment({ photos: [id] }) })])
    const read = (cookie: string) => server.app.inject({ url: `/api/photos/${id}`, headers: { cookie } })
    const seen = await read(await login(server.app, OTHER_HEXING_MEMBER))
    expect(seen.statusCode).toBe(200)
    expect(seen.headers['content-type']).toBe('image/jpeg')
    const meta = await sharp(seen.rawPayload).metadata()
    expect(meta.format).toBe('jpeg')
    expect(meta.exif).toBeUndefined()
    expect((await read(await login(server.app, OTHER_BRANCH_MEMBER))).statusCode).toBe(403)
  })

  it('refuses a file that is not an image', async () => {
    const id = `p-${randomUUID()}`
    const text = Buffer.from('<script>alert(1)</script> not a photo at all')
    const response = await server.app.inject({
      method: 'PUT',
      url: `/api/photos/${id}`,
      headers: { cookie: author, 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${text.length - 1}/${text.length}` },
      payload: text,
    })
    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ error: 'not_an_image' })
    expect((await server.app.inject({ url: `/api/photos/${id}/upload`, headers: { cookie: author } })).statusCode).toBe(404)
  })
})

// ---------------------------------------------------------------------------------------------------------
// The rules, one by one, on a server of their own (so the rate limits count only what these tests post).

const SECRETARY_ID = 'u-d2h5f8be4qmj'
const ADMIN_ID = 'u-jjv8xvrq2yab'
const JINJIWO_SECRETARY = '13800000102'
const HEXING_MEMBER_1 = '13800000001'
const HEXING_CENTER_2 = '13800000003'
const ARRIVALS_MEMBER = '13800000004'
const TOWN_TOPIC = 't-town-tea'
const DAY_MS = 86_400_000

/** The Shanghai calendar day of an instant (UTC+8, no daylight saving), worked out here independently. */
const shanghaiDay = (at: string | number) => new Date(new Date(at).getTime() + 8 * 3600_000).toISOString().slice(0, 10)
const dayAfter = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
const endOfShanghaiDay = (day: string) => new Date(`${day}T23:59:59.999+08:00`).toISOString()

/** A mutation made at `clientTime` on the device (`mutation()` uses now). */
const madeAt = (name: string, args: unknown, clientTime: string) => ({ id: randomUUID(), name, args, clientTime })

async function pngBytes(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer()
}

/** A PNG of 12000×12000 white pixels: a few hundred KB on the wire, 432 MB once decoded. Made once for both databases. */
let bomb: Promise<Buffer> | undefined
const bombBytes = () =>
  (bomb ??= sharp({ create: { width: 12000, height: 12000, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .png({ compressionLevel: 9 })
    .toBuffer())

describe.each(databases)('朋友圈 board rules on %s', (kind) => {
  let server: TestServer
  const cookies = new Map<string, string>()
  const devices = new Map<string, string>()
  /** The device clock posts are made with: 3 minutes apart, starting six hours ago, so no rate limit is reached by accident. */
  let deviceClock = Date.now() - 6 * 3600_000
  const nextWritten = () => new Date((deviceClock += 3 * 60_000)).toISOString()

  const as = (phone: string) => {
    const cookie = cookies.get(phone)
    if (!cookie) throw new Error(`not signed in: ${phone}`)
    return cookie
  }
  const deviceOf = (phone: string) => devices.get(phone) ?? devices.set(phone, clientId()).get(phone)!
  const send = async (phone: string, mutations: unknown[]) => codes(await push(server.app, as(phone), deviceOf(phone), mutations))
  const one = async (phone: string, name: string, args: unknown, clientTime?: string) =>
    (await send(phone, [clientTime === undefined ? mutation(name, args) : madeAt(name, args, clientTime)]))[0]

  /** Posts a comment as `phone` (applied, or the test fails); returns its id. */
  async function post(phone: string, over: Partial<CommentDraft> = {}): Promise<string> {
    const draft = comment({ householdId: null, ...over })
    expect(await one(phone, 'comment.post', { comment: draft }, nextWritten())).toBe('applied')
    return draft.id
  }
  const act = (phone: string, commentId: string, action: unknown) => one(phone, 'comment.act', { commentId, action })

  /** Everything `phone` has pulled, fresh. */
  async function view(phone: string) {
    const { rows } = await pullAll(server.app, as(phone), clientId())
    const table = <T>(name: string) => [...rows].filter(([k]) => k.startsWith(`${name}/`)).map(([, r]) => r as T)
    return {
      comment: (id: string) => rows.get(`comments/${id}`) as CommentRow | undefined,
      topic: (id: string) => rows.get(`topics/${id}`) as TopicRow | undefined,
      notices: (commentId: string) => table<NoticeRow>('notices').filter((n) => n.commentId === commentId),
      points: table<{ ruleCode: string; sourceId: string; points: number; memberId: string }>('points'),
    }
  }
  const statusOf = async (commentId: string) => (await view(DEMO.secretary)).comment(commentId)?.status

  beforeAll(async () => {
    server = await startServer(kind)
    for (const phone of [
      AUTHOR,
      DEMO.secretary,
      DEMO.admin,
      OTHER_HEXING_MEMBER,
      OTHER_BRANCH_MEMBER,
      JINJIWO_SECRETARY,
      HEXING_MEMBER_1,
      HEXING_CENTER_2,
      ARRIVALS_MEMBER,
    ]) {
      cookies.set(phone, await login(server.app, phone))
    }
  })
  afterAll(() => server.close())

  it('shows the secretary the demo comments with their statuses, deadlines and residents', async () => {
    const seen = await view(DEMO.secretary)
    expect([1, 2, 3, 4, 5].map((n) => seen.comment(`c-hexing-road-${n}`)?.status)).toEqual([
      'resolved',
      'accepted',
      'accepted',
      'pending',
      'pending',
    ])
    expect(seen.comment('c-hexing-road-1')).toMatchObject({
      residentName: '汪大勇',
      householdId: 'h-13800000003-01',
      reply: '已纳入设计方案，路面宽度按4.5米施工。',
    })
    // Accepted the day after posting, with the default deadline: the end of the 7th day after that, Shanghai time.
    for (const n of [2, 3]) {
      const accepted = seen.comment(`c-hexing-road-${n}`)!
      expect(accepted.handlerId).toBe(SECRETARY_ID)
      expect(accepted.deadline).toBe(endOfShanghaiDay(dayAfter(shanghaiDay(accepted.acceptedAt!), 7)))
    }
    expect(seen.comment('c-hexing-road-4')).toMatchObject({ deadline: null, handlerId: null })
    // Another branch's topic is not theirs to see.
    expect(seen.comment('c-jinjiwo-water-1')).toBeUndefined()
  })

  describe('handling (comment.act)', () => {
    it('accepts with the default 7-day deadline: the end of the 7th day in Shanghai, handled by the one accepting', async () => {
      const id = await post(AUTHOR)
      const before = new Date().toISOString()
      expect(await act(DEMO.secretary, id, { type: 'accept' })).toBe('applied')
      const after = new Date().toISOString()
      const row = (await view(AUTHOR)).comment(id)!
      expect(row.status).toBe('accepted')
      expect(row.handlerId).toBe(SECRETARY_ID)
      expect(row.acceptedAt! >= before && row.acceptedAt! <= after).toBe(true)
      expect(row.deadline).toBe(endOfShanghaiDay(dayAfter(shanghaiDay(row.acceptedAt!), 7)))
      // Accepting twice is refused.
      expect(await act(DEMO.secretary, id, { type: 'accept', days: 3 })).toBe('already_accepted')
      expect((await view(AUTHOR)).comment(id)?.deadline).toBe(row.deadline)
    })

    it('accepts with a 3-day deadline', async () => {
      const id = await post(AUTHOR)
      expect(await act(DEMO.secretary, id, { type: 'accept', days: 3 })).toBe('applied')
      const row = (await view(DEMO.secretary)).comment(id)!
      expect(row.deadline).toBe(endOfShanghaiDay(dayAfter(shanghaiDay(row.acceptedAt!), 3)))
      expect(Date.parse(row.deadline!) - Date.parse(row.acceptedAt!)).toBeGreaterThanOrEqual(3 * DAY_MS)
    })

    it('refuses a resolution before acceptance, and a deadline outside 1…60 days', async () => {
      const id = await post(AUTHOR)
      expect(await act(DEMO.secretary, id, { type: 'resolve', reply: '已经处理好了。' })).toBe('not_accepted')
      expect(await act(DEMO.secretary, id, { type: 'accept', days: 0 })).toBe('invalid_args')
      expect(await act(DEMO.secretary, id, { type: 'accept', days: 61 })).toBe('invalid_args')
      expect(await statusOf(id)).toBe('pending')
    })

    it('rejects from 待处理 and from 已受理, with the reason', async () => {
      const pending = await post(AUTHOR)
      expect(await act(DEMO.secretary, pending, { type: 'reject', reason: '不属于本村事务。' })).toBe('applied')
      const accepted = await post(AUTHOR)
      expect(await act(DEMO.secretary, accepted, { type: 'accept' })).toBe('applied')
      expect(await act(DEMO.secretary, accepted, { type: 'reject', reason: '经核实条件不具备。' })).toBe('applied')
      const seen = await view(AUTHOR)
      expect(seen.comment(pending)).toMatchObject({ status: 'rejected', reason: '不属于本村事务。' })
      expect(seen.comment(pending)?.closedAt).not.toBeNull()
      expect(seen.comment(accepted)).toMatchObject({ status: 'rejected', reason: '经核实条件不具备。' })
    })

    it('merges into a comment on the same topic only, never into itself', async () => {
      const target = await post(AUTHOR)
      const dup = await post(OTHER_HEXING_MEMBER, { text: '路灯坏了，晚上很黑。' })
      // Into a comment on another topic (the town's): refused.
      expect(await act(DEMO.secretary, dup, { type: 'merge', into: 'c-town-tea-1', reason: '同类问题。' })).toBe('invalid_args')
      expect(await act(DEMO.secretary, dup, { type: 'merge', into: dup, reason: '同类问题。' })).toBe('invalid_args')
      expect(await act(DEMO.secretary, dup, { type: 'merge', into: 'c-nowhere', reason: '同类问题。' })).toBe('not_found')
      expect(await statusOf(dup)).toBe('pending')
      expect(await act(DEMO.secretary, dup, { type: 'merge', into: target, reason: '与上一条是同一件事。' })).toBe('applied')
      expect((await view(OTHER_HEXING_MEMBER)).comment(dup)).toMatchObject({
        status: 'merged',
        mergedInto: target,
        reason: '与上一条是同一件事。',
      })
      // Now that something was merged into it, the target can't be deleted by its author.
      expect(await one(AUTHOR, 'comment.delete', { commentId: target })).toBe('not_pending')
    })

    it('refuses anything on a comment already 已办结, 不予采纳 or 已合并', async () => {
      const resolved = await post(AUTHOR)
      await act(DEMO.secretary, resolved, { type: 'accept' })
      expect(await act(DEMO.secretary, resolved, { type: 'resolve', reply: '已修好两盏路灯。' })).toBe('applied')
      const rejected = await post(AUTHOR)
      expect(await act(DEMO.secretary, rejected, { type: 'reject', reason: '重复反映。' })).toBe('applied')
      const merged = await post(AUTHOR)
      expect(await act(DEMO.secretary, merged, { type: 'merge', into: resolved, reason: '同一件事。' })).toBe('applied')
      const other = await post(AUTHOR)
      for (const id of [resolved, rejected, merged]) {
        expect(await act(DEMO.secretary, id, { type: 'accept' })).toBe('already_closed')
        expect(await act(DEMO.secretary, id, { type: 'resolve', reply: '再办一次。' })).toBe('already_closed')
        expect(await act(DEMO.secretary, id, { type: 'reject', reason: '改为不采纳。' })).toBe('already_closed')
        expect(await act(DEMO.secretary, id, { type: 'merge', into: other, reason: '再合并。' })).toBe('already_closed')
        expect(await act(DEMO.admin, id, { type: 'accept' })).toBe('already_closed')
        expect(await act(AUTHOR, id, { type: 'edit', text: '改一下内容', category: 'need', photos: [] })).toBe('not_pending')
      }
      const seen = await view(DEMO.secretary)
      expect([resolved, rejected, merged].map((id) => seen.comment(id)?.status)).toEqual(['resolved', 'rejected', 'merged'])
      expect(seen.comment(resolved)?.reply).toBe('已修好两盏路灯。')
    })

    it('lets the branch secretary and the admin handle, not a member nor another branch’s secretary', async () => {
      const id = await post(AUTHOR)
      expect(await act(OTHER_HEXING_MEMBER, id, { type: 'accept' })).toBe('forbidden')
      expect(await act(AUTHOR, id, { type: 'accept' })).toBe('forbidden')
      expect(await act(AUTHOR, id, { type: 'reject', reason: '我自己撤回。' })).toBe('forbidden')
      expect(await act(JINJIWO_SECRETARY, id, { type: 'accept' })).toBe('forbidden')
      expect(await act(JINJIWO_SECRETARY, id, { type: 'reject', reason: '不是本村的事。' })).toBe('forbidden')
      expect(await statusOf(id)).toBe('pending')
      expect(await act(DEMO.admin, id, { type: 'accept', days: 5 })).toBe('applied')
      expect((await view(AUTHOR)).comment(id)).toMatchObject({ status: 'accepted', handlerId: ADMIN_ID })
      expect(await act(DEMO.admin, id, { type: 'resolve', reply: '镇里已协调电力所更换。' })).toBe('applied')
      expect(await statusOf(id)).toBe('resolved')
    })

    it('leaves a town-wide topic’s comments to the admin', async () => {
      const id = await post(AUTHOR, { topicId: TOWN_TOPIC, category: 'suggestion', text: '茶叶礼盒可以做小包装。' })
      expect(await act(DEMO.secretary, id, { type: 'accept' })).toBe('forbidden')
      expect(await act(JINJIWO_SECRETARY, id, { type: 'accept' })).toBe('forbidden')
      expect(await act(DEMO.secretary, id, { type: 'reject', reason: '不采纳。' })).toBe('forbidden')
      expect(await act(DEMO.admin, id, { type: 'accept' })).toBe('applied')
      expect((await view(DEMO.admin)).comment(id)).toMatchObject({ status: 'accepted', handlerId: ADMIN_ID, branchId: null })
    })

    it('names a handler from the branch only', async () => {
      const id = await post(AUTHOR)
      expect(await act(DEMO.secretary, id, { type: 'accept', handlerId: 'u-g58cv523zthc' })).toBe('invalid_args')
      expect(await act(DEMO.secretary, id, { type: 'accept', handlerId: 'u-nobody' })).toBe('invalid_args')
      expect(await statusOf(id)).toBe('pending')
      expect(await act(DEMO.secretary, id, { type: 'accept', handlerId: 'u-u8qzcrmkzu7p' })).toBe('applied')
      expect((await view(DEMO.secretary)).comment(id)).toMatchObject({ status: 'accepted', handlerId: 'u-u8qzcrmkzu7p' })
    })
  })

  describe('one’s own comment (self-dealing)', () => {
    const adopted = () =>
      server.withDb((db) =>
        db.selectFrom('points_ledger').select(['member_id', 'source_id']).where('rule_code', '=', 'board-adopted').execute(),
      )

    it('refuses a secretary accepting, resolving, rejecting or merging their own suggestion, and gives them no points', async () => {
      const own = await post(DEMO.secretary, { category: 'suggestion', householdId: null, text: '村委会门口增设一处便民座椅。' })
      const other = await post(AUTHOR)
      for (const action of [
        { type: 'accept' },
        { type: 'reject', reason: '自己撤回。' },
        { type: 'merge', into: other, reason: '同一件事。' },
      ] as const) {
        const [result] = await push(server.app, as(DEMO.secretary), deviceOf(DEMO.secretary), [
          mutation('comment.act', { commentId: own, action }),
        ])
        expect(result).toMatchObject({ status: 'rejected', code: 'forbidden', message: expect.stringContaining('不能办理自己的留言') })
      }
      expect(await statusOf(own)).toBe('pending')
      // Accepted by the admin, naming the author as its handler: refused too.
      expect(await act(DEMO.admin, own, { type: 'accept', handlerId: SECRETARY_ID })).toBe('forbidden')
      expect(await act(DEMO.admin, own, { type: 'accept' })).toBe('applied')
      // Once the admin accepted it, the author still can't resolve it and take the points.
      expect(await act(DEMO.secretary, own, { type: 'resolve', reply: '已经安装好了。' })).toBe('forbidden')
      expect(await statusOf(own)).toBe('accepted')
      expect((await adopted()).filter((e) => e.source_id === `board:${own}`)).toEqual([])
      // Resolved by the admin, it is adopted: the points are the author's, rightly.
      expect(await act(DEMO.admin, own, { type: 'resolve', reply: '镇里已安装两张座椅。' })).toBe('applied')
      expect((await adopted()).filter((e) => e.source_id === `board:${own}`)).toEqual([
        { member_id: SECRETARY_ID, source_id: `board:${own}` },
      ])
    })

    it('refuses the admin handling their own comment on a town topic', async () => {
      const own = await post(DEMO.admin, {
        topicId: TOWN_TOPIC,
        category: 'suggestion',
        householdId: null,
        text: '茶园可以开展采茶体验活动。',
      })
      expect(await act(DEMO.admin, own, { type: 'accept' })).toBe('forbidden')
      expect(await act(DEMO.admin, own, { type: 'reject', reason: '不采纳。' })).toBe('forbidden')
      expect(await statusOf(own)).toBe('pending')
      expect((await adopted()).filter((e) => e.source_id === `board:${own}`)).toEqual([])
    })
  })

  describe('the author’s own changes', () => {
    it('edits and deletes only while 待处理, and only their own', async () => {
      const id = await post(AUTHOR, { householdId: HOUSEHOLD })
      const edit = { type: 'edit', text: '村口路灯坏了三盏。', category: 'suggestion', photos: [] }
      expect(await act(OTHER_HEXING_MEMBER, id, edit)).toBe('forbidden')
      expect(await act(DEMO.secretary, id, edit)).toBe('forbidden')
      expect(await one(OTHER_HEXING_MEMBER, 'comment.delete', { commentId: id })).toBe('forbidden')
      expect(await one(DEMO.secretary, 'comment.delete', { commentId: id })).toBe('forbidden')
      expect(await act(AUTHOR, id, edit)).toBe('applied')
      const edited = (await view(AUTHOR)).comment(id)!
      expect(edited).toMatchObject({ text: '村口路灯坏了三盏。', category: 'suggestion', status: 'pending', householdId: HOUSEHOLD })
      // Edits tell nobody: no notice.
      expect((await view(AUTHOR)).notices(id)).toEqual([])

      expect(await act(DEMO.secretary, id, { type: 'accept' })).toBe('applied')
      expect(await act(AUTHOR, id, { ...edit, text: '受理后再改。' })).toBe('not_pending')
      expect(await one(AUTHOR, 'comment.delete', { commentId: id })).toBe('not_pending')
      expect((await view(AUTHOR)).comment(id)).toMatchObject({ text: '村口路灯坏了三盏。', status: 'accepted' })

      const gone = await post(AUTHOR)
      expect(await one(AUTHOR, 'comment.delete', { commentId: gone })).toBe('applied')
      expect((await view(DEMO.secretary)).comment(gone)).toBeUndefined()
      expect(await act(DEMO.secretary, gone, { type: 'accept' })).toBe('not_found')
    })

    it('sets and clears likes idempotently, so a replayed like is harmless', async () => {
      const id = await post(AUTHOR)
      const like = (phone: string, liked: boolean) => one(phone, 'comment.like', { commentId: id, liked })
      expect(await like(OTHER_HEXING_MEMBER, true)).toBe('applied')
      expect(await like(OTHER_HEXING_MEMBER, true)).toBe('applied')
      expect(await like(HEXING_MEMBER_1, true)).toBe('applied')
      expect((await view(AUTHOR)).comment(id)?.likedBy).toEqual(['u-u8qzcrmkzu7p', 'u-66hr2jf7sv8n'])
      expect(await like(OTHER_HEXING_MEMBER, false)).toBe('applied')
      expect(await like(OTHER_HEXING_MEMBER, false)).toBe('applied')
      expect((await view(AUTHOR)).comment(id)?.likedBy).toEqual(['u-66hr2jf7sv8n'])
      // Another branch can't like a comment it can't see.
      expect(await like(OTHER_BRANCH_MEMBER, true)).toBe('forbidden')
      // A like is no status change: the author gets no notice.
      expect((await view(AUTHOR)).notices(id)).toEqual([])
    })
  })

  describe('topics (topic.save)', () => {
    const today = () => shanghaiDay(Date.now())
    const draft = (over: Partial<TopicRow> = {}) => ({
      id: `t-${randomUUID()}`,
      branchId: 'b-hexing',
      category: 'environment',
      title: '村里的池塘怎么清理',
      text: '请大家说说看法。',
      photos: [],
      closesOn: dayAfter(today(), 10),
      ...over,
    })

    it('lets a secretary post in their own branch, the admin town-wide, and nobody else', async () => {
      const own = draft()
      expect(await one(DEMO.secretary, 'topic.save', { topic: own })).toBe('applied')
      expect(await one(JINJIWO_SECRETARY, 'topic.save', { topic: draft() })).toBe('forbidden')
      expect(await one(AUTHOR, 'topic.save', { topic: draft() })).toBe('forbidden')
      expect(await one(DEMO.secretary, 'topic.save', { topic: draft({ branchId: null }) })).toBe('forbidden')
      expect(await one(DEMO.secretary, 'topic.save', { topic: draft({ closesOn: dayAfter(today(), -1) }) })).toBe('invalid_args')
      expect(await one(DEMO.secretary, 'topic.save', { topic: { ...own, branchId: 'b-jinjiwo' } })).toBe('invalid_args')
      const town = draft({ branchId: null, title: '全镇环境整治征集意见' })
      expect(await one(DEMO.admin, 'topic.save', { topic: town })).toBe('applied')

      const member = await view(AUTHOR)
      expect(member.topic(own.id)).toMatchObject({ title: own.title, branchId: 'b-hexing', createdBy: SECRETARY_ID })
      expect(member.topic(town.id)).toMatchObject({ branchId: null, createdBy: ADMIN_ID })
      const elsewhere = await view(OTHER_BRANCH_MEMBER)
      expect(elsewhere.topic(own.id)).toBeUndefined()
      expect(elsewhere.topic(town.id)).toBeDefined()
    })

    it('takes comments on its own branch’s and the town’s topics only', async () => {
      expect(await one(OTHER_BRANCH_MEMBER, 'comment.post', { comment: comment({ householdId: null }) }, nextWritten())).toBe('forbidden')
      expect(
        await one(
          OTHER_BRANCH_MEMBER,
          'comment.post',
          { comment: comment({ householdId: 'h-13800000011-02', topicId: TOWN_TOPIC }) },
          nextWritten(),
        ),
      ).toBe('applied')
      expect(await one(AUTHOR, 'comment.post', { comment: comment({ topicId: 't-nowhere' }) }, nextWritten())).toBe('not_found')
    })

    it('refuses a household the member does not look after', async () => {
      expect(await one(AUTHOR, 'comment.post', { comment: comment({ householdId: 'h-13800000003-01' }) }, nextWritten())).toBe(
        'invalid_args',
      )
      expect(await one(OTHER_HEXING_MEMBER, 'comment.post', { comment: comment() }, nextWritten())).toBe('invalid_args')
    })

    it('closes at the end of its closing day, but takes what was written before that and arrives later', async () => {
      // The demo topic 垃圾分类亭 closed a month ago.
      expect(await one(AUTHOR, 'comment.post', { comment: comment({ topicId: 't-hexing-garbage' }) }, nextWritten())).toBe('topic_closed')

      const topic = draft({ closesOn: today() })
      expect(await one(DEMO.secretary, 'topic.save', { topic })).toBe('applied')
      // A day passes: the topic closed at the end of yesterday.
      const yesterday = dayAfter(today(), -1)
      await server.withDb((db) => db.updateTable('board_topics').set({ closes_on: yesterday }).where('id', '=', topic.id).execute())
      const now = comment({ topicId: topic.id, householdId: null })
      expect(await one(HEXING_MEMBER_1, 'comment.post', { comment: now })).toBe('topic_closed')
      // Written offline yesterday at noon (Shanghai), sent today: it counts as written then.
      const written = new Date(`${yesterday}T12:00:00+08:00`).toISOString()
      const offline = comment({ topicId: topic.id, householdId: null, text: '昨天开会时大家说的。' })
      expect(await one(HEXING_MEMBER_1, 'comment.post', { comment: offline }, written)).toBe('applied')
      expect((await view(DEMO.secretary)).comment(offline.id)).toMatchObject({ createdAt: written, status: 'pending' })
      // A device clock further back than the offline window is not believed.
      const longAgo = new Date(Date.now() - 40 * DAY_MS).toISOString()
      expect(await one(HEXING_MEMBER_1, 'comment.post', { comment: comment({ topicId: topic.id, householdId: null }) }, longAgo)).toBe(
        'topic_closed',
      )
    })
  })

  describe('the resident’s name', () => {
    it('on a branch topic: seen by the author, the branch secretary and the admin; not by other members', async () => {
      const id = await post(AUTHOR, { householdId: HOUSEHOLD })
      const named = (await view(AUTHOR)).comment(id)!
      expect(named.residentName).toBeTruthy()
      expect((await view(DEMO.secretary)).comment(id)).toMatchObject({ householdId: HOUSEHOLD, residentName: named.residentName })
      expect((await view(DEMO.admin)).comment(id)).toMatchObject({ householdId: HOUSEHOLD, residentName: named.residentName })
      expect((await view(OTHER_HEXING_MEMBER)).comment(id)).toMatchObject({ householdId: null, residentName: null, text: named.text })
      expect((await view(HEXING_CENTER_2)).comment(id)).toMatchObject({ householdId: null, residentName: null })
      expect((await view(JINJIWO_SECRETARY)).comment(id)).toBeUndefined()
    })

    it('on a town topic: seen by the author’s branch secretary and the admin; not by another branch’s secretary or members', async () => {
      const id = await post(AUTHOR, { topicId: TOWN_TOPIC, householdId: HOUSEHOLD, text: '联系户说茶叶可以走农村电商。' })
      const named = (await view(AUTHOR)).comment(id)!
      expect(named.residentName).toBeTruthy()
      expect((await view(DEMO.secretary)).comment(id)?.residentName).toBe(named.residentName)
      expect((await view(DEMO.admin)).comment(id)?.residentName).toBe(named.residentName)
      expect((await view(JINJIWO_SECRETARY)).comment(id)).toMatchObject({ text: named.text, householdId: null, residentName: null })
      expect((await view(OTHER_BRANCH_MEMBER)).comment(id)).toMatchObject({ householdId: null, residentName: null })
      expect((await view(OTHER_HEXING_MEMBER)).comment(id)).toMatchObject({ householdId: null, residentName: null })
      // And it stays hidden after a change to the comment is sent again.
      expect(await act(DEMO.admin, id, { type: 'accept' })).toBe('applied')
      expect((await view(JINJIWO_SECRETARY)).comment(id)).toMatchObject({ status: 'accepted', residentName: null })
    })
  })

  describe('notices', () => {
    it('tells the author of each status change, and only the author', async () => {
      const id = await post(AUTHOR, { text: '村口垃圾桶不够用，周末常常满出来。' })
      expect(await act(DEMO.secretary, id, { type: 'accept', days: 3 })).toBe('applied')
      let notices = (await view(AUTHOR)).notices(id)
      expect(notices).toHaveLength(1)
      expect(notices[0]).toMatchObject({ title: '您的留言已受理', topicId: TOPIC, readAt: null })
      expect(await act(DEMO.secretary, id, { type: 'resolve', reply: '已增加两个垃圾桶。' })).toBe('applied')
      notices = (await view(AUTHOR)).notices(id)
      expect(notices.map((n) => n.title).sort()).toEqual(['您的留言已办结', '您的留言已受理'])
      expect(notices.find((n) => n.title === '您的留言已办结')?.body).toContain('已增加两个垃圾桶。')
      expect((await view(DEMO.secretary)).notices(id)).toEqual([])
      expect((await view(OTHER_HEXING_MEMBER)).notices(id)).toEqual([])

      const rejected = await post(AUTHOR)
      expect(await act(DEMO.secretary, rejected, { type: 'reject', reason: '已有同类留言在办理。' })).toBe('applied')
      expect((await view(AUTHOR)).notices(rejected)).toEqual([
        expect.objectContaining({ title: '您的留言不予采纳', body: expect.stringContaining('已有同类留言在办理。') }),
      ])
    })

    it('marks notices read for their member only', async () => {
      const id = await post(AUTHOR)
      await act(DEMO.secretary, id, { type: 'accept' })
      await act(DEMO.secretary, id, { type: 'reject', reason: '经研究暂不采纳。' })
      const ids = (await view(AUTHOR)).notices(id).map((n) => n.id)
      expect(ids).toHaveLength(2)
      // Someone else naming them changes nothing.
      expect(await one(OTHER_HEXING_MEMBER, 'notice.read', { noticeIds: ids })).toBe('applied')
      expect((await view(AUTHOR)).notices(id).map((n) => n.readAt)).toEqual([null, null])
      expect(await one(AUTHOR, 'notice.read', { noticeIds: [ids[0]!] })).toBe('applied')
      const after = (await view(AUTHOR)).notices(id)
      expect(after.find((n) => n.id === ids[0])?.readAt).not.toBeNull()
      expect(after.find((n) => n.id === ids[1])?.readAt).toBeNull()
      const readAt = after.find((n) => n.id === ids[0])?.readAt
      // Reading again keeps the first time.
      expect(await one(AUTHOR, 'notice.read', { noticeIds: ids })).toBe('applied')
      const again = (await view(AUTHOR)).notices(id)
      expect(again.find((n) => n.id === ids[0])?.readAt).toBe(readAt)
      expect(again.every((n) => n.readAt !== null)).toBe(true)
    })
  })

  describe('rate limits', () => {
    it('refuses the 11th comment within 10 minutes of device time, and takes one once the window has passed', async () => {
      const start = Date.now() - 60 * 60_000
      const batch = Array.from({ length: 10 }, (_, i) =>
        madeAt(
          'comment.post',
          { comment: comment({ householdId: null, text: `第${i + 1}户的意见。` }) },
          new Date(start + i * 30_000).toISOString(),
        ),
      )
      expect(await send(OTHER_HEXING_MEMBER, batch)).toEqual(Array(10).fill('applied'))
      // Written 9 minutes after the first: the 11th in ten minutes.
      const eleventh = madeAt('comment.post', { comment: comment({ householdId: null }) }, new Date(start + 9 * 60_000).toISOString())
      expect(await send(OTHER_HEXING_MEMBER, [eleventh])).toEqual(['rate_limited'])
      // Written 11 minutes after the first batch's last (by the device's clock), it is fine.
      const later = madeAt(
        'comment.post',
        { comment: comment({ householdId: null }) },
        new Date(start + 9 * 30_000 + 10 * 60_000 + 1000).toISOString(),
      )
      expect(await send(OTHER_HEXING_MEMBER, [later])).toEqual(['applied'])
    })

    it('caps what arrives in 24 hours, whatever the device clock says', async () => {
      const memberId = demoUserId(ARRIVALS_MEMBER)
      const old = new Date(Date.now() - 40 * DAY_MS).toISOString()
      const received = new Date(Date.now() - 3600_000).toISOString()
      // 99 comments arrived in the last hour, claiming to be written long ago.
      await server.withDb((db) =>
        db
          .insertInto('board_comments')
          .values(
            Array.from({ length: 99 }, (_, i) => ({
              id: `c-flood-${kind}-${i}`,
              topic_id: TOPIC,
              branch_id: 'b-hexing',
              author_id: memberId,
              author_name: '钱淑珍',
              author_branch_id: 'b-hexing',
              text: '刷屏',
              category: 'other',
              household_id: null,
              resident_name: null,
              photos_json: '[]',
              status: 'pending',
              deadline: null,
              handler_id: null,
              reply: null,
              reason: null,
              merged_into: null,
              liked_by_json: '[]',
              created_at: old,
              updated_at: old,
              accepted_at: null,
              closed_at: null,
              received_at: received,
            })),
          )
          .execute(),
      )
      expect(await one(ARRIVALS_MEMBER, 'comment.post', { comment: comment({ householdId: null }) }, nextWritten())).toBe('applied')
      const refused = await push(server.app, as(ARRIVALS_MEMBER), deviceOf(ARRIVALS_MEMBER), [
        madeAt('comment.post', { comment: comment({ householdId: null }) }, nextWritten()),
      ])
      expect(refused).toEqual([
        expect.objectContaining({ status: 'rejected', code: 'rate_limited', message: expect.stringContaining('100') }),
      ])
    })
  })

  describe('points', () => {
    it('gives board-adopted once for a resolved 意见建议, none for a resolved 生活需求', async () => {
      const suggestion = await post(HEXING_CENTER_2, { category: 'suggestion', text: '修路时顺便把排水沟也挖好。' })
      const need = await post(HEXING_CENTER_2, { category: 'need', text: '家门口的路灯不亮了。' })
      const rejected = await post(HEXING_CENTER_2, { category: 'suggestion', text: '路面铺沥青。' })
      for (const id of [suggestion, need]) {
        expect(await act(DEMO.secretary, id, { type: 'accept' })).toBe('applied')
      }
      // Accepting alone earns nothing yet.
      expect((await view(HEXING_CENTER_2)).points.filter((p) => p.ruleCode === 'board-adopted')).toEqual([])
      for (const id of [suggestion, need]) {
        expect(await act(DEMO.secretary, id, { type: 'resolve', reply: '已按建议办理完毕。' })).toBe('applied')
      }
      expect(await act(DEMO.secretary, rejected, { type: 'reject', reason: '成本太高。' })).toBe('applied')
      // Resolving again is refused, so it can't earn twice.
      expect(await act(DEMO.secretary, suggestion, { type: 'resolve', reply: '再办结一次。' })).toBe('already_closed')
      const adopted = (await view(HEXING_CENTER_2)).points.filter((p) => p.ruleCode === 'board-adopted')
      expect(adopted).toEqual([expect.objectContaining({ sourceId: `board:${suggestion}`, points: 2 })])
      const ledger = await server.withDb((db) =>
        db.selectFrom('points_ledger').select(['source_id', 'member_id']).where('rule_code', '=', 'board-adopted').execute(),
      )
      expect(ledger.filter((e) => e.source_id === `board:${suggestion}`)).toEqual([
        { source_id: `board:${suggestion}`, member_id: 'u-tzp3tuuzx4zh' },
      ])
      expect(ledger.filter((e) => e.source_id === `board:${need}` || e.source_id === `board:${rejected}`)).toEqual([])
      // The secretary who resolved it earns nothing from it (their own suggestion, adopted by the admin above, aside).
      expect(
        ledger.filter((e) => e.member_id === SECRETARY_ID && [suggestion, need, rejected].some((id) => e.source_id === `board:${id}`)),
      ).toEqual([])
    })
  })

  describe('photos', () => {
    const put = (cookie: string, id: string, bytes: Buffer, start: number, end: number, headers: Record<string, string> = {}) =>
      server.app.inject({
        method: 'PUT',
        url: `/api/photos/${id}`,
        headers: {
          cookie,
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${end - 1}/${bytes.length}`,
          ...headers,
        },
        payload: bytes.subarray(start, end),
      })
    /** Sends all of `bytes` in chunks of 200 KB; returns the last reply. */
    async function upload(cookie: string, id: string, bytes: Buffer) {
      let last
      for (let start = 0; start < bytes.length; start += 200 * 1024) {
        last = await put(cookie, id, bytes, start, Math.min(start + 200 * 1024, bytes.length))
        if (last.statusCode >= 300) return last
      }
      return last!
    }
    const read = (cookie: string, id: string) => server.app.inject({ url: `/api/photos/${id}`, headers: { cookie } })
    const state = (cookie: string, id: string) => server.app.inject({ url: `/api/photos/${id}/upload`, headers: { cookie } })

    it('refuses a file that is not an image with 422 and forgets it', async () => {
      const id = `p-${randomUUID()}`
      const junk = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300 * 1024, 7)])
      const first = await put(as(AUTHOR), id, junk, 0, 200 * 1024)
      expect(first.statusCode).toBe(200)
      const last = await put(as(AUTHOR), id, junk, 200 * 1024, junk.length)
      expect(last.statusCode).toBe(422)
      expect(last.json()).toMatchObject({ error: 'not_an_image' })
      expect((await state(as(AUTHOR), id)).statusCode).toBe(404)
      const left = await server.withDb(async (db) => ({
        photos: await db.selectFrom('photos').select('id').where('id', '=', id).execute(),
        chunks: await db.selectFrom('photo_chunks').select('photo_id').where('photo_id', '=', id).execute(),
      }))
      expect(left).toEqual({ photos: [], chunks: [] })
    })

    it('refuses a photo declared larger than 8 MB with 413', async () => {
      const id = `p-${randomUUID()}`
      const response = await server.app.inject({
        method: 'PUT',
        url: `/api/photos/${id}`,
        headers: { cookie: as(AUTHOR), 'content-type': 'application/octet-stream', 'content-range': `bytes 0-9/${9 * 1024 * 1024}` },
        payload: Buffer.alloc(10, 1),
      })
      expect(response.statusCode).toBe(413)
      expect(response.json()).toMatchObject({ error: 'too_large' })
      expect((await state(as(AUTHOR), id)).statusCode).toBe(404)
    })

    it('refuses a chunk that does not match its Content-Range, or has none, with 400', async () => {
      const bytes = await photoBytes()
      const id = `p-${randomUUID()}`
      const short = await server.app.inject({
        method: 'PUT',
        url: `/api/photos/${id}`,
        headers: { cookie: as(AUTHOR), 'content-type': 'application/octet-stream', 'content-range': `bytes 0-999/${bytes.length}` },
        payload: bytes.subarray(0, 500),
      })
      expect(short.statusCode).toBe(400)
      const none = await server.app.inject({
        method: 'PUT',
        url: `/api/photos/${id}`,
        headers: { cookie: as(AUTHOR), 'content-type': 'application/octet-stream' },
        payload: bytes.subarray(0, 500),
      })
      expect(none.statusCode).toBe(400)
      expect((await put(as(AUTHOR), id, bytes, 0, 500, { 'content-range': 'bytes 0-499' })).statusCode).toBe(400)
      expect((await state(as(AUTHOR), id)).statusCode).toBe(404)
      // Nothing was kept: it starts cleanly from the first byte.
      expect((await upload(as(AUTHOR), id, bytes)).statusCode).toBe(201)
    })

    it('keeps an upload to its owner: someone else’s photo id is 403 on PUT and on GET /upload', async () => {
      const bytes = await photoBytes()
      const id = `p-${randomUUID()}`
      const half = Math.floor(bytes.length / 2)
      expect((await put(as(AUTHOR), id, bytes, 0, half)).statusCode).toBe(200)
      expect((await put(as(OTHER_HEXING_MEMBER), id, bytes, half, bytes.length)).statusCode).toBe(403)
      expect((await put(as(OTHER_HEXING_MEMBER), id, bytes, 0, half)).statusCode).toBe(403)
      expect((await state(as(OTHER_HEXING_MEMBER), id)).statusCode).toBe(403)
      expect((await state(as(AUTHOR), id)).json()).toMatchObject({ received: half, total: bytes.length, done: false })
      expect((await put(as(AUTHOR), id, bytes, half, bytes.length)).statusCode).toBe(201)
      // Finished, it is still only the owner's to ask about or send again.
      expect((await state(as(OTHER_HEXING_MEMBER), id)).statusCode).toBe(403)
      expect((await put(as(OTHER_HEXING_MEMBER), id, bytes, 0, half)).statusCode).toBe(403)
    })

    it('shows a photo to its topic’s branch and the admin, not to another branch or before it is posted', async () => {
      const bytes = await photoBytes()
      const id = `p-${randomUUID()}`
      expect((await upload(as(AUTHOR), id, bytes)).statusCode).toBe(201)
      expect((await read(as(AUTHOR), id)).statusCode).toBe(200)
      // Not yet on any comment: only its owner (and the admin) may read it.
      expect((await read(as(OTHER_HEXING_MEMBER), id)).statusCode).toBe(403)
      await post(AUTHOR, { photos: [id] })
      expect((await read(as(OTHER_HEXING_MEMBER), id)).statusCode).toBe(200)
      expect((await read(as(DEMO.secretary), id)).statusCode).toBe(200)
      expect((await read(as(OTHER_BRANCH_MEMBER), id)).statusCode).toBe(403)
      expect((await read(as(JINJIWO_SECRETARY), id)).statusCode).toBe(403)
      const admin = await read(as(DEMO.admin), id)
      expect(admin.statusCode).toBe(200)
      expect(admin.headers['content-type']).toBe('image/jpeg')
      expect((await read(as(AUTHOR), `p-${randomUUID()}`)).statusCode).toBe(404)
    })

    it('turns a photo upright from its EXIF orientation and drops the EXIF', async () => {
      // 640×480 as stored, "rotate 90° clockwise to view" (orientation 6): upright it is 480×640.
      const bytes = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 10, g: 160, b: 60 } } })
        .jpeg()
        .withMetadata({ orientation: 6, exif: { IFD0: { Make: 'TestPhone' } } })
        .toBuffer()
      expect((await sharp(bytes).metadata()).orientation).toBe(6)
      const id = `p-${randomUUID()}`
      const done = await upload(as(AUTHOR), id, bytes)
      expect(done.statusCode).toBe(201)
      expect(done.json()).toMatchObject({ done: true, width: 480, height: 640 })
      const meta = await sharp((await read(as(AUTHOR), id)).rawPayload).metadata()
      expect(meta).toMatchObject({ format: 'jpeg', width: 480, height: 640 })
      expect(meta.orientation).toBeUndefined()
      expect(meta.exif).toBeUndefined()
    })

    it('re-encodes a PNG as JPEG, shrinking a large one to 1600 px', async () => {
      const bytes = await pngBytes(2400, 1200)
      const id = `p-${randomUUID()}`
      const done = await upload(as(AUTHOR), id, bytes)
      expect(done.statusCode).toBe(201)
      expect(done.json()).toMatchObject({ width: 1600, height: 800 })
      const response = await read(as(AUTHOR), id)
      expect(response.headers['content-type']).toBe('image/jpeg')
      expect(await sharp(response.rawPayload).metadata()).toMatchObject({ format: 'jpeg', width: 1600, height: 800 })
    })

    it('refuses a decompression bomb: a small PNG of 12000×12000 pixels', async () => {
      const bomb = await bombBytes()
      expect(bomb.length).toBeLessThan(1024 * 1024)
      const id = `p-${randomUUID()}`
      const response = await upload(as(AUTHOR), id, bomb)
      expect(response.statusCode).toBe(422)
      expect(response.json()).toMatchObject({ error: 'image_too_large' })
      expect((await state(as(AUTHOR), id)).statusCode).toBe(404)
    })
  })
})

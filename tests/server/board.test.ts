import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import type { CommentDraft, CommentRow, HouseholdRow, NoticeRow, TopicRow } from '../../src/domain/board'
import type { MutationResult } from '../../src/domain/sync'

const codes = (results: MutationResult[]) => results.map((r) => (r.status === 'rejected' ? r.code : r.status))

// 合兴村 (b-hexing): secretary 张志强 (…101); 许光荣 (…010) looks after ten households h-13800000010-01…10.
const AUTHOR = '13800000010'
const AUTHOR_ID = 'u-13800000010'
const HOUSEHOLD = 'h-13800000010-03'
const OTHER_HEXING_MEMBER = '13800000009'
const OTHER_BRANCH_MEMBER = '13800000011'
const TOPIC = 't-hexing-road'

function comment(over: Partial<CommentDraft> = {}): CommentDraft {
  return { id: `c-${randomUUID()}`, topicId: TOPIC, text: '村口的路灯坏了两盏，晚上看不清。', category: 'need', householdId: HOUSEHOLD, photos: [], ...over }
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
    const theirs = (await pullAll(server.app, await login(server.app, OTHER_HEXING_MEMBER), clientId())).rows.get(`comments/${draft.id}`) as CommentRow
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
    expect(codes(await push(server.app, secretary, sec, [mutation('comment.act', { commentId: draft.id, action: { type: 'accept', days: 3 } })]))).toEqual(['applied'])
    expect(codes(await push(server.app, author, device, [mutation('comment.act', { commentId: draft.id, action: { type: 'edit', text: '改一下', category: 'need', photos: [] } })]))).toEqual(['not_pending'])
    expect(codes(await push(server.app, secretary, sec, [mutation('comment.act', { commentId: draft.id, action: { type: 'resolve', reply: '已安排电工修好。' } })]))).toEqual(['applied'])
    const { rows } = await pullAll(server.app, author, clientId())
    const row = rows.get(`comments/${draft.id}`) as CommentRow
    expect(row.status).toBe('resolved')
    expect(row.reply).toBe('已安排电工修好。')
    const notices = [...rows].filter(([k]) => k.startsWith('notices/')).map(([, r]) => r as NoticeRow).filter((n) => n.commentId === draft.id)
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

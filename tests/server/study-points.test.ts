import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import type { LedgerRow } from '~/domain/points'
import { dayInShanghai } from '~/domain/calendar'

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString()

describe.each(databases)('study sessions and points on %s', (kind) => {
  let server: TestServer
  let member: string
  const device = clientId()
  // Each test studies in its own hour of the past, so sessions of different tests never overlap.
  let hour = 0
  const session = (materialId: string, minutes: number, activeSeconds: number, extra: Record<string, unknown> = {}) => {
    const end = 60 * ++hour
    return mutation('study.record', {
      sessionId: randomUUID(),
      materialId,
      startedAt: minutesAgo(end + minutes),
      endedAt: minutesAgo(end),
      activeSeconds,
      completed: true,
      ...extra,
    })
  }
  const ledger = async (cookie = member, client = device) => (await pullAll(server.app, cookie, client)).rows
  const points = async (cookie?: string) =>
    [...(await ledger(cookie, cookie ? clientId() : device)).entries()]
      .filter(([k]) => k.startsWith('points/'))
      .map(([, v]) => v as LedgerRow)

  beforeAll(async () => {
    server = await startServer(kind)
    member = await login(server.app, DEMO.member)
    const now = new Date().toISOString()
    const material = (
      id: string,
      kindOf: 'article' | 'audio',
      duration: number | null,
      status: 'published' | 'withdrawn' = 'published',
    ) => ({
      id,
      column_name: 'library' as const,
      course_id: null,
      lesson: null,
      category: '党章党规',
      kind: kindOf,
      title: id,
      summary: '',
      body: '正文',
      media_file: duration ? `${id}.ogg` : null,
      duration_seconds: duration,
      status,
      published_at: now,
      updated_at: now,
    })
    await server.withDb((db) =>
      db
        .insertInto('materials')
        .values([
          material('t-article', 'article', null),
          material('t-audio', 'audio', 240),
          material('t-withdrawn', 'article', null, 'withdrawn'),
        ])
        .execute(),
    )
  })
  afterAll(() => server.close())

  it('turns five active minutes on an article into ledger entries the member pulls', async () => {
    const read = session('t-article', 6, 300)
    expect(await push(server.app, member, device, [read])).toEqual([{ id: read.id, status: 'applied' }])
    const mine = await points()
    const sessionId = (read.args as { sessionId: string }).sessionId
    expect(
      mine
        .filter((p) => p.sourceId === `study:${sessionId}`)
        .map((p) => [p.ruleCode, p.points])
        .sort(),
    ).toEqual([
      ['article-read', 1],
      ['reading-time', 1],
    ])
  })

  it.each([
    ['more active time than time passed', () => session('t-article', 2, 300), 'impossible_time', '有效学习时长超过了实际经过的时间'],
    ['audio listened to for longer than it lasts', () => session('t-audio', 20, 600), 'impossible_time', '超过了音视频本身的长度'],
    [
      'a session that ends in the future',
      () =>
        mutation('study.record', {
          sessionId: randomUUID(),
          materialId: 't-article',
          startedAt: minutesAgo(5),
          endedAt: new Date(Date.now() + 3600_000).toISOString(),
          activeSeconds: 60,
          completed: true,
        }),
      'clock',
      '请检查手机时间',
    ],
    [
      'a session older than the offline window',
      () =>
        mutation('study.record', {
          sessionId: randomUUID(),
          materialId: 't-article',
          startedAt: minutesAgo(60 * 24 * 40),
          endedAt: minutesAgo(60 * 24 * 40 - 5),
          activeSeconds: 60,
          completed: true,
        }),
      'clock',
      '超过30天',
    ],
    ['a withdrawn material', () => session('t-withdrawn', 5, 120), 'not_found', '已撤下'],
    ['an unknown material', () => session('t-nothing', 5, 120), 'not_found', '已撤下或不存在'],
  ])('rejects %s with its reason and scores nothing', async (_name, make, code, message) => {
    const before = (await points()).length
    const [result] = await push(server.app, member, device, [make()])
    expect(result).toMatchObject({ status: 'rejected', code, message: expect.stringContaining(message) })
    expect((await points()).length).toBe(before)
  })

  it('rejects a session that overlaps another, and the same session sent again as a new mutation', async () => {
    const first = session('t-article', 10, 120)
    const args = first.args as { sessionId: string; startedAt: string; endedAt: string }
    await push(server.app, member, device, [first])
    const overlapping = mutation('study.record', {
      ...args,
      sessionId: randomUUID(),
      startedAt: minutesAgo((Date.now() - Date.parse(args.startedAt)) / 60_000 - 2),
    })
    const again = mutation('study.record', args)
    const results = await push(server.app, member, device, [overlapping, again])
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(['overlap', 'duplicate_session'])
  })

  it('stops at six article points a day however many articles are read', async () => {
    const phone = await login(server.app, '13800000004')
    // Eight reads of 61 active seconds within half an hour.
    const reads = Array.from({ length: 8 }, (_, i) =>
      mutation('study.record', {
        sessionId: randomUUID(),
        materialId: 't-article',
        startedAt: minutesAgo(3 * i + 3),
        endedAt: minutesAgo(3 * i + 1),
        activeSeconds: 61,
        completed: true,
      }),
    )
    const results = await push(server.app, phone, clientId(), reads)
    expect(results.every((r) => r.status === 'applied')).toBe(true)
    const perDay = new Map<string, number>()
    for (const read of reads) {
      const on = dayInShanghai((read.args as { endedAt: string }).endedAt)
      perDay.set(on, (perDay.get(on) ?? 0) + 1)
    }
    const expected = [...perDay.values()].reduce((sum, count) => sum + Math.min(6, count), 0)
    const earned = (await points(phone)).filter((p) => p.ruleCode === 'article-read').reduce((sum, p) => sum + p.points, 0)
    expect(earned).toBe(expected)
  })

  it('never sends one member’s points to another member, nor to their secretary', async () => {
    for (const phone of ['13800000005', DEMO.secretary, DEMO.admin]) {
      expect(await points(await login(server.app, phone))).toEqual([])
    }
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, type EffectScope } from 'vue'
import { useLedgerPage, usePointsStore } from '~/app/stores/points'
import { useSyncStore } from '~/app/stores/sync'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { LedgerRow, RuleRow } from '~/domain/points'
import type { Material } from '~/domain/study'
import { addDays } from '~/domain/calendar'
import { freshDB } from './helpers'

const MEMBER = 'u-66hr2jf7sv8n'
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const ARTICLE_RULE: RuleRow = {
  id: 'article-read@1',
  code: 'article-read',
  version: 1,
  name: '阅读文章',
  category: 'study',
  eventKind: 'study.article',
  unit: 'event',
  points: 1,
  threshold: 60,
  dailyCap: 6,
  yearlyCap: 100,
  activeFrom: '2020-01-01',
  activeTo: null,
}

const ARTICLE: Material = {
  id: 'm-1',
  column: 'library',
  course: null,
  lesson: null,
  category: '党章党规',
  kind: 'article',
  title: '文章',
  summary: '',
  body: '正文',
  media: null,
  publishedAt: '2025-01-01T00:00:00.000Z',
}

function entry(n: number, day: string, points = 1, ruleCode = 'article-read'): LedgerRow {
  return {
    id: `${ruleCode}:s-${n}`,
    ruleCode,
    ruleVersion: 1,
    sourceId: `s-${n}`,
    day,
    points,
    reason: null,
    createdAt: `${day}T02:00:00.000Z`,
  }
}

/** `count` entries, one a day going back from `last` (YYYY-MM-DD), numbered from `from`. */
function daily(count: number, last: string, from = 0): LedgerRow[] {
  return Array.from({ length: count }, (_, i) => entry(from + i, addDays(last, -i)))
}

let db: AppDB
let scope: EffectScope

async function device() {
  const sync = useSyncStore()
  await sync.start(MEMBER, { schedule: false, transport: unreachable })
  await db.points_rules.put(ARTICLE_RULE)
  await db.materials.put(ARTICLE)
  return sync
}

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
  scope = effectScope()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-05-20T04:00:00.000Z')) // noon, 20 May, in Shanghai
})

afterEach(async () => {
  scope.stop()
  useSyncStore().stop()
  vi.useRealTimers()
  await db.delete()
})

describe('积分明细 a page at a time', () => {
  it('lists the newest 50 entries first, 50 more on each 加载更多, and how many are left', async () => {
    await device()
    await db.points.bulkPut(daily(120, '2026-05-20'))
    const page = scope.run(() => useLedgerPage(50))!
    await vi.waitFor(() => expect(page.loaded.value).toBe(true))
    expect(page.count.value).toBe(120)
    expect(page.entries.value).toHaveLength(50)
    expect(page.entries.value[0]!.day).toBe('2026-05-20')
    expect(page.entries.value[49]!.day).toBe('2026-04-01')
    expect(page.remaining.value).toBe(70)

    page.more()
    await vi.waitFor(() => expect(page.entries.value).toHaveLength(100))
    expect(page.remaining.value).toBe(20)
    page.more()
    await vi.waitFor(() => expect(page.entries.value).toHaveLength(120))
    expect(page.remaining.value).toBe(0)
    expect(page.entries.value.at(-1)!.day).toBe('2026-01-21')
  })

  it('shows an entry that syncs in while the page is open, at the top', async () => {
    await device()
    await db.points.bulkPut(daily(60, '2026-05-19'))
    const page = scope.run(() => useLedgerPage(50))!
    await vi.waitFor(() => expect(page.entries.value).toHaveLength(50))
    await db.points.put(entry(999, '2026-05-20', 3))
    await vi.waitFor(() => expect(page.entries.value[0]!.id).toBe('article-read:s-999'))
    expect(page.entries.value).toHaveLength(50)
    await vi.waitFor(() => expect(page.count.value).toBe(61))
    expect(page.remaining.value).toBe(11)
  })

  it('is loaded and empty for a member with no entries', async () => {
    await device()
    const page = scope.run(() => useLedgerPage(50))!
    expect(page.loaded.value).toBe(false)
    await vi.waitFor(() => expect(page.loaded.value).toBe(true))
    expect(page.count.value).toBe(0)
    expect(page.entries.value).toEqual([])
    expect(page.remaining.value).toBe(0)
  })
})

describe('the points store', () => {
  it('totals today, this month and this year from this year’s entries only', async () => {
    await device()
    await db.points.bulkPut([
      entry(1, '2026-05-20', 2),
      entry(2, '2026-05-01', 3),
      entry(3, '2026-01-01', 4),
      entry(4, '2025-12-31', 50),
      entry(5, '2024-05-20', 70),
    ])
    const points = usePointsStore()
    await vi.waitFor(() => expect(points.totals).toEqual({ today: 2, month: 5, year: 9 }))
  })

  it('gives the whole ledger, newest first, to whoever reads it', async () => {
    await device()
    await db.points.bulkPut([entry(1, '2024-03-01'), entry(2, '2026-05-20'), entry(3, '2025-07-01')])
    const points = usePointsStore()
    await vi.waitFor(() => expect(points.ledger.map((e) => e.day)).toEqual(['2026-05-20', '2025-07-01', '2024-03-01']))
  })

  it('estimates a study session waiting to sync within the daily cap already used today', async () => {
    const sync = await device()
    await db.points.bulkPut([1, 2, 3, 4, 5].map((n) => entry(n, '2026-05-20')))
    const points = usePointsStore()
    await vi.waitFor(() => expect(points.totals.today).toBe(5))
    await sync.enqueue('study.record', {
      sessionId: '00000000-0000-4000-8000-000000000001',
      materialId: 'm-1',
      startedAt: '2026-05-20T03:00:00.000Z',
      endedAt: '2026-05-20T03:05:00.000Z',
      activeSeconds: 300,
      completed: true,
    })
    await vi.waitFor(() => expect(points.pending.map((e) => [e.ruleCode, e.day, e.points])).toEqual([['article-read', '2026-05-20', 1]]))
    expect(points.pendingTotal).toBe(1)

    // The sixth point of the day was the last: a second session today earns nothing.
    await db.points.put(entry(6, '2026-05-20'))
    await vi.waitFor(() => expect(points.totals.today).toBe(6))
    expect(points.pending).toEqual([])
  })

  it('counts last year’s entries for a session from last year still waiting to sync (the yearly cap)', async () => {
    vi.setSystemTime(new Date('2026-01-02T04:00:00.000Z'))
    const sync = await device()
    // 100 points last year under a yearly cap of 100, on 100 different days.
    await db.points.bulkPut(daily(100, '2025-12-30'))
    const points = usePointsStore()
    await sync.enqueue('study.record', {
      sessionId: '00000000-0000-4000-8000-000000000002',
      materialId: 'm-1',
      startedAt: '2025-12-31T03:00:00.000Z',
      endedAt: '2025-12-31T03:05:00.000Z',
      activeSeconds: 300,
      completed: true,
    })
    await vi.waitFor(() => expect(sync.pendingCount).toBe(1))
    // Without last year's entries the estimate would be +1; with them the cap is reached.
    await new Promise((resolve) => setTimeout(resolve, 50))
    await vi.waitFor(() => expect(points.pending).toEqual([]))
    expect(points.totals).toEqual({ today: 0, month: 0, year: 0 })

    await db.points.clear()
    await vi.waitFor(() => expect(points.pending.map((e) => [e.day, e.points])).toEqual([['2025-12-31', 1]]))
  })
})

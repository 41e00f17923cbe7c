import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useStudyStore } from '~/app/stores/study'
import { describeRule, useRulesStore } from '~/app/stores/rules'
import { byBranch, monthBefore, useHonorStore } from '~/app/stores/honor'
import { useSyncStore } from '~/app/stores/sync'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { Course, Material, StudyProgressRow } from '~/domain/study'
import type { RuleRow } from '~/domain/points'
import type { HonorListRow, HonorMarkRow } from '~/domain/honor'
import { useStudyStreak } from '~/app/composables/useStudyStreak'
import { effectScope } from 'vue'
import type { LedgerRow } from '~/domain/points'
import { addDays } from '~/domain/calendar'
import { freshDB } from './helpers'

const MEMBER = 'u-66hr2jf7sv8n'
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const COURSES: Course[] = [
  { id: 'c-2', title: '第二门课', summary: '', order: 2 },
  { id: 'c-1', title: '第一门课', summary: '', order: 1 },
]

function material(id: string, extra: Partial<Material>): Material {
  return {
    id,
    column: 'library',
    course: null,
    lesson: null,
    category: '党章党规',
    kind: 'article',
    title: id,
    summary: '',
    body: '正文',
    media: null,
    publishedAt: '2026-03-01T00:00:00.000Z',
    ...extra,
  }
}

const MATERIALS: Material[] = [
  material('c1-l2', { column: 'school', course: 'c-1', lesson: 2 }),
  material('c1-l1', { column: 'school', course: 'c-1', lesson: 1 }),
  material('c2-l1', { column: 'school', course: 'c-2', lesson: 1 }),
  material('lib-old', { publishedAt: '2026-02-01T00:00:00.000Z' }),
  material('lib-new', { publishedAt: '2026-04-01T00:00:00.000Z' }),
]

const progress = (id: string, completed: boolean): StudyProgressRow => ({
  id,
  activeSeconds: 120,
  completed,
  lastStudiedAt: '2026-05-01T02:00:00.000Z',
})

function rule(code: string, version: number, extra: Partial<RuleRow>): RuleRow {
  return {
    id: `${code}@${version}`,
    code,
    version,
    name: '阅读文章',
    category: 'study',
    eventKind: 'study.article',
    unit: 'event',
    points: 1,
    threshold: 60,
    dailyCap: 6,
    yearlyCap: null,
    activeFrom: '2026-01-01',
    activeTo: null,
    ...extra,
  }
}

let db: AppDB

function clockAt(iso: string) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date(iso))
}

async function device() {
  const sync = useSyncStore()
  await sync.start(MEMBER, { schedule: false, transport: unreachable })
  await db.courses.bulkPut(COURSES)
  await db.materials.bulkPut(MATERIALS)
  return sync
}

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
})

afterEach(async () => {
  useSyncStore().stop()
  vi.useRealTimers()
  await db.delete()
})

describe('网上党校 progress and what to study next', () => {
  it('counts completed lessons per course and suggests the first lesson not yet completed, in course order', async () => {
    await device()
    await db.study_progress.bulkPut([progress('c1-l1', true), progress('c1-l2', false), progress('lib-new', false)])
    const study = useStudyStore()
    await vi.waitFor(() =>
      expect(study.school.map((c) => [c.course.id, c.lessons.map((m) => m.id), c.done])).toEqual([
        ['c-1', ['c1-l1', 'c1-l2'], 1],
        ['c-2', ['c2-l1'], 0],
      ]),
    )
    expect(study.isCompleted('c1-l1')).toBe(true)
    expect(study.isCompleted('c1-l2')).toBe(false)
    // Started but not finished: lesson 2 is still next.
    expect(study.next).toMatchObject({ reason: 'course', material: { id: 'c1-l2' }, course: { id: 'c-1' } })

    await db.study_progress.put(progress('c1-l2', true))
    await vi.waitFor(() => expect(study.next).toMatchObject({ reason: 'course', material: { id: 'c2-l1' }, course: { id: 'c-2' } }))
  })

  it('suggests the newest material never opened once every lesson is completed, and nothing when all are opened', async () => {
    await device()
    await db.study_progress.bulkPut([progress('c1-l1', true), progress('c1-l2', true), progress('c2-l1', true)])
    const study = useStudyStore()
    await vi.waitFor(() => expect(study.next).toMatchObject({ reason: 'newest', material: { id: 'lib-new' } }))
    expect(study.school.every((c) => c.done === c.lessons.length)).toBe(true)

    await db.study_progress.put(progress('lib-new', false))
    await vi.waitFor(() => expect(study.next).toMatchObject({ reason: 'newest', material: { id: 'lib-old' } }))
    await db.study_progress.put(progress('lib-old', false))
    await vi.waitFor(() => expect(study.next).toBeNull())
  })

  it('counts a lesson completed offline (still in the outbox) before the server confirms it', async () => {
    const sync = await device()
    const study = useStudyStore()
    await vi.waitFor(() => expect(study.next).toMatchObject({ material: { id: 'c1-l1' } }))
    await sync.enqueue('study.record', {
      sessionId: '00000000-0000-4000-8000-000000000001',
      materialId: 'c1-l1',
      startedAt: '2026-05-01T02:00:00.000Z',
      endedAt: '2026-05-01T02:05:00.000Z',
      activeSeconds: 300,
      completed: true,
    })
    await vi.waitFor(() => expect(study.next).toMatchObject({ material: { id: 'c1-l2' } }))
    expect(study.school[0]!.done).toBe(1)
  })
})

describe('积分规则 in force', () => {
  const RULES: RuleRow[] = [
    rule('article-read', 1, { activeTo: '2026-03-31' }),
    rule('article-read', 2, { points: 2, activeFrom: '2026-04-01', activeTo: '2026-05-20' }),
    rule('article-read', 3, { points: 3, dailyCap: 9, activeFrom: '2026-05-21' }),
    rule('daily-quiz', 1, { name: '每日答题', category: 'quiz', eventKind: 'quiz.daily', unit: 'correct', threshold: null, dailyCap: 5 }),
    rule('violation', 1, {
      name: '违规违纪',
      category: 'violation',
      eventKind: 'manual.violation',
      unit: 'manual',
      points: -1,
      threshold: null,
      dailyCap: null,
    }),
    rule('old-rule', 1, { name: '已停用', activeTo: '2026-02-01' }),
  ]

  it('shows each rule’s version in force today by category, and the versions still to come', async () => {
    clockAt('2026-05-20T04:00:00.000Z') // noon in Shanghai
    await device()
    await db.points_rules.bulkPut(RULES)
    const rules = useRulesStore()
    await vi.waitFor(() => expect(rules.loaded && rules.all.length).toBe(RULES.length))
    expect(rules.inForce.map((g) => [g.label, g.rules.map((r) => r.id)])).toEqual([
      ['日常学习', ['article-read@2']],
      ['答题考试', ['daily-quiz@1']],
      ['违规扣分', ['violation@1']],
    ])
    expect(rules.upcoming.get('article-read')?.map((r) => r.id)).toEqual(['article-read@3'])
    expect(rules.upcoming.get('daily-quiz')).toBeUndefined()
    expect(rules.latest('article-read')?.version).toBe(3)
  })

  it('selects the new version once its day has come (Asia/Shanghai, not UTC)', async () => {
    clockAt('2026-05-20T16:30:00.000Z') // 00:30 on 21 May in Shanghai, still 20 May in UTC
    await device()
    await db.points_rules.bulkPut(RULES)
    const rules = useRulesStore()
    await vi.waitFor(() => expect(rules.all.length).toBe(RULES.length))
    expect(rules.inForce[0]!.rules.map((r) => r.id)).toEqual(['article-read@3'])
    expect(rules.upcoming.size).toBe(0)
  })

  it('lists a revision made on this device while it waits to sync', async () => {
    clockAt('2026-05-20T04:00:00.000Z')
    await device()
    await db.points_rules.bulkPut(RULES)
    const rules = useRulesStore()
    await rules.revise({ code: 'daily-quiz', from: '2026-06-01', change: { dailyCap: 10 } })
    await vi.waitFor(() =>
      expect(rules.pendingRevisions.get('daily-quiz')).toEqual([{ code: 'daily-quiz', from: '2026-06-01', change: { dailyCap: 10 } }]),
    )
  })

  it('explains each rule in plain Chinese with its caps', () => {
    expect(describeRule(rule('article-read', 1, {}))).toBe('每篇阅读满60秒 +1，每日最多6分')
    expect(describeRule(rule('media', 1, { eventKind: 'study.media', threshold: 180 }))).toBe('每个音视频收听收看满3分钟 +1，每日最多6分')
    expect(describeRule(rule('reading-time', 1, { unit: 'minutes', threshold: 4, dailyCap: 8 }))).toBe('阅读每满4分钟 +1，每日最多8分')
    expect(describeRule(rule('q', 1, { eventKind: 'quiz.daily', unit: 'correct', threshold: null, dailyCap: 5 }))).toBe(
      '每答对一题 +1，每日最多5分',
    )
    expect(describeRule(rule('w', 1, { eventKind: 'quiz.weekly', unit: 'score', points: 5, threshold: null, dailyCap: null }))).toBe(
      '满分 +5，按得分比例折算',
    )
    expect(describeRule(rule('absent', 1, { eventKind: 'meeting.absent', points: -3, threshold: null, dailyCap: null }))).toBe(
      '每无故缺席一次 -3',
    )
    expect(
      describeRule(rule('vol', 1, { eventKind: 'manual.volunteer', unit: 'manual', threshold: null, dailyCap: 10, yearlyCap: 100 })),
    ).toBe('由镇党委按实际情况加分，每次注明原因，每日最多10分，每年最多100分')
  })
})

describe('红黄榜 on the device', () => {
  const list = (month: string): HonorListRow => ({
    id: month,
    month,
    threshold: 10,
    red: [
      { name: '李四', branchName: '新村党支部', points: 30 },
      { name: '张三', branchName: '合兴村党支部', points: 40 },
    ],
    yellow: [{ name: '王五', branchName: '合兴村党支部' }],
    publishedAt: `${month}-28T02:00:00.000Z`,
  })
  const mark: HonorMarkRow = { id: '2026-04', month: '2026-04', list: 'yellow', points: 4, threshold: 10, reasons: ['low_points'] }

  it('lists published months newest first, with the member’s own mark per month', async () => {
    await device()
    await db.honor_lists.bulkPut([list('2026-03'), list('2026-04'), list('2026-02')])
    await db.honor_marks.put(mark)
    const honor = useHonorStore()
    await vi.waitFor(() => expect(honor.lists.map((l) => l.month)).toEqual(['2026-04', '2026-03', '2026-02']))
    await vi.waitFor(() => expect(honor.markFor('2026-04')?.reasons).toEqual(['low_points']))
    expect(honor.markFor('2026-03')).toBeNull()
    expect(byBranch(honor.listFor('2026-04')!.red).map((g) => [g.branchName, g.entries.map((e) => e.name)])).toEqual([
      ['合兴村党支部', ['张三']],
      ['新村党支部', ['李四']],
    ])
  })

  it('offers this month and the two before it, across the new year', () => {
    expect([0, 1, 2].map((n) => monthBefore('2026-02', n))).toEqual(['2026-02', '2026-01', '2025-12'])
  })
})

describe('连续学习 on 首页', () => {
  const entry = (day: string, ruleCode: string): LedgerRow => ({
    id: `${ruleCode}:${day}`,
    ruleCode,
    ruleVersion: 1,
    sourceId: `src:${day}`,
    day,
    points: 1,
    reason: null,
    createdAt: `${day}T02:00:00.000Z`,
  })
  const dayBefore = (day: string, n: number) => addDays(day, -n)
  const RULES: RuleRow[] = [
    rule('article-read', 1, {}),
    rule('daily-quiz', 1, { category: 'quiz', eventKind: 'quiz.daily', unit: 'correct', threshold: null }),
    rule('meeting-attended', 1, { category: 'org_life', eventKind: 'meeting.attended', threshold: null, dailyCap: null }),
  ]

  it('counts a long run of study days (further back than one read of the ledger), not meetings, and study waiting to sync', async () => {
    clockAt('2026-05-20T04:00:00.000Z')
    const sync = await device()
    await db.points_rules.bulkPut(RULES)
    // 150 days of study or quiz up to yesterday, then a gap; a meeting the day before the run doesn't extend it.
    const run = Array.from({ length: 150 }, (_, i) => entry(dayBefore('2026-05-19', i), i % 2 ? 'daily-quiz' : 'article-read'))
    await db.points.bulkPut([
      ...run,
      entry(dayBefore('2026-05-19', 150), 'meeting-attended'),
      entry(dayBefore('2026-05-19', 152), 'article-read'),
    ])
    const scope = effectScope()
    const streak = scope.run(() => useStudyStreak())!
    await vi.waitFor(() => expect(streak.streak.value).toBe(150))
    expect(streak.studiedToday.value).toBe(false)

    // Reading today, still offline: the day counts at once.
    await sync.enqueue('study.record', {
      sessionId: '00000000-0000-4000-8000-000000000002',
      materialId: 'c1-l1',
      startedAt: '2026-05-20T03:50:00.000Z',
      endedAt: '2026-05-20T03:52:00.000Z',
      activeSeconds: 120,
      completed: false,
    })
    await vi.waitFor(() => expect(streak.streak.value).toBe(151))
    expect(streak.studiedToday.value).toBe(true)
    scope.stop()
  })

  it('drops to zero when yesterday has no study', async () => {
    clockAt('2026-05-20T04:00:00.000Z')
    await device()
    await db.points_rules.bulkPut(RULES)
    await db.points.bulkPut([entry('2026-05-17', 'article-read'), entry('2026-05-18', 'daily-quiz'), entry('2026-05-19', 'article-read')])
    const scope = effectScope()
    const streak = scope.run(() => useStudyStreak())!
    await vi.waitFor(() => expect(streak.streak.value).toBe(3))
    await db.points.delete('article-read:2026-05-19')
    await vi.waitFor(() => expect(streak.streak.value).toBe(0))
    scope.stop()
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { msUntilNextShanghaiDay, useQuizStore } from '~/app/stores/quiz'
import { useSyncStore } from '~/app/stores/sync'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import { dailyQuizQuestionIds, weeklyQuizQuestionIds, type ExamRow, type QuizQuestionRow, type QuizResultRow } from '~/domain/quiz'
import { freshDB } from './helpers'

const MEMBER = 'u-66hr2jf7sv8n'
/** A device that never reaches the server: everything stays in the outbox. */
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const QUESTIONS: QuizQuestionRow[] = Array.from({ length: 24 }, (_, i) => ({
  id: `q-${String(i + 1).padStart(3, '0')}`,
  category: '党章党规',
  type: i % 3 === 0 ? 'judge' : i % 3 === 1 ? 'single' : 'multiple',
  stem: `第 ${i + 1} 题`,
  options: i % 3 === 0 ? ['正确', '错误'] : ['甲', '乙', '丙', '丁'],
}))
const IDS = QUESTIONS.map((q) => q.id)

function exam(id: string, opensOn: string, closesOn: string, questionIds = IDS.slice(0, 4)): ExamRow {
  return { id, title: `考试 ${id}`, summary: '', questionIds, passMark: 60, opensOn, closesOn, publishedAt: '2026-01-01T00:00:00.000Z' }
}

function graded(quizId: string, correct: number, total: number, extra: Partial<QuizResultRow> = {}): QuizResultRow {
  return {
    id: `${MEMBER}:${quizId}`,
    quizId,
    day: '2026-03-10',
    correct,
    total,
    items: Array.from({ length: total }, (_, i) => ({
      questionId: IDS[i]!,
      given: [0],
      answer: [i < correct ? 0 : 1],
      correct: i < correct,
      explanation: '说明',
    })),
    gradedAt: '2026-03-10T05:00:00.000Z',
    ...extra,
  }
}

let db: AppDB

/** Signs the member's device in (the synced tables become theirs), then fills the tables a pull would. */
async function device(tables: { exams?: ExamRow[]; results?: QuizResultRow[] } = {}) {
  const sync = useSyncStore()
  await sync.start(MEMBER, { schedule: false, transport: unreachable })
  await db.quiz_questions.bulkPut(QUESTIONS)
  await db.exams.bulkPut(tables.exams ?? [])
  await db.quiz_results.bulkPut(tables.results ?? [])
  const quiz = useQuizStore()
  await vi.waitFor(() => {
    expect(quiz.loaded).toBe(true)
    expect(quiz.daily.questions).toHaveLength(5)
    expect(quiz.exams).toHaveLength(tables.exams?.length ?? 0)
  })
  return { quiz, sync }
}

/** Sets the device's clock (only `Date`: IndexedDB's timers keep running). */
function clockAt(iso: string) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date(iso))
}

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
})

afterEach(async () => {
  useQuizStore().$dispose()
  useSyncStore().stop()
  vi.useRealTimers()
  await db.delete()
})

describe('quiz store', () => {
  it('draws today’s five questions for the member and this week’s ten for the town, as the server does', async () => {
    clockAt('2026-03-10T09:00:00+08:00') // a Tuesday
    const { quiz } = await device()
    expect(quiz.today).toBe('2026-03-10')
    expect(quiz.daily.quizId).toBe('daily:2026-03-10')
    expect(quiz.daily.questions.map((q) => q.id)).toEqual(dailyQuizQuestionIds(MEMBER, '2026-03-10', IDS))
    expect(quiz.weekStart).toBe('2026-03-09')
    expect(quiz.weekEnd).toBe('2026-03-15')
    expect(quiz.weekly.quizId).toBe('weekly:2026-03-09')
    expect(quiz.weekly.questions.map((q) => q.id)).toEqual(weeklyQuizQuestionIds('2026-03-09', IDS))
    expect(quiz.weekly.questions).toHaveLength(10)
    expect(quiz.daily.closed).toBeNull()
    expect(quiz.weekly.closed).toBeNull()
  })

  it('uses the day in Shanghai, not the device’s UTC date', async () => {
    clockAt('2026-03-09T17:30:00Z') // 01:30 on 10 March in Shanghai
    const { quiz } = await device()
    expect(quiz.today).toBe('2026-03-10')
  })

  it('moves to the next day’s quiz when the page is shown again after midnight', async () => {
    clockAt('2026-03-15T23:59:30+08:00') // Sunday night
    const { quiz } = await device()
    const sunday = quiz.daily.questions.map((q) => q.id)
    expect(quiz.weekly.quizId).toBe('weekly:2026-03-09')

    vi.setSystemTime(new Date('2026-03-16T07:00:00+08:00'))
    // Nothing looks at the clock until the page becomes visible again.
    expect(quiz.today).toBe('2026-03-15')
    document.dispatchEvent(new Event('visibilitychange'))
    expect(quiz.today).toBe('2026-03-16')
    expect(quiz.daily.quizId).toBe('daily:2026-03-16')
    expect(quiz.daily.questions.map((q) => q.id)).toEqual(dailyQuizQuestionIds(MEMBER, '2026-03-16', IDS))
    expect(quiz.daily.questions.map((q) => q.id)).not.toEqual(sunday)
    expect(quiz.weekly.quizId).toBe('weekly:2026-03-16')
    // Last week's quiz can no longer be answered.
    expect(quiz.weeklySheet('2026-03-09').closed).toBe('这一周的每周一答已经截止')
  })

  it('moves on at midnight by itself in an app left open', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    vi.setSystemTime(new Date('2026-03-10T23:59:00+08:00'))
    // Only the day, no database: IndexedDB would wait on the faked timers.
    const quiz = useQuizStore()
    expect(quiz.today).toBe('2026-03-10')
    vi.advanceTimersByTime(59_000)
    expect(quiz.today).toBe('2026-03-10')
    vi.advanceTimersByTime(2_000)
    expect(quiz.today).toBe('2026-03-11')
    // And again the next night, a whole day later, through the hourly re-checks.
    vi.advanceTimersByTime(24 * 60 * 60_000)
    expect(quiz.today).toBe('2026-03-12')
    expect(quiz.weekStart).toBe('2026-03-09')
  })

  it('counts the time to the next midnight in Shanghai', () => {
    expect(msUntilNextShanghaiDay(new Date('2026-03-10T23:59:00+08:00'))).toBe(60_000)
    expect(msUntilNextShanghaiDay(new Date('2026-03-10T16:00:00Z'))).toBe(24 * 60 * 60_000)
    expect(msUntilNextShanghaiDay(new Date('2026-03-10T15:59:59.500Z'))).toBe(500)
  })

  it('lists exams that are open today apart from upcoming and closed ones, edges included', async () => {
    clockAt('2026-03-10T09:00:00+08:00')
    const { quiz } = await device({
      exams: [
        exam('opens-today', '2026-03-10', '2026-03-31'),
        exam('closes-today', '2026-03-01', '2026-03-10'),
        exam('tomorrow', '2026-03-11', '2026-03-20'),
        exam('yesterday', '2026-02-01', '2026-03-09'),
        exam('long-ago', '2026-01-01', '2026-01-31'),
      ],
    })
    expect(quiz.openExams.map((e) => e.exam.id)).toEqual(['closes-today', 'opens-today'])
    expect(quiz.upcomingExams.map((e) => e.exam.id)).toEqual(['tomorrow'])
    expect(quiz.closedExams.map((e) => e.exam.id)).toEqual(['yesterday', 'long-ago'])
    expect(quiz.examSheet('opens-today')?.closed).toBeNull()
    expect(quiz.examSheet('tomorrow')?.closed).toBe('考试3月11日开始，到时再来作答')
    expect(quiz.examSheet('yesterday')?.closed).toBe('考试已于3月9日结束')
    expect(quiz.examSheet('unknown')).toBeNull()
    expect(quiz.examEntries.every((e) => e.status === 'not_taken')).toBe(true)

    // The next day the one that opened today is still open, the one that closed today is not.
    vi.setSystemTime(new Date('2026-03-11T08:00:00+08:00'))
    quiz.refreshDay()
    expect(quiz.openExams.map((e) => e.exam.id)).toEqual(['tomorrow', 'opens-today'])
    expect(quiz.closedExams.map((e) => e.exam.id)).toEqual(['closes-today', 'yesterday', 'long-ago'])
  })

  it('shows an answered quiz as waiting from the outbox, refuses a second submission, then shows the grading', async () => {
    clockAt('2026-03-10T09:00:00+08:00')
    const { quiz, sync } = await device({ exams: [exam('e1', '2026-03-01', '2026-03-31')] })
    const answers = Object.fromEntries(quiz.weekly.questions.map((q) => [q.id, [0]]))

    await quiz.submit('weekly:2026-03-09', answers)
    await vi.waitFor(() => expect(quiz.weekly.submitted).toEqual(answers))
    expect(quiz.weekly.result).toBeNull()
    expect(sync.pending).toHaveLength(1)
    expect(sync.pending[0]?.args).toMatchObject({ quizId: 'weekly:2026-03-09', answers })
    await expect(quiz.submit('weekly:2026-03-09', answers)).rejects.toThrow('这份答卷已经提交，正在等待评分')
    expect(await db.outbox.count()).toBe(1)

    // Two taps at once on an exam: one submission.
    const taps = await Promise.allSettled([quiz.submit('exam:e1', { 'q-001': [0] }), quiz.submit('exam:e1', { 'q-001': [0] })])
    expect(taps.map((t) => t.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(await db.outbox.count()).toBe(2)
    await vi.waitFor(() => expect(quiz.openExams[0]?.status).toBe('waiting'))
    expect(quiz.daily.submitted).toBeNull()

    // What a sync does: the server answered (the outbox row goes) and the grading was pulled.
    await db.outbox.clear()
    await db.quiz_results.bulkPut([
      graded('weekly:2026-03-09', 8, 10, { score: 80, passMark: null, passed: null }),
      graded('exam:e1', 1, 4, { score: 25, passMark: 60, passed: false }),
    ])
    await vi.waitFor(() => expect(quiz.weekly.result?.score).toBe(80))
    expect(quiz.weekly.submitted).toBeNull()
    expect(quiz.openExams[0]).toMatchObject({ status: 'failed', result: { score: 25 } })
    await expect(quiz.submit('weekly:2026-03-09', answers)).rejects.toThrow('这份答卷已经提交过')
    expect(await db.outbox.count()).toBe(0)
  })

  it('says 已通过 by the result, and shows why the server refused a submission', async () => {
    clockAt('2026-03-10T09:00:00+08:00')
    const { quiz } = await device({
      exams: [exam('e1', '2026-03-01', '2026-03-31'), exam('e2', '2026-03-01', '2026-03-31')],
      // A result graded before pass marks were sent: judged by the exam's own mark.
      results: [graded('exam:e1', 3, 4)],
    })
    expect(quiz.openExams.find((e) => e.exam.id === 'e1')?.status).toBe('passed')

    await db.rejected.put({
      id: 'm1',
      userId: MEMBER,
      name: 'quiz.submit',
      args: { quizId: 'exam:e2', answers: {}, submittedAt: '2026-03-10T01:00:00.000Z' },
      clientTime: '2026-03-10T01:00:00.000Z',
      code: 'closed',
      message: '考试已经结束',
      rejectedAt: '2026-03-10T02:00:00.000Z',
    })
    await vi.waitFor(() => expect(quiz.examSheet('e2')?.rejection).toEqual({ code: 'closed', message: '考试已经结束' }))
    expect(quiz.openExams.find((e) => e.exam.id === 'e2')?.status).toBe('not_taken')
  })

  it('shows exam questions that are on the device and counts those that are not', async () => {
    clockAt('2026-03-10T09:00:00+08:00')
    const { quiz } = await device({ exams: [exam('e1', '2026-03-01', '2026-03-31', ['q-001', 'q-gone', 'q-002'])] })
    const sheet = quiz.examSheet('e1')!
    expect(sheet.questions.map((q) => q.id)).toEqual(['q-001', 'q-002'])
    expect(sheet.missing).toBe(1)
  })
})

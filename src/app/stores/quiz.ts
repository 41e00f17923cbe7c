import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { outboxOf, pendingArgs, pendingOf, readPendingArgs, readWithOutbox } from '../sync/pending'
import {
  dailyQuizId,
  dailyQuizQuestionIds,
  examQuizId,
  parseQuizId,
  scoreOf,
  weeklyQuizId,
  weeklyQuizQuestionIds,
  type ExamRow,
  type QuizKind,
  type QuizQuestionRow,
  type QuizResultRow,
} from '~/domain/quiz'
import { addDays, dayInShanghai, startOfShanghaiDay, weekStartOf } from '~/domain/calendar'

/** Milliseconds from `now` to the next midnight in Asia/Shanghai (UTC+8 all year: no daylight saving). */
export function msUntilNextShanghaiDay(now: Date): number {
  const next = startOfShanghaiDay(addDays(dayInShanghai(now), 1))
  return Math.max(0, next - now.getTime())
}

/** Re-checks the day at least this often, in case the device's clock was changed or the timer slept. */
const MAX_DAY_CHECK_MS = 60 * 60_000

export type ExamPhase = 'upcoming' | 'open' | 'closed'
export type ExamStatus = 'not_taken' | 'waiting' | 'passed' | 'failed'
export const EXAM_STATUS_LABELS: Record<ExamStatus, string> = { not_taken: '未参加', waiting: '待评分', passed: '已通过', failed: '未通过' }

/** Everything a quiz page shows for one quiz: what to answer, or what was sent, or the server's grading. */
export interface QuizSheet {
  quizId: string
  kind: QuizKind
  questions: QuizQuestionRow[]
  /** Questions of the quiz that are not on this device (not synced yet, or withdrawn since). */
  missing: number
  /** The graded result from the server, once it has synced. */
  result: QuizResultRow | null
  /** Sent, or waiting in the outbox: the answers given, until the server's grading arrives. */
  submitted: Record<string, number[]> | null
  /** The server refused the last submission, and why (only while there is no result and nothing waiting). */
  rejection: { code: string; message: string } | null
  /** Why the quiz can't be answered now (not open yet, or over), or null. */
  closed: string | null
}

export interface ExamEntry {
  exam: ExamRow
  phase: ExamPhase
  status: ExamStatus
  result: QuizResultRow | null
}

/** `2026-03-09` → `3月9日`. */
export function shortDay(day: string): string {
  const [, month, date] = day.split('-')
  return `${Number(month)}月${Number(date)}日`
}

export function examPhase(exam: Pick<ExamRow, 'opensOn' | 'closesOn'>, today: string): ExamPhase {
  return today < exam.opensOn ? 'upcoming' : today > exam.closesOn ? 'closed' : 'open'
}

/** Whether a graded exam passed; results graded before pass marks existed fall back to the exam's own mark. */
export function resultPassed(result: QuizResultRow, passMark: number | null): boolean | null {
  if (result.passed !== undefined && result.passed !== null) return result.passed
  const mark = result.passMark ?? passMark
  return mark === null ? null : (result.score ?? scoreOf(result.correct, result.total)) >= mark
}

/**
 * 每日答题, 每周一答 and 专题考试 on this device: the questions (no answers here), what was sent and is
 * waiting in the outbox, what the server refused, and its grading with answers and explanations.
 * "Today" is the Asia/Shanghai day and follows the clock: an app left open past midnight moves on.
 */
export const useQuizStore = defineStore('quiz', () => {
  const db = appDB()
  const sync = useSyncStore()
  const questionRows = useLiveQuery<QuizQuestionRow[] | null>(() => db.quiz_questions.toArray(), null)
  // The results and the outbox as one moment (sync/pending.ts): a sheet goes from sent to graded, never blank between.
  const synced = useLiveQuery(() => readWithOutbox(db, [db.quiz_results], () => db.quiz_results.toArray()), null)
  const resultRows = computed<QuizResultRow[] | null>(() => synced.value?.rows ?? null)
  const examRows = useLiveQuery<ExamRow[] | null>(() => db.exams.toArray(), null)
  // Also waits for the signed-in user: the daily draw is per member.
  const loaded = computed(() => sync.userId !== null && questionRows.value !== null && resultRows.value !== null && examRows.value !== null)

  // The day, kept current: on a timer to the next midnight, and whenever the page is shown again.
  const today = ref(dayInShanghai(new Date()))
  let timer: ReturnType<typeof setTimeout> | undefined
  function refreshDay(): void {
    const now = new Date()
    const day = dayInShanghai(now)
    if (day !== today.value) today.value = day
    clearTimeout(timer)
    // A moment past midnight, so the new day has surely begun by the device's clock.
    timer = setTimeout(refreshDay, Math.min(msUntilNextShanghaiDay(now) + 1_000, MAX_DAY_CHECK_MS))
  }
  const onVisible = () => {
    if (document.visibilityState === 'visible') refreshDay()
  }
  refreshDay()
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible)
  if (typeof window !== 'undefined') window.addEventListener('focus', refreshDay)
  onScopeDispose(() => {
    clearTimeout(timer)
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible)
    if (typeof window !== 'undefined') window.removeEventListener('focus', refreshDay)
  })

  const weekStart = computed(() => weekStartOf(today.value))
  const weekEnd = computed(() => addDays(weekStart.value, 6))

  const questions = computed(() => questionRows.value ?? [])
  const questionsById = computed(() => new Map(questions.value.map((q) => [q.id, q])))
  const questionIds = computed(() => questions.value.map((q) => q.id))
  const resultsByQuiz = computed(() => new Map((resultRows.value ?? []).map((r) => [r.quizId, r])))
  const exams = computed(() => examRows.value ?? [])

  /** The answers of each quiz submission still in the outbox, by quiz id. */
  const waitingByQuiz = computed(() => {
    const map = new Map<string, Record<string, number[]>>()
    for (const { quizId, answers } of pendingArgs(outboxOf(synced.value, sync.userId), 'quiz.submit')) map.set(quizId, answers)
    return map
  })
  /** The latest refusal of each quiz's submission. */
  const rejectionsByQuiz = computed(() => {
    const map = new Map<string, { code: string; message: string }>()
    // Newest first: keep the first seen.
    for (const r of pendingOf(sync.rejected, 'quiz.submit'))
      if (!map.has(r.args.quizId)) map.set(r.args.quizId, { code: r.code, message: r.message })
    return map
  })

  function sheet(quizId: string, ids: readonly string[], closed: string | null): QuizSheet {
    const result = resultsByQuiz.value.get(quizId) ?? null
    const submitted = result ? null : (waitingByQuiz.value.get(quizId) ?? null)
    const found = ids.map((id) => questionsById.value.get(id)).filter((q): q is QuizQuestionRow => q !== undefined)
    return {
      quizId,
      kind: parseQuizId(quizId)?.kind ?? 'daily',
      questions: found,
      missing: ids.length - found.length,
      result,
      submitted,
      rejection: result || submitted ? null : (rejectionsByQuiz.value.get(quizId) ?? null),
      closed,
    }
  }

  /** A member's five questions of a day (the same draw the server makes). */
  function dailySheet(day: string): QuizSheet {
    const ids = sync.userId ? dailyQuizQuestionIds(sync.userId, day, questionIds.value) : []
    return sheet(dailyQuizId(day), ids, day > today.value ? '还没到这一天' : null)
  }

  /** The ten questions of the week starting on `start` (a Monday), the same for the whole town. */
  function weeklySheet(start: string): QuizSheet {
    const closed = start < weekStart.value ? '这一周的每周一答已经截止' : start > weekStart.value ? '这一周还没有开始' : null
    return sheet(weeklyQuizId(start), weeklyQuizQuestionIds(start, questionIds.value), closed)
  }

  function examById(examId: string): ExamRow | undefined {
    return exams.value.find((e) => e.id === examId)
  }

  /** A 专题考试, or null when this device doesn't know it (withdrawn, or not synced yet) and has no result of it. */
  function examSheet(examId: string): QuizSheet | null {
    const exam = examById(examId)
    const quizId = examQuizId(examId)
    if (!exam) {
      const result = resultsByQuiz.value.get(quizId)
      return result
        ? sheet(
            quizId,
            result.items.map((i) => i.questionId),
            '这场考试已撤销',
          )
        : null
    }
    const phase = examPhase(exam, today.value)
    const closed =
      phase === 'upcoming'
        ? `考试${shortDay(exam.opensOn)}开始，到时再来作答`
        : phase === 'closed'
          ? `考试已于${shortDay(exam.closesOn)}结束`
          : null
    return sheet(quizId, exam.questionIds, closed)
  }

  function examStatus(exam: ExamRow): { status: ExamStatus; result: QuizResultRow | null } {
    const quizId = examQuizId(exam.id)
    const result = resultsByQuiz.value.get(quizId) ?? null
    if (result) return { status: resultPassed(result, exam.passMark) ? 'passed' : 'failed', result }
    return { status: waitingByQuiz.value.has(quizId) ? 'waiting' : 'not_taken', result: null }
  }

  /** Every exam on the device with where it stands; open ones first by closing day, then upcoming, then closed (newest first). */
  const examEntries = computed<ExamEntry[]>(() =>
    exams.value.map((exam) => ({ exam, phase: examPhase(exam, today.value), ...examStatus(exam) })),
  )
  const openExams = computed(() =>
    examEntries.value
      .filter((e) => e.phase === 'open')
      .sort((a, b) => a.exam.closesOn.localeCompare(b.exam.closesOn) || a.exam.title.localeCompare(b.exam.title)),
  )
  const upcomingExams = computed(() =>
    examEntries.value.filter((e) => e.phase === 'upcoming').sort((a, b) => a.exam.opensOn.localeCompare(b.exam.opensOn)),
  )
  const closedExams = computed(() =>
    examEntries.value.filter((e) => e.phase === 'closed').sort((a, b) => b.exam.closesOn.localeCompare(a.exam.closesOn)),
  )

  const daily = computed(() => dailySheet(today.value))
  const weekly = computed(() => weeklySheet(weekStart.value))

  const inFlight = new Set<string>()
  /**
   * Sends a quiz's answers through the outbox (works offline). Refuses a second submission of the same
   * quiz: one already graded, one still waiting, or one being sent right now (a double tap).
   */
  async function submit(quizId: string, answers: Record<string, number[]>): Promise<string> {
    if (inFlight.has(quizId)) throw new Error('正在提交，请稍候')
    inFlight.add(quizId)
    try {
      const graded = await db.quiz_results.filter((r) => r.quizId === quizId).count()
      if (graded > 0) throw new Error('这份答卷已经提交过，成绩已经出来了')
      // Acknowledged ones too: the server has it, its grading is on the way.
      const waiting = sync.userId ? await readPendingArgs(db, sync.userId, 'quiz.submit') : []
      if (waiting.some((args) => args.quizId === quizId)) throw new Error('这份答卷已经提交，正在等待评分')
      return await sync.enqueue('quiz.submit', { quizId, answers, submittedAt: new Date().toISOString() })
    } finally {
      inFlight.delete(quizId)
    }
  }

  const question = (id: string) => questionsById.value.get(id)

  return {
    loaded,
    today,
    weekStart,
    weekEnd,
    daily,
    weekly,
    exams,
    examEntries,
    openExams,
    upcomingExams,
    closedExams,
    dailySheet,
    weeklySheet,
    examSheet,
    examById,
    question,
    refreshDay,
    submit,
  }
})

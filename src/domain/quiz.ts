// Quizzes (issue 4): 每日答题 (five questions a day, drawn per member per day), 每周一答 (ten questions a
// week, the same for the whole town) and 专题考试 (set by the admin, with a pass mark). Only the server grades.
import { calendarDay, instant, line, ref, text, z } from './validation'
import { MATERIAL_CATEGORIES, QUESTION_TYPES, type Question } from './study'
import { addDays, dayInShanghai, isCalendarDay, weekStartOf } from './calendar'

export const DAILY_QUIZ_SIZE = 5
export const WEEKLY_QUIZ_SIZE = 10
export const QUIZ_KINDS = ['daily', 'weekly', 'exam'] as const
export type QuizKind = (typeof QUIZ_KINDS)[number]
export const QUIZ_KIND_LABELS: Record<QuizKind, string> = { daily: '每日答题', weekly: '每周一答', exam: '专题考试' }

/** A question as devices receive it before answering: no answer, no explanation. */
export const quizQuestionRowSchema = z.object({
  id: z.string(),
  category: z.enum(MATERIAL_CATEGORIES),
  type: z.enum(QUESTION_TYPES),
  stem: z.string(),
  options: z.array(z.string()),
})
export type QuizQuestionRow = z.infer<typeof quizQuestionRowSchema>

export function withoutAnswer(question: Question): QuizQuestionRow {
  return { id: question.id, category: question.category, type: question.type, stem: question.stem, options: question.options }
}

/** A small deterministic hash (FNV-1a) so the device and the server draw the same questions offline. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function draw(seed: string, questionIds: readonly string[], size: number): string[] {
  return [...questionIds]
    .sort()
    .map((id) => ({ id, key: hash(`${seed}|${id}`) }))
    .sort((a, b) => a.key - b.key || a.id.localeCompare(b.id))
    .slice(0, size)
    .map((q) => q.id)
}

/** The day's five questions for a member: the same on every device and on the server, different per member and day. */
export function dailyQuizQuestionIds(memberId: string, day: string, questionIds: readonly string[]): string[] {
  return draw(`${memberId}|${day}`, questionIds, DAILY_QUIZ_SIZE)
}

/** The week's ten questions: the same for everyone in the town, so members can talk them over. */
export function weeklyQuizQuestionIds(weekStart: string, questionIds: readonly string[]): string[] {
  return draw(`week|${weekStart}`, questionIds, WEEKLY_QUIZ_SIZE)
}

export const dailyQuizId = (day: string) => `daily:${day}`
export const weeklyQuizId = (weekStart: string) => `weekly:${weekStart}`
export const examQuizId = (examId: string) => `exam:${examId}`

export type QuizRef = { kind: 'daily'; day: string } | { kind: 'weekly'; weekStart: string } | { kind: 'exam'; examId: string }

const QUIZ_ID = /^(?:daily:(\d{4}-\d{2}-\d{2})|weekly:(\d{4}-\d{2}-\d{2})|exam:([\w-]{1,64}))$/

export function parseQuizId(quizId: string): QuizRef | null {
  const m = QUIZ_ID.exec(quizId)
  if (!m) return null
  if (!isCalendarDay(m[1] ?? m[2] ?? '2000-01-01')) return null
  if (m[1]) return { kind: 'daily', day: m[1] }
  if (m[2]) return weekStartOf(m[2]) === m[2] ? { kind: 'weekly', weekStart: m[2] } : null
  return { kind: 'exam', examId: m[3]! }
}

/** A 专题考试 as devices receive it: its questions by id (answers stay on the server), the pass mark and when it is open. */
const examDay = calendarDay()
const storedDay = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))
export const examSchema = z
  .object({
    id: z.string().check(z.regex(/^[\w-]{1,64}$/, '考试编号只能用字母、数字、连字符')),
    title: line({ trim: true, min: 2, max: 60, tooShort: '请填写考试名称', tooLong: '考试名称不超过60字' }),
    summary: text({ max: 500, tooLong: '说明不超过500字' }),
    questionIds: z.array(ref(64)).check(z.minLength(1, '请至少选择1道题'), z.maxLength(50, '一场考试最多50道题')),
    passMark: z.int().check(z.minimum(1, '及格分在 1 到 100 之间'), z.maximum(100, '及格分在 1 到 100 之间')),
    opensOn: examDay,
    closesOn: examDay,
  })
  .check(
    z.refine((e) => e.opensOn <= e.closesOn, { message: '结束日期不能早于开始日期', path: ['closesOn'] }),
    z.refine((e) => new Set(e.questionIds).size === e.questionIds.length, { message: '同一道题不能选两次', path: ['questionIds'] }),
  )
export type Exam = z.infer<typeof examSchema>
// What devices receive is taken as stored: the stricter text rules of `examSchema` apply to what is sent,
// and a row saved before them must not make every device's pull fail.
export const examRowSchema = z.safeExtend(examSchema, {
  title: z.string(),
  summary: z.string(),
  questionIds: z.array(z.string()),
  opensOn: storedDay,
  closesOn: storedDay,
  publishedAt: z.string(),
})
export type ExamRow = z.infer<typeof examRowSchema>

export const examSaveArgsSchema = z.object({ exam: examSchema })
export const examWithdrawArgsSchema = z.object({ examId: ref() })

export const quizSubmitArgsSchema = z.object({
  quizId: z.string().check(
    z.maxLength(80),
    z.refine((id) => parseQuizId(id) !== null, 'quizId 格式不正确'),
  ),
  answers: z
    .record(ref(64), z.array(z.int().check(z.minimum(0), z.maximum(9))).check(z.maxLength(10)))
    .check(z.refine((a) => Object.keys(a).length <= 100, '答案过多')),
  submittedAt: instant(),
})
export type QuizSubmitArgs = z.infer<typeof quizSubmitArgsSchema>

export function isCorrect(question: Pick<Question, 'answer'>, given: readonly number[] | undefined): boolean {
  if (!given) return false
  const expected = [...question.answer].sort()
  const actual = [...new Set(given)].sort()
  return expected.length === actual.length && expected.every((v, i) => v === actual[i])
}

/** A score out of 100, rounded. */
export const scoreOf = (correct: number, total: number) => (total === 0 ? 0 : Math.round((correct * 100) / total))

/** A graded quiz as the member's device receives it (private): now with the answers and explanations. */
export const quizResultRowSchema = z.object({
  id: z.string(),
  quizId: z.string(),
  day: z.string(),
  correct: z.int(),
  total: z.int(),
  // Added with weekly quizzes and exams; older results lack them.
  score: z.optional(z.int()),
  passMark: z.optional(z.nullable(z.int())),
  passed: z.optional(z.nullable(z.boolean())),
  items: z.array(
    z.object({ questionId: z.string(), given: z.array(z.int()), answer: z.array(z.int()), correct: z.boolean(), explanation: z.string() }),
  ),
  gradedAt: z.string(),
})
export type QuizResultRow = z.infer<typeof quizResultRowSchema>

/**
 * How long after an exam (or a 每周一答's week) closes an answer may still reach the server. An answer
 * written offline before the close arrives later, but the device's clock can be set back: so the bound is
 * on the server's own clock, and generous enough for a phone that spent a few days without a signal.
 */
export const LATE_ANSWER_DAYS = 3

export interface QuizTimingProblem {
  code: 'clock' | 'closed'
  message: string
}

/**
 * Whether a quiz submitted at the device's `submittedAt` (bounded by the server's `now`) is in time, and
 * the day its points count on: the quiz's own day for 每日答题, the day of submission otherwise. A
 * 每周一答 or an exam must also reach the server within `LATE_ANSWER_DAYS` after it closed (server's day).
 */
export function quizTiming(
  ref: QuizRef,
  exam: Pick<Exam, 'opensOn' | 'closesOn'> | null,
  submittedAt: string,
  now: string,
  offlineWindowDays: number,
): { day: string } | QuizTimingProblem {
  const today = dayInShanghai(now)
  const submitted = dayInShanghai(submittedAt < now ? submittedAt : now)
  const oldest = addDays(today, -offlineWindowDays)
  const expired = { code: 'clock', message: `答题记录超过${offlineWindowDays}天未同步，已无法计分` } as const
  switch (ref.kind) {
    case 'daily':
      if (ref.day > today) return { code: 'clock', message: '答题日期晚于今天，请检查手机时间' }
      return ref.day < oldest ? expired : { day: ref.day }
    case 'weekly':
      if (ref.weekStart > today) return { code: 'clock', message: '答题日期晚于今天，请检查手机时间' }
      if (submitted < ref.weekStart || submitted > addDays(ref.weekStart, 6)) return { code: 'closed', message: '这一周的每周一答已经截止' }
      if (today > addDays(ref.weekStart, 6 + LATE_ANSWER_DAYS))
        return { code: 'closed', message: `这一周的每周一答已截止超过${LATE_ANSWER_DAYS}天，答卷不再计分` }
      return submitted < oldest ? expired : { day: submitted }
    case 'exam':
      if (!exam) return { code: 'closed', message: '这场考试已撤销或不存在' }
      // Saved before exam days were checked: a day that doesn't exist can't be reasoned about.
      if (!isCalendarDay(exam.opensOn) || !isCalendarDay(exam.closesOn))
        return { code: 'closed', message: '这场考试的日期有误，请联系管理员' }
      if (submitted < exam.opensOn) return { code: 'closed', message: '考试尚未开始' }
      if (submitted > exam.closesOn) return { code: 'closed', message: '考试已经结束' }
      if (today > addDays(exam.closesOn, LATE_ANSWER_DAYS))
        return { code: 'closed', message: `考试已于${exam.closesOn}结束，结束${LATE_ANSWER_DAYS}天后送达的答卷不再接收` }
      return submitted < oldest ? expired : { day: submitted }
  }
}

/** Grades a quiz: each question in order, with the answer and the explanation now revealed. */
export function gradeQuiz(
  attempt: { id: string; quizId: string; day: string; gradedAt: string; passMark: number | null },
  questions: readonly Question[],
  answers: Record<string, readonly number[]>,
): QuizResultRow {
  const items = questions.map((q) => {
    const given = [...(answers[q.id] ?? [])]
    return { questionId: q.id, given, answer: q.answer, correct: isCorrect(q, given), explanation: q.explanation }
  })
  const correct = items.filter((i) => i.correct).length
  const score = scoreOf(correct, items.length)
  return {
    id: attempt.id,
    quizId: attempt.quizId,
    day: attempt.day,
    correct,
    total: items.length,
    score,
    passMark: attempt.passMark,
    passed: attempt.passMark === null ? null : score >= attempt.passMark,
    items,
    gradedAt: attempt.gradedAt,
  }
}

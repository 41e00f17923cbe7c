// Quizzes: 每日答题 (five questions a day, drawn per member per day), graded only by the server (issue 4).
import { z } from './validation'
import { MATERIAL_CATEGORIES, QUESTION_TYPES, type Question } from './study'

export const DAILY_QUIZ_SIZE = 5

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

/** The day's five questions for a member: the same on every device and on the server, different per member and day. */
export function dailyQuizQuestionIds(memberId: string, day: string, questionIds: readonly string[]): string[] {
  return [...questionIds]
    .sort()
    .map((id) => ({ id, key: hash(`${memberId}|${day}|${id}`) }))
    .sort((a, b) => a.key - b.key || a.id.localeCompare(b.id))
    .slice(0, DAILY_QUIZ_SIZE)
    .map((q) => q.id)
}

export const dailyQuizId = (day: string) => `daily:${day}`

export const quizSubmitArgsSchema = z.object({
  quizId: z.string().check(z.regex(/^daily:\d{4}-\d{2}-\d{2}$/, 'quizId 格式不正确')),
  answers: z.record(z.string(), z.array(z.int().check(z.minimum(0), z.maximum(9))).check(z.maxLength(10))),
  submittedAt: z.iso.datetime({ offset: true }),
})
export type QuizSubmitArgs = z.infer<typeof quizSubmitArgsSchema>

export function isCorrect(question: Pick<Question, 'answer'>, given: readonly number[] | undefined): boolean {
  if (!given) return false
  const expected = [...question.answer].sort()
  const actual = [...new Set(given)].sort()
  return expected.length === actual.length && expected.every((v, i) => v === actual[i])
}

/** A graded quiz as the member's device receives it (private): now with the answers and explanations. */
export const quizResultRowSchema = z.object({
  id: z.string(),
  quizId: z.string(),
  day: z.string(),
  correct: z.int(),
  total: z.int(),
  items: z.array(
    z.object({ questionId: z.string(), given: z.array(z.int()), answer: z.array(z.int()), correct: z.boolean(), explanation: z.string() }),
  ),
  gradedAt: z.string(),
})
export type QuizResultRow = z.infer<typeof quizResultRowSchema>

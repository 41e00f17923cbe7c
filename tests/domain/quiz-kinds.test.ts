import { describe, expect, it } from 'vitest'
import {
  examSchema,
  gradeQuiz,
  parseQuizId,
  quizSubmitArgsSchema,
  quizTiming,
  weeklyQuizQuestionIds,
  type Exam,
  type QuizRef,
} from '~/domain/quiz'
import type { Question } from '~/domain/study'
import { parseWith } from '~/domain/validation'

const ids = Array.from({ length: 90 }, (_, i) => `q-${String(i + 1).padStart(3, '0')}`)

describe('quiz ids', () => {
  it('reads daily, weekly (on a Monday) and exam ids', () => {
    expect(parseQuizId('daily:2026-11-25')).toEqual({ kind: 'daily', day: '2026-11-25' })
    expect(parseQuizId('weekly:2026-11-23')).toEqual({ kind: 'weekly', weekStart: '2026-11-23' })
    expect(parseQuizId('exam:party-rules_2026')).toEqual({ kind: 'exam', examId: 'party-rules_2026' })
  })

  it('refuses a weekly id that is not a Monday, unknown kinds and malformed ids', () => {
    expect(parseQuizId('weekly:2026-11-25')).toBeNull() // a Wednesday
    expect(parseQuizId('weekly:2026-11-22')).toBeNull() // a Sunday
    for (const id of [
      'monthly:2026-11',
      'daily:2026-11-5',
      'daily:20261125',
      'exam:',
      'exam:has space',
      `exam:${'x'.repeat(65)}`,
      'weekly:1',
      '',
    ]) {
      expect(parseQuizId(id), id).toBeNull()
    }
  })

  it('refuses impossible calendar days instead of throwing (a bad id is a rejection, never a server fault)', () => {
    for (const id of ['weekly:2026-13-45', 'weekly:2026-02-30', 'daily:2026-02-30', 'daily:2026-13-01']) {
      expect(() => parseQuizId(id), id).not.toThrow()
      expect(parseQuizId(id), id).toBeNull()
    }
    const submit = { quizId: 'weekly:2026-13-45', answers: {}, submittedAt: '2026-11-25T08:00:00Z' }
    expect(parseWith(quizSubmitArgsSchema, submit).ok).toBe(false)
  })

  it('accepts the three kinds in quiz.submit and refuses a non-Monday week', () => {
    const ok = { answers: { 'q-001': [0] }, submittedAt: '2026-11-25T08:00:00Z' }
    for (const quizId of ['daily:2026-11-25', 'weekly:2026-11-23', 'exam:e-1'])
      expect(parseWith(quizSubmitArgsSchema, { ...ok, quizId }).ok, quizId).toBe(true)
    expect(parseWith(quizSubmitArgsSchema, { ...ok, quizId: 'weekly:2026-11-24' }).ok).toBe(false)
  })
})

describe('weeks', () => {
  it('draws ten questions, the same for everyone and in any input order, different from week to week', () => {
    const week = weeklyQuizQuestionIds('2026-11-23', ids)
    expect(week).toHaveLength(10)
    expect(new Set(week).size).toBe(10)
    expect(week.every((id) => ids.includes(id))).toBe(true)
    expect(weeklyQuizQuestionIds('2026-11-23', [...ids].reverse())).toEqual(week)
    expect(weeklyQuizQuestionIds('2026-11-30', ids)).not.toEqual(week)
    expect(weeklyQuizQuestionIds('2026-11-23', ids.slice(0, 4))).toHaveLength(4)
  })
})

describe('when a quiz may be submitted', () => {
  // 2026-11-25 is a Wednesday; times are in Asia/Shanghai.
  const now = '2026-11-25T10:00:00+08:00'
  const timing = (ref: QuizRef, submittedAt = now, at = now, exam: Pick<Exam, 'opensOn' | 'closesOn'> | null = null) =>
    quizTiming(ref, exam, submittedAt, at, 30)

  it('counts a daily quiz on its own day, refuses a future day and one older than the offline window', () => {
    expect(timing({ kind: 'daily', day: '2026-11-25' })).toEqual({ day: '2026-11-25' })
    expect(timing({ kind: 'daily', day: '2026-11-20' })).toEqual({ day: '2026-11-20' })
    expect(timing({ kind: 'daily', day: '2026-10-26' })).toEqual({ day: '2026-10-26' })
    expect(timing({ kind: 'daily', day: '2026-11-26' })).toMatchObject({ code: 'clock' })
    expect(timing({ kind: 'daily', day: '2026-10-25' })).toMatchObject({ code: 'clock', message: expect.stringContaining('30') })
  })

  it('takes a weekly quiz only during its week, counting on the day it was answered', () => {
    expect(timing({ kind: 'weekly', weekStart: '2026-11-23' })).toEqual({ day: '2026-11-25' })
    // Answered offline on Friday of last week, synced now: still that week's, on Friday.
    expect(timing({ kind: 'weekly', weekStart: '2026-11-16' }, '2026-11-20T09:00:00+08:00')).toEqual({ day: '2026-11-20' })
    // Answered today for last week: that week has ended.
    expect(timing({ kind: 'weekly', weekStart: '2026-11-16' })).toMatchObject({ code: 'closed' })
    // Answered on the Sunday before the week began.
    expect(timing({ kind: 'weekly', weekStart: '2026-11-23' }, '2026-11-22T20:00:00+08:00')).toMatchObject({ code: 'closed' })
    // Next week's quiz does not exist yet.
    expect(timing({ kind: 'weekly', weekStart: '2026-11-30' })).toMatchObject({ code: 'clock' })
  })

  it('uses the Shanghai day, and never a submission time later than the server’s clock', () => {
    // 01:00 on Monday in Shanghai is still Sunday in UTC.
    expect(timing({ kind: 'weekly', weekStart: '2026-11-23' }, '2026-11-22T17:00:00Z')).toEqual({ day: '2026-11-23' })
    // A device clock a week ahead does not move the quiz into next week.
    expect(timing({ kind: 'weekly', weekStart: '2026-11-23' }, '2026-12-02T10:00:00+08:00')).toEqual({ day: '2026-11-25' })
  })

  it('opens an exam between its days, inclusive, and closes a withdrawn one', () => {
    const exam = { opensOn: '2026-11-24', closesOn: '2026-11-30' }
    expect(timing({ kind: 'exam', examId: 'e' }, now, now, exam)).toEqual({ day: '2026-11-25' })
    expect(timing({ kind: 'exam', examId: 'e' }, '2026-11-24T00:30:00+08:00', now, exam)).toEqual({ day: '2026-11-24' })
    expect(timing({ kind: 'exam', examId: 'e' }, '2026-11-23T23:30:00+08:00', now, exam)).toMatchObject({
      code: 'closed',
      message: '考试尚未开始',
    })
    const later = '2026-12-01T08:00:00+08:00'
    expect(timing({ kind: 'exam', examId: 'e' }, '2026-11-30T23:00:00+08:00', later, exam)).toEqual({ day: '2026-11-30' })
    expect(timing({ kind: 'exam', examId: 'e' }, later, later, exam)).toMatchObject({ code: 'closed', message: '考试已经结束' })
    expect(timing({ kind: 'exam', examId: 'e' }, now, now, null)).toMatchObject({ code: 'closed' })
  })
})

describe('grading', () => {
  const question = (id: string, answer: number[], type: Question['type'] = 'single'): Question => ({
    id,
    category: '党章党规',
    type,
    stem: `${id}?`,
    options: ['甲', '乙', '丙', '丁'],
    answer,
    explanation: `${id} 的解析`,
    materialId: null,
  })
  const questions = [question('a', [0]), question('b', [1]), question('c', [0, 2], 'multiple'), question('d', [3])]
  const answers = { a: [0], b: [1], c: [2, 0], d: [0] }
  const attempt = (passMark: number | null) => ({
    id: 'u-1:exam:e',
    quizId: 'exam:e',
    day: '2026-11-25',
    gradedAt: '2026-11-25T02:00:00Z',
    passMark,
  })

  it('scores out of 100 in question order, revealing answers and explanations', () => {
    const result = gradeQuiz(attempt(null), questions, answers)
    expect(result).toMatchObject({
      id: 'u-1:exam:e',
      quizId: 'exam:e',
      day: '2026-11-25',
      correct: 3,
      total: 4,
      score: 75,
      passMark: null,
      passed: null,
    })
    expect(result.items.map((i) => [i.questionId, i.correct, i.answer, i.explanation])).toEqual([
      ['a', true, [0], 'a 的解析'],
      ['b', true, [1], 'b 的解析'],
      ['c', true, [0, 2], 'c 的解析'],
      ['d', false, [3], 'd 的解析'],
    ])
  })

  it('passes at exactly the pass mark and fails one below', () => {
    expect(gradeQuiz(attempt(75), questions, answers)).toMatchObject({ score: 75, passMark: 75, passed: true })
    expect(gradeQuiz(attempt(76), questions, answers)).toMatchObject({ score: 75, passMark: 76, passed: false })
  })

  it('counts an unanswered question as wrong and rounds the score', () => {
    const result = gradeQuiz(attempt(60), questions.slice(0, 3), { a: [0], b: [1] })
    expect(result).toMatchObject({ correct: 2, total: 3, score: 67, passed: true })
    expect(result.items[2]).toMatchObject({ given: [], correct: false })
    expect(gradeQuiz(attempt(1), [], {})).toMatchObject({ total: 0, score: 0, passed: false })
  })
})

describe('the exam the admin sets', () => {
  const exam: Exam = {
    id: 'e-2026',
    title: '党章党规专题考试',
    summary: '',
    questionIds: ['q-001', 'q-002'],
    passMark: 60,
    opensOn: '2026-11-24',
    closesOn: '2026-11-30',
  }

  it('accepts a one-day exam and refuses one that closes before it opens', () => {
    expect(parseWith(examSchema, exam).ok).toBe(true)
    expect(parseWith(examSchema, { ...exam, closesOn: exam.opensOn }).ok).toBe(true)
    const bad = parseWith(examSchema, { ...exam, closesOn: '2026-11-23' })
    expect(bad).toEqual({ ok: false, message: 'closesOn：结束日期不能早于开始日期' })
  })

  it('needs questions, a pass mark from 1 to 100 and a usable id', () => {
    expect(parseWith(examSchema, { ...exam, questionIds: [] }).ok).toBe(false)
    expect(parseWith(examSchema, { ...exam, passMark: 0 }).ok).toBe(false)
    expect(parseWith(examSchema, { ...exam, passMark: 101 }).ok).toBe(false)
    expect(parseWith(examSchema, { ...exam, id: 'e 1' }).ok).toBe(false)
    expect(parseWith(examSchema, { ...exam, title: ' ' }).ok).toBe(false)
  })
})

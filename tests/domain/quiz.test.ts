import { describe, expect, it } from 'vitest'
import { dailyQuizQuestionIds, isCorrect, quizSubmitArgsSchema, withoutAnswer } from '~/domain/quiz'
import { parseWith } from '~/domain/validation'

const ids = Array.from({ length: 90 }, (_, i) => `q-${String(i + 1).padStart(3, '0')}`)

describe('the daily draw', () => {
  it('gives five questions, the same for a member and day on any device and in any input order', () => {
    const drawn = dailyQuizQuestionIds('u-1', '2026-11-25', ids)
    expect(drawn).toHaveLength(5)
    expect(new Set(drawn).size).toBe(5)
    expect(dailyQuizQuestionIds('u-1', '2026-11-25', [...ids].reverse())).toEqual(drawn)
  })

  it('differs between members and between days', () => {
    const a = dailyQuizQuestionIds('u-1', '2026-11-25', ids)
    expect(dailyQuizQuestionIds('u-2', '2026-11-25', ids)).not.toEqual(a)
    expect(dailyQuizQuestionIds('u-1', '2026-11-26', ids)).not.toEqual(a)
  })
})

describe('grading', () => {
  it('needs exactly the right options, in any order, for multiple choice', () => {
    expect(isCorrect({ answer: [0, 2] }, [2, 0])).toBe(true)
    expect(isCorrect({ answer: [0, 2] }, [0])).toBe(false)
    expect(isCorrect({ answer: [0, 2] }, [0, 1, 2])).toBe(false)
    expect(isCorrect({ answer: [1] }, [1, 1])).toBe(true)
    expect(isCorrect({ answer: [1] }, undefined)).toBe(false)
  })

  it('sends questions to devices without answer or explanation', () => {
    const row = withoutAnswer({
      id: 'q',
      category: '党章党规',
      type: 'single',
      stem: '?',
      options: ['a', 'b'],
      answer: [1],
      explanation: 'because',
      materialId: null,
    })
    expect(row).toEqual({ id: 'q', category: '党章党规', type: 'single', stem: '?', options: ['a', 'b'] })
  })

  it('accepts only daily quiz ids and small answer lists', () => {
    const ok = { quizId: 'daily:2026-11-25', answers: { 'q-001': [0] }, submittedAt: '2026-11-25T08:00:00Z' }
    expect(parseWith(quizSubmitArgsSchema, ok).ok).toBe(true)
    expect(parseWith(quizSubmitArgsSchema, { ...ok, quizId: 'weekly:1' }).ok).toBe(false)
    expect(parseWith(quizSubmitArgsSchema, { ...ok, answers: { 'q-001': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1] } }).ok).toBe(false)
  })
})

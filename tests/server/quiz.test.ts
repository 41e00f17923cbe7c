import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import { dailyQuizQuestionIds, dailyQuizId, type QuizResultRow } from '~/domain/quiz'
import type { LedgerRow } from '~/domain/points'
import { dayInShanghai } from '~/domain/calendar'
import type { Question } from '~/domain/study'

const KEY = new Map((JSON.parse(readFileSync('seeds/study/questions.json', 'utf8')) as Question[]).map((q) => [q.id, q]))

describe.each(databases)('the daily quiz on %s', (kind) => {
  let server: TestServer
  let member: string
  const device = clientId()
  const today = dayInShanghai(new Date())
  beforeAll(async () => {
    server = await startServer(kind)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  it('sends questions to devices without their answers or explanations', async () => {
    const { rows } = await pullAll(server.app, member, device)
    const questions = [...rows].filter(([key]) => key.startsWith('quiz_questions/')).map(([, row]) => row as Record<string, unknown>)
    expect(questions.length).toBe(KEY.size)
    for (const q of questions) {
      expect(Object.keys(q).sort()).toEqual(['category', 'id', 'options', 'stem', 'type'])
    }
  })

  it('grades the day’s five questions on the server, awards a point per correct answer, and returns the explanations', async () => {
    const drawn = dailyQuizQuestionIds('u-66hr2jf7sv8n', today, [...KEY.keys()])
    expect(drawn).toHaveLength(5)
    // Three right, two wrong (one option that is not the first correct one: wrong for every question type).
    const wrong = (q: Question) => [q.answer[0] === 0 ? 1 : 0]
    const answers = Object.fromEntries(drawn.map((id, i) => [id, i < 3 ? KEY.get(id)!.answer : wrong(KEY.get(id)!)]))
    const submit = mutation('quiz.submit', { quizId: dailyQuizId(today), answers, submittedAt: new Date().toISOString() })
    expect(await push(server.app, member, device, [submit])).toEqual([{ id: submit.id, status: 'applied' }])
    const { rows } = await pullAll(server.app, member, device)
    const result = rows.get(`quiz_results/u-66hr2jf7sv8n:daily:${today}`) as QuizResultRow
    expect(result).toMatchObject({ correct: 3, total: 5 })
    expect(result.items.map((i) => i.questionId)).toEqual(drawn)
    expect(result.items.every((i) => i.explanation.length > 0)).toBe(true)
    const quizPoints = [...rows]
      .filter(([key]) => key.startsWith('points/'))
      .map(([, r]) => r as LedgerRow)
      .filter((p) => p.ruleCode === 'daily-quiz')
    expect(quizPoints.map((p) => p.points)).toEqual([3])
  })

  it('refuses a second daily quiz the same day, a quiz dated in the future, and shows one member’s results to no one else', async () => {
    const again = mutation('quiz.submit', { quizId: dailyQuizId(today), answers: {}, submittedAt: new Date().toISOString() })
    const future = mutation('quiz.submit', { quizId: 'daily:2099-01-01', answers: {}, submittedAt: new Date().toISOString() })
    const results = await push(server.app, member, device, [again, future])
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(['already_submitted', 'clock'])
    for (const phone of ['13800000002', DEMO.secretary, DEMO.admin]) {
      const { rows } = await pullAll(server.app, await login(server.app, phone), clientId())
      expect([...rows.keys()].some((key) => key.startsWith('quiz_results/u-66hr2jf7sv8n'))).toBe(false)
    }
  })
})

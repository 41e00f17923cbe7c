import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import { weeklyQuizId, weeklyQuizQuestionIds, type Exam, type QuizResultRow } from '~/domain/quiz'
import type { LedgerRow } from '~/domain/points'
import { addDays, dayInShanghai, weekStartOf } from '~/domain/calendar'
import type { Question } from '~/domain/study'

const KEY = new Map((JSON.parse(readFileSync('seeds/study/questions.json', 'utf8')) as Question[]).map((q) => [q.id, q]))
/** An answer that is wrong for every question type: one option that is not the first right one. */
const wrong = (q: Question) => [q.answer[0] === 0 ? 1 : 0]
const codes = (results: { status: string; code?: string }[]) => results.map((r) => (r.status === 'rejected' ? r.code : r.status))

describe.each(databases)('weekly quizzes and exams on %s', (kind) => {
  let server: TestServer
  let admin: string
  let member: string
  const adminDevice = clientId()
  const memberDevice = clientId()
  const today = dayInShanghai(new Date())
  const monday = weekStartOf(today)
  const submittedAt = () => new Date().toISOString()
  const submit = (quizId: string, answers: Record<string, number[]>) =>
    mutation('quiz.submit', { quizId, answers, submittedAt: submittedAt() })
  const rowsOf = async (cookie: string, table: string) =>
    [...(await pullAll(server.app, cookie, clientId())).rows.entries()].filter(([key]) => key.startsWith(`${table}/`)).map(([, row]) => row)
  const points = async (cookie: string, ruleCode: string) =>
    ((await rowsOf(cookie, 'points')) as LedgerRow[]).filter((p) => p.ruleCode === ruleCode)

  const exam: Exam = {
    id: 'e-rules-2026',
    title: '党章党规专题考试',
    summary: '五道题，60分及格。',
    questionIds: [...KEY.keys()].slice(0, 5),
    passMark: 60,
    opensOn: today,
    closesOn: addDays(today, 7),
  }

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  it('grades this week’s ten questions, the same for everyone, and gives the weekly-quiz points for a full score', async () => {
    const drawn = weeklyQuizQuestionIds(monday, [...KEY.keys()])
    expect(drawn).toHaveLength(10)
    const answers = Object.fromEntries(drawn.map((id) => [id, KEY.get(id)!.answer]))
    const sent = submit(weeklyQuizId(monday), answers)
    expect(await push(server.app, member, memberDevice, [sent])).toEqual([{ id: sent.id, status: 'applied' }])
    const { rows } = await pullAll(server.app, member, memberDevice)
    const result = rows.get(`quiz_results/u-66hr2jf7sv8n:weekly:${monday}`) as QuizResultRow
    expect(result).toMatchObject({
      quizId: `weekly:${monday}`,
      day: today,
      correct: 10,
      total: 10,
      score: 100,
      passMark: null,
      passed: null,
    })
    expect(result.items.map((i) => i.questionId)).toEqual(drawn)
    expect(await points(member, 'weekly-quiz')).toEqual([
      expect.objectContaining({ points: 5, day: today, sourceId: `quiz:u-66hr2jf7sv8n:weekly:${monday}` }),
    ])

    // Another member gets the same ten questions; half right earns half the points.
    const other = await login(server.app, '13800000002')
    const half = Object.fromEntries(drawn.map((id, i) => [id, i < 5 ? KEY.get(id)!.answer : wrong(KEY.get(id)!)]))
    expect(codes(await push(server.app, other, clientId(), [submit(weeklyQuizId(monday), half)]))).toEqual(['applied'])
    const theirs = (await rowsOf(other, 'quiz_results')) as QuizResultRow[]
    expect(theirs).toEqual([expect.objectContaining({ correct: 5, total: 10, score: 50 })])
    expect(theirs[0]!.items.map((i) => i.questionId)).toEqual(drawn)
    expect((await points(other, 'weekly-quiz')).map((p) => p.points)).toEqual([3]) // round(50 × 5 / 100)
  })

  it('refuses a second weekly answer, last week’s quiz answered now, and next week’s', async () => {
    const results = await push(server.app, member, memberDevice, [
      submit(weeklyQuizId(monday), {}),
      submit(weeklyQuizId(addDays(monday, -7)), {}),
      submit(weeklyQuizId(addDays(monday, 7)), {}),
    ])
    expect(codes(results)).toEqual(['already_submitted', 'closed', 'clock'])
  })

  it('answers a malformed quiz id with a rejection, not a server fault', async () => {
    const results = await push(server.app, member, memberDevice, [
      submit('weekly:2026-13-45', {}),
      submit('weekly:2026-02-30', {}),
      submit(`weekly:${addDays(monday, 1)}`, {}), // a Tuesday
      submit('daily:2026-02-30', {}),
    ])
    expect(codes(results)).toEqual(['invalid_args', 'invalid_args', 'invalid_args', 'invalid_args'])
  })

  it('refuses an exam with a question that does not exist or was withdrawn', async () => {
    await push(server.app, admin, adminDevice, [mutation('question.withdraw', { questionId: [...KEY.keys()].at(-1) })])
    const results = await push(server.app, admin, adminDevice, [
      mutation('exam.save', { exam: { ...exam, id: 'e-bad-1', questionIds: [...exam.questionIds, 'q-nope'] } }),
      mutation('exam.save', { exam: { ...exam, id: 'e-bad-2', questionIds: [[...KEY.keys()].at(-1)] } }),
      mutation('exam.save', { exam: { ...exam, id: 'e-bad-3', closesOn: addDays(today, -1) } }),
    ])
    expect(codes(results)).toEqual(['not_found', 'not_found', 'invalid_args'])
    expect(await server.withDb((db) => db.selectFrom('exams').select('id').execute())).toEqual([])
  })

  it('publishes an exam to every device without its answers', async () => {
    expect(codes(await push(server.app, admin, adminDevice, [mutation('exam.save', { exam })]))).toEqual(['applied'])
    const exams = await rowsOf(member, 'exams')
    expect(exams).toEqual([{ ...exam, publishedAt: expect.any(String) }])
    expect(JSON.stringify(exams)).not.toContain('answer')
  })

  it('grades an exam with its pass mark and gives the exam rule’s points by score, once', async () => {
    const answers = Object.fromEntries(exam.questionIds.map((id, i) => [id, i < 3 ? KEY.get(id)!.answer : wrong(KEY.get(id)!)]))
    expect(codes(await push(server.app, member, memberDevice, [submit(`exam:${exam.id}`, answers)]))).toEqual(['applied'])
    const { rows } = await pullAll(server.app, member, memberDevice)
    const result = rows.get(`quiz_results/u-66hr2jf7sv8n:exam:${exam.id}`) as QuizResultRow
    expect(result).toMatchObject({ quizId: `exam:${exam.id}`, day: today, correct: 3, total: 5, score: 60, passMark: 60, passed: true })
    expect(result.items.map((i) => i.questionId)).toEqual(exam.questionIds)
    expect(result.items.every((i) => i.explanation.length > 0 && i.answer.length > 0)).toBe(true)
    expect((await points(member, 'exam')).map((p) => p.points)).toEqual([6]) // round(60 × 10 / 100)

    const again = await push(server.app, member, memberDevice, [
      submit(`exam:${exam.id}`, Object.fromEntries(exam.questionIds.map((id) => [id, KEY.get(id)!.answer]))),
    ])
    expect(codes(again)).toEqual(['already_submitted'])
    expect((await points(member, 'exam')).map((p) => p.points)).toEqual([6])

    const other = await login(server.app, '13800000003')
    const two = Object.fromEntries(exam.questionIds.map((id, i) => [id, i < 2 ? KEY.get(id)!.answer : wrong(KEY.get(id)!)]))
    expect(codes(await push(server.app, other, clientId(), [submit(`exam:${exam.id}`, two)]))).toEqual(['applied'])
    expect(await rowsOf(other, 'quiz_results')).toEqual([expect.objectContaining({ score: 40, passMark: 60, passed: false })])
  })

  it('keeps an open exam’s questions: withdrawing one is refused, and a question can’t be chosen twice', async () => {
    const [withdraw] = await push(server.app, admin, adminDevice, [mutation('question.withdraw', { questionId: exam.questionIds[0] })])
    expect(withdraw).toMatchObject({ status: 'rejected', code: 'in_use' })
    expect(((await rowsOf(member, 'quiz_questions')) as { id: string }[]).map((q) => q.id)).toContain(exam.questionIds[0])
    const twice = { ...exam, id: 'e-twice', questionIds: [exam.questionIds[0], exam.questionIds[0]] }
    expect(codes(await push(server.app, admin, adminDevice, [mutation('exam.save', { exam: twice })]))).toEqual(['invalid_args'])
  })

  it('does not let the admin change an exam someone has sat', async () => {
    const [result] = await push(server.app, admin, adminDevice, [mutation('exam.save', { exam: { ...exam, passMark: 80 } })])
    expect(result).toMatchObject({ status: 'rejected', code: 'exam_started' })
    expect(
      await server.withDb((db) => db.selectFrom('exams').select('pass_mark').where('id', '=', exam.id).executeTakeFirstOrThrow()),
    ).toEqual({ pass_mark: 60 })
  })

  it('lets the admin edit an exam nobody has sat, and closes one not yet open or withdrawn', async () => {
    const later: Exam = { ...exam, id: 'e-later', title: '下周的专题考试', opensOn: addDays(today, 1), closesOn: addDays(today, 8) }
    const edited: Exam = { ...later, passMark: 80, questionIds: exam.questionIds.slice(0, 3) }
    expect(
      codes(await push(server.app, admin, adminDevice, [mutation('exam.save', { exam: later }), mutation('exam.save', { exam: edited })])),
    ).toEqual(['applied', 'applied'])
    const exams = (await rowsOf(member, 'exams')) as Exam[]
    expect(exams.find((e) => e.id === 'e-later')).toMatchObject({ passMark: 80, questionIds: edited.questionIds })

    const [early] = await push(server.app, member, memberDevice, [submit('exam:e-later', {})])
    expect(early).toMatchObject({ status: 'rejected', code: 'closed', message: '考试尚未开始' })

    expect(
      codes(
        await push(server.app, admin, adminDevice, [
          mutation('exam.withdraw', { examId: exam.id }),
          mutation('exam.withdraw', { examId: 'e-nope' }),
        ]),
      ),
    ).toEqual(['applied', 'not_found'])
    expect(((await rowsOf(member, 'exams')) as Exam[]).map((e) => e.id)).toEqual(['e-later'])
    const [gone] = await push(server.app, await login(server.app, '13800000004'), clientId(), [submit(`exam:${exam.id}`, {})])
    expect(gone).toMatchObject({ status: 'rejected', code: 'closed' })
  })

  it('refuses an exam answer reaching the server more than 3 days after the close, whatever the phone’s clock says', async () => {
    const answered = (id: string, closesOn: string) => ({
      ...exam,
      id,
      title: `已结束的考试 ${id}`,
      opensOn: addDays(closesOn, -7),
      closesOn,
    })
    expect(
      codes(
        await push(server.app, admin, adminDevice, [
          mutation('exam.save', { exam: { ...exam, id: 'e-closed-2' } }),
          mutation('exam.save', { exam: { ...exam, id: 'e-closed-4' } }),
        ]),
      ),
    ).toEqual(['applied', 'applied'])
    // Closed 2 and 4 days ago (exam.save won't set a past close, so straight into the database).
    for (const [id, days] of [
      ['e-closed-2', 2],
      ['e-closed-4', 4],
    ] as const) {
      const { opensOn, closesOn } = answered(id, addDays(today, -days))
      await server.withDb((db) => db.updateTable('exams').set({ opens_on: opensOn, closes_on: closesOn }).where('id', '=', id).execute())
    }
    // Each answer claims to be written on the day before its exam closed (a phone's clock set back).
    const backdated = (id: string, days: number) =>
      mutation('quiz.submit', { quizId: `exam:${id}`, answers: {}, submittedAt: `${addDays(today, -days - 1)}T10:00:00+08:00` })
    const cookie = await login(server.app, '13800000005')
    const [late, inTime] = await push(server.app, cookie, clientId(), [backdated('e-closed-4', 4), backdated('e-closed-2', 2)])
    expect(late).toMatchObject({ status: 'rejected', code: 'closed', message: expect.stringContaining('结束3天后送达的答卷不再接收') })
    expect(inTime).toMatchObject({ status: 'applied' })
    const attempts = await server.withDb((db) =>
      db.selectFrom('quiz_attempts').select('quiz_id').where('member_id', '=', 'u-2vdqevmh7a2b').execute(),
    )
    expect(attempts.map((a) => a.quiz_id)).toEqual(['exam:e-closed-2'])
  })

  it('refuses a 每周一答 reaching the server more than 3 days after its week ended', async () => {
    const weekStart = addDays(monday, -14)
    // Written on that week's Sunday (the clock set back), arriving now: at least a week after the week ended.
    const [result] = await push(server.app, await login(server.app, '13800000006'), clientId(), [
      mutation('quiz.submit', { quizId: weeklyQuizId(weekStart), answers: {}, submittedAt: `${addDays(weekStart, 6)}T20:00:00+08:00` }),
    ])
    expect(result).toMatchObject({ status: 'rejected', code: 'closed', message: expect.stringContaining('已截止超过3天') })
  })
})

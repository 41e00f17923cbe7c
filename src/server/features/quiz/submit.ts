// 每日答题, 每周一答 and 专题考试: answered on the device (offline too), graded here once, scored by the rules.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { MutationHandler } from '~/server/sync/feature'
import { MutationRejected } from '~/server/sync/rejections'
import { dailyQuizQuestionIds, gradeQuiz, parseQuizId, quizTiming, weeklyQuizQuestionIds, type QuizRef } from '~/domain/quiz'
import { OFFLINE_WINDOW_MS } from '~/domain/study'
import type { EventKind } from '~/domain/points'
import { awardPoints } from '../points/ledger'
import { examFromRow, questionFromRow } from './content'

export const submitQuiz: MutationHandler<'quiz.submit'> = async ({ trx, viewer, writer, now }, args) => {
  const ref = parseQuizId(args.quizId)!
  const exam =
    ref.kind === 'exam'
      ? await trx.selectFrom('exams').selectAll().where('id', '=', ref.examId).where('status', '=', 'published').executeTakeFirst()
      : undefined
  const timing = quizTiming(ref, exam ? examFromRow(exam) : null, args.submittedAt, now, OFFLINE_WINDOW_MS / 86_400_000)
  if ('code' in timing) throw new MutationRejected(timing.code, timing.message)
  const attemptId = `${viewer.id}:${args.quizId}`
  if (await trx.selectFrom('quiz_attempts').select('id').where('id', '=', attemptId).executeTakeFirst()) {
    throw new MutationRejected('already_submitted', '这份答卷已经提交过')
  }
  const questions = await quizQuestions(trx, viewer.id, ref, exam ? examFromRow(exam).questionIds : [])
  const result = gradeQuiz(
    { id: attemptId, quizId: args.quizId, day: timing.day, gradedAt: now, passMark: exam?.pass_mark ?? null },
    questions,
    args.answers,
  )
  await trx
    .insertInto('quiz_attempts')
    .values({
      id: attemptId,
      member_id: viewer.id,
      quiz_id: args.quizId,
      day: timing.day,
      correct: result.correct,
      total: result.total,
      result_json: JSON.stringify(result),
      submitted_at: args.submittedAt,
      graded_at: now,
    })
    .execute()
  await writer.put(`user:${viewer.id}`, 'quiz_results', attemptId, result)
  const kind: EventKind = `quiz.${ref.kind}`
  await awardPoints(
    trx,
    writer,
    [
      {
        id: `quiz:${attemptId}`,
        memberId: viewer.id,
        kind,
        day: timing.day,
        quantity: ref.kind === 'daily' ? result.correct : result.score!,
      },
    ],
    now,
  )
}

/**
 * The questions of a quiz in order. 每日答题 and 每周一答 are drawn from the questions published now, as the
 * device drew them from what it had synced; 专题考试 keeps its own list even if a question is later withdrawn.
 */
async function quizQuestions(trx: Kysely<Database>, memberId: string, ref: QuizRef, examQuestionIds: string[]) {
  if (ref.kind === 'exam') {
    const rows = (await trx.selectFrom('questions').selectAll().where('id', 'in', examQuestionIds).execute()).map(questionFromRow)
    return examQuestionIds.map((id) => rows.find((q) => q.id === id)!).filter(Boolean)
  }
  const published = (await trx.selectFrom('questions').selectAll().where('status', '=', 'published').execute()).map(questionFromRow)
  const ids = published.map((q) => q.id)
  const drawn = ref.kind === 'daily' ? dailyQuizQuestionIds(memberId, ref.day, ids) : weeklyQuizQuestionIds(ref.weekStart, ids)
  return drawn.map((id) => published.find((q) => q.id === id)!)
}

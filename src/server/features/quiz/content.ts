// What the admin publishes from the app (issue 4): quiz questions and 专题考试 (study materials: study/materials.ts).
// A withdrawn row becomes a tombstone in the town scope, so it disappears from every device on its next pull.
import type { Kysely, Selectable } from 'kysely'
import type { Database, ExamTable, QuestionTable } from '~/server/db/schema'
import type { Question } from '~/domain/study'
import type { Exam, ExamRow } from '~/domain/quiz'
import { withoutAnswer } from '~/domain/quiz'
import type { ChangeWriter } from '~/server/sync/changes'
import { materialFromRow } from '../study/study'
import { MutationRejected } from '~/server/sync/rejections'

export function questionFromRow(row: Selectable<QuestionTable>): Question {
  return {
    id: row.id,
    category: row.category as Question['category'],
    type: row.type,
    stem: row.stem,
    options: JSON.parse(row.options_json) as string[],
    answer: JSON.parse(row.answer_json) as number[],
    explanation: row.explanation,
    materialId: row.material_id,
  }
}

export function examFromRow(row: Selectable<ExamTable>): ExamRow {
  return {
    id: row.id,
    title: row.title,
    summary: row.summary,
    questionIds: JSON.parse(row.question_ids_json) as string[],
    passMark: row.pass_mark,
    opensOn: row.opens_on,
    closesOn: row.closes_on,
    publishedAt: row.published_at,
  }
}

export async function saveQuestion(trx: Kysely<Database>, writer: ChangeWriter, townId: string, question: Question): Promise<void> {
  const values = {
    category: question.category,
    type: question.type,
    stem: question.stem,
    options_json: JSON.stringify(question.options),
    answer_json: JSON.stringify(question.answer),
    explanation: question.explanation,
    material_id: question.materialId,
    status: 'published' as const,
  }
  const existing = await trx.selectFrom('questions').select('id').where('id', '=', question.id).executeTakeFirst()
  if (existing) await trx.updateTable('questions').set(values).where('id', '=', question.id).execute()
  else
    await trx
      .insertInto('questions')
      .values({ id: question.id, ...values })
      .execute()
  await writer.put(`town:${townId}`, 'quiz_questions', question.id, withoutAnswer(question))
}

export async function withdrawQuestion(trx: Kysely<Database>, writer: ChangeWriter, townId: string, questionId: string): Promise<void> {
  const existing = await trx.selectFrom('questions').select('status').where('id', '=', questionId).executeTakeFirst()
  if (!existing) throw new MutationRejected('not_found', '找不到这道题')
  if (existing.status === 'withdrawn') return
  // An exam keeps its questions: members who haven't sat it yet need this one on their devices.
  const exams = await trx.selectFrom('exams').select(['title', 'question_ids_json']).where('status', '=', 'published').execute()
  const usedBy = exams.find((e) => (JSON.parse(e.question_ids_json) as string[]).includes(questionId))
  if (usedBy) throw new MutationRejected('in_use', `这道题在专题考试《${usedBy.title}》中，请先撤销该考试`)
  await trx.updateTable('questions').set({ status: 'withdrawn' }).where('id', '=', questionId).execute()
  await writer.delete(`town:${townId}`, 'quiz_questions', questionId)
}

export async function saveExam(trx: Kysely<Database>, writer: ChangeWriter, townId: string, exam: Exam, now: string): Promise<void> {
  const found = await trx
    .selectFrom('questions')
    .select('id')
    .where('id', 'in', exam.questionIds)
    .where('status', '=', 'published')
    .execute()
  if (found.length !== new Set(exam.questionIds).size) throw new MutationRejected('not_found', '考试中有题目已撤下或不存在')
  const existing = await trx.selectFrom('exams').select(['published_at', 'status']).where('id', '=', exam.id).executeTakeFirst()
  if (
    existing &&
    (await trx.selectFrom('quiz_attempts').select('id').where('quiz_id', '=', `exam:${exam.id}`).limit(1).executeTakeFirst())
  ) {
    // Changing the questions or the pass mark after someone sat the exam would make results incomparable.
    throw new MutationRejected('exam_started', '已有党员参加这场考试，不能再修改')
  }
  const values = {
    title: exam.title,
    summary: exam.summary,
    question_ids_json: JSON.stringify(exam.questionIds),
    pass_mark: exam.passMark,
    opens_on: exam.opensOn,
    closes_on: exam.closesOn,
    status: 'published' as const,
    published_at: existing?.status === 'published' ? existing.published_at : now,
    updated_at: now,
  }
  if (existing) await trx.updateTable('exams').set(values).where('id', '=', exam.id).execute()
  else
    await trx
      .insertInto('exams')
      .values({ id: exam.id, ...values })
      .execute()
  await writer.put(`town:${townId}`, 'exams', exam.id, examFromRow({ id: exam.id, ...values }))
}

export async function withdrawExam(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  townId: string,
  examId: string,
  now: string,
): Promise<void> {
  const existing = await trx.selectFrom('exams').select('status').where('id', '=', examId).executeTakeFirst()
  if (!existing) throw new MutationRejected('not_found', '找不到这场考试')
  if (existing.status === 'withdrawn') return
  await trx.updateTable('exams').set({ status: 'withdrawn', updated_at: now }).where('id', '=', examId).execute()
  await writer.delete(`town:${townId}`, 'exams', examId)
}

/** Everything the admin edits, withdrawn rows and answer keys included: served online to the admin only. */
export async function adminContent(db: Kysely<Database>) {
  const materials = await db.selectFrom('materials').selectAll().orderBy('published_at', 'desc').execute()
  const questions = await db.selectFrom('questions').selectAll().orderBy('id').execute()
  const exams = await db.selectFrom('exams').selectAll().orderBy('published_at', 'desc').execute()
  const courses = await db.selectFrom('courses').selectAll().orderBy('sort_order').execute()
  return {
    courses: courses.map((c) => ({ id: c.id, title: c.title, summary: c.summary, order: c.sort_order })),
    materials: materials.map((m) => ({ ...materialFromRow(m), status: m.status })),
    questions: questions.map((q) => ({ ...questionFromRow(q), status: q.status })),
    exams: exams.map((e) => ({ ...examFromRow(e), status: e.status })),
  }
}

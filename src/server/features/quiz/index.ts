// 答题: the question bank and 专题考试 the admin publishes (answer keys stay on the server), and each member's graded results.
import { asStored, defineFeature } from '~/server/sync/feature'
import { withoutAnswer } from '~/domain/quiz'
import { examFromRow, questionFromRow, saveExam, saveQuestion, withdrawExam, withdrawQuestion } from './content'
import { submitQuiz } from './submit'

export const quizFeature = defineFeature({
  name: 'quiz',
  mutations: {
    'quiz.submit': submitQuiz,
    async 'question.save'({ trx, viewer, writer }, args) {
      await saveQuestion(trx, writer, viewer.townId, args.question)
    },
    async 'question.withdraw'({ trx, viewer, writer }, args) {
      await withdrawQuestion(trx, writer, viewer.townId, args.questionId)
    },
    async 'exam.save'({ trx, viewer, writer, now }, args) {
      await saveExam(trx, writer, viewer.townId, args.exam, now)
    },
    async 'exam.withdraw'({ trx, viewer, writer, now }, args) {
      await withdrawExam(trx, writer, viewer.townId, args.examId, now)
    },
  },
  tables: {
    // Questions never carry their answers (withoutAnswer); results are private like points.
    quiz_questions: asStored,
    quiz_results: asStored,
    exams: asStored,
  },
  uniqueRejections: {
    'quiz.submit': { code: 'already_submitted', message: '这份答卷已经提交过' },
  },
  async publish(trx, writer, townId) {
    for (const question of await trx.selectFrom('questions').selectAll().where('status', '=', 'published').orderBy('id').execute()) {
      await writer.put(`town:${townId}`, 'quiz_questions', question.id, withoutAnswer(questionFromRow(question)))
    }
    for (const exam of await trx.selectFrom('exams').selectAll().where('status', '=', 'published').orderBy('id').execute()) {
      await writer.put(`town:${townId}`, 'exams', exam.id, examFromRow(exam))
    }
  },
})

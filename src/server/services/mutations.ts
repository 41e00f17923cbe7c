import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { MutationArgs, MutationName } from '../../domain/mutations'
import type { Viewer } from '../../domain/sync'
import { REJECTIONS } from '../../domain/sync'
import { applyProfileUpdate, mayUpdateProfile } from '../../domain/members'
import type { ChangeWriter } from './changes'
import { memberRowFromUser, memberScope } from './members'
import { materialFromRow, questionFromRow } from './study'
import { dailyQuizQuestionIds, isCorrect, type QuizResultRow } from '../../domain/quiz'
import { awardPoints, insertEntries } from './points'
import { checkStudySession, OFFLINE_WINDOW_MS, studyEventKind } from '../../domain/study'
import { counterEntry, dayInShanghai } from '../../domain/points'

/** A permanent, expected refusal: answered as `rejected` with the code and message, never as a 5xx. */
export class MutationRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface MutationContext {
  trx: Kysely<Database>
  viewer: Viewer
  writer: ChangeWriter
  /** The server's receipt time. */
  now: string
}

type Handlers = { [N in MutationName]: (ctx: MutationContext, args: MutationArgs<N>) => Promise<void> }

export const MUTATION_HANDLERS: Handlers = {
  async 'profile.update'({ trx, viewer, writer, now }, args) {
    const targetId = args.memberId ?? viewer.id
    const user = await trx.selectFrom('users').selectAll().where('id', '=', targetId).executeTakeFirst()
    if (!user) throw new MutationRejected('not_found', REJECTIONS.not_found)
    if (!mayUpdateProfile(viewer, { id: user.id, branchId: user.branch_id })) {
      throw new MutationRejected('forbidden', '不能修改其他党员的信息')
    }
    const next = applyProfileUpdate(memberRowFromUser(user), args, now)
    await trx
      .updateTable('users')
      .set({
        status: next.status,
        away_city: next.awayCity,
        return_date: next.returnDate,
        contact_phone: next.contactPhone,
        updated_at: now,
      })
      .where('id', '=', user.id)
      .execute()
    await writer.put(memberScope(user, viewer.townId), 'members', user.id, next)
  },

  async 'study.record'({ trx, viewer, writer, now }, args) {
    const material = await trx.selectFrom('materials').selectAll().where('id', '=', args.materialId).executeTakeFirst()
    if (!material || material.status !== 'published') throw new MutationRejected('not_found', '这份学习资料已撤下或不存在')
    if (await trx.selectFrom('study_sessions').select('id').where('id', '=', args.sessionId).executeTakeFirst()) {
      throw new MutationRejected('duplicate_session', '这条学习记录已经提交过')
    }
    const others = await trx
      .selectFrom('study_sessions')
      .select(['started_at as startedAt', 'ended_at as endedAt'])
      .where('member_id', '=', viewer.id)
      .where('started_at', '<', args.endedAt)
      .where('ended_at', '>', args.startedAt)
      .execute()
    const problem = checkStudySession(args, materialFromRow(material), new Date(now), others)
    if (problem) throw new MutationRejected(problem.code, problem.message)
    // The day it counts on: the device's end time, never later than the server's own clock.
    const day = dayInShanghai(args.endedAt < now ? args.endedAt : now)
    await trx
      .insertInto('study_sessions')
      .values({
        id: args.sessionId,
        member_id: viewer.id,
        material_id: material.id,
        started_at: args.startedAt,
        ended_at: args.endedAt,
        active_seconds: args.activeSeconds,
        completed: args.completed ? 1 : 0,
        day,
        received_at: now,
      })
      .execute()
    const kind = studyEventKind({ kind: material.kind })
    await awardPoints(trx, writer, [{ id: `study:${args.sessionId}`, memberId: viewer.id, kind, day, quantity: args.activeSeconds }], now)
  },

  async 'quiz.submit'({ trx, viewer, writer, now }, args) {
    const day = args.quizId.slice('daily:'.length)
    const today = dayInShanghai(now)
    if (day > today || Date.parse(`${day}T00:00:00+08:00`) < Date.parse(now) - OFFLINE_WINDOW_MS) {
      throw new MutationRejected('clock', day > today ? '答题日期晚于今天，请检查手机时间' : '答题记录超过30天未同步，已无法计分')
    }
    const attemptId = `${viewer.id}:${args.quizId}`
    if (await trx.selectFrom('quiz_attempts').select('id').where('id', '=', attemptId).executeTakeFirst()) {
      throw new MutationRejected('already_submitted', '这一天的每日答题已经提交过')
    }
    const questions = (await trx.selectFrom('questions').selectAll().where('status', '=', 'published').execute()).map(questionFromRow)
    const drawn = dailyQuizQuestionIds(viewer.id, day, questions.map((q) => q.id))
    const items = drawn.map((id) => {
      const question = questions.find((q) => q.id === id)!
      const given = args.answers[id] ?? []
      return { questionId: id, given, answer: question.answer, correct: isCorrect(question, given), explanation: question.explanation }
    })
    const result: QuizResultRow = { id: attemptId, quizId: args.quizId, day, correct: items.filter((i) => i.correct).length, total: items.length, items, gradedAt: now }
    await trx
      .insertInto('quiz_attempts')
      .values({ id: attemptId, member_id: viewer.id, quiz_id: args.quizId, day, correct: result.correct, total: result.total, result_json: JSON.stringify(result), submitted_at: args.submittedAt, graded_at: now })
      .execute()
    await writer.put(`user:${viewer.id}`, 'quiz_results', attemptId, result)
    await awardPoints(trx, writer, [{ id: `quiz:${attemptId}`, memberId: viewer.id, kind: 'quiz.daily', day, quantity: result.correct }], now)
  },

  async 'points.adjust'({ trx, viewer, writer, now }, args) {
    const member = await trx.selectFrom('users').select(['id', 'role']).where('id', '=', args.memberId).executeTakeFirst()
    if (!member || member.role === 'admin') throw new MutationRejected('not_found', '找不到这名党员')
    const event = { id: `adjust:${args.adjustmentId}`, memberId: member.id, kind: `manual.${args.kind}` as const, day: dayInShanghai(now), quantity: args.amount, reason: args.reason }
    // Audited: the entry names the admin who made it and why, and the mutation record keeps the request.
    const created = await awardPoints(trx, writer, [event], now, viewer.id)
    if (created.length === 0) throw new MutationRejected('cap_reached', '该党员本项积分已达上限，或此调整已记录过')
  },

  async 'points.correct'({ trx, viewer, writer, now }, args) {
    const entry = await trx.selectFrom('points_ledger').selectAll().where('id', '=', args.entryId).executeTakeFirst()
    if (!entry) throw new MutationRejected('not_found', '找不到这条积分记录')
    if (entry.source_id.startsWith('counter:')) throw new MutationRejected('invalid_args', '更正记录不能再更正，如有需要请重新调整')
    const counter = counterEntry(
      { id: entry.id, memberId: entry.member_id, ruleCode: entry.rule_code, ruleVersion: entry.rule_version, sourceId: entry.source_id, day: entry.day, points: entry.points, reason: entry.reason },
      args.reason,
      dayInShanghai(now),
    )
    if (await trx.selectFrom('points_ledger').select('id').where('id', '=', counter.id).executeTakeFirst()) {
      throw new MutationRejected('already_corrected', '这条积分记录已经更正过')
    }
    await insertEntries(trx, writer, [counter], now, viewer.id)
  },
}

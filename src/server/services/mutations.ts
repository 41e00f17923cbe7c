import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { MutationArgs, MutationName } from '../../domain/mutations'
import type { Viewer } from '../../domain/sync'
import { REJECTIONS } from '../../domain/sync'
import { applyProfileUpdate, mayUpdateProfile } from '../../domain/members'
import type { ChangeWriter } from './changes'
import { memberRowFromUser, memberScope } from './members'
import { materialFromRow, questionFromRow } from './study'
import { dailyQuizQuestionIds, gradeQuiz, parseQuizId, quizTiming, weeklyQuizQuestionIds, type QuizRef } from '../../domain/quiz'
import { awardPoints, insertEntries, loadRules, ruleToRow } from './points'
import { checkStudySession, OFFLINE_WINDOW_MS, studyEventKind, type StudyProgressRow } from '../../domain/study'
import { counterEntry, dayInShanghai, pointsRuleSchema, reviseRule, ruleRowId, type EventKind, type PointsRule } from '../../domain/points'
import { parseWith } from '../../domain/validation'
import { MutationRejected } from './rejections'
import { examFromRow, saveExam, saveMaterial, saveQuestion, withdrawExam, withdrawMaterial, withdrawQuestion } from './content'
import { publishHonorLists, withdrawHonorLists } from './honor'
import { actOnComment, deleteComment, likeComment, markNoticesRead, postBoardComment, saveTopic } from './board'
import { checkIn, closeMeeting, decideLeave, requestLeave, reviewAttendance, scheduleMeeting, signByProxy } from './meetings'


export interface MutationContext {
  trx: Kysely<Database>
  viewer: Viewer
  writer: ChangeWriter
  /** The server's receipt time. */
  now: string
  /** The device's time when the mutation was made: unchecked, bound it before use (boundedWrittenAt). */
  clientTime: string
  /** The device's clock minus the server's when it sent the push (`sentAt`), or null when it didn't say. */
  clockSkewMs?: number | null
}

type Handlers = { [N in MutationName]: (ctx: MutationContext, args: MutationArgs<N>) => Promise<void> }

/**
 * What a unique violation means for the mutations whose rows have a natural key: a concurrent push wrote
 * the same row first (another member's session with this id, a secretary's 代签 at the moment of a
 * check-in), answered as the documented rejection. Any other mutation's push is run again, and its own
 * checks then see the row.
 */
export const UNIQUE_REJECTIONS: Partial<Record<MutationName, { code: string; message: string }>> = {
  'study.record': { code: 'duplicate_session', message: '这条学习记录已经提交过' },
  'quiz.submit': { code: 'already_submitted', message: '这份答卷已经提交过' },
  'points.adjust': { code: 'cap_reached', message: '该党员本项积分已达上限，或此调整已记录过' },
  'points.correct': { code: 'already_corrected', message: '这条积分记录已经更正过' },
  'meeting.checkin': { code: 'already_checked_in', message: '您已经签到过了' },
  'meeting.proxy': { code: 'already_checked_in', message: '这名党员已经签到' },
  'comment.post': { code: 'duplicate_id', message: '这条留言已经发送过' },
}

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
    const progress = await trx
      .selectFrom('study_sessions')
      .select([(eb) => eb.fn.sum<number | string>('active_seconds').as('seconds'), (eb) => eb.fn.max('completed').as('completed'), (eb) => eb.fn.max('ended_at').as('last')])
      .where('member_id', '=', viewer.id)
      .where('material_id', '=', material.id)
      .executeTakeFirstOrThrow()
    const row: StudyProgressRow = { id: material.id, activeSeconds: Number(progress.seconds), completed: Number(progress.completed) === 1, lastStudiedAt: String(progress.last) }
    await writer.put(`user:${viewer.id}`, 'study_progress', material.id, row)
  },

  async 'quiz.submit'({ trx, viewer, writer, now }, args) {
    const ref = parseQuizId(args.quizId)!
    const exam = ref.kind === 'exam' ? await trx.selectFrom('exams').selectAll().where('id', '=', ref.examId).where('status', '=', 'published').executeTakeFirst() : undefined
    const timing = quizTiming(ref, exam ? examFromRow(exam) : null, args.submittedAt, now, OFFLINE_WINDOW_MS / 86_400_000)
    if ('code' in timing) throw new MutationRejected(timing.code, timing.message)
    const attemptId = `${viewer.id}:${args.quizId}`
    if (await trx.selectFrom('quiz_attempts').select('id').where('id', '=', attemptId).executeTakeFirst()) {
      throw new MutationRejected('already_submitted', '这份答卷已经提交过')
    }
    const questions = await quizQuestions(trx, viewer.id, ref, exam ? examFromRow(exam).questionIds : [])
    const result = gradeQuiz({ id: attemptId, quizId: args.quizId, day: timing.day, gradedAt: now, passMark: exam?.pass_mark ?? null }, questions, args.answers)
    await trx
      .insertInto('quiz_attempts')
      .values({ id: attemptId, member_id: viewer.id, quiz_id: args.quizId, day: timing.day, correct: result.correct, total: result.total, result_json: JSON.stringify(result), submitted_at: args.submittedAt, graded_at: now })
      .execute()
    await writer.put(`user:${viewer.id}`, 'quiz_results', attemptId, result)
    const kind: EventKind = `quiz.${ref.kind}`
    await awardPoints(trx, writer, [{ id: `quiz:${attemptId}`, memberId: viewer.id, kind, day: timing.day, quantity: ref.kind === 'daily' ? result.correct : result.score! }], now)
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

  async 'rules.revise'({ trx, viewer, writer, now }, args) {
    const rules = await loadRules(trx)
    let revised: PointsRule[]
    try {
      revised = reviseRule(rules, args.code, args.change, args.from, dayInShanghai(now))
    } catch (error) {
      throw new MutationRejected('invalid_args', (error as Error).message)
    }
    const versions = revised.filter((r) => r.code === args.code).sort((a, b) => b.version - a.version)
    const [next, ended] = [versions[0]!, versions[1]!]
    const valid = parseWith(pointsRuleSchema, next)
    if (!valid.ok) throw new MutationRejected('invalid_args', valid.message)
    if (Math.sign(next.points) !== Math.sign(ended.points)) throw new MutationRejected('invalid_args', '不能把加分规则改成扣分规则，或反过来')
    await trx.updateTable('points_rules').set({ active_to: ended.activeTo }).where('code', '=', ended.code).where('version', '=', ended.version).execute()
    await trx.insertInto('points_rules').values(ruleToRow(next)).execute()
    for (const rule of [ended, next]) await writer.put(`town:${viewer.townId}`, 'points_rules', ruleRowId(rule), { ...rule, id: ruleRowId(rule) })
  },

  async 'honor.publish'({ trx, viewer, writer, now }, args) {
    await publishHonorLists(trx, writer, viewer.townId, args, viewer.id, now)
  },

  async 'honor.withdraw'({ trx, viewer, writer, now }, args) {
    await withdrawHonorLists(trx, writer, viewer.townId, args, viewer.id, now)
  },

  async 'material.save'({ trx, viewer, writer, now }, args) {
    await saveMaterial(trx, writer, viewer.townId, args.material, now)
  },

  async 'material.withdraw'({ trx, viewer, writer, now }, args) {
    await withdrawMaterial(trx, writer, viewer.townId, args.materialId, now)
  },

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

  async 'meeting.schedule'({ trx, viewer, writer, now }, args) {
    await scheduleMeeting(trx, writer, viewer, args.meeting, now)
  },

  async 'meeting.checkin'({ trx, viewer, writer, now, clockSkewMs }, args) {
    await checkIn(trx, writer, viewer, args, now, clockSkewMs ?? null)
  },

  async 'meeting.proxy'({ trx, viewer, writer, now }, args) {
    await signByProxy(trx, writer, viewer, args, now)
  },

  async 'leave.request'({ trx, viewer, writer, now }, args) {
    await requestLeave(trx, writer, viewer, args, now)
  },

  async 'leave.decide'({ trx, viewer, writer, now }, args) {
    await decideLeave(trx, writer, viewer, args, now)
  },

  async 'attendance.review'({ trx, viewer, writer, now }, args) {
    await reviewAttendance(trx, writer, viewer, args, now)
  },

  async 'meeting.close'({ trx, viewer, writer, now }, args) {
    await closeMeeting(trx, writer, viewer, args, now)
  },

  async 'topic.save'({ trx, viewer, writer, now }, args) {
    await saveTopic(trx, writer, viewer, args.topic, now)
  },

  async 'comment.post'({ trx, viewer, writer, now, clientTime }, args) {
    await postBoardComment(trx, writer, viewer, args.comment, clientTime, now)
  },

  async 'comment.act'({ trx, viewer, writer, now }, args) {
    await actOnComment(trx, writer, viewer, args, now)
  },

  async 'comment.delete'({ trx, viewer, writer }, args) {
    await deleteComment(trx, writer, viewer, args.commentId)
  },

  async 'comment.like'({ trx, viewer, writer }, args) {
    await likeComment(trx, writer, viewer, args)
  },

  async 'notice.read'({ trx, viewer, writer, now }, args) {
    await markNoticesRead(trx, writer, viewer, args.noticeIds, now)
  },
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

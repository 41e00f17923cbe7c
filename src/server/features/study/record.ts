// 学习: a reading or listening session the device timed, counted once, scored by the rules and summed
// into the member's progress on the material.
import type { MutationHandler } from '~/server/sync/feature'
import { MutationRejected } from '~/server/sync/rejections'
import { checkStudySession, studyEventKind, type StudyProgressRow } from '~/domain/study'
import { dayInShanghai } from '~/domain/calendar'
import { awardPoints } from '../points/ledger'
import { materialFromRow } from './study'
import { noteStudyDays } from './studyMonths'

export const recordStudy: MutationHandler<'study.record'> = async ({ trx, viewer, writer, now }, args) => {
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
  await noteStudyDays(trx, [{ member_id: viewer.id, day }])
  const kind = studyEventKind({ kind: material.kind })
  await awardPoints(trx, writer, [{ id: `study:${args.sessionId}`, memberId: viewer.id, kind, day, quantity: args.activeSeconds }], now)
  const progress = await trx
    .selectFrom('study_sessions')
    .select([
      (eb) => eb.fn.sum<number | string>('active_seconds').as('seconds'),
      (eb) => eb.fn.max('completed').as('completed'),
      (eb) => eb.fn.max('ended_at').as('last'),
    ])
    .where('member_id', '=', viewer.id)
    .where('material_id', '=', material.id)
    .executeTakeFirstOrThrow()
  const row: StudyProgressRow = {
    id: material.id,
    activeSeconds: Number(progress.seconds),
    completed: Number(progress.completed) === 1,
    lastStudiedAt: String(progress.last),
  }
  await writer.put(`user:${viewer.id}`, 'study_progress', material.id, row)
}

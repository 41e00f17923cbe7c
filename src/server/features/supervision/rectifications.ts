// 整改提示单 (issue 13): issued by the admin (or by a red warning, or again when one goes overdue), answered
// by the branch's secretary with what was done, the photos and the meeting held, then accepted (the
// warning clears) or returned. Each step tells the other side in the app (rectificationRows.ts, notifyStep).
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { ChangeWriter } from '~/server/sync/changes'
import type { MutationContext } from '~/server/sync/feature'
import { isPostgres } from '~/server/sync/locks'
import { MutationRejected } from '~/server/sync/rejections'
import { addWorkingDays, dayInShanghai } from '~/domain/calendar'
import type { MeetingType } from '~/domain/meetings'
import {
  DEFAULT_RECTIFICATION_WORKING_DAYS,
  rectificationRequirement,
  type RectificationAnswerArgs,
  type RectificationDecideArgs,
  type RectificationIssueArgs,
  type RectificationRow,
  type WarningRow,
} from '~/domain/supervision'
import { loadWorkCalendar } from './workdays'
import { warningRuleFromRow } from './rules'
import { clearWarning, putWarning, warningFromRow } from './warningRows'
import {
  admins,
  branchSecretaries,
  insertRectification,
  loadRectification,
  notifyStep,
  rectificationFromRow,
  storeRectification,
} from './rectificationRows'

/** Who issues a notice by itself: a red warning, or an overdue notice's follow-up. */
export const SYSTEM_ISSUER = 'system'

interface Draft {
  id: string
  branchId: string
  warningId: string | null
  requirement: string
  workingDays: number
  issuedById: string
  followsId: string | null
}

/** A new open notice, due `workingDays` working days (over the town's calendar) after today in Shanghai. */
async function issue(trx: Kysely<Database>, writer: ChangeWriter, draft: Draft, now: string): Promise<RectificationRow> {
  const deadline = addWorkingDays(dayInShanghai(now), draft.workingDays, await loadWorkCalendar(trx))
  return insertRectification(trx, writer, {
    ...draft,
    issuedAt: now,
    deadline,
    status: 'open',
    answers: [],
    decisions: [],
    escalatedAt: null,
    closedAt: null,
    updatedAt: now,
  })
}

/** The warning, locked until the transaction ends: two admins (or a refresh) issuing for it take turns. */
async function lockWarning(trx: Kysely<Database>, id: string): Promise<WarningRow | undefined> {
  let query = trx.selectFrom('warnings').selectAll().where('id', '=', id)
  if (isPostgres(trx)) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return row && warningFromRow(row)
}

const noticeOfWarning = (trx: Kysely<Database>, warningId: string) =>
  trx.selectFrom('rectifications').select('id').where('warning_id', '=', warningId).orderBy('issued_at').executeTakeFirst()

export async function issueRectificationByAdmin(
  { trx, viewer, writer, now }: MutationContext,
  args: RectificationIssueArgs,
): Promise<void> {
  if (await trx.selectFrom('rectifications').select('id').where('id', '=', args.id).executeTakeFirst())
    throw new MutationRejected('duplicate_id', '这张整改提示单已经下发过')
  const branch = await trx.selectFrom('branches').select(['id', 'archived_at']).where('id', '=', args.branchId).executeTakeFirst()
  if (!branch) throw new MutationRejected('not_found', '找不到这个支部')
  if (branch.archived_at !== null) throw new MutationRejected('archived', '该支部已撤销，不能下发整改提示单')
  let warning: WarningRow | undefined
  if (args.warningId !== null) {
    warning = await lockWarning(trx, args.warningId)
    if (!warning || warning.branchId !== args.branchId) throw new MutationRejected('not_found', '该支部没有这条预警')
    if (warning.rectificationId !== null || (await noticeOfWarning(trx, warning.id)))
      throw new MutationRejected('already_issued', '该预警已下发整改提示单')
    if (warning.clearedAt !== null) throw new MutationRejected('cleared', '该预警已解除，无需下发整改提示单')
  }
  const r = await issue(trx, writer, { ...args, issuedById: viewer.id, followsId: null }, now)
  if (warning) await putWarning(trx, writer, { ...warning, rectificationId: r.id })
  await notifyStep(trx, writer, r, 'issued', { branch: await branchSecretaries(trx, r.branchId), office: [] }, now)
}

/** The meeting a warning's rule (the version it was raised with) asks for, for the notice's wording. */
async function meetingTypeOf(trx: Kysely<Database>, warning: WarningRow): Promise<MeetingType | null> {
  const rule = await trx
    .selectFrom('warning_rules')
    .selectAll()
    .where('code', '=', warning.ruleCode)
    .where('version', '=', warning.ruleVersion)
    .executeTakeFirst()
  return rule ? warningRuleFromRow(rule).meetingType : null
}

/**
 * A red warning whose rule says so opens a notice by itself (the refresh service calls this). Idempotent:
 * a warning that has a notice gets no second one. Returns the warning as now stored, its notice linked.
 */
export async function issueAutomaticRectification(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  warning: WarningRow,
  now: string,
): Promise<WarningRow> {
  const stored = (await lockWarning(trx, warning.id)) ?? warning
  const existing = await noticeOfWarning(trx, warning.id)
  if (stored.rectificationId !== null) return stored
  if (existing) {
    const linked = { ...stored, rectificationId: existing.id }
    await putWarning(trx, writer, linked)
    return linked
  }
  const branch = await trx.selectFrom('branches').select('archived_at').where('id', '=', warning.branchId).executeTakeFirst()
  if (!branch || branch.archived_at !== null) return stored
  const draft: Draft = {
    id: `r-${randomUUID()}`,
    branchId: warning.branchId,
    warningId: warning.id,
    requirement: rectificationRequirement(warning, await meetingTypeOf(trx, warning)),
    workingDays: DEFAULT_RECTIFICATION_WORKING_DAYS,
    issuedById: SYSTEM_ISSUER,
    followsId: null,
  }
  const r = await issue(trx, writer, draft, now)
  const linked = { ...stored, rectificationId: r.id }
  await putWarning(trx, writer, linked)
  await notifyStep(trx, writer, r, 'issued', { branch: await branchSecretaries(trx, r.branchId), office: [] }, now)
  return linked
}

/** The photos an answer shows: the viewer's own (or not uploaded yet, the upload then being theirs). */
async function checkPhotos(trx: Kysely<Database>, photoIds: readonly string[], ownerId: string): Promise<void> {
  if (photoIds.length === 0) return
  const others = await trx
    .selectFrom('photos')
    .select('id')
    .where('id', 'in', [...photoIds])
    .where('owner_id', '!=', ownerId)
    .executeTakeFirst()
  if (others) throw new MutationRejected('invalid_args', '只能附上自己拍摄上传的照片')
}

/** Lets the branch's secretaries (and the admins, as always) see the answer's photos: the photo route reads these links. */
async function linkPhotos(trx: Kysely<Database>, photoIds: readonly string[], branchId: string, ownerId: string): Promise<void> {
  for (const photoId of photoIds) {
    const linked = await trx
      .selectFrom('photo_links')
      .select('photo_id')
      .where('photo_id', '=', photoId)
      .where('owner_id', '=', ownerId)
      .where('branch_id', '=', branchId)
      .executeTakeFirst()
    if (!linked) await trx.insertInto('photo_links').values({ photo_id: photoId, branch_id: branchId, owner_id: ownerId }).execute()
  }
}

export async function answerRectification({ trx, viewer, writer, now }: MutationContext, args: RectificationAnswerArgs): Promise<void> {
  const r = await loadRectification(trx, args.id)
  if (viewer.role !== 'admin' && !(viewer.role === 'secretary' && viewer.branchId === r.branchId))
    throw new MutationRejected('forbidden', '只能回复本支部的整改提示单')
  if (r.answers.some((a) => a.id === args.answerId)) throw new MutationRejected('duplicate_id', '这次整改情况已经提交过')
  if (r.escalatedAt !== null)
    throw new MutationRejected('superseded', '该整改提示单已超期，已下发新的整改提示单，请在新的提示单上提交整改情况')
  if (r.status === 'answered') throw new MutationRejected('not_open', '整改情况已提交，正在等待审核')
  if (r.status === 'accepted') throw new MutationRejected('not_open', '该整改提示单已办结')
  const photoIds = [...new Set(args.photoIds)]
  await checkPhotos(trx, photoIds, viewer.id)
  if (args.meetingId !== null) {
    const meeting = await trx.selectFrom('meetings').select(['branch_id', 'status']).where('id', '=', args.meetingId).executeTakeFirst()
    if (!meeting || meeting.branch_id !== r.branchId) throw new MutationRejected('invalid_args', '请选择本支部的会议')
    if (meeting.status === 'cancelled') throw new MutationRejected('invalid_args', '该会议已取消，请选择实际召开的会议')
  }
  const answered: RectificationRow = {
    ...r,
    status: 'answered',
    answers: [...r.answers, { id: args.answerId, at: now, byId: viewer.id, text: args.text, photoIds, meetingId: args.meetingId }],
    updatedAt: now,
  }
  await storeRectification(trx, writer, answered)
  await linkPhotos(trx, photoIds, r.branchId, viewer.id)
  const office = (await admins(trx)).filter((id) => id !== viewer.id)
  await notifyStep(trx, writer, answered, 'answered', { branch: [], office }, now)
}

export async function decideRectification({ trx, viewer, writer, now }: MutationContext, args: RectificationDecideArgs): Promise<void> {
  const r = await loadRectification(trx, args.id)
  if (r.status === 'accepted') throw new MutationRejected('not_answered', '该整改提示单已办结')
  if (r.status !== 'answered') throw new MutationRejected('not_answered', '支部尚未提交整改情况，不能审核')
  const accepted = args.outcome === 'accepted'
  const decided: RectificationRow = {
    ...r,
    status: args.outcome,
    decisions: [...r.decisions, { at: now, byId: viewer.id, outcome: args.outcome, reason: args.reason }],
    closedAt: accepted ? now : null,
    updatedAt: now,
  }
  await storeRectification(trx, writer, decided)
  if (accepted && r.warningId !== null) await clearWarning(trx, writer, r.warningId, `整改提示单已办结（${r.number}）`, now)
  await notifyStep(
    trx,
    writer,
    decided,
    accepted ? 'accepted' : 'returned',
    { branch: await branchSecretaries(trx, r.branchId), office: [] },
    now,
  )
}

/**
 * Overdue notices (open or returned after their deadline day) are escalated once (the refresh service
 * calls this daily): marked, followed by a second notice due in the default working days, and both
 * sides told. Run twice, the second run finds nothing left to do.
 */
export async function escalateOverdueRectifications(trx: Kysely<Database>, writer: ChangeWriter, now: string): Promise<void> {
  const today = dayInShanghai(now)
  const due = await trx
    .selectFrom('rectifications')
    .select('id')
    .where('status', 'in', ['open', 'returned'])
    .where('escalated_at', 'is', null)
    .where('deadline', '<', today)
    .orderBy('issued_at')
    .execute()
  for (const { id } of due) {
    // Claimed by a conditional update: a concurrent answer (or another run) that got there first wins.
    const claimed = await trx
      .updateTable('rectifications')
      .set({ escalated_at: now, updated_at: now })
      .where('id', '=', id)
      .where('escalated_at', 'is', null)
      .where('status', 'in', ['open', 'returned'])
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) continue
    const r = rectificationFromRow(await trx.selectFrom('rectifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
    await writer.put(`office:${r.branchId}`, 'rectifications', r.id, r)
    const branch = await trx.selectFrom('branches').select('archived_at').where('id', '=', r.branchId).executeTakeFirst()
    if (!branch || branch.archived_at !== null) continue
    // A follow-up's own follow-up repeats the first notice's requirement, not the whole chain.
    const original = r.followsId === null ? r.requirement : r.requirement.replace(/^[\s\S]*?原整改要求：/, '')
    const follow = await issue(
      trx,
      writer,
      {
        id: `r-${randomUUID()}`,
        branchId: r.branchId,
        warningId: r.warningId,
        requirement: `${r.number}逾期未完成整改，现再次下发，请抓紧整改。原整改要求：${original}`,
        workingDays: DEFAULT_RECTIFICATION_WORKING_DAYS,
        issuedById: SYSTEM_ISSUER,
        followsId: r.id,
      },
      now,
    )
    const warning = r.warningId === null ? undefined : await lockWarning(trx, r.warningId)
    if (warning) await putWarning(trx, writer, { ...warning, rectificationId: follow.id })
    const recipients = { branch: await branchSecretaries(trx, r.branchId), office: await admins(trx) }
    await notifyStep(trx, writer, r, 'overdue', recipients, now, follow)
  }
}

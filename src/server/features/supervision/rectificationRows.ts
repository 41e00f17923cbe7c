// 整改提示单 rows (issue 13): table ⇄ synced row, numbering, and the in-app notices each step sends.
import type { Kysely, Selectable } from 'kysely'
import type { Database, RectificationTable } from '~/server/db/schema'
import type { ChangeWriter } from '~/server/sync/changes'
import { isPostgres } from '~/server/sync/locks'
import { MutationRejected } from '~/server/sync/rejections'
import { dayInShanghai, yearOf } from '~/domain/calendar'
import type { NoticeRow } from '~/domain/board'
import {
  rectificationNotice,
  rectificationNumber,
  type RectificationAnswer,
  type RectificationDecision,
  type RectificationNoticeEvent,
  type RectificationRow,
} from '~/domain/supervision'

export function rectificationFromRow(row: Selectable<RectificationTable>): RectificationRow {
  return {
    id: row.id,
    branchId: row.branch_id,
    warningId: row.warning_id,
    number: row.number,
    requirement: row.requirement,
    issuedById: row.issued_by,
    issuedAt: row.issued_at,
    workingDays: row.working_days,
    deadline: row.deadline,
    status: row.status,
    answers: JSON.parse(row.answers_json) as RectificationAnswer[],
    decisions: JSON.parse(row.decisions_json) as RectificationDecision[],
    followsId: row.follows_id,
    escalatedAt: row.escalated_at,
    closedAt: row.closed_at,
    updatedAt: row.updated_at,
  }
}

export function rectificationToRow(r: RectificationRow): Selectable<RectificationTable> {
  return {
    id: r.id,
    branch_id: r.branchId,
    warning_id: r.warningId,
    number: r.number,
    requirement: r.requirement,
    issued_by: r.issuedById,
    issued_at: r.issuedAt,
    working_days: r.workingDays,
    deadline: r.deadline,
    status: r.status,
    answers_json: JSON.stringify(r.answers),
    decisions_json: JSON.stringify(r.decisions),
    follows_id: r.followsId,
    escalated_at: r.escalatedAt,
    closed_at: r.closedAt,
    updated_at: r.updatedAt,
  }
}

/** Reads a notice to be written back whole, locked so an answer and a decision at once can't undo each other. */
export async function loadRectification(trx: Kysely<Database>, id: string): Promise<RectificationRow> {
  let query = trx.selectFrom('rectifications').selectAll().where('id', '=', id)
  if (isPostgres(trx)) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) throw new MutationRejected('not_found', '整改提示单不存在')
  return rectificationFromRow(row)
}

/** Saves a changed notice and sends it to the branch's secretaries and the admins. */
export async function storeRectification(trx: Kysely<Database>, writer: ChangeWriter, r: RectificationRow): Promise<void> {
  const { id, ...values } = rectificationToRow(r)
  await trx.updateTable('rectifications').set(values).where('id', '=', id).execute()
  await writer.put(`office:${r.branchId}`, 'rectifications', id, r)
}

/**
 * Inserts a new notice with the next number of its year (整改〔2026〕N号). Numbers are unique in the
 * table: when another transaction takes the same number first, the insert waits for it and then does
 * nothing (ON CONFLICT DO NOTHING), and the next free number is tried: five tabs at once get five numbers.
 */
export async function insertRectification(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  draft: Omit<RectificationRow, 'number'>,
): Promise<RectificationRow> {
  const year = yearOf(dayInShanghai(draft.issuedAt))
  for (let attempt = 0; attempt < 50; attempt++) {
    const taken = await trx.selectFrom('rectifications').select('number').where('number', 'like', `整改〔${year}〕%`).execute()
    const highest = Math.max(0, ...taken.map((t) => Number(/〕(\d+)号$/.exec(t.number)?.[1] ?? 0)))
    const r: RectificationRow = { ...draft, number: rectificationNumber(year, highest + 1) }
    const inserted = await trx
      .insertInto('rectifications')
      .values(rectificationToRow(r))
      .onConflict((oc) => oc.column('number').doNothing())
      .returning('id')
      .executeTakeFirst()
    if (inserted) {
      await writer.put(`office:${r.branchId}`, 'rectifications', r.id, r)
      return r
    }
  }
  throw new Error('no free 整改提示单 number after 50 attempts')
}

/** The branch's current secretaries: who answers its notices. */
export async function branchSecretaries(trx: Kysely<Database>, branchId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('users')
    .select('id')
    .where('branch_id', '=', branchId)
    .where('role', '=', 'secretary')
    .where('ended_at', 'is', null)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.id)
}

export async function admins(trx: Kysely<Database>): Promise<string[]> {
  const rows = await trx.selectFrom('users').select('id').where('role', '=', 'admin').where('ended_at', 'is', null).orderBy('id').execute()
  return rows.map((r) => r.id)
}

export async function branchName(trx: Kysely<Database>, branchId: string): Promise<string> {
  return (await trx.selectFrom('branches').select('name').where('id', '=', branchId).executeTakeFirst())?.name ?? ''
}

/**
 * Tells each recipient of a step in the app: a `notices` row in their own `user:` scope. The id names
 * the notice, the step and its count (a second answer is a second step) and the recipient, so writing a
 * step twice (a retried push, the daily escalation run again) adds nothing.
 */
export async function notifyStep(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  r: RectificationRow,
  event: RectificationNoticeEvent,
  recipients: { branch: readonly string[]; office: readonly string[] },
  now: string,
  followUp?: RectificationRow,
): Promise<void> {
  const step = event === 'answered' ? r.answers.length : event === 'returned' || event === 'accepted' ? r.decisions.length : 0
  const name = await branchName(trx, r.branchId)
  for (const to of ['branch', 'office'] as const) {
    const text = rectificationNotice(event, r, to, { branchName: name, followUp })
    for (const memberId of new Set(recipients[to])) {
      const row: NoticeRow = {
        id: `rn:${r.id}:${event}:${step}:${memberId}`,
        kind: 'rectification',
        rectificationId: r.id,
        topicId: '',
        commentId: '',
        ...text,
        createdAt: now,
        readAt: null,
      }
      const inserted = await trx
        .insertInto('notices')
        .values({
          id: row.id,
          member_id: memberId,
          kind: row.kind,
          topic_id: '',
          // The notice's id, where noticeFromRow (board/rows.ts) reads it back.
          comment_id: r.id,
          title: row.title,
          body: row.body,
          created_at: now,
          read_at: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst()
      if (inserted) await writer.put(`user:${memberId}`, 'notices', row.id, row)
    }
  }
}

// 朋友圈 rows (issue 6): what devices pull for topics, comments, notices and households, made from the
// tables, and the scope a topic's rows are written to.
import type { Kysely, Selectable } from 'kysely'
import type { BoardCommentTable, BoardTopicTable, Database, NoticeTable } from '~/server/db/schema'
import type { CommentRow, HouseholdRow, NoticeRow, TopicRow } from '~/domain/board'
import type { Scope } from '~/domain/sync'
import type { ChangeWriter } from '~/server/sync/changes'

export const boardScope = (townId: string, branchId: string | null): Scope => (branchId === null ? `town:${townId}` : `branch:${branchId}`)

export function topicFromRow(row: Selectable<BoardTopicTable>): TopicRow {
  return {
    id: row.id,
    branchId: row.branch_id,
    category: row.category as TopicRow['category'],
    title: row.title,
    text: row.text,
    photos: JSON.parse(row.photos_json) as string[],
    closesOn: row.closes_on,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function commentFromRow(row: Selectable<BoardCommentTable>): CommentRow {
  return {
    id: row.id,
    topicId: row.topic_id,
    branchId: row.branch_id,
    authorId: row.author_id,
    authorName: row.author_name,
    authorBranchId: row.author_branch_id,
    text: row.text,
    category: row.category as CommentRow['category'],
    householdId: row.household_id,
    residentName: row.resident_name,
    photos: JSON.parse(row.photos_json) as string[],
    status: row.status as CommentRow['status'],
    deadline: row.deadline,
    handlerId: row.handler_id,
    reply: row.reply,
    reason: row.reason,
    mergedInto: row.merged_into,
    likedBy: JSON.parse(row.liked_by_json) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    acceptedAt: row.accepted_at,
    closedAt: row.closed_at,
  }
}

export function commentToRow(c: CommentRow, receivedAt: string): Selectable<BoardCommentTable> {
  return {
    id: c.id,
    topic_id: c.topicId,
    branch_id: c.branchId,
    author_id: c.authorId,
    author_name: c.authorName,
    author_branch_id: c.authorBranchId,
    text: c.text,
    category: c.category,
    household_id: c.householdId,
    resident_name: c.residentName,
    photos_json: JSON.stringify(c.photos),
    status: c.status,
    deadline: c.deadline,
    handler_id: c.handlerId,
    reply: c.reply,
    reason: c.reason,
    merged_into: c.mergedInto,
    liked_by_json: JSON.stringify(c.likedBy),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    accepted_at: c.acceptedAt,
    closed_at: c.closedAt,
    received_at: receivedAt,
  }
}

export function noticeFromRow(row: Selectable<NoticeTable>): NoticeRow {
  // A 整改提示单's notice (issue 13) keeps the notice's id in `comment_id`: the table has no column of its own for it.
  const about =
    row.kind === 'rectification'
      ? { kind: 'rectification' as const, rectificationId: row.comment_id, topicId: '', commentId: '' }
      : { kind: 'comment' as const, topicId: row.topic_id, commentId: row.comment_id }
  return {
    id: row.id,
    ...about,
    title: row.title,
    body: row.body,
    createdAt: row.created_at,
    readAt: row.read_at,
  }
}

export function householdRow(row: Selectable<Database['households']>): HouseholdRow {
  return { id: row.id, memberId: row.member_id, headName: row.head_name, address: row.address, people: row.people }
}

/** Every household to its member's own devices (they choose from it when commenting on a household's behalf). */
export async function publishHouseholds(trx: Kysely<Database>, writer: ChangeWriter): Promise<void> {
  for (const row of await trx.selectFrom('households').selectAll().orderBy('id').execute()) {
    await writer.put(`user:${row.member_id}`, 'households', row.id, householdRow(row))
  }
}

export async function publishBoard(trx: Kysely<Database>, writer: ChangeWriter, townId: string): Promise<void> {
  for (const row of await trx.selectFrom('board_topics').selectAll().orderBy('created_at').execute()) {
    await writer.put(boardScope(townId, row.branch_id), 'topics', row.id, topicFromRow(row))
  }
  for (const row of await trx.selectFrom('board_comments').selectAll().orderBy('created_at').execute()) {
    await writer.put(boardScope(townId, row.branch_id), 'comments', row.id, commentFromRow(row))
  }
}

// 朋友圈 board (issue 6) on the server: topics, comments on behalf of households, their handling, the
// author's notices and the points an adopted suggestion earns. The rules are src/domain/board.ts; this
// file loads rows, applies them with the server's clock and writes what devices pull.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import {
  commentNotice,
  mergeTargetProblem,
  postComment,
  setLike,
  topicProblem,
  transition,
  type CommentAction,
  type CommentDraft,
  type CommentRow,
  type NoticeRow,
  type TopicDraft,
  type TopicRow,
} from '~/domain/board'
import type { Viewer } from '~/domain/sync'
import { dayInShanghai } from '~/domain/calendar'
import { OFFLINE_WINDOW_MS } from '~/domain/study'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { lockComment } from '~/server/sync/locks'
import { awardPoints } from '../points/ledger'
import { boardScope, commentFromRow, commentToRow, noticeFromRow, topicFromRow } from './rows'

/** A second limit, on what reaches the server: device times can be set back, arrival times can't. */
export const ARRIVALS_PER_DAY_MAX = 100

async function loadTopic(trx: Kysely<Database>, id: string): Promise<TopicRow> {
  const row = await trx.selectFrom('board_topics').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new MutationRejected('not_found', '话题不存在或已删除')
  return topicFromRow(row)
}

async function loadComment(trx: Kysely<Database>, id: string): Promise<{ comment: CommentRow; receivedAt: string }> {
  // Read to be written back whole: a like and a secretary's handling at the same moment must not undo each other.
  await lockComment(trx, id)
  const row = await trx.selectFrom('board_comments').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new MutationRejected('not_found', '留言不存在或已删除')
  return { comment: commentFromRow(row), receivedAt: row.received_at }
}

/** Records where photos are shown, so the photo route can tell who may read them. */
async function linkPhotos(trx: Kysely<Database>, photoIds: readonly string[], branchId: string | null, ownerId: string) {
  for (const photoId of photoIds) {
    const linked = await trx
      .selectFrom('photo_links')
      .select('photo_id')
      .where('photo_id', '=', photoId)
      .where('owner_id', '=', ownerId)
      .executeTakeFirst()
    if (!linked) await trx.insertInto('photo_links').values({ photo_id: photoId, branch_id: branchId, owner_id: ownerId }).execute()
  }
}

/**
 * The time a comment was written, as the server will count it: the device's clock, but never in the
 * future and never older than the offline window (docs/api.md, clocks). So ten opinions collected offline
 * at a village meeting arrive with the times they were written, and a topic that closed while the
 * member was offline still takes what was written before it closed.
 */
export function boundedWrittenAt(clientTime: string, now: string): string {
  const t = Date.parse(clientTime)
  const n = Date.parse(now)
  if (!Number.isFinite(t) || t > n || t < n - OFFLINE_WINDOW_MS) return now
  return new Date(t).toISOString()
}

export async function saveTopic(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  draft: TopicDraft,
  now: string,
): Promise<void> {
  const existing = await trx.selectFrom('board_topics').selectAll().where('id', '=', draft.id).executeTakeFirst()
  if (existing && existing.branch_id !== draft.branchId) throw new MutationRejected('invalid_args', '话题发布后不能改到其他支部')
  const problem = topicProblem(draft, viewer, new Date(now))
  if (problem) throw new MutationRejected(problem.code, problem.message)
  const row: TopicRow = {
    id: draft.id,
    branchId: draft.branchId,
    category: draft.category,
    title: draft.title,
    text: draft.text,
    photos: draft.photos,
    closesOn: draft.closesOn,
    createdBy: existing?.created_by ?? viewer.id,
    createdAt: existing?.created_at ?? now,
    updatedAt: now,
  }
  const values = {
    branch_id: row.branchId,
    category: row.category,
    title: row.title,
    text: row.text,
    photos_json: JSON.stringify(row.photos),
    closes_on: row.closesOn,
    updated_at: now,
  }
  if (existing) await trx.updateTable('board_topics').set(values).where('id', '=', row.id).execute()
  else
    await trx
      .insertInto('board_topics')
      .values({ id: row.id, ...values, created_by: row.createdBy, created_at: row.createdAt })
      .execute()
  await linkPhotos(trx, row.photos, row.branchId, viewer.id)
  await writer.put(boardScope(viewer.townId, row.branchId), 'topics', row.id, row)
}

export async function postBoardComment(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  draft: CommentDraft,
  clientTime: string,
  now: string,
): Promise<void> {
  if (await trx.selectFrom('board_comments').select('id').where('id', '=', draft.id).executeTakeFirst()) {
    throw new MutationRejected('duplicate_id', '这条留言已经发送过')
  }
  const topic = await loadTopic(trx, draft.topicId)
  // A member sees (and so comments on) the town's topics and their own branch's.
  if (topic.branchId !== null && viewer.role !== 'admin' && topic.branchId !== viewer.branchId) {
    throw new MutationRejected('forbidden', '只能在本支部或全镇的话题下留言')
  }
  const writtenAt = boundedWrittenAt(clientTime, now)
  const since = new Date(Date.parse(writtenAt) - 86_400_000).toISOString()
  const recent = await trx
    .selectFrom('board_comments')
    .select('created_at')
    .where('author_id', '=', viewer.id)
    .where('created_at', '>', since)
    .execute()
  const arrivals = await trx
    .selectFrom('board_comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('author_id', '=', viewer.id)
    .where('received_at', '>', new Date(Date.parse(now) - 86_400_000).toISOString())
    .executeTakeFirstOrThrow()
  if (Number(arrivals.n) >= ARRIVALS_PER_DAY_MAX)
    throw new MutationRejected('rate_limited', `24小时内最多发送${ARRIVALS_PER_DAY_MAX}条留言，请明天再试`)
  const households = (await trx.selectFrom('households').select(['id', 'head_name']).where('member_id', '=', viewer.id).execute()).map(
    (h) => ({
      id: h.id,
      headName: h.head_name,
    }),
  )
  const author = await trx.selectFrom('users').select('name').where('id', '=', viewer.id).executeTakeFirstOrThrow()
  const result = postComment(draft, {
    author: viewer,
    authorName: author.name,
    topic,
    households,
    recentPostTimes: recent.map((r) => r.created_at),
    now: new Date(writtenAt),
  })
  if (!result.ok) throw new MutationRejected(result.code, result.message)
  await trx.insertInto('board_comments').values(commentToRow(result.comment, now)).execute()
  await linkPhotos(trx, draft.photos, topic.branchId, viewer.id)
  await writer.put(boardScope(viewer.townId, topic.branchId), 'comments', result.comment.id, result.comment)
}

/** Saves a changed comment and sends it to the devices that see its topic. */
async function storeComment(trx: Kysely<Database>, writer: ChangeWriter, townId: string, comment: CommentRow, receivedAt: string) {
  const { id, ...values } = commentToRow(comment, receivedAt)
  await trx.updateTable('board_comments').set(values).where('id', '=', id).execute()
  await writer.put(boardScope(townId, comment.branchId), 'comments', id, comment)
}

async function notifyAuthor(trx: Kysely<Database>, writer: ChangeWriter, comment: CommentRow, now: string) {
  const text = commentNotice(comment)
  if (!text) return
  const row: NoticeRow = {
    id: `${comment.id}:${comment.status}`,
    kind: 'comment',
    topicId: comment.topicId,
    commentId: comment.id,
    ...text,
    createdAt: now,
    readAt: null,
  }
  await trx
    .insertInto('notices')
    .values({
      id: row.id,
      member_id: comment.authorId,
      kind: row.kind,
      topic_id: row.topicId,
      comment_id: row.commentId,
      title: row.title,
      body: row.body,
      created_at: now,
      read_at: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  await writer.put(`user:${comment.authorId}`, 'notices', row.id, row)
}

export async function actOnComment(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { commentId: string; action: CommentAction },
  now: string,
): Promise<void> {
  const { comment, receivedAt } = await loadComment(trx, args.commentId)
  const { action } = args
  if (action.type === 'merge') {
    const target = await trx.selectFrom('board_comments').selectAll().where('id', '=', action.into).executeTakeFirst()
    const problem = mergeTargetProblem(comment, target && commentFromRow(target))
    if (problem) throw new MutationRejected(problem.code, problem.message)
  }
  if (action.type === 'accept' && action.handlerId !== undefined && action.handlerId !== viewer.id) {
    const handler = await trx
      .selectFrom('users')
      .select(['branch_id', 'role', 'ended_at'])
      .where('id', '=', action.handlerId)
      .executeTakeFirst()
    // A current member only: one whose membership ended (issue 12) handles nothing new.
    if (
      !handler ||
      handler.ended_at !== null ||
      (comment.branchId !== null && handler.role !== 'admin' && handler.branch_id !== comment.branchId)
    ) {
      throw new MutationRejected('invalid_args', '办理人须是本支部的党员')
    }
  }
  const result = transition(comment, action, viewer, new Date(now))
  if (!result.ok) throw new MutationRejected(result.code, result.message)
  await storeComment(trx, writer, viewer.townId, result.comment, receivedAt)
  if (action.type !== 'edit') await notifyAuthor(trx, writer, result.comment, now)
  // 意见建议被采纳: an adopted suggestion earns its author points once it is carried out (已办结).
  if (result.comment.status === 'resolved' && result.comment.category === 'suggestion') {
    await awardPoints(
      trx,
      writer,
      [{ id: `board:${comment.id}`, memberId: comment.authorId, kind: 'board.adopted', day: dayInShanghai(now), quantity: 1 }],
      now,
    )
  }
  if (action.type === 'edit') await linkPhotos(trx, action.photos, comment.branchId, viewer.id)
}

export async function deleteComment(trx: Kysely<Database>, writer: ChangeWriter, viewer: Viewer, commentId: string): Promise<void> {
  const { comment } = await loadComment(trx, commentId)
  if (viewer.id !== comment.authorId) throw new MutationRejected('forbidden', '只能删除自己的留言')
  if (comment.status !== 'pending') throw new MutationRejected('not_pending', '留言已受理，不能再删除')
  const mergedHere = await trx.selectFrom('board_comments').select('id').where('merged_into', '=', comment.id).executeTakeFirst()
  if (mergedHere) throw new MutationRejected('not_pending', '已有留言合并到这条留言，不能删除')
  await trx.deleteFrom('board_comments').where('id', '=', comment.id).execute()
  await writer.delete(boardScope(viewer.townId, comment.branchId), 'comments', comment.id)
}

export async function likeComment(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { commentId: string; liked: boolean },
): Promise<void> {
  const { comment, receivedAt } = await loadComment(trx, args.commentId)
  if (comment.branchId !== null && viewer.role !== 'admin' && comment.branchId !== viewer.branchId)
    throw new MutationRejected('forbidden', '只能为本支部或全镇话题下的留言点赞')
  const next = setLike(comment, viewer.id, args.liked)
  if (next === comment) return
  await storeComment(trx, writer, viewer.townId, next, receivedAt)
}

export async function markNoticesRead(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  noticeIds: readonly string[],
  now: string,
): Promise<void> {
  const rows = await trx
    .selectFrom('notices')
    .selectAll()
    .where('id', 'in', [...noticeIds])
    .where('member_id', '=', viewer.id)
    .where('read_at', 'is', null)
    .execute()
  for (const row of rows) {
    await trx.updateTable('notices').set({ read_at: now }).where('id', '=', row.id).execute()
    await writer.put(`user:${viewer.id}`, 'notices', row.id, noticeFromRow({ ...row, read_at: now }))
  }
}

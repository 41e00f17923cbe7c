// 朋友圈 board (issue 6) on the server: topics, comments on behalf of households, their handling, the
// author's notices and the points an adopted suggestion earns. The rules are src/domain/board.ts; this
// file loads rows, applies them with the server's clock and writes what devices pull.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely, Selectable } from 'kysely'
import type { BoardCommentTable, BoardTopicTable, Database, NoticeTable } from '../db/schema'
import {
  COMMENT_CATEGORIES,
  commentNotice,
  deadlineAfter,
  DEFAULT_DEADLINE_DAYS,
  mergeTargetProblem,
  postComment,
  setLike,
  TOPIC_CATEGORIES,
  topicProblem,
  transition,
  type CommentAction,
  type CommentDraft,
  type CommentRow,
  type HouseholdRow,
  type NoticeRow,
  type TopicDraft,
  type TopicRow,
} from '../../domain/board'
import type { Scope, Viewer } from '../../domain/sync'
import { dayInShanghai } from '../../domain/points'
import { OFFLINE_WINDOW_MS } from '../../domain/study'
import { addDays } from '../../domain/quiz'
import { parseWith, z } from '../../domain/validation'
import type { ChangeWriter } from './changes'
import { MutationRejected } from './rejections'
import { awardPoints } from './points'
import { lockComment } from './locks'

/** A second limit, on what reaches the server: device times can be set back, arrival times can't. */
export const ARRIVALS_PER_DAY_MAX = 100

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

function commentToRow(c: CommentRow, receivedAt: string): Selectable<BoardCommentTable> {
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
  return {
    id: row.id,
    kind: 'comment',
    topicId: row.topic_id,
    commentId: row.comment_id,
    title: row.title,
    body: row.body,
    createdAt: row.created_at,
    readAt: row.read_at,
  }
}

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
    const linked = await trx.selectFrom('photo_links').select('photo_id').where('photo_id', '=', photoId).where('owner_id', '=', ownerId).executeTakeFirst()
    if (!linked) await trx.insertInto('photo_links').values({ photo_id: photoId, branch_id: branchId, owner_id: ownerId }).execute()
  }
}

/**
 * The time a comment was written, as the server will count it: the device's clock, but never in the
 * future and never older than the offline window (DESIGN.md, Clock). So ten opinions collected offline
 * at a village meeting arrive with the times they were written, and a topic that closed while the
 * member was offline still takes what was written before it closed.
 */
export function boundedWrittenAt(clientTime: string, now: string): string {
  const t = Date.parse(clientTime)
  const n = Date.parse(now)
  if (!Number.isFinite(t) || t > n || t < n - OFFLINE_WINDOW_MS) return now
  return new Date(t).toISOString()
}

export async function saveTopic(trx: Kysely<Database>, writer: ChangeWriter, viewer: Viewer, draft: TopicDraft, now: string): Promise<void> {
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
  else await trx.insertInto('board_topics').values({ id: row.id, ...values, created_by: row.createdBy, created_at: row.createdAt }).execute()
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
  const recent = await trx.selectFrom('board_comments').select('created_at').where('author_id', '=', viewer.id).where('created_at', '>', since).execute()
  const arrivals = await trx
    .selectFrom('board_comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('author_id', '=', viewer.id)
    .where('received_at', '>', new Date(Date.parse(now) - 86_400_000).toISOString())
    .executeTakeFirstOrThrow()
  if (Number(arrivals.n) >= ARRIVALS_PER_DAY_MAX) throw new MutationRejected('rate_limited', `24小时内最多发送${ARRIVALS_PER_DAY_MAX}条留言，请明天再试`)
  const households = (await trx.selectFrom('households').select(['id', 'head_name']).where('member_id', '=', viewer.id).execute()).map((h) => ({
    id: h.id,
    headName: h.head_name,
  }))
  const author = await trx.selectFrom('users').select('name').where('id', '=', viewer.id).executeTakeFirstOrThrow()
  const result = postComment(draft, { author: viewer, authorName: author.name, topic, households, recentPostTimes: recent.map((r) => r.created_at), now: new Date(writtenAt) })
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
  const row: NoticeRow = { id: `${comment.id}:${comment.status}`, kind: 'comment', topicId: comment.topicId, commentId: comment.id, ...text, createdAt: now, readAt: null }
  await trx
    .insertInto('notices')
    .values({ id: row.id, member_id: comment.authorId, kind: row.kind, topic_id: row.topicId, comment_id: row.commentId, title: row.title, body: row.body, created_at: now, read_at: null })
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
    const handler = await trx.selectFrom('users').select(['branch_id', 'role']).where('id', '=', action.handlerId).executeTakeFirst()
    if (!handler || (comment.branchId !== null && handler.role !== 'admin' && handler.branch_id !== comment.branchId)) {
      throw new MutationRejected('invalid_args', '办理人须是本支部的党员')
    }
  }
  const result = transition(comment, action, viewer, new Date(now))
  if (!result.ok) throw new MutationRejected(result.code, result.message)
  await storeComment(trx, writer, viewer.townId, result.comment, receivedAt)
  if (action.type !== 'edit') await notifyAuthor(trx, writer, result.comment, now)
  // 意见建议被采纳: an adopted suggestion earns its author points once it is carried out (已办结).
  if (result.comment.status === 'resolved' && result.comment.category === 'suggestion') {
    await awardPoints(trx, writer, [{ id: `board:${comment.id}`, memberId: comment.authorId, kind: 'board.adopted', day: dayInShanghai(now), quantity: 1 }], now)
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

export async function likeComment(trx: Kysely<Database>, writer: ChangeWriter, viewer: Viewer, args: { commentId: string; liked: boolean }): Promise<void> {
  const { comment, receivedAt } = await loadComment(trx, args.commentId)
  if (comment.branchId !== null && viewer.role !== 'admin' && comment.branchId !== viewer.branchId) throw new MutationRejected('forbidden', '只能为本支部或全镇话题下的留言点赞')
  const next = setLike(comment, viewer.id, args.liked)
  if (next === comment) return
  await storeComment(trx, writer, viewer.townId, next, receivedAt)
}

export async function markNoticesRead(trx: Kysely<Database>, writer: ChangeWriter, viewer: Viewer, noticeIds: readonly string[], now: string): Promise<void> {
  const rows = await trx.selectFrom('notices').selectAll().where('id', 'in', [...noticeIds]).where('member_id', '=', viewer.id).where('read_at', 'is', null).execute()
  for (const row of rows) {
    await trx.updateTable('notices').set({ read_at: now }).where('id', '=', row.id).execute()
    await writer.put(`user:${viewer.id}`, 'notices', row.id, noticeFromRow({ ...row, read_at: now }))
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

// ------------------------------------------------------------------------------------------ demo data

const line = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max))
const seedCommentSchema = z.object({
  id: line(64),
  authorId: line(64),
  householdId: z.nullable(line(64)),
  category: z.enum(COMMENT_CATEGORIES),
  text: line(500),
  /** Days after the topic was posted. */
  day: z.int().check(z.minimum(0), z.maximum(60)),
  status: z.enum(['pending', 'accepted', 'resolved', 'rejected']),
  reply: z.nullable(line(1000)),
})
const seedTopicSchema = z.object({
  id: line(64),
  branchId: z.nullable(line(64)),
  createdBy: line(64),
  category: z.enum(TOPIC_CATEGORIES),
  title: line(60),
  text: z.string().check(z.maxLength(2000)),
  /** Days from the day of loading: -20 was posted twenty days ago. */
  day: z.int().check(z.minimum(-365), z.maximum(0)),
  openDays: z.int().check(z.minimum(1), z.maximum(366)),
  comments: z.array(seedCommentSchema),
})

/**
 * The demo board (seeds/board.json), loaded with the rest of the demo data. Days are relative to the
 * loading day, so a demo always has open topics, comments being handled and some already resolved.
 * Handled comments are the secretary's, at 10:00 on the day after posting, with a 7-day deadline.
 */
export async function seedBoard(trx: Kysely<Database>, seedDir: string, now: Date): Promise<void> {
  const file = join(seedDir, 'board.json')
  if (!existsSync(file)) return
  const parsed = parseWith(z.array(seedTopicSchema), JSON.parse(readFileSync(file, 'utf8')))
  if (!parsed.ok) throw new Error(`seeds/board.json 不符合格式: ${parsed.message}`)
  const today = dayInShanghai(now)
  const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`).toISOString()
  const users = new Map((await trx.selectFrom('users').select(['id', 'branch_id', 'name']).execute()).map((u) => [u.id, u]))
  const households = new Map((await trx.selectFrom('households').select(['id', 'member_id', 'head_name']).execute()).map((h) => [h.id, h]))
  for (const topic of parsed.value) {
    const postedOn = addDays(today, topic.day)
    const createdAt = at(postedOn, '09:00')
    await trx
      .insertInto('board_topics')
      .values({
        id: topic.id,
        branch_id: topic.branchId,
        category: topic.category,
        title: topic.title,
        text: topic.text,
        photos_json: '[]',
        closes_on: addDays(postedOn, topic.openDays),
        created_by: topic.createdBy,
        created_at: createdAt,
        updated_at: createdAt,
      })
      .execute()
    for (const c of topic.comments) {
      const household = c.householdId === null ? null : households.get(c.householdId)
      if (household === undefined || (household && household.member_id !== c.authorId) || !users.has(c.authorId)) {
        throw new Error(`seeds/board.json: 留言 ${c.id} 的作者或联系户不存在`)
      }
      const writtenOn = addDays(postedOn, c.day)
      if (writtenOn > today) throw new Error(`seeds/board.json: 留言 ${c.id} 的日期晚于今天`)
      const written = at(writtenOn, '19:30')
      const handled = c.status === 'accepted' || c.status === 'resolved'
      const acceptedAt = handled ? at(addDays(writtenOn, 1), '10:00') : null
      const closedOn = addDays(writtenOn, 3)
      const closed = c.status === 'resolved' || c.status === 'rejected'
      const comment: CommentRow = {
        id: c.id,
        topicId: topic.id,
        branchId: topic.branchId,
        authorId: c.authorId,
        authorName: users.get(c.authorId)?.name ?? '',
        authorBranchId: users.get(c.authorId)?.branch_id ?? null,
        text: c.text,
        category: c.category,
        householdId: household?.id ?? null,
        residentName: household?.head_name ?? null,
        photos: [],
        status: c.status,
        deadline: acceptedAt ? new Date(deadlineAfter(new Date(acceptedAt), DEFAULT_DEADLINE_DAYS)).toISOString() : null,
        handlerId: handled ? topic.createdBy : null,
        reply: c.status === 'resolved' ? c.reply : null,
        reason: c.status === 'rejected' ? c.reply : null,
        mergedInto: null,
        likedBy: [],
        createdAt: written,
        updatedAt: closed ? at(closedOn, '16:00') : (acceptedAt ?? written),
        acceptedAt,
        closedAt: closed ? at(closedOn, '16:00') : null,
      }
      await trx.insertInto('board_comments').values(commentToRow(comment, written)).execute()
    }
  }
}

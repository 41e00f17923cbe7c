// What the 朋友圈 screens show before the server confirms (issue 6): synced topics and comments with
// this user's waiting mutations laid over them, so a comment written with no signal shows at once as
// 待发送 and a secretary's handling shows before it has reached the server. It re-runs the server's own
// rules (postComment, transition, setLike from src/domain/board) because the tables hold only what the
// server sent: what shows is what the server will make of it, and dropping a refused mutation undoes it.
// Pure: the store feeds it the outbox rows (sync/pending.ts types them).
import { postComment, setLike, transition, type CommentRow, type HouseholdRow, type TopicRow } from '~/domain/board'
import type { Viewer } from '~/domain/sync'
import { pendingOf, type OutboxEntry } from '../sync/pending'

export type TopicView = TopicRow & { pending: boolean }
export type CommentView = CommentRow & { pending: boolean }

export function overlayTopics(confirmed: readonly TopicRow[], outbox: readonly OutboxEntry[]): TopicView[] {
  const rows = new Map<string, TopicView>(confirmed.map((t) => [t.id, { ...t, pending: false }]))
  for (const { userId, clientTime, args } of pendingOf(outbox, 'topic.save')) {
    const existing = rows.get(args.topic.id)
    rows.set(args.topic.id, {
      createdBy: userId,
      createdAt: clientTime,
      ...existing,
      ...args.topic,
      updatedAt: clientTime,
      pending: true,
    })
  }
  return [...rows.values()]
}

export interface CommentOverlayContext {
  viewer: Viewer
  viewerName: string
  /** The topics the comments belong to (a post needs its topic's branch and closing day). */
  topicOf: (id: string) => Pick<TopicRow, 'id' | 'branchId' | 'closesOn'> | undefined
  households: readonly Pick<HouseholdRow, 'id' | 'headName'>[]
}

/**
 * Comments with the user's waiting changes applied as the server would apply them (the same domain
 * functions), each marked `pending` while a change to it waits. A change the rules refuse here is left
 * out: the server will refuse it too and the member is told why.
 */
export function overlayComments(
  confirmed: readonly CommentRow[],
  outbox: readonly OutboxEntry[],
  ctx: CommentOverlayContext,
): CommentView[] {
  const rows = new Map<string, CommentView>(confirmed.map((c) => [c.id, { ...c, pending: false }]))
  for (const m of pendingOf(outbox, 'comment.post', 'comment.act', 'comment.like', 'comment.delete')) {
    const at = new Date(m.clientTime)
    if (m.name === 'comment.post') {
      const topic = ctx.topicOf(m.args.comment.topicId)
      // Rate limits are the server's to count; here only what the device can know.
      const made =
        topic &&
        postComment(m.args.comment, {
          author: ctx.viewer,
          authorName: ctx.viewerName,
          topic,
          households: ctx.households,
          recentPostTimes: [],
          now: at,
        })
      if (made?.ok && !rows.has(made.comment.id)) rows.set(made.comment.id, { ...made.comment, pending: true })
    } else if (m.name === 'comment.act') {
      const acted = rows.get(m.args.commentId)
      const next = acted && transition(acted, m.args.action, ctx.viewer, at)
      if (next?.ok) rows.set(next.comment.id, { ...next.comment, pending: true })
    } else if (m.name === 'comment.like') {
      const liked = rows.get(m.args.commentId)
      if (liked) rows.set(liked.id, { ...setLike(liked, m.userId, m.args.liked), pending: liked.pending })
    } else {
      rows.delete(m.args.commentId)
    }
  }
  return [...rows.values()]
}

// What the 朋友圈 screens show before the server confirms (issue 6): synced topics and comments with
// this user's waiting mutations laid over them, so a comment written with no signal shows at once as
// 待发送 and a secretary's handling shows before it has reached the server. Pure: the store feeds it rows.
import { postComment, setLike, transition, type CommentRow, type HouseholdRow, type TopicRow } from '../../domain/board'
import { MUTATIONS, type MutationArgs } from '../../domain/mutations'
import type { PendingMutation } from '../../domain/optimistic'
import type { Viewer } from '../../domain/sync'

export type TopicView = TopicRow & { pending: boolean }
export type CommentView = CommentRow & { pending: boolean }

type BoardMutation = 'topic.save' | 'comment.post' | 'comment.act' | 'comment.delete' | 'comment.like'

function argsOf<N extends BoardMutation>(mutation: PendingMutation, name: N) {
  if (mutation.name !== name) return null
  const parsed = MUTATIONS[name].args.safeParse(mutation.args)
  return parsed.success ? (parsed.data as MutationArgs<N>) : null
}

export function overlayTopics(confirmed: readonly TopicRow[], pending: readonly PendingMutation[]): TopicView[] {
  const rows = new Map<string, TopicView>(confirmed.map((t) => [t.id, { ...t, pending: false }]))
  for (const mutation of pending) {
    const save = argsOf(mutation, 'topic.save')
    if (!save) continue
    const existing = rows.get(save.topic.id)
    rows.set(save.topic.id, {
      createdBy: mutation.userId,
      createdAt: mutation.clientTime,
      ...existing,
      ...save.topic,
      updatedAt: mutation.clientTime,
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
export function overlayComments(confirmed: readonly CommentRow[], pending: readonly PendingMutation[], ctx: CommentOverlayContext): CommentView[] {
  const rows = new Map<string, CommentView>(confirmed.map((c) => [c.id, { ...c, pending: false }]))
  for (const mutation of pending) {
    const at = new Date(mutation.clientTime)
    const post = argsOf(mutation, 'comment.post')
    if (post) {
      const topic = ctx.topicOf(post.comment.topicId)
      // Rate limits are the server's to count; here only what the device can know.
      const made = topic && postComment(post.comment, { author: ctx.viewer, authorName: ctx.viewerName, topic, households: ctx.households, recentPostTimes: [], now: at })
      if (made?.ok && !rows.has(made.comment.id)) rows.set(made.comment.id, { ...made.comment, pending: true })
      continue
    }
    const act = argsOf(mutation, 'comment.act')
    const acted = act && rows.get(act.commentId)
    if (act && acted) {
      const next = transition(acted, act.action, ctx.viewer, at)
      if (next.ok) rows.set(acted.id, { ...next.comment, pending: true })
      continue
    }
    const like = argsOf(mutation, 'comment.like')
    const liked = like && rows.get(like.commentId)
    if (like && liked) {
      rows.set(liked.id, { ...setLike(liked, mutation.userId, like.liked), pending: liked.pending })
      continue
    }
    const deletion = argsOf(mutation, 'comment.delete')
    if (deletion) rows.delete(deletion.commentId)
  }
  return [...rows.values()]
}

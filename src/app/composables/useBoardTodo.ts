// 待办留言 (issue 6): the comments waiting for this secretary's (or the admin's) handling, with their own
// handling not yet sent laid over them, so a comment accepted with no signal moves at once.
import { computed, type Ref } from 'vue'
import { displayStatus, type CommentRow } from '~/domain/board'
import { overlayComments, useBoardStore, type CommentView } from '../stores/board'
import { useSyncStore } from '../stores/sync'
import { useSessionStore } from '../stores/session'
import { useLiveQuery } from './useLiveQuery'
import { appDB } from '../db/instance'
import { outboxOf, readWithOutbox, type WithOutbox } from '../sync/pending'

export interface TodoItem {
  comment: CommentView
  status: { key: ReturnType<typeof displayStatus>['key']; label: string }
}

/** 待处理 first (the longest waiting first), then 已受理 by deadline (so 已超期 lead). */
export function sortTodo(items: readonly TodoItem[]): TodoItem[] {
  const rank = (i: TodoItem) => (i.comment.status === 'pending' ? 0 : 1)
  return [...items].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 0
        ? a.comment.createdAt.localeCompare(b.comment.createdAt)
        : (a.comment.deadline ?? '').localeCompare(b.comment.deadline ?? '')) ||
      a.comment.id.localeCompare(b.comment.id),
  )
}

/**
 * The viewer's 待办: read only while `enabled` (members have none), following the database live.
 * `count` is what needs attention now: 待处理 plus 已超期.
 */
export function useBoardTodo(enabled: Ref<boolean>) {
  const db = appDB()
  const board = useBoardStore()
  const sync = useSyncStore()
  const session = useSessionStore()
  // Off, nothing is read (and nothing shows as loaded). The rows and the outbox as one moment (sync/pending.ts).
  const synced = useLiveQuery(
    enabled,
    (on): Promise<WithOutbox<CommentRow[]> | null> =>
      on ? readWithOutbox(db, [db.topics, db.comments], () => board.loadTodo()) : Promise.resolve(null),
    null,
    { reset: true },
  )

  const items = computed<TodoItem[]>(() => {
    const viewer = board.viewer
    if (!viewer || synced.value === null) return []
    const now = new Date(board.now)
    const overlaid = overlayComments(synced.value.rows, outboxOf(synced.value, sync.userId), {
      viewer,
      viewerName: session.me?.user.name ?? '',
      topicOf: (id) => board.topicById(id),
      households: board.households,
    })
    const waiting = overlaid.filter((c) => {
      if (c.status !== 'pending' && c.status !== 'accepted') return false
      const topic = board.topicById(c.topicId)
      // One's own comment is for someone else to handle.
      return topic !== undefined && board.canHandle(topic) && c.authorId !== viewer.id
    })
    return sortTodo(waiting.map((comment) => ({ comment, status: displayStatus(comment, now) })))
  })
  const count = computed(() => items.value.filter((i) => i.status.key === 'pending' || i.status.key === 'overdue').length)
  return { items, count, loaded: computed(() => synced.value !== null) }
}

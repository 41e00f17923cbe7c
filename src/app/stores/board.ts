import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, type Ref } from 'vue'
import Dexie from 'dexie'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { useSessionStore } from './session'
import {
  boardStats,
  mayHandle,
  mayPostTopic,
  sortFeed,
  type BoardStats,
  type CommentAction,
  type CommentDraft,
  type CommentRow,
  type HouseholdRow,
  type NoticeRow,
  type TopicDraft,
  type TopicRow,
} from '~/domain/board'
import type { Viewer } from '~/domain/sync'
import type { PhotoUploadRow } from '../db'
import { overlayComments, overlayTopics, type CommentView, type TopicView } from './boardOverlay'
import { compressPhoto } from './boardPhotos'
import { keepPhoto, uploadPendingPhotos } from '../sync/photoUploads'
import { outboxOf, pendingArgs, readWithOutbox, type WithOutbox } from '../sync/pending'

export { overlayComments, overlayTopics, type CommentOverlayContext, type CommentView, type TopicView } from './boardOverlay'

/** Where a photo stands on this device: still being sent, sent, or refused by the server (with why). */
export type PhotoState =
  { state: 'local'; uploaded: number; size: number } | { state: 'done' } | { state: 'error'; message: string } | { state: 'remote' }

/**
 * 朋友圈 on this device (issue 6): the feed of topics, each topic's comments, the member's households and
 * notices, all as synced, with this user's waiting changes laid over them. A topic's comments are read
 * per topic (a busy topic has hundreds; the town has thousands), counts come from the index alone.
 */
export const useBoardStore = defineStore('board', () => {
  const db = appDB()
  const sync = useSyncStore()
  const session = useSessionStore()

  // What the overlays change, read with the outbox as one moment (sync/pending.ts): a pull landing never
  // shows a comment twice or not at all. Two moments, each whole: the topics and notices draw the feed at
  // once, while the comment counts (every comment's key: thousands in a busy branch) follow without
  // holding the first card back.
  const synced = useLiveQuery(
    () =>
      readWithOutbox(db, [db.topics, db.notices], async () => ({
        topics: await db.topics.toArray(),
        notices: await db.notices.orderBy('createdAt').reverse().toArray(),
      })),
    null,
  )
  const counted = useLiveQuery(
    () =>
      readWithOutbox(db, [db.comments], async (outbox) => ({
        // [topicId, status] of every comment, read from the index without loading a single comment.
        commentKeys: (await db.comments.orderBy('[topicId+status]').keys()) as unknown as [string, string][],
        // Waiting posts already stored: a pull of several pages brings them before they leave the outbox.
        storedPosts: new Set(
          await db.comments
            .where('id')
            .anyOf(pendingArgs(outbox, 'comment.post').map((args) => args.comment.id))
            .primaryKeys(),
        ),
      })),
    null,
  )
  const pending = computed(() => outboxOf(synced.value, sync.userId))
  const householdRows = useLiveQuery<HouseholdRow[]>(() => db.households.toArray(), [])
  const photoRows = useLiveQuery<PhotoUploadRow[]>(() => db.photo_uploads.toArray(), [])

  const now = ref(Date.now())
  const timer = setInterval(() => (now.value = Date.now()), 30_000)
  onScopeDispose(() => clearInterval(timer))

  const me = computed(() => session.me)
  const viewer = computed<Viewer | null>(() => {
    const m = me.value
    return m ? { id: m.user.id, role: m.user.role, branchId: m.branch?.id ?? null, townId: m.town.id } : null
  })
  const myId = computed(() => viewer.value?.id ?? '')
  const role = computed(() => viewer.value?.role ?? 'member')

  const loaded = computed(() => synced.value !== null)
  const topics = computed(() => overlayTopics(synced.value?.rows.topics ?? [], pending.value))
  /** Newest first, as every device shows it. */
  const feed = computed<TopicView[]>(() => sortFeed(topics.value))
  const topicById = (id: string) => topics.value.find((t) => t.id === id)

  const households = computed(() =>
    [...householdRows.value].filter((h) => h.memberId === myId.value).sort((a, b) => a.id.localeCompare(b.id)),
  )

  /** Comment count and resolved count per topic, with this user's comments still waiting to be sent. */
  const summaries = computed(() => {
    const map = new Map<string, { comments: number; resolved: number; waiting: number }>()
    const entry = (id: string) => map.get(id) ?? map.set(id, { comments: 0, resolved: 0, waiting: 0 }).get(id)!
    for (const [topicId, status] of counted.value?.rows.commentKeys ?? []) {
      const e = entry(topicId)
      e.comments++
      if (status === 'resolved') e.resolved++
    }
    for (const { comment } of pendingArgs(outboxOf(counted.value, sync.userId), 'comment.post')) {
      if (counted.value?.rows.storedPosts.has(comment.id)) continue
      entry(comment.topicId).comments++
      entry(comment.topicId).waiting++
    }
    return map
  })
  const summaryOf = (topicId: string) => summaries.value.get(topicId) ?? { comments: 0, resolved: 0, waiting: 0 }

  const notices = computed<NoticeRow[]>(() => synced.value?.rows.notices ?? [])
  /** Notices marked read on this device whose change the synced rows don't show yet. */
  const readingNow = computed(() => new Set(pendingArgs(pending.value, 'notice.read').flatMap((args) => args.noticeIds)))
  const unreadNotices = computed(() => notices.value.filter((n) => n.readAt === null && !readingNow.value.has(n.id)).length)

  // Photos: the device's own copy while it has one, else the server's (cached by the service worker once seen).
  const objectUrls = new Map<string, string>()
  onScopeDispose(() => objectUrls.forEach((url) => URL.revokeObjectURL(url)))
  const photosById = computed(() => new Map(photoRows.value.map((p) => [p.id, p])))
  function photoSrc(id: string): string {
    const local = photosById.value.get(id)
    if (!local) return `/api/photos/${encodeURIComponent(id)}`
    let url = objectUrls.get(id)
    if (!url) {
      url = URL.createObjectURL(local.blob)
      objectUrls.set(id, url)
    }
    return url
  }
  function photoState(id: string): PhotoState {
    const local = photosById.value.get(id)
    if (!local) return { state: 'remote' }
    if (local.error) return { state: 'error', message: local.error }
    if (local.doneAt) return { state: 'done' }
    return { state: 'local', uploaded: local.uploaded, size: local.size }
  }
  const photosWaiting = computed(
    () => photoRows.value.filter((p) => p.userId === myId.value && p.doneAt === null && p.error === null).length,
  )

  // Sent after each successful sync (useSyncLifecycle), so after the comment naming them; or on request.
  function uploadPhotos(): Promise<void> {
    return myId.value ? uploadPendingPhotos(db, myId.value) : Promise.resolve()
  }

  const canPostTopic = (branchId: string | null) => (viewer.value ? mayPostTopic(viewer.value, branchId) : false)
  const canHandle = (topic: Pick<TopicRow, 'branchId'>) => (viewer.value ? mayHandle(viewer.value, topic) : false)

  /** Compresses and keeps the photos, then queues the comment naming them; returns the comment id. */
  async function postComment(draft: Omit<CommentDraft, 'id' | 'photos'>, files: readonly Blob[] = []): Promise<string> {
    const photos = await keepPhotos(files)
    const id = `c-${crypto.randomUUID()}`
    await sync.enqueue('comment.post', { comment: { ...draft, id, photos } })
    return id
  }

  async function keepPhotos(files: readonly Blob[]): Promise<string[]> {
    const ids: string[] = []
    for (const file of files) ids.push(await keepPhoto(db, myId.value, await compressPhoto(file)))
    return ids
  }

  async function saveTopic(draft: Omit<TopicDraft, 'photos'> & { photos?: string[] }, files: readonly Blob[] = []): Promise<string> {
    const photos = [...(draft.photos ?? []), ...(await keepPhotos(files))]
    await sync.enqueue('topic.save', { topic: { ...draft, photos } })
    return draft.id
  }

  /** Figures for one branch (or the town: null) as this device has them; `month` is YYYY-MM. */
  async function loadStats(branchId: string | null, month?: string): Promise<BoardStats> {
    const allTopics = topics.value.filter((t) => branchId === null || t.branchId === branchId)
    const ids = new Set(allTopics.map((t) => t.id))
    const comments: CommentRow[] = ids.size === 0 ? [] : await db.comments.filter((c) => ids.has(c.topicId)).toArray()
    return boardStats(allTopics, comments, { now: new Date(), ...(month ? { month } : {}) })
  }

  /**
   * What waits for this viewer's handling: the 待处理 and 已受理 comments on the topics they handle
   * (`canHandle`), read by the [topicId+status] index, so the rest of a busy branch's comments stay on disk.
   * Reads the topics from the database too, so a live query over it follows new topics as well.
   */
  async function loadTodo(): Promise<CommentRow[]> {
    const v = viewer.value
    if (!v) return []
    const handled = (await db.topics.toArray()).filter((t) => mayHandle(v, t)).map((t) => t.id)
    if (handled.length === 0) return []
    return db.comments
      .where('[topicId+status]')
      .anyOf(
        handled.flatMap((id) => [
          [id, 'pending'],
          [id, 'accepted'],
        ]),
      )
      .toArray()
  }

  return {
    loaded,
    now,
    viewer,
    myId,
    role,
    feed,
    topicById,
    summaryOf,
    households,
    notices,
    readingNow,
    unreadNotices,
    photoSrc,
    photoState,
    photosWaiting,
    uploadPhotos,
    canPostTopic,
    canHandle,
    postComment,
    saveTopic,
    loadStats,
    loadTodo,
    editComment: (
      commentId: string,
      change: { text: string; category: CommentRow['category']; photos: string[] },
      files: readonly Blob[] = [],
    ) =>
      keepPhotos(files).then((added) =>
        sync.enqueue('comment.act', { commentId, action: { type: 'edit', ...change, photos: [...change.photos, ...added] } }),
      ),
    deleteComment: (commentId: string) => sync.enqueue('comment.delete', { commentId }),
    act: (commentId: string, action: Exclude<CommentAction, { type: 'edit' }>) => sync.enqueue('comment.act', { commentId, action }),
    like: (commentId: string, liked: boolean) => sync.enqueue('comment.like', { commentId, liked }),
    markNoticesRead: (noticeIds: string[]) => (noticeIds.length ? sync.enqueue('notice.read', { noticeIds }) : Promise.resolve('')),
  }
})

/**
 * One topic's comments, oldest first, with this user's waiting changes laid over them; for the topic
 * page (read by the index on the topic alone, so a topic with 500 comments opens as fast as one with 5).
 */
export function useTopicComments(topicId: Ref<string>) {
  const db = appDB()
  const board = useBoardStore()
  const sync = useSyncStore()
  const session = useSessionStore()
  const synced = useLiveQuery(
    topicId,
    (id): Promise<WithOutbox<CommentRow[]> | null> =>
      readWithOutbox(db, [db.comments], () =>
        db.comments.where('[topicId+createdAt]').between([id, Dexie.minKey], [id, Dexie.maxKey]).toArray(),
      ),
    null,
    { reset: true },
  )

  const comments = computed<CommentView[]>(() => {
    const viewer = board.viewer
    if (!viewer || synced.value === null) return []
    const overlaid = overlayComments(synced.value.rows, outboxOf(synced.value, sync.userId), {
      viewer,
      viewerName: session.me?.user.name ?? '',
      topicOf: (id) => board.topicById(id),
      households: board.households,
    })
    return overlaid
      .filter((c) => c.topicId === topicId.value)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  })
  return { comments, loaded: computed(() => synced.value !== null) }
}

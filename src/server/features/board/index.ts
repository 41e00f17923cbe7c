// 朋友圈: branch and town topics, comments on behalf of households and their handling, the households a
// 党员中心户 looks after, and the author's notices.
import { asStored, defineFeature } from '~/server/sync/feature'
import { redactComment, type CommentRow } from '~/domain/board'
import { actOnComment, deleteComment, likeComment, markNoticesRead, postBoardComment, saveTopic } from './board'
import { publishBoard, publishHouseholds } from './rows'
import { seedBoard } from './seed'

export const boardFeature = defineFeature({
  name: 'board',
  mutations: {
    async 'topic.save'({ trx, viewer, writer, now }, args) {
      await saveTopic(trx, writer, viewer, args.topic, now)
    },
    async 'comment.post'({ trx, viewer, writer, now, clientTime }, args) {
      await postBoardComment(trx, writer, viewer, args.comment, clientTime, now)
    },
    async 'comment.act'({ trx, viewer, writer, now }, args) {
      await actOnComment(trx, writer, viewer, args, now)
    },
    async 'comment.delete'({ trx, viewer, writer }, args) {
      await deleteComment(trx, writer, viewer, args.commentId)
    },
    async 'comment.like'({ trx, viewer, writer }, args) {
      await likeComment(trx, writer, viewer, args)
    },
    async 'notice.read'({ trx, viewer, writer, now }, args) {
      await markNoticesRead(trx, writer, viewer, args.noticeIds, now)
    },
  },
  tables: {
    topics: asStored,
    // The resident's name: the author, the topic's and the author's branch secretaries and the admin only.
    comments: (row, viewer) => redactComment(row as CommentRow, viewer, { branchId: (row as CommentRow).branchId }),
    // Private: only the member's own `user:` scope holds these.
    households: asStored,
    notices: asStored,
  },
  uniqueRejections: {
    'comment.post': { code: 'duplicate_id', message: '这条留言已经发送过' },
  },
  async publish(trx, writer, townId) {
    await publishHouseholds(trx, writer)
    await publishBoard(trx, writer, townId)
  },
  /** A database from before the board (issue 6) has households nobody's devices have: send them once. */
  async publishMissing(db, write) {
    const published = await db.selectFrom('sync_rows').select('row_id').where('table_name', '=', 'households').limit(1).executeTakeFirst()
    const any = await db.selectFrom('households').select('id').limit(1).executeTakeFirst()
    if (published || !any) return
    await write((trx, writer) => publishHouseholds(trx, writer))
  },
  seed: seedBoard,
})

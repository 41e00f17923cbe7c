// 朋友圈留言: the comments the branch handles (on its topics, or posted by its members for their households),
// those of the period and those carried into it still open, with how each was handled and whether on time.
import type { Cell } from 'write-excel-file/node'
import { COMMENT_CATEGORY_LABELS, displayStatus, type CommentCategory, type CommentStatus } from '~/domain/board'
import { dayInShanghai } from '~/domain/calendar'
import { sheet, shanghaiMinute, type ExportContext, type ExportSheet } from './sheet'

/** 是 / 否 for a resolved comment against its deadline; 否 too for one past it still open. */
function onTime(c: { status: string; deadline: string | null; closed_at: string | null }, overdue: boolean): string | null {
  if (overdue) return '否'
  if (c.status !== 'resolved' || c.deadline === null || c.closed_at === null) return null
  return c.closed_at <= c.deadline ? '是' : '否'
}

export async function commentSheets(ctx: ExportContext): Promise<ExportSheet[]> {
  const { db, branch, period } = ctx
  let query = db
    .selectFrom('board_comments as c')
    .leftJoin('board_topics as t', 't.id', 'c.topic_id')
    .leftJoin('users as h', 'h.id', 'c.handler_id')
    // The branch that handles it: the topic's; for a town-wide topic, the author's (who looks after the household).
    .leftJoin('branches as b', (join) => join.on((eb) => eb('b.id', '=', eb.fn.coalesce('c.branch_id', 'c.author_branch_id'))))
    .select([
      'c.id',
      'c.text',
      'c.category',
      'c.author_name',
      'c.resident_name',
      'c.status',
      'c.deadline',
      'c.reply',
      'c.reason',
      'c.created_at',
      'c.accepted_at',
      'c.closed_at',
      't.title as topic_title',
      'h.name as handler_name',
      'b.name as branch_name',
    ])
    // Alive at some time in the period: posted by its end, and not closed before it began.
    .where('c.created_at', '<=', period.toAt)
    .where((eb) => eb.or([eb('c.closed_at', 'is', null), eb('c.closed_at', '>=', period.fromAt)]))
  if (branch) query = query.where((eb) => eb.or([eb('c.branch_id', '=', branch.id), eb('c.author_branch_id', '=', branch.id)]))
  const comments = await query.orderBy('c.created_at').orderBy('c.id').execute()
  const now = new Date(ctx.now)
  const town = branch === null
  const rows = comments.map((c): Cell[] => {
    const status = displayStatus({ status: c.status as CommentStatus, deadline: c.deadline }, now)
    return [
      ...(town ? [c.branch_name ?? '全镇'] : []),
      shanghaiMinute(c.created_at),
      c.topic_title ? { value: c.topic_title, wrap: true } : null,
      COMMENT_CATEGORY_LABELS[c.category as CommentCategory] ?? c.category,
      c.author_name,
      c.resident_name,
      { value: c.text, wrap: true },
      status.key === 'overdue' ? { value: status.label, textColor: '#B91C1C', fontWeight: 'bold' } : status.label,
      shanghaiMinute(c.accepted_at),
      c.deadline ? dayInShanghai(c.deadline) : null,
      c.handler_name,
      (c.reply ?? c.reason) ? { value: c.reply ?? c.reason ?? '', wrap: true } : null,
      shanghaiMinute(c.closed_at),
      onTime(c, status.key === 'overdue'),
    ]
  })
  return [
    sheet(
      '朋友圈留言',
      [
        ...(town ? ['支部'] : []),
        '留言时间',
        '话题',
        '类别',
        '留言人',
        '反映群众',
        '留言内容',
        '状态',
        '受理时间',
        '办结期限',
        '办理人',
        '答复',
        '办结时间',
        '是否按时',
      ],
      [...(town ? [16] : []), 18, 30, 10, 10, 10, 40, 10, 18, 12, 10, 40, 18, 10],
      rows,
    ),
  ]
}

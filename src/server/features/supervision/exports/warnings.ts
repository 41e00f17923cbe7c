// 预警与整改: the branch's (or town's) warnings and 整改提示单 that concern the period: about it, or open at
// some time in it. Read from the tables the supervision service writes.
import type { Cell } from 'write-excel-file/node'
import {
  OVERDUE_LABEL,
  RECTIFICATION_STATUS_LABELS,
  rectificationOverdue,
  WARNING_KIND_LABELS,
  WARNING_LEVEL_LABELS,
  type RectificationAnswer,
  type RectificationDecision,
  type WarningHistoryEntry,
  type WarningKind,
} from '~/domain/supervision'
import { overlaps, periodKeyRange } from './period'
import { sheet, shanghaiMinute, type ExportContext, type ExportSheet } from './sheet'

const EVENT_LABELS: Record<WarningHistoryEntry['event'], string> = { opened: '发出', escalated: '升级', cleared: '解除' }

const parsed = <T>(json: string): T[] => {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? (value as T[]) : []
  } catch {
    return []
  }
}

const wrapped = (lines: readonly string[]): Cell => (lines.length ? { value: lines.join('\n'), wrap: true } : null)

/** 2026年第四季度 for `2026-Q4`, as the warning names its period. */
function periodName(key: string): string {
  if (/^\d{4}$/.test(key)) return `${key}年`
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key)
  if (quarter) return `${quarter[1]}年第${'一二三四'[Number(quarter[2]) - 1]}季度`
  const month = /^(\d{4})-(\d{2})$/.exec(key)
  return month ? `${month[1]}年${Number(month[2])}月` : key
}

async function warningsSheet(ctx: ExportContext): Promise<ExportSheet> {
  const { db, branch, period } = ctx
  let query = db
    .selectFrom('warnings as w')
    .leftJoin('warning_rules as r', (join) => join.onRef('r.code', '=', 'w.rule_code').onRef('r.version', '=', 'w.rule_version'))
    .leftJoin('branches as b', 'b.id', 'w.branch_id')
    .selectAll('w')
    .select(['r.name as rule_name', 'b.name as branch_name'])
    .where('w.opened_at', '<=', period.toAt)
  if (branch) query = query.where('w.branch_id', '=', branch.id)
  const warnings = (await query.orderBy('w.opened_at').orderBy('w.id').execute()).filter((w) => {
    const about = periodKeyRange(w.period)
    return (about !== null && about.from <= period.to && about.to >= period.from) || overlaps(period, w.opened_at, w.cleared_at)
  })
  const rows = warnings.map((w): Cell[] => [
    w.branch_name ?? w.branch_id,
    w.rule_name ?? WARNING_KIND_LABELS[w.kind as WarningKind] ?? w.rule_code,
    periodName(w.period),
    w.level === 'red' ? { value: WARNING_LEVEL_LABELS.red, textColor: '#B91C1C', fontWeight: 'bold' } : WARNING_LEVEL_LABELS.yellow,
    { value: w.title, wrap: true },
    shanghaiMinute(w.opened_at),
    shanghaiMinute(w.escalated_at),
    shanghaiMinute(w.cleared_at),
    wrapped([
      ...parsed<WarningHistoryEntry>(w.history_json).map(
        (h) => `${shanghaiMinute(h.at)} ${EVENT_LABELS[h.event] ?? h.event}${WARNING_LEVEL_LABELS[h.level] ?? ''}：${h.why}`,
      ),
      ...(w.clear_reason ? [`解除原因：${w.clear_reason}`] : []),
    ]),
  ])
  return sheet(
    '预警',
    ['支部', '规则', '期间', '级别', '预警内容', '发出时间', '升级时间', '解除时间', '情况说明'],
    [16, 30, 16, 10, 34, 18, 18, 18, 50],
    rows,
  )
}

async function rectificationsSheet(ctx: ExportContext): Promise<ExportSheet> {
  const { db, branch, period } = ctx
  let query = db
    .selectFrom('rectifications as n')
    .leftJoin('branches as b', 'b.id', 'n.branch_id')
    .selectAll('n')
    .select('b.name as branch_name')
    .where('n.issued_at', '<=', period.toAt)
    .where((eb) => eb.or([eb('n.closed_at', 'is', null), eb('n.closed_at', '>=', period.fromAt)]))
  if (branch) query = query.where('n.branch_id', '=', branch.id)
  const notices = await query.orderBy('n.issued_at').orderBy('n.id').execute()
  const rows = notices.map((n): Cell[] => {
    const overdue = rectificationOverdue(n, ctx.today)
    const answers = parsed<RectificationAnswer>(n.answers_json)
    const decisions = parsed<RectificationDecision>(n.decisions_json)
    return [
      n.number,
      n.branch_name ?? n.branch_id,
      { value: n.requirement, wrap: true },
      shanghaiMinute(n.issued_at),
      `${n.deadline}（${n.working_days}个工作日）`,
      overdue ? { value: OVERDUE_LABEL, textColor: '#B91C1C', fontWeight: 'bold' } : (RECTIFICATION_STATUS_LABELS[n.status] ?? n.status),
      wrapped(answers.map((a) => `${shanghaiMinute(a.at)} ${a.text}${a.photoIds?.length ? `（照片${a.photoIds.length}张）` : ''}`)),
      wrapped(decisions.map((d) => `${shanghaiMinute(d.at)} ${d.outcome === 'accepted' ? '通过' : `退回：${d.reason ?? ''}`}`)),
      shanghaiMinute(n.closed_at),
    ]
  })
  return sheet(
    '整改提示单',
    ['编号', '支部', '整改要求', '下发时间', '整改期限', '状态', '整改情况', '审核意见', '办结时间'],
    [16, 16, 40, 18, 24, 10, 50, 30, 18],
    rows,
  )
}

export async function warningSheets(ctx: ExportContext): Promise<ExportSheet[]> {
  return [await warningsSheet(ctx), await rectificationsSheet(ctx)]
}

// 积分明细: each member's points per month of the period from the ledger, and their total; 按类别: the same
// points by category (CATEGORY_LABELS). A member's points follow them to their current branch, as the
// 排行榜 counts them.
import { sql } from 'kysely'
import type { Cell } from 'write-excel-file/node'
import { CATEGORY_LABELS, POINT_CATEGORIES, type PointCategory } from '~/domain/points'
import { peopleOf } from './people'
import { bold, sheet, type ExportContext, type ExportSheet } from './sheet'

async function sums(ctx: ExportContext) {
  const month = sql<string>`substr(l.day, 1, 7)`
  let query = ctx.db
    .selectFrom('points_ledger as l')
    .innerJoin('users as u', 'u.id', 'l.member_id')
    .leftJoin('points_rules as r', (join) => join.onRef('r.code', '=', 'l.rule_code').onRef('r.version', '=', 'l.rule_version'))
    .select(['l.member_id', month.as('month'), 'r.category', sql<number | string>`sum(l.points)`.as('points')])
    .where('l.day', '>=', ctx.period.from)
    .where('l.day', '<=', ctx.period.to)
    .groupBy(['l.member_id', month, 'r.category'])
  if (ctx.branch) query = query.where('u.branch_id', '=', ctx.branch.id)
  // PostgreSQL's sum of integers is a bigint, which pg hands over as text.
  return (await query.execute()).map((r) => ({ ...r, points: Number(r.points) }))
}

export async function pointsSheets(ctx: ExportContext): Promise<ExportSheet[]> {
  const rows = await sums(ctx)
  const people = await peopleOf(
    ctx,
    rows.map((r) => r.member_id),
  )
  const { months } = ctx.period
  const categories: string[] = [...POINT_CATEGORIES]
  for (const r of rows) if (r.category !== null && !categories.includes(r.category)) categories.push(r.category)
  const other = '其他'
  const byMonth = new Map<string, number>()
  const byCategory = new Map<string, number>()
  const add = (map: Map<string, number>, key: string, points: number) => map.set(key, (map.get(key) ?? 0) + points)
  for (const r of rows) {
    add(byMonth, `${r.member_id}|${r.month}`, r.points)
    add(byCategory, `${r.member_id}|${r.category ?? other}`, r.points)
    add(byMonth, `|${r.month}`, r.points)
    add(byCategory, `|${r.category ?? other}`, r.points)
  }
  const hasOther = rows.some((r) => r.category === null)
  const columns = [...categories, ...(hasOther ? [other] : [])]
  const town = ctx.branch === null
  const lead = (p: (typeof people)[number]): Cell[] => [...(town ? [p.branchName] : []), p.name, p.note]
  const totalLead: Cell[] = [...(town ? [null] : []), bold('合计'), null]
  const total = (id: string, keys: readonly string[], map: Map<string, number>) =>
    keys.reduce((n, k) => n + (map.get(`${id}|${k}`) ?? 0), 0)
  const grid = (keys: readonly string[], map: Map<string, number>): Cell[][] => [
    ...people.map((p) => [...lead(p), ...keys.map((k) => map.get(`${p.id}|${k}`) ?? 0), bold(total(p.id, keys, map))]),
    [...totalLead, ...keys.map((k) => bold(map.get(`|${k}`) ?? 0)), bold(total('', keys, map))],
  ]
  const leadHeaders = [...(town ? ['支部'] : []), '姓名', '备注']
  const leadWidths = [...(town ? [16] : []), 10, 18]
  const label = (category: string) => CATEGORY_LABELS[category as PointCategory] ?? category
  return [
    sheet(
      '积分明细',
      [...leadHeaders, ...months.map((m) => `${Number(m.slice(5))}月`), '合计'],
      [...leadWidths, ...months.map(() => 8), 9],
      grid(months, byMonth),
    ),
    sheet(
      '按类别',
      [...leadHeaders, ...columns.map(label), '合计'],
      [...leadWidths, ...columns.map(() => 11), 9],
      grid(columns, byCategory),
    ),
  ]
}

// The people an export lists: the branch's (or the town's) current members, and those named by its records
// who have since left (their history still counts), each with a note saying so.
import type { EndReason } from '~/domain/roster'
import { byName, pages, type ExportContext } from './sheet'

export interface Person {
  id: string
  name: string
  /** The branch they are (or were last) in. */
  branchName: string
  away: boolean
  current: boolean
  /** 外出务工（杭州）, 已调往金鸡窝村党支部, 组织关系已转出, 已去世 … */
  note: string | null
}

const ENDED_NOTES: Record<EndReason, string> = { transfer_out: '组织关系已转出', deceased: '已去世', other: '党籍已终止' }

function noteOf(
  u: {
    branch_id: string | null
    branch_name: string | null
    status: string
    away_city: string | null
    ended_at: string | null
    end_reason: string | null
  },
  branchId: string | null,
): string | null {
  if (u.ended_at) return ENDED_NOTES[u.end_reason as EndReason] ?? ENDED_NOTES.other
  if (branchId && u.branch_id !== branchId) return `已调往${u.branch_name ?? '其他支部'}`
  return u.status === 'away' ? `外出务工${u.away_city ? `（${u.away_city}）` : ''}` : null
}

/**
 * The export's current members and anyone in `named` (expected at its meetings, in its ledger), sorted:
 * by branch for the town, current members first for a branch.
 */
export async function peopleOf(ctx: ExportContext, named: Iterable<string>): Promise<Person[]> {
  const base = () =>
    ctx.db
      .selectFrom('users')
      .leftJoin('branches', 'branches.id', 'users.branch_id')
      .select([
        'users.id',
        'users.name',
        'users.role',
        'users.branch_id',
        'branches.name as branch_name',
        'users.status',
        'users.away_city',
        'users.ended_at',
        'users.end_reason',
      ])
  const branchId = ctx.branch?.id ?? null
  const rows = await (branchId ? base().where('users.branch_id', '=', branchId) : base()).where('users.role', '!=', 'admin').execute()
  const found = new Set(rows.map((r) => r.id))
  const wanted = new Set(named)
  for (const ids of pages([...wanted].filter((id) => !found.has(id)))) rows.push(...(await base().where('users.id', 'in', ids).execute()))
  const people = rows
    .filter((u) => (u.ended_at === null && u.role !== 'admin' && (!branchId || u.branch_id === branchId)) || wanted.has(u.id))
    .map((u): Person => ({
      id: u.id,
      name: u.name,
      branchName: u.branch_name ?? '',
      away: u.status === 'away',
      current: u.ended_at === null && (!branchId || u.branch_id === branchId),
      note: noteOf(u, branchId),
    }))
  return people.sort(
    (a, b) => (ctx.branch ? 0 : a.branchName.localeCompare(b.branchName, 'zh-CN')) || Number(b.current) - Number(a.current) || byName(a, b),
  )
}

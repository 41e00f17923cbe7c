// 参会登记: members × the period's meetings (closed, or scheduled and already begun), each cell how the member
// attended, with 应到 / 实到 / 参会率 counted as `attendanceRates` counts them (closed meetings only, as the
// overview does); and 会议汇总, a row per meeting.
import type { Cell } from 'write-excel-file/node'
import { attendanceOutcome, attendanceRates, MEETING_TYPE_LABELS, quorum, type MeetingType, type Rate } from '~/domain/meetings'
import { shanghaiMonthDay } from '~/domain/board'
import { attendanceFromRow, leaveFromRow, meetingFromRow } from '~/server/features/meetings/rows'
import { peopleOf } from './people'
import { bold, pages, percent, sheet, shanghaiMinute, type ExportContext, type ExportSheet } from './sheet'

type Meeting = ReturnType<typeof meetingFromRow>
type Attendance = ReturnType<typeof attendanceFromRow>

/** 按时 / 迟到 / 远程 / 代签 / 部分参会 / 请假 / 缺席; empty when not expected. A meeting not yet closed has no absences. */
function mark(meeting: Meeting, a: Attendance | undefined, leave: { status: 'pending' | 'approved' | 'refused' } | undefined): string {
  const outcome = attendanceOutcome(meeting, a, leave)
  if (outcome === 'absent') return meeting.status === 'closed' ? '缺席' : '未签到'
  if (outcome === 'excused') return '请假'
  if (outcome === 'partial') return '部分参会'
  if (a?.mode === 'proxy') return '代签'
  if (a?.mode === 'remote') return '远程'
  return outcome === 'late' ? '迟到' : '按时'
}

const centered = (value: string | null): Cell => (value === null ? null : { value, align: 'center' })

async function load(ctx: ExportContext) {
  const { db, branch, period, now } = ctx
  // The period's meetings by their start (Shanghai days), cancelled ones left out, future ones not yet held.
  let meetingsQuery = db
    .selectFrom('meetings')
    .selectAll()
    .where('starts_at', '>=', period.fromAt)
    .where('starts_at', '<=', period.toAt)
    .where((eb) => eb.or([eb('status', '=', 'closed'), eb.and([eb('status', '=', 'scheduled'), eb('starts_at', '<=', now)])]))
  if (branch) meetingsQuery = meetingsQuery.where('branch_id', '=', branch.id)
  const meetings = (await meetingsQuery.orderBy('starts_at').orderBy('id').execute()).map(meetingFromRow)
  const attendance: Attendance[] = []
  const leaves: ReturnType<typeof leaveFromRow>[] = []
  for (const page of pages(meetings.map((m) => m.id))) {
    attendance.push(...(await db.selectFrom('attendance').selectAll().where('meeting_id', 'in', page).execute()).map(attendanceFromRow))
    leaves.push(...(await db.selectFrom('leaves').selectAll().where('meeting_id', 'in', page).execute()).map(leaveFromRow))
  }
  return { meetings, attendance, leaves }
}

export async function attendanceSheets(ctx: ExportContext): Promise<ExportSheet[]> {
  const { meetings, attendance, leaves } = await load(ctx)
  const people = await peopleOf(
    ctx,
    meetings.flatMap((m) => m.expectedIds),
  )
  const branchNames = new Map((await ctx.db.selectFrom('branches').select(['id', 'name']).execute()).map((b) => [b.id, b.name] as const))
  const branchOf = (m: Meeting) => branchNames.get(m.branchId) ?? m.branchId
  const town = ctx.branch === null
  // The town's columns go branch by branch, as its rows do: each branch's members and meetings make one block.
  if (town) meetings.sort((a, b) => branchOf(a).localeCompare(branchOf(b), 'zh-CN') || a.startsAt.localeCompare(b.startsAt))

  const key = (meetingId: string, memberId: string) => `${meetingId}|${memberId}`
  const leaveOf = new Map(leaves.map((l) => [key(l.meetingId, l.memberId), l]))
  const rates = attendanceRates({ meetings, attendance, leaves, awayIds: new Set(people.filter((p) => p.away).map((p) => p.id)) })
  // Each member's marks by column, from the meetings' expected lists and check-ins: a town's grid is mostly
  // empty (a member attends their own branch's meetings), so it is filled sparsely.
  const marks = new Map<string, Map<number, string>>()
  const attendanceOf = new Map(attendance.map((a) => [key(a.meetingId, a.memberId), a]))
  const checkedIn = new Map<string, string[]>()
  for (const a of attendance)
    checkedIn
      .set(a.meetingId, checkedIn.get(a.meetingId) ?? [])
      .get(a.meetingId)!
      .push(a.memberId)
  meetings.forEach((m, column) => {
    for (const memberId of new Set([...m.expectedIds, ...(checkedIn.get(m.id) ?? [])])) {
      const k = key(m.id, memberId)
      const row = marks.get(memberId) ?? new Map<number, string>()
      marks.set(memberId, row.set(column, mark(m, attendanceOf.get(k), leaveOf.get(k))))
    }
  })

  const title = (m: Meeting) =>
    `${town ? `${branchOf(m)} ` : ''}${shanghaiMonthDay(m.startsAt)} ${MEETING_TYPE_LABELS[m.type as MeetingType] ?? m.type}${m.status === 'closed' ? '' : '（未结束）'}`
  const figures = (r: Rate | undefined): Cell[] => [r?.expected ?? 0, r?.present ?? 0, percent(r?.rate ?? null)]
  const register = people.map((p): Cell[] => {
    const row: Cell[] = [...(town ? [p.branchName] : []), p.name, p.note, ...Array<Cell>(meetings.length).fill(null)]
    for (const [column, value] of marks.get(p.id) ?? []) row[(town ? 3 : 2) + column] = centered(value)
    return [...row, ...figures(rates.byMember.get(p.id))]
  })
  const total: Cell[] = [
    ...(town ? [null] : []),
    bold('合计'),
    null,
    ...meetings.map((m) => {
      const r = rates.byMeeting.get(m.id)
      return centered(r ? `${r.present}/${r.expected}` : null)
    }),
    bold(rates.overall.expected),
    bold(rates.overall.present),
    percent(rates.overall.rate),
  ]
  const registerSheet = sheet(
    '参会登记',
    [...(town ? ['支部'] : []), '姓名', '备注', ...meetings.map(title), '应到', '实到', '参会率'],
    [...(town ? [16] : []), 10, 18, ...meetings.map(() => (town ? 20 : 14)), 7, 7, 9],
    [...register, total],
  )
  registerSheet.stickyColumnsCount = town ? 2 : 1

  const summary = meetings.map((m): Cell[] => {
    const r = rates.byMeeting.get(m.id)
    const q = m.type === 'assembly' && r ? quorum(r.expected, r.present) : null
    return [
      shanghaiMinute(m.startsAt),
      ...(town ? [branchOf(m)] : []),
      MEETING_TYPE_LABELS[m.type as MeetingType] ?? m.type,
      m.title,
      m.expectedIds.length,
      r?.present ?? null,
      r?.onsite ?? null,
      r?.remote ?? null,
      r?.excused ?? null,
      r?.absent ?? null,
      percent(r?.rate ?? null),
      q ? `${q.met ? '达到' : '未达到'}（须${q.needed}人）` : null,
      m.status === 'closed' ? '已结束' : '未结束，不计入参会率',
    ]
  })
  const summarySheet = sheet(
    '会议汇总',
    ['时间', ...(town ? ['支部'] : []), '类型', '会议名称', '应到', '实到', '现场', '远程', '请假', '缺席', '参会率', '法定人数', '状态'],
    [18, ...(town ? [16] : []), 14, 40, 7, 7, 7, 7, 7, 7, 9, 18, 22],
    summary,
  )
  return [registerSheet, summarySheet]
}

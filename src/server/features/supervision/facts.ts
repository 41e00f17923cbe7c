// What supervision is computed from (issue 13): each current branch's BranchFacts, read for all branches
// at once in a handful of queries (never one per branch: the bench town has 50 branches and 2,300
// members). The window: FACTS_WINDOW_MONTHS back from the start of this month (the 12-month trend, the
// year so far, the quarter before this one), comments still open whenever they were posted, and meetings
// and topics from the start of last year, so a yearly rule can judge the year before this one.
import { sql, type Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { BranchFacts } from '~/domain/branchFacts'
import { FACTS_WINDOW_MONTHS } from '~/domain/branchFacts'
import type { AttendanceRow, LeaveRow, MeetingRow } from '~/domain/meetings'
import type { CommentRow } from '~/domain/board'
import { addMonths, dayInShanghai, monthOf, monthStart, startOfShanghaiDay, yearOf } from '~/domain/calendar'

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] }

/** The days facts start from: the window (rates, trends, points, study) and the earlier start of meetings and topics. */
export function factsWindow(now: string): { today: string; from: string; periodsFrom: string } {
  const today = dayInShanghai(now)
  return {
    today,
    from: monthStart(addMonths(monthOf(today), -FACTS_WINDOW_MONTHS)),
    periodsFrom: `${Number(yearOf(today)) - 1}-01-01`,
  }
}

const instantOf = (day: string) => new Date(startOfShanghaiDay(day)).toISOString()

/**
 * The facts of every current (non-archived) branch, or of those named, in the branches' id order.
 * Meetings older than the window are there only to be counted as held: their attendance is not loaded.
 */
export async function loadBranchFacts(db: Kysely<Database>, now: string, branchIds?: readonly string[]): Promise<BranchFacts[]> {
  if (branchIds && branchIds.length === 0) return []
  const window = factsWindow(now)
  const from = instantOf(window.from)
  const periodsFrom = instantOf(window.periodsFrom)
  let branchQuery = db.selectFrom('branches').select(['id', 'name', 'created_on']).where('archived_at', 'is', null)
  if (branchIds) branchQuery = branchQuery.where('id', 'in', branchIds)
  const branches = await branchQuery.orderBy('id').execute()
  const facts = new Map<string, Mutable<BranchFacts>>(
    branches.map((b) => [
      b.id,
      {
        branchId: b.id,
        branchName: b.name,
        since: b.created_on,
        members: [],
        groups: [],
        meetings: [],
        attendance: [],
        leaves: [],
        topics: [],
        comments: [],
        studyDays: [],
        points: [],
      },
    ]),
  )
  const ids = branches.map((b) => b.id)
  if (ids.length === 0) return []
  // Every branch: no list of ids in the statements, rows of archived branches are dropped here.
  const scoped = <Q>(query: Q, apply: (q: Q, ids: readonly string[]) => Q) => (branchIds ? apply(query, ids) : query)

  const [users, groups, meetings, topics, comments] = await Promise.all([
    scoped(
      db
        .selectFrom('users')
        .select(['id', 'name', 'branch_id', 'status', 'party_group_id', 'ended_at'])
        .where('role', '!=', 'admin')
        .where('branch_id', 'is not', null)
        .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', from)])),
      (q, list) => q.where('branch_id', 'in', list),
    )
      .orderBy('id')
      .execute(),
    scoped(db.selectFrom('party_groups').select(['id', 'branch_id', 'name', 'archived_at']), (q, list) => q.where('branch_id', 'in', list))
      .orderBy('id')
      .execute(),
    scoped(
      db
        .selectFrom('meetings')
        .select([
          'id',
          'branch_id',
          'type',
          'title',
          'status',
          'starts_at',
          'ends_at',
          'closed_at',
          'minutes',
          'expected_ids_json',
          'audience',
        ])
        .where('starts_at', '>=', periodsFrom),
      (q, list) => q.where('branch_id', 'in', list),
    )
      .orderBy('starts_at')
      .orderBy('id')
      .execute(),
    scoped(
      db
        .selectFrom('board_topics')
        .select(['id', 'branch_id', 'created_at'])
        .where('branch_id', 'is not', null)
        .where('created_at', '>=', periodsFrom),
      (q, list) => q.where('branch_id', 'in', list),
    )
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    // A comment is its topic's branch's; on a town-wide topic, the branch of its author, whose secretary handles it.
    scoped(
      db
        .selectFrom('board_comments')
        .select(['id', 'branch_id', 'author_branch_id', 'category', 'status', 'deadline', 'created_at', 'accepted_at', 'closed_at'])
        .where((eb) => eb.or([eb('created_at', '>=', from), eb('status', 'in', ['pending', 'accepted'])])),
      (q, list) =>
        q.where((eb) => eb.or([eb('branch_id', 'in', list), eb.and([eb('branch_id', 'is', null), eb('author_branch_id', 'in', list)])])),
    )
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ])

  // Attendance and leaves of the window's meetings, read through the meetings (no list of ids).
  const meetingsInWindow = (table: 'attendance' | 'leaves') =>
    scoped(
      db.selectFrom(table).innerJoin('meetings', 'meetings.id', `${table}.meeting_id`).where('meetings.starts_at', '>=', from),
      (q, list) => q.where('meetings.branch_id', 'in', list),
    )
  const [attendance, leaves, study, points] = await Promise.all([
    meetingsInWindow('attendance')
      .select([
        'meetings.branch_id',
        'attendance.meeting_id',
        'attendance.member_id',
        'attendance.mode',
        'attendance.checked_in_at',
        'attendance.remote_seconds',
        'attendance.review_status',
      ])
      .orderBy('attendance.id')
      .execute(),
    meetingsInWindow('leaves')
      .select(['meetings.branch_id', 'leaves.meeting_id', 'leaves.member_id', 'leaves.status'])
      .orderBy('leaves.id')
      .execute(),
    // The last day each member studied in each month: all that who studied in a month, and in the last 7
    // and 30 days, needs, in a tenth of the rows of every day studied.
    scoped(
      db
        .selectFrom('study_sessions')
        .select(['member_id', (eb) => eb.fn.max('day').as('day')])
        .where('day', '>=', window.from)
        .where('day', '<=', window.today)
        .groupBy(['member_id', sql`substr(day, 1, 7)`]),
      (q, list) => q.where('member_id', 'in', (eb) => eb.selectFrom('users').select('id').where('branch_id', 'in', list)),
    )
      .orderBy('member_id')
      .orderBy('day')
      .execute(),
    // The ledger's monthly totals (points_totals, kept with every entry) rather than summing the ledger.
    scoped(
      db
        .selectFrom('points_totals')
        .select(['member_id', 'period', 'points'])
        .where(sql<number>`length(period)`, '=', 7)
        .where('period', '>=', monthOf(window.from)),
      (q, list) => q.where('member_id', 'in', (eb) => eb.selectFrom('users').select('id').where('branch_id', 'in', list)),
    )
      .orderBy('member_id')
      .orderBy('period')
      .execute(),
  ])

  for (const u of users) {
    facts.get(u.branch_id ?? '')?.members.push({
      id: u.id,
      name: u.name,
      away: u.status === 'away',
      partyGroupId: u.party_group_id,
      endedAt: u.ended_at,
    })
  }
  for (const g of groups) facts.get(g.branch_id)?.groups.push({ id: g.id, name: g.name, archivedAt: g.archived_at })
  for (const m of meetings) {
    facts.get(m.branch_id)?.meetings.push({
      id: m.id,
      branchId: m.branch_id,
      type: m.type as MeetingRow['type'],
      title: m.title,
      status: m.status,
      startsAt: m.starts_at,
      endsAt: m.ends_at,
      closedAt: m.closed_at,
      minutes: m.minutes,
      expectedIds: JSON.parse(m.expected_ids_json) as string[],
      audience: m.audience as MeetingRow['audience'],
    })
  }
  for (const a of attendance) {
    facts.get(a.branch_id)?.attendance.push({
      meetingId: a.meeting_id,
      memberId: a.member_id,
      mode: a.mode as AttendanceRow['mode'],
      checkedInAt: a.checked_in_at,
      remoteSeconds: a.remote_seconds,
      review: a.review_status,
    })
  }
  for (const l of leaves) {
    facts.get(l.branch_id)?.leaves.push({ meetingId: l.meeting_id, memberId: l.member_id, status: l.status as LeaveRow['status'] })
  }
  for (const t of topics) facts.get(t.branch_id ?? '')?.topics.push({ id: t.id, createdAt: t.created_at })
  for (const c of comments) {
    facts.get(c.branch_id ?? c.author_branch_id ?? '')?.comments.push({
      id: c.id,
      category: c.category as CommentRow['category'],
      status: c.status as CommentRow['status'],
      deadline: c.deadline,
      createdAt: c.created_at,
      acceptedAt: c.accepted_at,
      closedAt: c.closed_at,
    })
  }
  const branchOf = new Map(users.map((u) => [u.id, u.branch_id ?? '']))
  for (const s of study) facts.get(branchOf.get(s.member_id) ?? '')?.studyDays.push({ memberId: s.member_id, day: String(s.day) })
  for (const p of points)
    facts.get(branchOf.get(p.member_id) ?? '')?.points.push({ memberId: p.member_id, month: p.period, points: Number(p.points) })
  return [...facts.values()]
}

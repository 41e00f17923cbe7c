// What supervision is computed from (issue 13): each current branch's BranchFacts, read for all branches
// at once in a handful of queries (never one per branch: the bench town has 50 branches and 2,300
// members). The window: FACTS_WINDOW_MONTHS back from the start of this month (the 12-month trend, the
// year so far, the quarter before this one), comments still open whenever they were posted, and meetings
// and topics from the start of last year, so a yearly rule can judge the year before this one.
import { sql, type Kysely, type RawBuilder } from 'kysely'
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

  // The many-row facts come aggregated, one string per meeting or member (see `aggregated`): building a
  // JS object per row (44k attendance rows, 30k months of study and points in the bench town) is what cost.
  const inWindow = (table: 'attendance' | 'leaves') =>
    scoped(
      db
        .selectFrom(table)
        .innerJoin('meetings', 'meetings.id', `${table}.meeting_id`)
        .where('meetings.starts_at', '>=', from)
        .groupBy(`${table}.meeting_id`),
      (q, list) => q.where('meetings.branch_id', 'in', list),
    )
  const membersOf = (list: readonly string[]) => db.selectFrom('users').select('id').where('branch_id', 'in', list)
  const month = monthOf(window.today)
  const [attendance, leaves, study, studyNow, points] = await Promise.all([
    inWindow('attendance')
      .select([
        'attendance.meeting_id as key',
        aggregated([
          'attendance.member_id',
          'attendance.mode',
          'attendance.checked_in_at',
          'attendance.remote_seconds',
          sql`coalesce(attendance.review_status, '')`,
        ]),
      ])
      .execute(),
    inWindow('leaves')
      .select(['leaves.meeting_id as key', aggregated(['leaves.member_id', 'leaves.status'])])
      .execute(),
    // The last day each member studied in each month (kept by the study writer): all that who studied in a
    // month, and in the last 7 and 30 days, needs. A month's day after today (computing as of the past) is
    // looked up in the sessions below.
    scoped(
      db
        .selectFrom('study_months')
        .select(['member_id as key', aggregated(['last_day'])])
        .where('month', '>=', monthOf(window.from))
        .where('month', '<=', month)
        .where('last_day', '<=', window.today)
        .groupBy('member_id'),
      (q, list) => q.where('member_id', 'in', membersOf(list)),
    ).execute(),
    scoped(
      db
        .selectFrom('study_sessions')
        .select(['member_id', (eb) => eb.fn.max('day').as('day')])
        .where('day', '>=', monthStart(month))
        .where('day', '<=', window.today)
        .where('member_id', 'in', (eb) =>
          eb.selectFrom('study_months').select('member_id').where('month', '=', month).where('last_day', '>', window.today),
        )
        .groupBy('member_id'),
      (q, list) => q.where('member_id', 'in', membersOf(list)),
    ).execute(),
    // The ledger's monthly totals (points_totals, kept with every entry) rather than summing the ledger.
    scoped(
      db
        .selectFrom('points_totals')
        .select(['member_id as key', aggregated(['period', 'points'])])
        .where(sql<number>`length(period)`, '=', 7)
        .where('period', '>=', monthOf(window.from))
        .groupBy('member_id'),
      (q, list) => q.where('member_id', 'in', membersOf(list)),
    ).execute(),
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
  // In the meetings' order (their start).
  const attendanceOf = new Map(attendance.map((r) => [r.key, r.rows]))
  const leavesOf = new Map(leaves.map((r) => [r.key, r.rows]))
  for (const m of meetings) {
    const branch = facts.get(m.branch_id)
    if (!branch) continue
    const a = fields(attendanceOf.get(m.id))
    for (let i = 0; i < a.length; i += 5)
      branch.attendance.push({
        meetingId: m.id,
        memberId: a[i]!,
        mode: a[i + 1] as AttendanceRow['mode'],
        checkedInAt: a[i + 2]!,
        remoteSeconds: Number(a[i + 3]),
        review: (a[i + 4] || null) as AttendanceRow['review'],
      })
    const l = fields(leavesOf.get(m.id))
    for (let i = 0; i < l.length; i += 2) branch.leaves.push({ meetingId: m.id, memberId: l[i]!, status: l[i + 1] as LeaveRow['status'] })
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
  const studyDays = new Map(study.map((r) => [r.key, fields(r.rows)]))
  for (const s of studyNow) {
    const days = studyDays.get(s.member_id) ?? studyDays.set(s.member_id, []).get(s.member_id)!
    days.push(String(s.day))
  }
  const pointsOf = new Map(points.map((r) => [r.key, r.rows]))
  for (const u of users) {
    const branch = facts.get(u.branch_id ?? '')
    if (!branch) continue
    for (const day of studyDays.get(u.id) ?? []) branch.studyDays.push({ memberId: u.id, day })
    const p = fields(pointsOf.get(u.id))
    for (let i = 0; i < p.length; i += 2) branch.points.push({ memberId: u.id, month: p[i]!, points: Number(p[i + 1]) })
  }
  return [...facts.values()]
}

// The separator no id, instant, day, status or number holds (the ASCII unit separator).
const UNIT = '\u001f'

/**
 * A group's rows as one string: `columns`, row after row, all joined by UNIT (one split and one array per
 * group, not per row). In no particular order: no figure depends on it, and sorting cost a fifth more.
 * string_agg is PostgreSQL's and SQLite's (3.44+) alike; integer columns come back as their digits.
 */
function aggregated(columns: readonly (string | RawBuilder<unknown>)[]) {
  const row = sql.join(
    columns.map((c) => (typeof c === 'string' ? sql.ref(c) : c)),
    sql` || ${sql.lit(UNIT)} || `,
  )
  return sql<string>`string_agg(${row}, ${sql.lit(UNIT)})`.as('rows')
}

/** An aggregated group's fields, flat: row i's column j is at i × columns + j. */
const fields = (rows: string | undefined): string[] => (rows ? rows.split(UNIT) : [])

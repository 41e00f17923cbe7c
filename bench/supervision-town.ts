// The supervision bench's town, in memory: 2,300 members in 50 branches and what the overview is computed
// from over the facts' window (13 months to now): each branch's monthly 支委会 and 主题党日, quarterly 支部党员大会
// and 党课, their attendance and leaves, study days, points per member and month, 朋友圈 topics and comments,
// and a few warnings and notices. Seeded, so every run sees the same town.
import type { BranchFacts } from '../src/domain/branchFacts'
import { COMMENT_CATEGORIES } from '../src/domain/board'
import { addDays, addMonths, dayInShanghai, endOfShanghaiDay, monthOf, shanghaiTime } from '../src/domain/calendar'
import { FACTS_WINDOW_MONTHS } from '../src/domain/branchFacts'
import type { MeetingType } from '../src/domain/meetings'
import type { SupervisionState } from '../src/domain/overview'
import type { RectificationRow, WarningRow } from '../src/domain/supervision'
import { sized } from './quick'

export const TOWN_BRANCHES = sized(50, 5)
export const TOWN_MEMBERS = sized(2_300, 230)
/** A Wednesday late in November 2026, noon in Shanghai. */
export const TOWN_NOW = '2026-11-25T04:00:00.000Z'
const GROUPS_PER_BRANCH = 4
const COMMITTEE_SIZE = 5

/** A small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Town {
  now: string
  facts: BranchFacts[]
  state: SupervisionState
  /** Rows of each kind across the town. */
  counts: Record<
    'members' | 'meetings' | 'attendance' | 'leaves' | 'studyDays' | 'points' | 'topics' | 'comments' | 'warnings' | 'notices',
    number
  >
}

type Meeting = BranchFacts['meetings'][number]

export function buildTown(now = TOWN_NOW): Town {
  const rand = random(13)
  const today = dayInShanghai(now)
  const firstMonth = addMonths(monthOf(today), -FACTS_WINDOW_MONTHS)
  const first = `${firstMonth}-01`
  const facts: BranchFacts[] = []
  const warnings: WarningRow[] = []
  const rectifications: RectificationRow[] = []
  const days: string[] = []
  for (let day = first; day <= today; day = addDays(day, 1)) days.push(day)
  const at = (day: string, time: string) => new Date(shanghaiTime(day, time)).toISOString()

  for (let b = 0; b < TOWN_BRANCHES; b++) {
    const branchId = `b-bench-${b}`
    const size = Math.floor(TOWN_MEMBERS / TOWN_BRANCHES) + (b < TOWN_MEMBERS % TOWN_BRANCHES ? 1 : 0)
    const groups = Array.from({ length: GROUPS_PER_BRANCH }, (_, g) => ({
      id: `${branchId}-g${g}`,
      name: `第${g + 1}党小组`,
      archivedAt: null,
    }))
    // One in ten works away; two a branch ended during the year (their past still counts).
    const members = Array.from({ length: size }, (_, i) => ({
      id: `${branchId}-m${i}`,
      name: `党员${b}-${i}`,
      away: i % 10 === 3,
      partyGroupId: groups[i % GROUPS_PER_BRANCH]!.id,
      endedAt: i === size - 1 || i === size - 2 ? at(addDays(today, -40 - 100 * (i % 2)), '10:00') : null,
    }))
    const everyone = members.map((m) => m.id)
    const committee = everyone.slice(0, COMMITTEE_SIZE)
    const awayIds = new Set(members.filter((m) => m.away).map((m) => m.id))
    const keenness = new Map(members.map((m) => [m.id, rand()]))

    const meetings: Meeting[] = []
    const meeting = (type: MeetingType, day: string, expectedIds: string[]) => {
      const id = `${branchId}-${type}-${day}`
      const startsAt = at(day, '09:00')
      const closed = day < today
      meetings.push({
        id,
        branchId,
        type,
        title: id,
        status: closed ? 'closed' : 'scheduled',
        startsAt,
        endsAt: at(day, '11:00'),
        closedAt: closed ? at(day, '11:30') : null,
        minutes: closed ? '会议记录' : null,
        expectedIds,
        audience: type === 'committee' ? 'committee' : 'branch',
      })
    }
    for (let month = firstMonth; `${month}-01` <= today; month = addMonths(month, 1)) {
      meeting('committee', `${month}-0${3 + (b % 5)}`, committee)
      meeting('theme_day', `${month}-1${b % 9}`, everyone)
      if (['01', '04', '07', '10'].includes(month.slice(5))) {
        meeting('assembly', `${month}-2${b % 8}`, everyone)
        meeting('lecture', `${month}-2${1 + (b % 7)}`, everyone)
      }
    }

    const attendance: BranchFacts['attendance'][number][] = []
    const leaves: BranchFacts['leaves'][number][] = []
    for (const m of meetings) {
      if (m.status !== 'closed') continue
      for (const memberId of m.expectedIds) {
        const away = awayIds.has(memberId)
        const r = rand()
        if (r < (away ? 0.65 : 0.88)) {
          const late = rand() < 0.1
          attendance.push({
            meetingId: m.id,
            memberId,
            mode: away ? 'remote' : rand() < 0.03 ? 'proxy' : 'onsite',
            checkedInAt: new Date(Date.parse(m.startsAt) + (late ? 20 : -10) * 60_000).toISOString(),
            remoteSeconds: away ? 7200 - Math.floor(rand() * 1800) : 0,
          })
        } else if (r < 0.95) leaves.push({ meetingId: m.id, memberId, status: rand() < 0.8 ? 'approved' : 'pending' })
      }
    }

    // Study days: each member studies on a share of days that is their own (0–60%).
    const studyDays: BranchFacts['studyDays'][number][] = []
    for (const m of members) {
      const p = keenness.get(m.id)! * 0.6
      for (const day of days) if (rand() < p) studyDays.push({ memberId: m.id, day })
    }

    const points: BranchFacts['points'][number][] = []
    for (const m of members) {
      for (let month = firstMonth; `${month}-01` <= today; month = addMonths(month, 1))
        points.push({ memberId: m.id, month, points: Math.round(keenness.get(m.id)! * 30 + rand() * 10) })
    }

    const topics: BranchFacts['topics'][number][] = []
    const comments: BranchFacts['comments'][number][] = []
    for (let month = firstMonth; `${month}-01` <= today; month = addMonths(month, 1)) {
      for (let t = 0; t < 2; t++) topics.push({ id: `${branchId}-t-${month}-${t}`, createdAt: at(`${month}-0${2 + t}`, '08:00') })
      for (let c = 0; c < 6; c++) {
        const day = `${month}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`
        if (day > today) continue
        const r = rand()
        const accepted = r < 0.85
        const deadline = accepted ? new Date(endOfShanghaiDay(addDays(day, 8))).toISOString() : null
        const resolvedOn = addDays(day, 2 + Math.floor(rand() * 10))
        const resolved = accepted && resolvedOn < today && rand() < 0.9
        comments.push({
          id: `${branchId}-c-${month}-${c}`,
          category: COMMENT_CATEGORIES[c % COMMENT_CATEGORIES.length]!,
          status: resolved ? 'resolved' : accepted ? 'accepted' : r < 0.95 ? 'rejected' : 'pending',
          deadline,
          createdAt: at(day, '08:30'),
          acceptedAt: accepted ? at(addDays(day, 1), '09:00') : null,
          closedAt: resolved ? at(resolvedOn, '16:00') : r >= 0.85 && r < 0.95 ? at(addDays(day, 1), '09:00') : null,
        })
      }
    }

    // A few warnings (one branch in five has a red one) and a notice for each red.
    for (let w = 0; w < 3; w++) {
      const red = b % 5 === 0 && w === 0
      const id = `w:${branchId}:committee-monthly:2026-${String(9 + w).padStart(2, '0')}`
      const openedAt = at(`2026-${String(9 + w).padStart(2, '0')}-16`, '00:05')
      warnings.push({
        id,
        branchId,
        ruleCode: 'committee-monthly',
        ruleVersion: 1,
        kind: w === 2 ? 'topic' : 'meeting',
        groupId: null,
        period: id.slice(-7),
        level: red ? 'red' : 'yellow',
        title: `${id.slice(-7)} 支委会未召开`,
        openedAt,
        escalatedAt: red ? openedAt : null,
        clearedAt: w === 1 ? at('2026-10-20', '10:00') : null,
        clearReason: w === 1 ? '已召开' : null,
        history: [{ at: openedAt, event: 'opened', level: red ? 'red' : 'yellow', why: '本月已过半，支委会尚未召开也未安排' }],
        rectificationId: red ? `r-${branchId}` : null,
      })
      if (red) {
        rectifications.push({
          id: `r-${branchId}`,
          branchId,
          warningId: id,
          number: `整改〔2026〕${b + 1}号`,
          requirement: '按期召开支委会',
          issuedById: 'admin',
          issuedAt: openedAt,
          workingDays: 10,
          deadline: '2026-09-30',
          status: b % 10 === 0 ? 'accepted' : 'open',
          answers: [],
          decisions: [],
          followsId: null,
          escalatedAt: null,
          closedAt: b % 10 === 0 ? at('2026-09-28', '10:00') : null,
          updatedAt: openedAt,
        })
      }
    }

    facts.push({
      branchId,
      branchName: `第${b + 1}党支部`,
      since: null,
      members,
      groups,
      meetings,
      attendance,
      leaves,
      topics,
      comments,
      studyDays,
      points,
    })
  }

  const sum = (key: keyof BranchFacts) => facts.reduce((n, f) => n + (f[key] as readonly unknown[]).length, 0)
  return {
    now,
    facts,
    state: { warnings, rectifications },
    counts: {
      members: sum('members'),
      meetings: sum('meetings'),
      attendance: sum('attendance'),
      leaves: sum('leaves'),
      studyDays: sum('studyDays'),
      points: sum('points'),
      topics: sum('topics'),
      comments: sum('comments'),
      warnings: warnings.length,
      notices: rectifications.length,
    },
  }
}

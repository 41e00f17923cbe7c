// One valid-looking argument object for every mutation in the registry, on the demo data: what the
// authorization matrix and the property-based test start from. Typed by the registry, so a mutation added
// without an example here fails the type check (and `exampleArgs` fails at run time) the day it is added.
import { randomInt, randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { newUserId } from '~/server/services/userIds'
import type { MutationArgs, MutationName } from '~/domain/mutations'
import { addDays, dayInShanghai, monthOf, previousMonth, weekdayOf } from '~/domain/calendar'
import { demoUserId } from '../demo-users'
import { DEMO } from './helpers'

export const ROLE_PHONES = { member: DEMO.member, secretary: DEMO.secretary, admin: DEMO.admin } as const
export type RoleName = keyof typeof ROLE_PHONES

type Examples = { [N in MutationName]: (now: Date) => MutationArgs<N> }

const member = () => demoUserId(DEMO.member)
const iso = (now: Date, minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString()
const today = (now: Date) => dayInShanghai(now)
const lastMonth = (now: Date) => previousMonth(monthOf(today(now)))
const weekdayFrom = (day: string) => (weekdayOf(day) > 5 ? addDays(day, 8 - weekdayOf(day)) : day)

/** 合兴村 members the roster's examples change: ended, moved to 金鸡窝村, appointed secretary, grouped. */
export const ROSTER_EXAMPLE_MEMBERS = {
  ended: demoUserId('13800000009'),
  moved: demoUserId('13800000008'),
  appointed: demoUserId('13800000007'),
  group: [demoUserId('13800000004'), demoUserId('13800000005'), demoUserId('13800000006')],
} as const

/** A 整改提示单 to 合兴村 the examples answer and decide (the authorization tests issue it first). */
export const EXAMPLE_RECTIFICATION = 'r-example-hexing'

/** Meetings of 合兴村 in the demo data: one that runs today, one next week. */
export const DEMO_MEETINGS = { today: 'demo-hexing-04', nextWeek: 'demo-hexing-05' } as const

const EXAMPLES: Examples = {
  'profile.update': (now) => ({ status: 'away', awayCity: '杭州', returnDate: addDays(today(now), 30), phone: '13900000000' }),
  'study.record': (now) => ({
    sessionId: randomUUID(),
    materialId: 'm-001',
    startedAt: iso(now, -20),
    endedAt: iso(now, -10),
    activeSeconds: 300,
    completed: false,
  }),
  'quiz.submit': (now) => ({ quizId: `daily:${today(now)}`, answers: {}, submittedAt: iso(now, -1) }),
  'points.adjust': () => ({ adjustmentId: randomUUID(), memberId: member(), kind: 'volunteer', amount: 1, reason: '参加村道清扫' }),
  'points.correct': () => ({ entryId: 'no-such-entry', reason: '录入有误，更正' }),
  'rules.revise': (now) => ({ code: 'article-read', from: addDays(today(now), 1), change: { points: 2 } }),
  'honor.publish': (now) => ({ month: lastMonth(now), threshold: 5, redPerBranch: 3 }),
  'honor.withdraw': (now) => ({ month: lastMonth(now), reason: '名单有误，需要核对' }),
  'material.save': () => ({
    material: {
      id: 'm-example',
      column: 'library',
      course: null,
      lesson: null,
      category: '党章党规',
      kind: 'article',
      title: '示例资料',
      summary: '',
      body: '这是一篇示例学习资料的正文。',
      media: null,
    },
  }),
  'material.withdraw': () => ({ materialId: 'm-example' }),
  'question.save': () => ({
    question: {
      id: 'q-example',
      category: '党章党规',
      type: 'single',
      stem: '示例题干？',
      options: ['甲', '乙'],
      answer: [0],
      explanation: '',
      materialId: null,
    },
  }),
  'question.withdraw': () => ({ questionId: 'q-example' }),
  'exam.save': (now) => ({
    exam: {
      id: 'e-example',
      title: '示例考试',
      summary: '',
      questionIds: ['q-001', 'q-002'],
      passMark: 60,
      opensOn: today(now),
      closesOn: addDays(today(now), 7),
    },
  }),
  'exam.withdraw': () => ({ examId: 'e-example' }),
  'meeting.schedule': (now) => ({
    meeting: {
      id: 'mt-example',
      branchId: 'b-hexing',
      type: 'assembly',
      title: '示例会议',
      agenda: '',
      place: '村委会会议室',
      startsAt: iso(now, 24 * 60),
      endsAt: iso(now, 25 * 60),
      audience: 'branch',
      memberIds: [],
      remoteAllowed: false,
      remoteMemberIds: [],
      videoUrl: null,
      materialIds: [],
      backfillReason: null,
    },
  }),
  'meeting.checkin': (now) => ({
    meetingId: DEMO_MEETINGS.today,
    token: `DJY1.${DEMO_MEETINGS.today}.1.abcdefabcdefabcdef`,
    scannedAt: iso(now, 0),
  }),
  'meeting.proxy': () => ({ meetingId: DEMO_MEETINGS.today, memberId: member(), note: '老党员没有手机' }),
  'leave.request': () => ({ meetingId: DEMO_MEETINGS.nextWeek, reason: '外出看病' }),
  'leave.decide': () => ({ meetingId: DEMO_MEETINGS.nextWeek, memberId: member(), approve: true, note: null }),
  'attendance.review': () => ({ meetingId: DEMO_MEETINGS.today, memberId: member(), confirm: true, note: null }),
  'meeting.close': () => ({ meetingId: DEMO_MEETINGS.today, minutes: '会议记录：学习了文件，讨论了村里的事项。' }),
  'topic.save': (now) => ({
    topic: {
      id: 't-example',
      branchId: 'b-hexing',
      category: 'livelihood',
      title: '示例话题标题',
      text: '',
      photos: [],
      closesOn: addDays(today(now), 10),
    },
  }),
  'comment.post': () => ({
    comment: { id: `c-${randomUUID()}`, topicId: 't-hexing-road', text: '示例留言', category: 'suggestion', householdId: null, photos: [] },
  }),
  'comment.act': () => ({ commentId: 'c-hexing-road-2', action: { type: 'resolve', reply: '已经处理完毕' } }),
  'comment.delete': () => ({ commentId: 'c-example' }),
  'comment.like': () => ({ commentId: 'c-hexing-road-1', liked: true }),
  'notice.read': () => ({ noticeIds: ['no-such-notice'] }),
  // The roster (issue 12), on 合兴村's demo members: each example touches someone else, so none of them
  // changes the three accounts the tests sign in with.
  'member.save': () => ({
    memberId: newUserId(),
    branchId: 'b-hexing',
    name: '新党员',
    phone: `139${String(randomInt(100_000_000)).padStart(8, '0')}`,
    gender: 'female',
    birthDate: '1985-03-12',
    joinedPartyOn: '2010-07-01',
    membership: 'probationary',
    status: 'away',
    awayCity: '宁波',
    centerHousehold: true,
    partyGroupId: null,
    committeePost: null,
    households: [{ id: `h-${randomUUID()}`, headName: '王大伯', address: '合兴村三组12号', people: 4 }],
  }),
  'member.end': (now) => ({ memberId: ROSTER_EXAMPLE_MEMBERS.ended, reason: 'transfer_out', on: today(now), note: '转往外镇' }),
  'member.move': () => ({ memberId: ROSTER_EXAMPLE_MEMBERS.moved, toBranchId: 'b-jinjiwo', note: '随子女迁居' }),
  'member.role': () => ({ memberId: ROSTER_EXAMPLE_MEMBERS.appointed, role: 'secretary' }),
  'branch.save': () => ({ branchId: 'b-example', name: '示例村党支部', place: '示例村', kind: 'village' }),
  'branch.archive': () => ({ branchId: 'b-example', archived: true }),
  'group.save': () => ({
    groupId: 'g-example',
    branchId: 'b-hexing',
    name: '第一党小组',
    leaderId: ROSTER_EXAMPLE_MEMBERS.group[0],
    memberIds: [...ROSTER_EXAMPLE_MEMBERS.group],
  }),
  'group.archive': () => ({ groupId: 'g-example' }),
  // Supervision (issue 13). An answer and a decision need a notice: 'rectification.issue' with this id,
  // which comes before them in the registry (the first valid issue creates it; later ones are duplicates).
  'warningRule.revise': (now) => ({ code: 'lecture-quarterly', from: addDays(today(now), 1), change: { period: 'month' } }),
  // A weekday: a weekend day is a holiday already, and marking one so is refused.
  'workday.set': (now) => ({ day: weekdayFrom(addDays(today(now), 10)), kind: 'holiday', name: '本地假日' }),
  'rectification.issue': () => ({
    id: EXAMPLE_RECTIFICATION,
    branchId: 'b-hexing',
    warningId: null,
    requirement: '本季度未召开支部党员大会，请于期限内召开并上传会议记录',
    workingDays: 10,
  }),
  'rectification.answer': () => ({
    id: EXAMPLE_RECTIFICATION,
    answerId: `a-${randomUUID()}`,
    text: '已于本周召开支部党员大会',
    photoIds: [],
    meetingId: null,
  }),
  'rectification.decide': () => ({ id: EXAMPLE_RECTIFICATION, outcome: 'returned', reason: '会议记录不完整，请补充' }),
}

/** A fresh example of `name`'s arguments (new ids where the mutation creates something). */
export function exampleArgs(name: MutationName, now = new Date()): unknown {
  const example = EXAMPLES[name] as ((now: Date) => unknown) | undefined
  if (!example) throw new Error(`no example arguments for the mutation ${name}: add one to tests/server/mutation-examples.ts`)
  return example(now)
}

// Bookkeeping a rejected mutation may touch: its own record, the device's last sight, sessions and throttles.
const tablesOf = new WeakMap<Kysely<Database>, string[]>()
const BOOKKEEPING = new Set([
  'applied_mutations',
  'sync_clients',
  'sessions',
  'login_failures',
  'webauthn_challenges',
  'kysely_migration',
  'kysely_migration_lock',
])

/**
 * What the server holds, as far as a mutation could change it: every scope's version (each synced write
 * bumps one) and the number of rows of every other table. Equal before and after: nothing changed.
 */
export async function serverState(db: Kysely<Database>): Promise<Record<string, number>> {
  const state: Record<string, number> = {}
  for (const row of await db.selectFrom('scope_versions').select(['scope', 'version']).execute())
    state[`version ${row.scope}`] = Number(row.version)
  let tables = tablesOf.get(db)
  if (!tables) {
    tables = (await db.introspection.getTables())
      .map((t) => t.name)
      .filter((name) => !BOOKKEEPING.has(name))
      .sort()
    tablesOf.set(db, tables)
  }
  const counts = await sql<{ t: string; n: number | string }>`${sql.join(
    tables.map((name) => sql`select ${name} as t, count(*) as n from ${sql.table(name)}`),
    sql` union all `,
  )}`.execute(db)
  for (const row of counts.rows) state[`rows ${row.t}`] = Number(row.n)
  return state
}

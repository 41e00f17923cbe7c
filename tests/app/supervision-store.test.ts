import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { overlayRectifications, overlayWorkdays, useSupervisionStore } from '~/app/stores/supervision'
import type { OutboxEntry } from '~/app/sync/pending'
import type { Viewer } from '~/domain/sync'
import { workCalendarOf } from '~/domain/calendar'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import { DEFAULT_WARNING_RULES, warningRuleRowId, type RectificationRow, type WarningRow, type WorkdayRow } from '~/domain/supervision'
import type { Me } from '~/domain/users'
import { describeWarningRule, sayDate, sayDeadline } from '~/app/views/supervision/supervisionFormat'
import { demoMe, freshDB } from './helpers'

const ADMIN = 'u-jjv8xvrq2yab'
const SECRETARY = 'u-d2h5f8be4qmj'
const BRANCH = 'b-hexing'
const OTHER_BRANCH = 'b-other'
// Monday 28 September 2026, noon in Shanghai: 中秋 just past, 国庆 (1–7 October) and its 调休 Saturday ahead.
const NOW = '2026-09-28T04:00:00.000Z'

const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const adminMe: Me = { ...demoMe, user: { ...demoMe.user, id: ADMIN, phone: '13800000901', name: '周卫东', role: 'admin' }, branch: null }
const secretaryMe: Me = { ...demoMe, user: { ...demoMe.user, id: SECRETARY, phone: '13800000101', name: '张志强', role: 'secretary' } }
const memberMe: Me = demoMe

const CALENDAR: WorkdayRow[] = [
  ...['2026-09-25', '2026-09-26', '2026-09-27'].map((id) => ({ id, kind: 'holiday' as const, name: '中秋节' })),
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => ({ id: `2026-10-0${d}`, kind: 'holiday' as const, name: '国庆节' })),
  { id: '2026-10-10', kind: 'workday', name: '国庆节调休上班' },
]

function warning(id: string, over: Partial<WarningRow> = {}): WarningRow {
  return {
    id,
    branchId: BRANCH,
    ruleCode: 'assembly-quarterly',
    ruleVersion: 1,
    kind: 'meeting',
    groupId: null,
    period: '2026-Q3',
    level: 'yellow',
    title: `预警 ${id}`,
    openedAt: '2026-08-16T01:00:00.000Z',
    escalatedAt: null,
    clearedAt: null,
    clearReason: null,
    history: [{ at: '2026-08-16T01:00:00.000Z', event: 'opened', level: 'yellow', why: '本季度已过半，支部党员大会尚未召开也未安排' }],
    rectificationId: null,
    ...over,
  }
}

function notice(id: string, over: Partial<RectificationRow> = {}): RectificationRow {
  return {
    id,
    branchId: BRANCH,
    warningId: null,
    number: '整改〔2026〕1号',
    requirement: '请召开支部党员大会并上传会议记录',
    issuedById: ADMIN,
    issuedAt: '2026-09-21T02:00:00.000Z',
    workingDays: 10,
    deadline: '2026-10-13',
    status: 'open',
    answers: [],
    decisions: [],
    followsId: null,
    escalatedAt: null,
    closedAt: null,
    updatedAt: '2026-09-21T02:00:00.000Z',
    ...over,
  }
}

let db: AppDB
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

async function device(me: Me, tables: { warnings?: WarningRow[]; notices?: RectificationRow[]; workdays?: WorkdayRow[] } = {}) {
  useSessionStore().me = me
  const sync = useSyncStore()
  await sync.start(me.user.id, { schedule: false, transport: unreachable })
  await db.warnings.bulkPut(tables.warnings ?? [])
  await db.rectifications.bulkPut(tables.notices ?? [])
  await db.workdays.bulkPut(tables.workdays ?? CALENDAR)
  await db.warning_rules.bulkPut(DEFAULT_WARNING_RULES.map((r) => ({ ...r, id: warningRuleRowId(r) })))
  const store = useSupervisionStore()
  await waitFor(() => {
    expect(store.loaded).toBe(true)
    expect(store.workdays).toHaveLength((tables.workdays ?? CALENDAR).length)
  })
  return { store, sync }
}

describe('the supervision store', { timeout: 20_000 }, () => {
  beforeEach(() => {
    db = freshDB()
    setActivePinia(createPinia())
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(NOW))
  })

  afterEach(async () => {
    useSupervisionStore().$dispose()
    useSyncStore().stop()
    vi.useRealTimers()
    await db.delete()
  })

  it('lists open warnings first, red before yellow, newest first, and the cleared ones apart', async () => {
    const { store } = await device(secretaryMe, {
      warnings: [
        warning('w-old-yellow', { openedAt: '2026-07-16T01:00:00.000Z' }),
        warning('w-cleared', { clearedAt: '2026-09-20T01:00:00.000Z', clearReason: '已召开支部党员大会' }),
        warning('w-new-yellow', { openedAt: '2026-09-16T01:00:00.000Z' }),
        warning('w-red', { level: 'red', openedAt: '2026-07-01T01:00:00.000Z' }),
        // Another branch's: never on a secretary's device, and not shown if it were.
        warning('w-elsewhere', { branchId: OTHER_BRANCH, level: 'red' }),
      ],
    })
    await waitFor(() => expect(store.openWarnings.map((w) => w.id)).toEqual(['w-red', 'w-new-yellow', 'w-old-yellow']))
    expect(store.clearedWarnings.map((w) => w.id)).toEqual(['w-cleared'])
    expect(store.warningById('w-elsewhere')).toBeUndefined()
  })

  it('counts for the tabs what the lists show: the town, or the one branch they are kept to', async () => {
    const { store } = await device(adminMe, {
      warnings: [
        warning('w-1'),
        warning('w-2', { level: 'red' }),
        warning('w-gone', { clearedAt: '2026-09-20T01:00:00.000Z', clearReason: '已召开支部党员大会' }),
        warning('w-3', { branchId: OTHER_BRANCH }),
      ],
      notices: [
        notice('r-1', { status: 'answered' }),
        notice('r-2'), // the secretary's to answer: not the admin's to review
        notice('r-3', { branchId: OTHER_BRANCH, status: 'answered' }),
        notice('r-4', { branchId: OTHER_BRANCH, status: 'answered' }),
      ],
    })
    await waitFor(() => expect(store.tabCounts()).toEqual({ warnings: 3, notices: 3 }))
    expect(store.tabCounts(BRANCH)).toEqual({ warnings: 2, notices: 1 })
    expect(store.tabCounts(OTHER_BRANCH)).toEqual({ warnings: 1, notices: 2 })
    expect(store.tabCounts('b-none')).toEqual({ warnings: 0, notices: 0 })
  })

  it('answering queues rectification.answer and shows the notice as 待审核 at once', async () => {
    const { store, sync } = await device(secretaryMe, {
      notices: [notice('r-1'), notice('r-done', { status: 'accepted', closedAt: '2026-09-25T01:00:00.000Z' })],
    })
    await waitFor(() => expect(store.toAnswer.map((n) => n.id)).toEqual(['r-1']))
    expect(store.notices.map((n) => n.id)).toEqual(['r-1', 'r-done'])
    // 29, 30 September, then 国庆 off, then 8, 9, 10 (the 调休 Saturday), 12, 13 October.
    expect(store.deadlineOf(store.noticeById('r-1')!)).toEqual({ deadline: '2026-10-13', overdue: false, overdueDays: 0, daysLeft: 7 })

    await store.answer('r-1', { text: '9月27日召开了支部党员大会，会议记录已上传', meetingId: 'm-assembly' })
    await waitFor(() => expect(store.noticeById('r-1')).toMatchObject({ status: 'answered', pending: true }))
    const queued = sync.pending.filter((m) => m.name === 'rectification.answer')
    expect(queued).toHaveLength(1)
    expect(queued[0]!.args).toMatchObject({
      id: 'r-1',
      text: '9月27日召开了支部党员大会，会议记录已上传',
      photoIds: [],
      meetingId: 'm-assembly',
    })
    // Written when it was queued (vi.waitFor moves the faked clock on), by the secretary.
    expect(store.noticeById('r-1')!.answers).toEqual([
      {
        id: (queued[0]!.args as { answerId: string }).answerId,
        at: queued[0]!.clientTime,
        byId: SECRETARY,
        text: '9月27日召开了支部党员大会，会议记录已上传',
        photoIds: [],
        meetingId: 'm-assembly',
      },
    ])
    expect(store.toAnswer).toEqual([])

    // A second answer while the first waits: the server refuses it (already answered), so it isn't shown.
    await store.answer('r-1', { text: '再补充一次整改情况', meetingId: null })
    await waitFor(() => expect(sync.pending.filter((m) => m.name === 'rectification.answer')).toHaveLength(2))
    expect(store.noticeById('r-1')!.answers).toHaveLength(1)
  })

  it('lets the admin send an answer back with a reason, and accept the next one', async () => {
    const answered = notice('r-1', {
      status: 'answered',
      answers: [{ id: 'ra-1', at: '2026-09-24T01:00:00.000Z', byId: SECRETARY, text: '已整改', photoIds: [], meetingId: null }],
    })
    const { store, sync } = await device(adminMe, { notices: [notice('r-open', { branchId: OTHER_BRANCH }), answered] })
    await waitFor(() => expect(store.toReview.map((n) => n.id)).toEqual(['r-1']))
    // The admin sees every branch's, the ones to review first.
    expect(store.notices.map((n) => n.id)).toEqual(['r-1', 'r-open'])

    await store.decide('r-1', 'returned', '会议记录没有上传，请补充')
    await waitFor(() => expect(store.noticeById('r-1')).toMatchObject({ status: 'returned', pending: true }))
    expect(store.noticeById('r-1')!.decisions).toEqual([
      { at: sync.pending[0]!.clientTime, byId: ADMIN, outcome: 'returned', reason: '会议记录没有上传，请补充' },
    ])
    expect(store.toReview).toEqual([])

    // Deciding what isn't answered is refused by the server: not shown as accepted.
    await store.decide('r-1', 'accepted')
    await waitFor(() => expect(sync.pending.filter((m) => m.name === 'rectification.decide')).toHaveLength(2))
    expect(store.noticeById('r-1')!.status).toBe('returned')

    // The pull brings the secretary's second answer; the admin accepts it.
    await db.outbox.clear()
    await db.rectifications.put({
      ...answered,
      answers: [
        ...answered.answers,
        { id: 'ra-2', at: '2026-09-28T02:00:00.000Z', byId: SECRETARY, text: '记录已补充', photoIds: [], meetingId: null },
      ],
    })
    await waitFor(() => expect(store.toReview.map((n) => n.id)).toEqual(['r-1']))
    await store.decide('r-1', 'accepted')
    await waitFor(() => expect(store.noticeById('r-1')).toMatchObject({ status: 'accepted', pending: true }))
    expect(sync.pending.at(-1)!.args).toEqual({ id: 'r-1', outcome: 'accepted', reason: null })
    expect(store.noticeById('r-1')!.closedAt).toBe(sync.pending.at(-1)!.clientTime)
  })

  it('issues a notice with its deadline counted over the synced calendar, once per warning', async () => {
    const { store, sync } = await device(adminMe, { warnings: [warning('w-red', { level: 'red' })] })
    await waitFor(() => expect(store.openWarnings).toHaveLength(1))
    // 3 working days from Monday 28 September: 29, 30 September, then 国庆 off until Thursday 8 October.
    expect(store.deadlineFor(3)).toBe('2026-10-08')
    // 5: 8, 9 October and the 调休 Saturday 10 October.
    expect(store.deadlineFor(5)).toBe('2026-10-10')

    const id = await store.issue({ branchId: BRANCH, warningId: 'w-red', requirement: '请于期限内召开支部党员大会', workingDays: 5 })
    await waitFor(() => expect(store.noticeById(id)).toMatchObject({ status: 'open', deadline: '2026-10-10', number: '', pending: true }))
    expect(store.noticeById(id)).toMatchObject({ branchId: BRANCH, warningId: 'w-red', issuedById: ADMIN, workingDays: 5 })
    expect(store.noticeById(id)!.issuedAt).toBe(sync.pending[0]!.clientTime)
    expect(store.deadlineOf(store.noticeById(id)!)).toMatchObject({ daysLeft: 5, overdue: false })
    expect(store.warningById('w-red')).toMatchObject({ rectificationId: id, pending: true })
    expect(sync.pending.filter((m) => m.name === 'rectification.issue')).toHaveLength(1)

    // A second notice for the same warning is refused by the server: only the first shows.
    await store.issue({ branchId: BRANCH, warningId: 'w-red', requirement: '重复下发的整改要求', workingDays: 10 })
    await waitFor(() => expect(sync.pending.filter((m) => m.name === 'rectification.issue')).toHaveLength(2))
    expect(store.notices.map((n) => n.id)).toEqual([id])
  })

  it('shows a notice past its deadline as overdue, by working days', async () => {
    const { store } = await device(secretaryMe, { notices: [notice('r-late', { deadline: '2026-09-22' })] })
    await waitFor(() => expect(store.overdueNotices.map((n) => n.id)).toEqual(['r-late']))
    // 23, 24 September and Monday 28 (中秋 and the weekend off).
    expect(store.deadlineOf(store.noticeById('r-late')!)).toEqual({ deadline: '2026-09-22', overdue: true, overdueDays: 3, daysLeft: 0 })
  })

  it('queues a rule revision and shows it as waiting', async () => {
    const { store, sync } = await device(adminMe)
    await waitFor(() => expect(store.rulesInForce).toHaveLength(DEFAULT_WARNING_RULES.length))
    const rule = store.rulesInForce.find((r) => r.code === 'attendance-rate')!
    expect(store.reviseFrom(rule)).toBe('2026-09-28')
    await store.reviseRule({ code: 'attendance-rate', from: '2026-10-01', change: { threshold: 85 } })
    await waitFor(() =>
      expect(store.pendingRevisions.get('attendance-rate')).toEqual([
        { code: 'attendance-rate', from: '2026-10-01', change: { threshold: 85 } },
      ]),
    )
    expect(sync.pending.map((m) => m.name)).toEqual(['warningRule.revise'])
    expect(store.versionsOf('attendance-rate').map((r) => r.version)).toEqual([1])
  })

  it('sets and resets a working day, and deadlines follow at once', async () => {
    const { store, sync } = await device(adminMe)
    expect(store.deadlineFor(3)).toBe('2026-10-08')
    await store.setWorkday({ day: '2026-09-30', kind: 'holiday', name: '国庆节' })
    await waitFor(() =>
      expect(store.workdays.find((w) => w.id === '2026-09-30')).toEqual({
        id: '2026-09-30',
        kind: 'holiday',
        name: '国庆节',
        pending: true,
      }),
    )
    expect(store.deadlineFor(3)).toBe('2026-10-09')

    await store.setWorkday({ day: '2026-10-10', kind: null, name: '' })
    await waitFor(() => expect(store.workdays.some((w) => w.id === '2026-10-10')).toBe(false))
    expect(store.deadlineFor(5)).toBe('2026-10-13')
    expect(sync.pending.map((m) => m.name)).toEqual(['workday.set', 'workday.set'])
  })

  it('shows a member nothing', async () => {
    const { store } = await device(memberMe, {
      warnings: [warning('w-red', { level: 'red' })],
      notices: [notice('r-1'), notice('r-2', { status: 'answered' })],
    })
    await waitFor(() => expect(store.loaded).toBe(true))
    expect(store.openWarnings).toEqual([])
    expect(store.clearedWarnings).toEqual([])
    expect(store.notices).toEqual([])
    expect(store.toAnswer).toEqual([])
    expect(store.toReview).toEqual([])
    expect(store.rulesInForce).toEqual([])
  })
})

// ------------------------------------------------------------------------------- the overlay, pure

const adminViewer: Viewer = { id: ADMIN, role: 'admin', branchId: null, townId: 'town-xinhang' }
const secretaryViewer: Viewer = { id: SECRETARY, role: 'secretary', branchId: BRANCH, townId: 'town-xinhang' }
const queued = (name: string, args: unknown, userId: string, clientTime = NOW): OutboxEntry => ({ userId, name, args, clientTime })
const answerArgs = (id: string, answerId: string) => ({ id, answerId, text: '已召开支部党员大会', photoIds: [], meetingId: null })

describe('the supervision overlay', () => {
  it('leaves out what the server refuses: an escalated notice, another branch’s, a cleared or claimed warning', () => {
    const ctx = {
      viewer: secretaryViewer,
      calendar: workCalendarOf(CALENDAR),
      warnings: [warning('w-cleared', { clearedAt: NOW }), warning('w-claimed', { rectificationId: 'r-old' })],
    }
    const views = overlayRectifications(
      [
        notice('r-escalated', { deadline: '2026-09-10', escalatedAt: '2026-09-11T00:00:00.000Z' }),
        notice('r-other', { branchId: OTHER_BRANCH }),
      ],
      [
        queued('rectification.answer', answerArgs('r-escalated', 'ra-1'), SECRETARY),
        queued('rectification.answer', answerArgs('r-other', 'ra-2'), SECRETARY),
        // A secretary can't issue or decide.
        queued(
          'rectification.issue',
          { id: 'r-new', branchId: BRANCH, warningId: null, requirement: '请整改到位', workingDays: 5 },
          SECRETARY,
        ),
        queued('rectification.decide', { id: 'r-other', outcome: 'accepted', reason: null }, SECRETARY),
      ],
      ctx,
    )
    expect(views.map((n) => [n.id, n.status, n.pending])).toEqual([
      ['r-escalated', 'open', false],
      ['r-other', 'open', false],
    ])

    const issued = overlayRectifications(
      [],
      [
        queued(
          'rectification.issue',
          { id: 'r-1', branchId: BRANCH, warningId: 'w-cleared', requirement: '请整改到位', workingDays: 5 },
          ADMIN,
        ),
        queued(
          'rectification.issue',
          { id: 'r-2', branchId: BRANCH, warningId: 'w-claimed', requirement: '请整改到位', workingDays: 5 },
          ADMIN,
        ),
        queued(
          'rectification.issue',
          { id: 'r-3', branchId: BRANCH, warningId: 'w-unknown', requirement: '请整改到位', workingDays: 5 },
          ADMIN,
        ),
        queued('rectification.issue', { id: 'r-4', branchId: BRANCH, warningId: null, requirement: '请整改到位', workingDays: 3 }, ADMIN),
      ],
      { ...ctx, viewer: adminViewer },
    )
    expect(issued.map((n) => [n.id, n.deadline])).toEqual([['r-4', '2026-10-08']])
  })

  it('keeps the calendar’s waiting changes the server takes (a weekend holiday too), not a past day, a nameless one or a weekday 调休', () => {
    const days = overlayWorkdays(CALENDAR, [
      queued('workday.set', { day: '2026-09-01', kind: 'holiday', name: '开学' }, ADMIN),
      queued('workday.set', { day: '2026-10-12', kind: 'holiday', name: '' }, ADMIN),
      queued('workday.set', { day: '2026-10-13', kind: 'workday', name: '调休' }, ADMIN),
      queued('workday.set', { day: '2026-10-17', kind: 'holiday', name: '周末' }, ADMIN),
      queued('workday.set', { day: '2026-10-24', kind: 'workday', name: '重阳调休' }, ADMIN),
      queued('workday.set', { day: '2026-10-10', kind: null, name: '' }, ADMIN),
    ])
    expect(days.filter((d) => d.pending).map((d) => d.id)).toEqual(['2026-10-17', '2026-10-24'])
    expect(days.some((d) => d.id === '2026-10-10')).toBe(false)
  })
})

describe('the words', () => {
  it('says each default rule, a day and a deadline as the pages show them', () => {
    const said = Object.fromEntries(DEFAULT_WARNING_RULES.map((r) => [r.code, describeWarningRule(r)]))
    expect(said['assembly-quarterly']).toBe('支部党员大会 每季度至少1次')
    expect(said['group-monthly']).toBe('党小组会 每月至少1次（每个党小组）')
    expect(said['attendance-rate']).toBe('近一季度参会率低于80%时预警')
    expect(said['overdue-comments']).toBe('有留言超过限时办结期限即预警')
    expect(sayDate('2026-10-10', '2026-09-28')).toBe('10月10日 周六')
    expect(sayDate('2027-01-04', '2026-09-28')).toBe('2027年1月4日 周一')
    const state = { deadline: '2026-10-13', overdue: false, overdueDays: 0, daysLeft: 7 }
    expect(sayDeadline(state, false)).toBe('还有 7 个工作日')
    expect(sayDeadline({ ...state, daysLeft: 0 }, false)).toBe('今天截止')
    expect(sayDeadline({ ...state, overdue: true, overdueDays: 3 }, false)).toBe('已超期 3 个工作日')
    expect(sayDeadline({ ...state, overdue: true }, true)).toBe('')
  })
})

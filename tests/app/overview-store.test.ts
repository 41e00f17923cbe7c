import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useOverviewStore, exportPath, EXPORT_OFFLINE_MESSAGE } from '~/app/stores/overview'
import { useSessionStore } from '~/app/stores/session'
import type { AppDB } from '~/app/db'
import type { Light, OverviewItem, OverviewRow } from '~/domain/overview'
import type { WarningRow } from '~/domain/supervision'
import type { Me } from '~/domain/users'
import { demoMe, freshDB, json, requests, stubFetch } from './helpers'

const NOW = Date.parse('2026-12-03T08:00:00.000Z')
const HOUR = 3_600_000
const GREEN: Record<OverviewItem, Light> = {
  meetings: 'green',
  attendance: 'green',
  migrant: 'green',
  study: 'green',
  comments: 'green',
  notices: 'green',
}

function overview(
  id: string,
  name: string,
  over: Partial<OverviewRow> & { attendance?: number | null; flagged?: boolean } = {},
): OverviewRow {
  const { attendance = 90, flagged = false, ...rest } = over
  return {
    id,
    branchId: id === 'town' ? null : id,
    name,
    computedAt: new Date(NOW - HOUR).toISOString(),
    day: '2026-12-03',
    figures: {
      members: 20,
      migrantMembers: 3,
      quarter: '2026-Q4',
      attendance: { all: attendance, onsite: attendance, remote: 0, migrant: 50 },
      study: { last7: 40, last30: 70 },
      averagePoints: 12.5,
      comments: { received: 5, resolved: 4, resolvedOnTime: 3, overdue: 0 },
      warnings: { yellow: 0, red: 0 },
      notices: { open: 0, overdue: 0 },
      flagged,
    },
    lights: { ...GREEN },
    trend: [],
    year: {
      year: '2026',
      warnings: { yellow: 0, red: 0 },
      notices: { issued: 0, accepted: 0, overdue: 0, open: 0 },
      attendanceStart: null,
      attendanceNow: attendance,
      migrantStart: null,
      migrantNow: null,
      topics: 0,
      commentsByCategory: {},
      commentsResolved: 0,
    },
    ranking: [],
    ...rest,
  }
}

const ROWS: OverviewRow[] = [
  overview('town', '新杭镇', { lights: { ...GREEN, meetings: 'red', attendance: 'yellow' } }),
  overview('b-hexing', '合兴村党支部', { attendance: 95 }),
  overview('b-liudong', '流洞社区党支部', { attendance: 60, lights: { ...GREEN, attendance: 'yellow' } }),
  overview('b-bicha', '碧岙村党支部', { attendance: 70, lights: { ...GREEN, meetings: 'red', attendance: 'yellow' } }),
  overview('b-daxi', '大溪村党支部', { attendance: null }),
]

const WARNING: WarningRow = {
  id: 'w:b-daxi:assembly:2026-Q4',
  branchId: 'b-daxi',
  ruleCode: 'assembly',
  ruleVersion: 1,
  kind: 'meeting',
  groupId: null,
  period: '2026-Q4',
  level: 'yellow',
  title: '本季度未召开支部党员大会',
  openedAt: '2026-11-16T00:00:00.000Z',
  escalatedAt: null,
  clearedAt: null,
  clearReason: null,
  history: [],
  rectificationId: null,
}

const admin: Me = {
  ...demoMe,
  user: { ...demoMe.user, id: 'u-admin0000001', name: '周卫东', role: 'admin' },
  branch: null,
}
const secretary: Me = { ...demoMe, user: { ...demoMe.user, id: 'u-sec000000001', name: '张志强', role: 'secretary' } }

let db: AppDB
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })
const ids = (lines: readonly { id: string }[]) => lines.map((l) => l.id)

async function device(me: Me) {
  useSessionStore().me = me
  await db.overviews.bulkPut(ROWS)
  const store = useOverviewStore()
  await waitFor(() => expect(store.loaded).toBe(true))
  return store
}

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
})

afterEach(async () => {
  useOverviewStore().$dispose()
  vi.unstubAllGlobals()
  await db.delete()
})

describe('overview store', { timeout: 20_000 }, () => {
  it("gives the admin the town's row and the branches worst first", async () => {
    const store = await device(admin)
    expect(store.town?.name).toBe('新杭镇')
    // 碧岙: a red light; 流洞: a yellow one; then the green ones by name.
    expect(ids(store.lines)).toEqual(['b-bicha', 'b-liudong', 'b-daxi', 'b-hexing'])
    expect(store.lines[0]).toMatchObject({ worst: 'red', reds: 1, yellows: 1 })
    expect(store.lines[0]?.cells.attendance).toMatchObject({ light: 'yellow', value: 70, text: '70%' })
  })

  it('puts a branch 被督办 first, and counts its open meeting warnings in 组织生活', async () => {
    const store = await device(admin)
    await db.overviews.put(overview('b-hexing', '合兴村党支部', { flagged: true, lights: { ...GREEN, notices: 'red' } }))
    await db.warnings.bulkPut([WARNING, { ...WARNING, id: 'w:b-daxi:old', clearedAt: '2026-11-20T00:00:00.000Z' }])
    await waitFor(() => expect(ids(store.lines)[0]).toBe('b-hexing'))
    expect(store.flaggedCount).toBe(1)
    await waitFor(() => expect(store.lines.find((l) => l.id === 'b-daxi')?.cells.meetings).toMatchObject({ value: 1, text: '1 项预警' }))
  })

  it('sorts by a column, worst first, and turns round on a second tap', async () => {
    const store = await device(admin)
    store.sortBy('attendance')
    // Yellow lights first (the lower rate first), then green by rate; nothing counted goes last.
    expect(ids(store.lines)).toEqual(['b-liudong', 'b-bicha', 'b-hexing', 'b-daxi'])
    store.sortBy('attendance')
    expect(ids(store.lines)).toEqual(['b-hexing', 'b-bicha', 'b-liudong', 'b-daxi'])
    store.sortBy('name')
    expect(store.lines.map((l) => l.name)).toEqual([...store.lines.map((l) => l.name)].sort((a, b) => a.localeCompare(b, 'zh-CN')))
    store.resetSort()
    expect(ids(store.lines)[0]).toBe('b-bicha')
  })

  it("shows a secretary their branch's row only, never the town's", async () => {
    const store = await device(secretary)
    expect(store.town).toBeNull()
    expect(ids(store.lines)).toEqual(['b-hexing'])
    expect(store.branchRow('b-hexing')?.name).toBe('合兴村党支部')
    expect(store.branchRow('b-liudong')).toBeNull()
    expect(store.newest?.id).toBe('b-hexing')
  })

  it('shows a member nothing', async () => {
    const store = await device(demoMe)
    expect(store.town).toBeNull()
    expect(store.lines).toEqual([])
  })

  it('says when the figures are over a day old', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
    try {
      const store = await device(admin)
      expect(store.stale).toBe(false)
      await db.overviews.put(overview('town', '新杭镇', { computedAt: new Date(NOW - 25 * HOUR).toISOString() }))
      await waitFor(() => expect(store.stale).toBe(true))
      // A fresh row is fresh again; the clock moving on makes it stale.
      await db.overviews.put(overview('town', '新杭镇', { computedAt: new Date(NOW - HOUR).toISOString() }))
      await waitFor(() => expect(store.stale).toBe(false))
      vi.setSystemTime(NOW + 24 * HOUR)
      store.tick()
      expect(store.stale).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('follows a row a newer pull replaced', async () => {
    const store = await device(admin)
    expect(store.lines.find((l) => l.id === 'b-hexing')?.worst).toBe('green')
    await db.overviews.put(overview('b-hexing', '合兴村党支部', { attendance: 40, lights: { ...GREEN, attendance: 'red', study: 'red' } }))
    await waitFor(() => expect(ids(store.lines)[0]).toBe('b-hexing'))
    expect(store.lines[0]?.cells.attendance.text).toBe('40%')
    // A row the server withdrew (a branch archived) leaves the table.
    await db.overviews.delete('b-bicha')
    await waitFor(() => expect(ids(store.lines)).not.toContain('b-bicha'))
  })

  it('gives the branch page its meetings and open warnings, the red first', async () => {
    const store = await device(admin)
    store.focus('b-hexing')
    await db.meetings.bulkPut([{ id: 'm1', branchId: 'b-hexing' } as never, { id: 'm2', branchId: 'b-liudong' } as never])
    const yellow: WarningRow = { ...WARNING, id: 'w:b-hexing:a', branchId: 'b-hexing' }
    await db.warnings.bulkPut([
      yellow,
      { ...yellow, id: 'w:b-hexing:b', level: 'red' },
      { ...yellow, id: 'w:b-hexing:c', clearedAt: '2026-11-20T00:00:00.000Z' },
      WARNING,
    ])
    await waitFor(() => expect(store.branchMeetings?.map((m) => m.id)).toEqual(['m1']))
    await waitFor(() => expect(ids(store.branchWarnings)).toEqual(['w:b-hexing:b', 'w:b-hexing:a']))
  })

  it('downloads a register with the period, and says when it needs the network', async () => {
    const store = await device(admin)
    expect(exportPath('attendance', 'b-hexing', '2026-Q4')).toBe('/api/exports/attendance.xlsx?branchId=b-hexing&quarter=2026-Q4')
    expect(exportPath('points', null, '2026-11')).toBe('/api/exports/points.xlsx?month=2026-11')
    expect(exportPath('members', null, '2026')).toBe('/api/exports/members.xlsx?year=2026')

    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined }))
    const fetchMock = stubFetch(
      () =>
        new Response('xlsx', {
          status: 200,
          headers: {
            'content-disposition': `attachment; filename="x.xlsx"; filename*=UTF-8''${encodeURIComponent('合兴村_参会登记.xlsx')}`,
          },
        }),
    )
    await expect(store.download('attendance', 'b-hexing', '2026-Q4')).resolves.toBe('合兴村_参会登记.xlsx')
    expect(requests(fetchMock)).toEqual(['GET /api/exports/attendance.xlsx?branchId=b-hexing&quarter=2026-Q4'])

    stubFetch(() => json(403, { error: 'forbidden', message: '只能导出本支部的数据' }))
    await expect(store.download('points', 'b-liudong', '2026-Q4')).rejects.toThrow('只能导出本支部的数据')
    stubFetch(() => 'offline')
    await expect(store.download('points', 'b-hexing', '2026-Q4')).rejects.toThrow(EXPORT_OFFLINE_MESSAGE)
    expect(store.exporting).toBeNull()
  })
})

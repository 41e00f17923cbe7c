import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSessionStore } from './session'
import { useSyncStore } from './sync'
import { downloadSpreadsheet } from './rosterImport'
import { ApiError } from '../api/client'
import type { OverviewRow } from '~/domain/overview'
import { isOpenWarning, type WarningKind } from '~/domain/supervision'
import { periodKind } from '~/domain/periods'
import { DEFAULT_SORT, lineOf, nextSort, sortLines, type SortKey, type SortOrder } from './overviewTable'

/** An overview older than this says so on the page: the server recomputes at least daily. */
export const STALE_AFTER_MS = 24 * 3_600_000

/** Whether a row was computed more than a day before `now`. */
export const isStale = (row: Pick<OverviewRow, 'computedAt'>, now: number): boolean => now - Date.parse(row.computedAt) > STALE_AFTER_MS

/** The registers the server makes (`GET /api/exports/<name>.xlsx`), in the order the pages offer them. */
export const EXPORTS = ['attendance', 'points', 'comments', 'warnings', 'members'] as const
export type ExportName = (typeof EXPORTS)[number]
export const EXPORT_LABELS: Record<ExportName, string> = {
  attendance: '参会登记',
  points: '积分明细',
  comments: '朋友圈留言',
  warnings: '预警与整改',
  members: '党员名册',
}
export const EXPORT_OFFLINE_MESSAGE = '需要联网才能导出'

/** The export's URL: `branchId` null is the whole town (admins only); `period` is `2026-Q4`, `2026-11` or `2026`. */
export function exportPath(name: ExportName, branchId: string | null, period: string): string {
  const query = new URLSearchParams()
  if (branchId) query.set('branchId', branchId)
  query.set(periodKind(period), period)
  return `/api/exports/${name}.xlsx?${query.toString()}`
}

// Warnings the 组织生活 column counts: the ones about meetings being held.
const MEETING_KINDS = new Set<WarningKind>(['meeting', 'topic', 'quorum'])

/**
 * 总览: the overviews the server computed (synced `overviews` rows in `office:` scopes), so the device
 * shows exactly the server's numbers, offline, with when they were computed. The admin has the town's
 * row and every branch's; a secretary their branch's only.
 */
export const useOverviewStore = defineStore('overview', () => {
  const db = appDB()
  const session = useSessionStore()
  const sync = useSyncStore()
  const rows = useLiveQuery(() => db.overviews.toArray(), null as OverviewRow[] | null)
  const warnings = useLiveQuery(() => db.warnings.toArray(), [])
  const rectifications = useLiveQuery(() => db.rectifications.toArray(), [])

  const role = computed(() => session.me?.user.role ?? 'member')
  const ownBranchId = computed(() => session.me?.branch?.id ?? null)
  /** What this user may see, whatever the device still holds (a reset follows a demotion, but not at once). */
  const visible = computed(() => {
    const all = rows.value ?? []
    if (role.value === 'admin') return all
    if (role.value === 'secretary') return all.filter((r) => r.branchId !== null && r.branchId === ownBranchId.value)
    return []
  })
  const loaded = computed(() => rows.value !== null)
  const town = computed(() => visible.value.find((r) => r.branchId === null && r.id === 'town') ?? null)

  const openWarnings = computed(() => warnings.value.filter(isOpenWarning))
  const meetingWarningsByBranch = computed(() => {
    const counts = new Map<string, number>()
    for (const w of openWarnings.value) if (MEETING_KINDS.has(w.kind)) counts.set(w.branchId, (counts.get(w.branchId) ?? 0) + 1)
    return counts
  })

  const sort = ref<SortOrder>(DEFAULT_SORT)
  const lines = computed(() =>
    sortLines(
      visible.value.filter((r) => r.branchId !== null).map((r) => lineOf(r, meetingWarningsByBranch.value.get(r.branchId ?? '') ?? 0)),
      sort.value,
    ),
  )
  const sortBy = (key: SortKey) => (sort.value = nextSort(sort.value, key))
  const resetSort = () => (sort.value = DEFAULT_SORT)
  /** 被督办: branches with an overdue notice escalated and not yet closed. */
  const flaggedCount = computed(() => lines.value.filter((l) => l.flagged).length)

  const branchRow = (branchId: string): OverviewRow | null => visible.value.find((r) => r.branchId === branchId) ?? null

  // The clock the freshness note reads; pages tick it while open.
  const clock = ref(Date.now())
  const tick = () => (clock.value = Date.now())
  /** The row the page is about is older than a day. */
  const staleOf = (row: OverviewRow | null) => (row ? isStale(row, clock.value) : false)
  /** The town row's freshness (admins) or the secretary's branch row's. */
  const newest = computed(() => town.value ?? visible.value[0] ?? null)
  const stale = computed(() => staleOf(newest.value))
  /** When this device last heard from the server: offline, the figures are as of then at the latest. */
  const lastSyncedAt = computed(() => sync.lastSyncedAt ?? null)

  // The branch page's own rows: its meetings, its open warnings and notices.
  const focusId = ref<string | null>(null)
  const focus = (branchId: string | null) => (focusId.value = branchId)
  const branchMeetings = useLiveQuery(
    focusId,
    (id) => (id ? db.meetings.where('branchId').equals(id).toArray() : Promise.resolve([])),
    null,
    { reset: true },
  )
  const branchWarnings = computed(() =>
    openWarnings.value
      .filter((w) => w.branchId === focusId.value)
      .sort((a, b) => (a.level === b.level ? b.openedAt.localeCompare(a.openedAt) : a.level === 'red' ? -1 : 1)),
  )
  const branchNotices = computed(() =>
    rectifications.value
      .filter((r) => r.branchId === focusId.value && r.status !== 'accepted')
      .sort((a, b) => a.deadline.localeCompare(b.deadline)),
  )

  const exporting = ref<ExportName | null>(null)
  /** Downloads a register; resolves to its file name, or rejects with the Chinese reason. */
  async function download(name: ExportName, branchId: string | null, period: string): Promise<string> {
    if (typeof navigator !== 'undefined' && !navigator.onLine) throw new ApiError(0, 'network', EXPORT_OFFLINE_MESSAGE)
    if (exporting.value) throw new ApiError(0, 'busy', '正在导出，请稍候')
    exporting.value = name
    try {
      return await downloadSpreadsheet(exportPath(name, branchId, period), `${EXPORT_LABELS[name]}.xlsx`)
    } catch (e) {
      if (e instanceof ApiError && e.isNetwork) throw new ApiError(0, 'network', EXPORT_OFFLINE_MESSAGE)
      throw e
    } finally {
      exporting.value = null
    }
  }

  return {
    loaded,
    role,
    ownBranchId,
    town,
    lines,
    sort,
    sortBy,
    resetSort,
    flaggedCount,
    branchRow,
    clock,
    tick,
    staleOf,
    stale,
    newest,
    lastSyncedAt,
    focus,
    focusId,
    branchMeetings,
    branchWarnings,
    branchNotices,
    exporting,
    download,
  }
})

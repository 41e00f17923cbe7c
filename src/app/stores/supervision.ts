import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { useSessionStore } from './session'
import { compressPhoto } from './boardPhotos'
import { keepPhoto } from '../sync/photoUploads'
import { outboxOf, pendingArgs, readWithOutbox } from '../sync/pending'
import { addDays, addWorkingDays, dayInShanghai, workCalendarOf, workingDaysBetween, type WorkCalendar } from '~/domain/calendar'
import {
  DEFAULT_WARNING_RULES,
  isOpenWarning,
  rectificationOverdue,
  type RectificationRow,
  type WarningRuleReviseArgs,
  type WarningRuleRow,
  type WorkdaySetArgs,
} from '~/domain/supervision'
import type { Viewer } from '~/domain/sync'
import { overlayRectifications, overlayWarnings, overlayWorkdays, type RectificationView, type WarningView } from './supervisionOverlay'

export * from './supervisionOverlay'

/** Where a notice's deadline stands today: working days left (0 on the day itself), or how far past it is. */
export interface DeadlineState {
  deadline: string
  overdue: boolean
  /** Working days past the deadline (0 on a weekend just after a Friday deadline). */
  overdueDays: number
  /** Working days after today up to the deadline, while not overdue. */
  daysLeft: number
}

export function deadlineState(row: Pick<RectificationRow, 'status' | 'deadline'>, today: string, calendar: WorkCalendar): DeadlineState {
  const overdue = rectificationOverdue(row, today)
  return {
    deadline: row.deadline,
    overdue,
    overdueDays: overdue ? workingDaysBetween(row.deadline, today, calendar) : 0,
    daysLeft: today <= row.deadline ? workingDaysBetween(today, row.deadline, calendar) : 0,
  }
}

const DEFAULT_ORDER = new Map(DEFAULT_WARNING_RULES.map((r, i) => [r.code, i]))
const orderOf = (code: string) => DEFAULT_ORDER.get(code) ?? DEFAULT_ORDER.size

/** The version of each rule in force on `today`, in the defaults' order (三会一课 first), any other after by code. */
export function warningRulesInForce(rules: readonly WarningRuleRow[], today: string): WarningRuleRow[] {
  return rules
    .filter((r) => r.activeFrom <= today && (r.activeTo === null || today <= r.activeTo))
    .sort((a, b) => orderOf(a.code) - orderOf(b.code) || a.code.localeCompare(b.code))
}

/** Every version of a rule, newest first. */
export const versionsOf = (rules: readonly WarningRuleRow[], code: string) =>
  rules.filter((r) => r.code === code).sort((a, b) => b.version - a.version)

/** Notices in the order the viewer deals with them: what waits for them first, the closed ones last. */
function noticeRank(n: RectificationView, role: Viewer['role']): number {
  if (n.status === 'accepted') return 3
  if (n.status === 'answered') return role === 'admin' ? 0 : 2
  return role === 'admin' ? 1 : 0
}

/**
 * Supervision on this device (issue 13): the 组织生活预警 and 整改提示单 a secretary's branch has (the admin:
 * every branch's), the warning rules and the working calendar, as synced, with this user's waiting changes
 * laid over them. Members get none of it (the server never sends it; the store shows nothing either).
 */
export const useSupervisionStore = defineStore('supervision', () => {
  const db = appDB()
  const sync = useSyncStore()
  const session = useSessionStore()

  // The rows the overlays change and the outbox as one moment (sync/pending.ts).
  const synced = useLiveQuery(
    () =>
      readWithOutbox(db, [db.warnings, db.rectifications, db.workdays, db.warning_rules], async () => ({
        warnings: await db.warnings.toArray(),
        rectifications: await db.rectifications.toArray(),
        workdays: await db.workdays.toArray(),
        rules: await db.warning_rules.toArray(),
      })),
    null,
  )
  const pending = computed(() => outboxOf(synced.value, sync.userId))
  const branchRows = useLiveQuery(() => db.branches.toArray(), [])
  const branchNames = computed(() => new Map(branchRows.value.map((b) => [b.id, b.name])))

  // The day deadlines count from: moves on by itself, and at once when the app comes back to the front.
  const now = ref(Date.now())
  const tick = () => (now.value = Date.now())
  const timer = setInterval(tick, 60_000)
  const onVisible = () => document.visibilityState === 'visible' && tick()
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible)
  onScopeDispose(() => {
    clearInterval(timer)
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible)
  })
  const today = computed(() => dayInShanghai(now.value))

  const viewer = computed<Viewer | null>(() => {
    const m = session.me
    return m ? { id: m.user.id, role: m.user.role, branchId: m.branch?.id ?? null, townId: m.town.id } : null
  })
  const role = computed(() => viewer.value?.role ?? 'member')
  const isAdmin = computed(() => role.value === 'admin')
  const myBranchId = computed(() => viewer.value?.branchId ?? null)
  /** The admin sees every branch; a secretary their own; a member nothing. */
  const sees = (branchId: string) => isAdmin.value || (role.value === 'secretary' && branchId === myBranchId.value)

  const loaded = computed(() => synced.value !== null)
  const workdays = computed(() => overlayWorkdays(synced.value?.rows.workdays ?? [], pending.value))
  const calendar = computed(() => workCalendarOf(workdays.value))

  const allNotices = computed(() => {
    const v = viewer.value
    if (!v || !synced.value) return []
    return overlayRectifications(synced.value.rows.rectifications, pending.value, {
      viewer: v,
      calendar: calendar.value,
      warnings: synced.value.rows.warnings,
    }).filter((n) => sees(n.branchId))
  })
  const notices = computed(() =>
    [...allNotices.value].sort(
      (a, b) =>
        noticeRank(a, role.value) - noticeRank(b, role.value) ||
        (a.status === 'accepted' ? (b.closedAt ?? '').localeCompare(a.closedAt ?? '') : a.deadline.localeCompare(b.deadline)) ||
        b.issuedAt.localeCompare(a.issuedAt),
    ),
  )
  const noticeById = (id: string) => allNotices.value.find((n) => n.id === id)
  const deadlineOf = (n: Pick<RectificationRow, 'status' | 'deadline'>) => deadlineState(n, today.value, calendar.value)
  const isOverdue = (n: Pick<RectificationRow, 'status' | 'deadline'>) => rectificationOverdue(n, today.value)

  const allWarnings = computed<WarningView[]>(() =>
    overlayWarnings(synced.value?.rows.warnings ?? [], allNotices.value).filter((w) => sees(w.branchId)),
  )
  const LEVEL_RANK = { red: 0, yellow: 1 } as const
  /** Open ones first: red, then yellow, the newest first within each. */
  const openWarnings = computed(() =>
    allWarnings.value
      .filter(isOpenWarning)
      .sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || b.openedAt.localeCompare(a.openedAt)),
  )
  const clearedWarnings = computed(() =>
    allWarnings.value.filter((w) => !isOpenWarning(w)).sort((a, b) => (b.clearedAt ?? '').localeCompare(a.clearedAt ?? '')),
  )
  const warningById = (id: string) => allWarnings.value.find((w) => w.id === id)

  // An escalated notice is answered on the one that follows it (the server refuses an answer to it).
  const answerable = (n: RectificationView) => (n.status === 'open' || n.status === 'returned') && n.escalatedAt === null
  /** What waits for this user: a secretary's notices to answer, the admin's answers to review. */
  const toAnswer = computed(() => (role.value === 'secretary' ? notices.value.filter(answerable) : []))
  const toReview = computed(() => (isAdmin.value ? notices.value.filter((n) => n.status === 'answered') : []))
  /** Past their deadline and not yet followed by a second notice. */
  const overdueNotices = computed(() => notices.value.filter((n) => answerable(n) && isOverdue(n)))
  /**
   * What the tabs' badges say: open warnings, and notices waiting for this user, of one branch when the
   * lists are kept to it (`?branchId=`), so a badge counts what its list shows.
   */
  function tabCounts(branchId = ''): { warnings: number; notices: number } {
    const of = (row: { branchId: string }) => !branchId || row.branchId === branchId
    return {
      warnings: openWarnings.value.filter(of).length,
      notices: toAnswer.value.filter(of).length + toReview.value.filter(of).length,
    }
  }

  const rules = computed<WarningRuleRow[]>(() => (role.value === 'member' ? [] : (synced.value?.rows.rules ?? [])))
  const rulesInForce = computed(() => warningRulesInForce(rules.value, today.value))
  /** Revisions the admin made on this device that the server hasn't taken yet, by rule code. */
  const pendingRevisions = computed(() => {
    const byCode = new Map<string, WarningRuleReviseArgs[]>()
    for (const args of pendingArgs(pending.value, 'warningRule.revise')) byCode.set(args.code, [...(byCode.get(args.code) ?? []), args])
    return byCode
  })

  const branchName = (id: string) => branchNames.value.get(id) ?? '（未同步的支部）'
  /** The branches the admin may issue a notice to. */
  const branches = computed(() => [...branchRows.value].filter((b) => !b.archivedAt).sort((a, b) => a.id.localeCompare(b.id)))

  /** The last day to answer a notice issued today for `workingDays` working days, over the calendar as it stands. */
  const deadlineFor = (workingDays: number) => addWorkingDays(today.value, workingDays, calendar.value)

  /** Issues a notice (the admin); returns its id. */
  async function issue(args: { branchId: string; warningId: string | null; requirement: string; workingDays: number }): Promise<string> {
    const id = `r-${crypto.randomUUID()}`
    await sync.enqueue('rectification.issue', { id, ...args })
    return id
  }

  /** Compresses and keeps the photos (they upload after the sync, also later), then queues the answer. */
  async function answer(id: string, draft: { text: string; meetingId: string | null }, files: readonly Blob[] = []): Promise<string> {
    const userId = viewer.value?.id
    if (!userId) throw new Error('请先登录')
    const photoIds: string[] = []
    for (const file of files) photoIds.push(await keepPhoto(db, userId, await compressPhoto(file)))
    const answerId = `ra-${crypto.randomUUID()}`
    await sync.enqueue('rectification.answer', { id, answerId, text: draft.text, photoIds, meetingId: draft.meetingId })
    return answerId
  }

  return {
    loaded,
    today,
    role,
    isAdmin,
    myBranchId,
    calendar,
    workdays,
    notices,
    noticeById,
    deadlineOf,
    isOverdue,
    openWarnings,
    clearedWarnings,
    warningById,
    toAnswer,
    toReview,
    overdueNotices,
    tabCounts,
    rules,
    rulesInForce,
    pendingRevisions,
    versionsOf: (code: string) => versionsOf(rules.value, code),
    branchName,
    branches,
    deadlineFor,
    /** The earliest day a revision may start: today, and after the version it replaces began. */
    reviseFrom: (rule: Pick<WarningRuleRow, 'activeFrom'>) =>
      addDays(rule.activeFrom, 1) > today.value ? addDays(rule.activeFrom, 1) : today.value,
    issue,
    answer,
    decide: (id: string, outcome: 'accepted' | 'returned', reason: string | null = null) =>
      sync.enqueue('rectification.decide', { id, outcome, reason: outcome === 'returned' ? reason : null }),
    reviseRule: (args: WarningRuleReviseArgs) => sync.enqueue('warningRule.revise', args),
    setWorkday: (args: WorkdaySetArgs) => sync.enqueue('workday.set', args),
  }
})

// What the supervision screens show before the server confirms (issue 13): synced 整改提示单, warnings and
// the working calendar with this user's waiting mutations laid over them, so a secretary's answer written
// with no signal shows at once as 待审核 (待同步), and an admin's new notice shows with its deadline.
// It makes what the server makes of each mutation (issue, answer, decide, workday.set), from the same
// domain rules and calendar, and leaves out what the server would refuse (a notice already answered, a
// warning that already has one): dropping a refused mutation from the outbox undoes it here too.
// Pure: the store feeds it the outbox rows (sync/pending.ts types them).
import { addWorkingDays, dayInShanghai, type WorkCalendar } from '~/domain/calendar'
import { workdayProblem, type RectificationRow, type WarningRow, type WorkdayRow } from '~/domain/supervision'
import type { Viewer } from '~/domain/sync'
import { pendingOf, type OutboxEntry } from '../sync/pending'

export type RectificationView = RectificationRow & { pending: boolean }
export type WarningView = WarningRow & { pending: boolean }
export type WorkdayView = WorkdayRow & { pending: boolean }

/** The calendar with the admin's waiting changes: a day set back to normal is gone, a new one is there. */
export function overlayWorkdays(confirmed: readonly WorkdayRow[], outbox: readonly OutboxEntry[]): WorkdayView[] {
  const rows = new Map<string, WorkdayView>(confirmed.map((w) => [w.id, { ...w, pending: false }]))
  for (const { args, clientTime } of pendingOf(outbox, 'workday.set')) {
    if (workdayProblem(args, dayInShanghai(clientTime))) continue
    if (args.kind === null) rows.delete(args.day)
    else rows.set(args.day, { id: args.day, kind: args.kind, name: args.name, pending: true })
  }
  return [...rows.values()].sort((a, b) => a.id.localeCompare(b.id))
}

export interface RectificationOverlayContext {
  viewer: Viewer
  /** The working calendar the deadline of a new notice is counted over (with the waiting changes). */
  calendar: WorkCalendar
  /** The warnings as synced: a notice for one that already has one, or that has cleared, is refused. */
  warnings: readonly Pick<WarningRow, 'id' | 'rectificationId' | 'clearedAt'>[]
}

const mayAnswer = (viewer: Viewer, row: Pick<RectificationRow, 'branchId'>) =>
  viewer.role === 'admin' || (viewer.role === 'secretary' && viewer.branchId === row.branchId)

/**
 * Notices with the waiting issues, answers and decisions applied in outbox order, each marked `pending`
 * while a change to it waits. A new notice has no number yet (the server numbers them per town and year).
 */
export function overlayRectifications(
  confirmed: readonly RectificationRow[],
  outbox: readonly OutboxEntry[],
  ctx: RectificationOverlayContext,
): RectificationView[] {
  const rows = new Map<string, RectificationView>(confirmed.map((r) => [r.id, { ...r, pending: false }]))
  const claimed = new Set(ctx.warnings.filter((w) => w.rectificationId !== null || w.clearedAt !== null).map((w) => w.id))
  for (const r of confirmed) if (r.warningId) claimed.add(r.warningId)
  for (const m of pendingOf(outbox, 'rectification.issue', 'rectification.answer', 'rectification.decide')) {
    const at = m.clientTime
    if (m.name === 'rectification.issue') {
      const a = m.args
      if (ctx.viewer.role !== 'admin' || rows.has(a.id)) continue
      if (a.warningId && (claimed.has(a.warningId) || !ctx.warnings.some((w) => w.id === a.warningId))) continue
      if (a.warningId) claimed.add(a.warningId)
      rows.set(a.id, {
        id: a.id,
        branchId: a.branchId,
        warningId: a.warningId,
        number: '',
        requirement: a.requirement,
        issuedById: m.userId,
        issuedAt: at,
        workingDays: a.workingDays,
        deadline: addWorkingDays(dayInShanghai(at), a.workingDays, ctx.calendar),
        status: 'open',
        answers: [],
        decisions: [],
        followsId: null,
        escalatedAt: null,
        closedAt: null,
        updatedAt: at,
        pending: true,
      })
    } else if (m.name === 'rectification.answer') {
      const row = rows.get(m.args.id)
      // An overdue notice that was escalated is answered on the one that follows it.
      if (!row || !mayAnswer(ctx.viewer, row) || row.escalatedAt !== null || (row.status !== 'open' && row.status !== 'returned')) continue
      if (row.answers.some((a) => a.id === m.args.answerId)) continue
      const { answerId, text, photoIds, meetingId } = m.args
      rows.set(row.id, {
        ...row,
        status: 'answered',
        answers: [...row.answers, { id: answerId, at, byId: m.userId, text, photoIds, meetingId }],
        updatedAt: at,
        pending: true,
      })
    } else {
      const row = rows.get(m.args.id)
      if (!row || ctx.viewer.role !== 'admin' || row.status !== 'answered') continue
      const { outcome, reason } = m.args
      rows.set(row.id, {
        ...row,
        status: outcome,
        decisions: [...row.decisions, { at, byId: m.userId, outcome, reason: outcome === 'returned' ? reason : null }],
        closedAt: outcome === 'accepted' ? at : row.closedAt,
        updatedAt: at,
        pending: true,
      })
    }
  }
  return [...rows.values()]
}

/** Warnings with the notices issued for them that their rows don't show yet (so 下发整改提示单 isn't offered twice). */
export function overlayWarnings(confirmed: readonly WarningRow[], notices: readonly RectificationView[]): WarningView[] {
  const issued = new Map(notices.filter((n) => n.warningId).map((n) => [n.warningId!, n]))
  return confirmed.map((w) => {
    const notice = w.rectificationId === null ? issued.get(w.id) : undefined
    return { ...w, rectificationId: w.rectificationId ?? notice?.id ?? null, pending: Boolean(notice?.pending) }
  })
}

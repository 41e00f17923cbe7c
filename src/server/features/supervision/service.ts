// The refresh (issue 13): the server computes every branch's warnings (the engine, superviseBranch) and the
// overviews (branchOverview, townOverview) from the facts in its tables, and writes what changed in one
// transaction, so devices that see it are poked. It runs at start, when the Shanghai day changes (which
// also escalates overdue notices), and a second after changes in a branch's scope (its meetings,
// attendance, topics, comments), coalesced; runs never overlap. Tests call `refresh({ now })` to travel in time.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { SyncWrite } from '~/server/sync/feature'
import type { Notifier } from '~/server/sync/notifier'
import type { ChangeWriter } from '~/server/sync/changes'
import { dayInShanghai, startOfShanghaiDay, yearOf } from '~/domain/calendar'
import { superviseBranch } from '~/domain/warnings'
import { branchOverview, townOverview, type OverviewRow } from '~/domain/overview'
import type { WarningRow, WarningRule } from '~/domain/supervision'
import type { BranchFacts } from '~/domain/branchFacts'
import { factsWindow, loadBranchFacts } from './facts'
import { loadWarningRules } from './rules'
import { putWarning, warningFromRow } from './warningRows'
import { rectificationFromRow } from './rectificationRows'
import { escalateOverdueRectifications, issueAutomaticRectification } from './rectifications'
import { writeOverviews } from './overviewRows'

declare module 'fastify' {
  interface FastifyInstance {
    /** Warnings and overviews (issue 13): tests call `refresh({ now })`. */
    supervision: SupervisionService
  }
}

/** How long changes in a branch are gathered before its warnings are computed again. */
export const DEBOUNCE_MS = 1000
/** How often the daily run looks whether the day changed in Shanghai. */
const DAY_CHECK_MS = 60_000

export interface RefreshOptions {
  /** Only these branches' warnings (the town's overview is computed again whatever the list). Default: every branch. */
  branchIds?: readonly string[]
  /** The moment to compute as of (ISO). Default: now. */
  now?: string
}

export class SupervisionService {
  private queue: Promise<unknown> = Promise.resolve()
  private readonly pending = new Set<string>()
  private debounce: ReturnType<typeof setTimeout> | undefined
  private daily: ReturnType<typeof setInterval> | undefined
  private unsubscribe: (() => void) | undefined
  private day = ''
  private stopped = false
  /**
   * Every branch's facts as the last refresh loaded them, for that Shanghai day: a refresh after a change
   * in one branch reloads that branch's alone and takes the others' from here for the town's row (what
   * changes outside branch scopes, study and points, reaches the town's row at the next full refresh,
   * daily). On SQLite, whose one connection every request shares, the whole town's would hold them up.
   */
  private facts: { day: string; byBranch: Map<string, BranchFacts> } | undefined

  constructor(
    private readonly write: SyncWrite,
    private readonly notifier: Notifier,
    private readonly log: (error: unknown) => void = console.error,
  ) {}

  /** The first refresh (after publishing), then the triggers. A failing refresh is logged: the server starts anyway. */
  async start({ triggers = true }: { triggers?: boolean } = {}): Promise<void> {
    this.day = dayInShanghai(new Date())
    await this.refresh().catch(this.log)
    if (!triggers) return
    this.unsubscribe = this.notifier.subscribe((scopes) => this.changed(scopes))
    this.daily = setInterval(() => this.checkDay(), DAY_CHECK_MS).unref()
  }

  /** Clears the timers and waits for a refresh under way; nothing runs after it. */
  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    clearTimeout(this.debounce)
    clearInterval(this.daily)
    await this.queue
  }

  /** Computes warnings and overviews as of `now`, after any refresh already under way. */
  refresh(options: RefreshOptions = {}): Promise<void> {
    const run = this.queue.then(() => (this.stopped ? undefined : this.run(options)))
    this.queue = run.catch(() => {})
    return run
  }

  private changed(scopes: readonly string[]): void {
    if (this.stopped) return
    for (const scope of scopes) if (scope.startsWith('branch:')) this.pending.add(scope.slice('branch:'.length))
    if (this.pending.size === 0 || this.debounce) return
    this.debounce = setTimeout(() => {
      this.debounce = undefined
      const branchIds = [...this.pending]
      this.pending.clear()
      this.refresh({ branchIds }).catch(this.log)
    }, DEBOUNCE_MS)
    this.debounce.unref()
  }

  private checkDay(): void {
    const today = dayInShanghai(new Date())
    if (today === this.day || this.stopped) return
    this.day = today
    this.refresh().catch(this.log)
  }

  private async run({ branchIds, now = new Date().toISOString() }: RefreshOptions): Promise<void> {
    const again = await this.write(async (trx, writer) => {
      const town = await trx.selectFrom('towns').select(['id', 'name']).orderBy('id').executeTakeFirst()
      if (!town) return []
      // Once a day (every full run): overdue notices escalate before the figures count them.
      if (!branchIds) await escalateOverdueRectifications(trx, writer, now)
      const only = branchIds && new Set(branchIds)
      const [rules, facts] = await Promise.all([loadWarningRules(trx), this.loadFacts(trx, now, only)])
      const targets = only ? facts.filter((f) => only.has(f.branchId)) : facts
      const lost = await this.supervise(trx, writer, rules, targets, now, Boolean(only))

      const state = await loadSupervisionState(trx, now)
      const rows: OverviewRow[] = targets.map((f) => branchOverview(f, state, now))
      rows.push(townOverview(town.name, facts, state, now))
      await writeOverviews(trx, writer, town.id, rows, new Set(facts.map((f) => f.branchId)))
      return lost
    })
    // A warning changed under us (a notice accepted at that moment): computed again from what is stored now.
    if (again.length > 0 && !this.stopped) this.changed(again.map((id) => `branch:${id}`))
  }

  private async loadFacts(trx: Kysely<Database>, now: string, only: ReadonlySet<string> | undefined): Promise<BranchFacts[]> {
    const day = dayInShanghai(now)
    if (only && this.facts?.day === day) {
      const fresh = await loadBranchFacts(trx, now, [...only])
      for (const id of only) this.facts.byBranch.delete(id)
      for (const f of fresh) this.facts.byBranch.set(f.branchId, f)
      return [...this.facts.byBranch.values()].sort((a, b) => (a.branchId < b.branchId ? -1 : 1))
    }
    const all = await loadBranchFacts(trx, now)
    this.facts = { day, byBranch: new Map(all.map((f) => [f.branchId, f])) }
    return all
  }

  /** Runs the engine for each branch and writes what changed; returns the branches whose rows moved meanwhile. */
  private async supervise(
    trx: Kysely<Database>,
    writer: ChangeWriter,
    rules: readonly WarningRule[],
    targets: readonly BranchFacts[],
    now: string,
    some: boolean,
  ): Promise<string[]> {
    if (targets.length === 0) return []
    const since = new Date(startOfShanghaiDay(factsWindow(now).periodsFrom)).toISOString()
    let query = trx
      .selectFrom('warnings')
      .selectAll()
      .where((eb) => eb.or([eb('opened_at', '>=', since), eb('cleared_at', 'is', null)]))
    if (some)
      query = query.where(
        'branch_id',
        'in',
        targets.map((f) => f.branchId),
      )
    const stored = await query.orderBy('id').execute()
    const byBranch = new Map<string, WarningRow[]>()
    const historyOf = new Map<string, string>()
    for (const row of stored) {
      historyOf.set(row.id, row.history_json)
      const list = byBranch.get(row.branch_id) ?? byBranch.set(row.branch_id, []).get(row.branch_id)!
      list.push(warningFromRow(row))
    }
    const autoNotice = new Set(rules.filter((r) => r.autoNotice).map((r) => `${r.code}@${r.version}`))
    const lost: string[] = []
    for (const facts of targets) {
      const changed = superviseBranch({ rules, facts, warnings: byBranch.get(facts.branchId) ?? [], now })
      for (const w of changed) {
        if (!(await putWarning(trx, writer, w, historyOf.get(w.id) ?? null))) {
          lost.push(w.branchId)
          continue
        }
        // A red warning whose rule says so opens its 整改提示单 by itself (idempotent on D's side).
        if (w.level === 'red' && w.clearedAt === null && w.rectificationId === null && autoNotice.has(`${w.ruleCode}@${w.ruleVersion}`))
          await issueAutomaticRectification(trx, writer, w, now)
      }
    }
    return [...new Set(lost)]
  }
}

/** The warnings and notices the figures count: open ones, and this year's. */
export async function loadSupervisionState(trx: Kysely<Database>, now: string) {
  const yearStart = new Date(startOfShanghaiDay(`${yearOf(dayInShanghai(now))}-01-01`)).toISOString()
  const [warnings, rectifications] = await Promise.all([
    trx
      .selectFrom('warnings')
      .selectAll()
      .where((eb) => eb.or([eb('opened_at', '>=', yearStart), eb('cleared_at', 'is', null)]))
      .orderBy('id')
      .execute(),
    trx
      .selectFrom('rectifications')
      .selectAll()
      .where((eb) => eb.or([eb('issued_at', '>=', yearStart), eb('status', '!=', 'accepted')]))
      .orderBy('id')
      .execute(),
  ])
  return { warnings: warnings.map(warningFromRow), rectifications: rectifications.map(rectificationFromRow) }
}

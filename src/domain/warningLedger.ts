// One run of the warning engine (./warnings): the branch's rows as they stand, and the changes it makes
// to them, each appended to the row's history.
import { warningId, type WarningLevel, type WarningRow, type WarningRule } from './supervision'

/** What is being watched: a rule's version in a period, for a group or the whole branch. */
export interface Item {
  rule: WarningRule
  period: string
  groupId: string | null
  title: string
}
export interface Want {
  level: WarningLevel
  why: string
}

/** The rows as they stand during one run, and the ones this run changed. */
export class Ledger {
  private readonly changed = new Map<string, WarningRow>()
  constructor(
    private readonly rows: ReadonlyMap<string, WarningRow>,
    private readonly branchId: string,
    private readonly now: string,
  ) {}

  get = (id: string) => this.changed.get(id) ?? this.rows.get(id)
  idOf = (item: Pick<Item, 'rule' | 'period' | 'groupId'>) => warningId(this.branchId, item.rule.code, item.period, item.groupId)

  /** Open at `want.level` (create, escalate, or reopen when `mayReopen` allows it); levels never go down. */
  raise(item: Item, want: Want, mayReopen: (w: WarningRow) => boolean): void {
    const id = this.idOf(item)
    const row = this.get(id)
    const at = this.now
    if (!row) {
      this.changed.set(id, {
        id,
        branchId: this.branchId,
        ruleCode: item.rule.code,
        ruleVersion: item.rule.version,
        kind: item.rule.kind,
        groupId: item.groupId,
        period: item.period,
        level: want.level,
        title: item.title,
        openedAt: at,
        escalatedAt: want.level === 'red' ? at : null,
        clearedAt: null,
        clearReason: null,
        history: [{ at, event: 'opened', level: want.level, why: want.why }],
        rectificationId: null,
      })
    } else if (row.clearedAt === null) {
      if (row.level === 'yellow' && want.level === 'red') {
        const history = [...row.history, { at, event: 'escalated' as const, level: want.level, why: want.why }]
        this.changed.set(id, { ...row, level: 'red', escalatedAt: at, history })
      }
    } else if (mayReopen(row)) {
      const level: WarningLevel = row.level === 'red' ? 'red' : want.level
      this.changed.set(id, {
        ...row,
        level,
        title: item.title,
        escalatedAt: row.escalatedAt ?? (level === 'red' ? at : null),
        clearedAt: null,
        clearReason: null,
        history: [...row.history, { at, event: 'opened', level, why: want.why }],
      })
    }
  }

  clear(id: string, why: string): void {
    const row = this.get(id)
    if (!row || row.clearedAt !== null) return
    const history = [...row.history, { at: this.now, event: 'cleared' as const, level: row.level, why }]
    this.changed.set(id, { ...row, clearedAt: this.now, clearReason: why, history })
  }

  result = () => [...this.changed.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

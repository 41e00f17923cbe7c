// The warning engine (issue 13, helper A implements): a branch's facts and the rules in force → its warnings.
import type { BranchFacts } from './branchFacts'
import type { WarningRow, WarningRule } from './supervision'

export interface SuperviseInput {
  /** Every version of every rule: the one in force on a period's last day (or today) applies. */
  rules: readonly WarningRule[]
  facts: BranchFacts
  /** The branch's warnings so far, open and cleared (at least the current and the previous periods'). */
  warnings: readonly WarningRow[]
  /** The server's time, ISO; periods are Asia/Shanghai's. */
  now: string
}

/** The warnings that are new or changed (opened, escalated, cleared, with history appended). */
export function superviseBranch(_input: SuperviseInput): WarningRow[] {
  throw new Error('not implemented yet (issue 13)')
}

import type { RosterReport } from '~/domain/rosterImportRows'

/** A file that can't be read as a roster at all (too large, not a spreadsheet, no header): its status and why. */
export class RosterFileError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message)
  }
}

/** An import refused for its rows' problems: nothing was written. */
export class RosterRefused extends Error {
  constructor(readonly report: RosterReport) {
    super(`有${report.problemCount}处需要修改，没有导入任何数据`)
  }
}

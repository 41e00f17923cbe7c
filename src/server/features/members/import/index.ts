// Importing a roster (issue 12, docs/api.md#花名册): read the file, check every row against the town, and
// write all of it in one transaction, or nothing. The checks themselves are src/domain/rosterImport*.ts.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { SyncWrite } from '~/server/sync/feature'
import type { Viewer } from '~/domain/sync'
import { planRoster, rosterPhones, rosterReport, type RosterReport } from '~/domain/rosterImportRows'
import type { RosterSheets } from '~/domain/rosterImportSheets'
import { rosterContext } from './context'
import { RosterRefused } from './errors'
import { readRosterFile } from './read'
import { writeRoster, type ImportedCounts } from './write'

export { RosterFileError, RosterRefused } from './errors'

export interface RosterUpload {
  bytes: Buffer
  fileName: string
}

async function check(db: Kysely<Database>, viewer: Viewer, sheets: RosterSheets, fileName: string) {
  const context = await rosterContext(db, viewer, rosterPhones(sheets))
  const plan = planRoster(sheets, context)
  return { plan, report: rosterReport(sheets, plan, context, fileName) }
}

/** Every row's problems and the counts; writes nothing. */
export async function previewRoster(db: Kysely<Database>, viewer: Viewer, upload: RosterUpload): Promise<RosterReport> {
  const sheets = await readRosterFile(upload.bytes, upload.fileName)
  return (await check(db, viewer, sheets, upload.fileName)).report
}

/**
 * Checks again inside the transaction and writes everything, or throws RosterRefused with the problems.
 * Two imports with the same phones at once: the second waits on the first's users (the phone is unique),
 * fails, is run again by `write` and then finds the phones taken, a refusal like any other.
 */
export async function importRoster(
  write: SyncWrite,
  viewer: Viewer,
  upload: RosterUpload,
): Promise<RosterReport & { imported: ImportedCounts }> {
  const sheets = await readRosterFile(upload.bytes, upload.fileName)
  return write(async (trx, writer, now) => {
    const { plan, report } = await check(trx, viewer, sheets, upload.fileName)
    if (plan.problems.length > 0) throw new RosterRefused(report)
    return { ...report, imported: await writeRoster(trx, writer, viewer, plan, upload.fileName, now) }
  })
}

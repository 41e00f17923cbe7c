import { createAppDB, type AppDB } from './index'
import { reportStorageProblem } from './problems'
import { setQuickMetaDatabase } from './quickMeta'

export { onStorageProblem, reportStorageProblem } from './problems'

let instance: AppDB | undefined

/** The app's one database, opened on first use. */
export function appDB(): AppDB {
  instance ??= createAppDB(reportStorageProblem)
  return instance
}

/** Tests give each case a database of its own. */
export function setAppDB(db: AppDB): void {
  instance = db
  setQuickMetaDatabase(db.name)
}

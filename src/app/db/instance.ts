import { createAppDB, type AppDB, type StorageProblem, type StorageProblemListener } from './index'

let instance: AppDB | undefined
const listeners = new Set<StorageProblemListener>()

/** The app's one database, opened on first use. */
export function appDB(): AppDB {
  instance ??= createAppDB((problem: StorageProblem) => listeners.forEach((listener) => listener(problem)))
  return instance
}

/** Tests give each case a database of its own. */
export function setAppDB(db: AppDB): void {
  instance = db
}

export function onStorageProblem(listener: StorageProblemListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function reportStorageProblem(problem: StorageProblem): void {
  listeners.forEach((listener) => listener(problem))
}

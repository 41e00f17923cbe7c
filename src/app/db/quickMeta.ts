import { DB_NAME } from '../constants'

let databaseName = DB_NAME

/** Tests give each case a database of its own (instance.ts's setAppDB names it here too). */
export function setQuickMetaDatabase(name: string): void {
  databaseName = name
}

/**
 * One `meta` row read with IndexedDB itself, without Dexie: who is signed in is known before the database's
 * code (≈ 100 KB) has loaded, so the first screen never waits for it. Undefined when there is no database yet;
 * it never creates one (an empty database at version 1 would leave Dexie an odd upgrade to do).
 */
export function readMetaQuickly<T>(key: string): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName)
    request.onupgradeneeded = () => request.transaction?.abort()
    request.onerror = (event) => {
      event.preventDefault()
      if (request.error?.name === 'AbortError') resolve(undefined)
      else reject(request.error ?? new Error('IndexedDB open failed'))
    }
    request.onsuccess = () => {
      const db = request.result
      // Never in the way of another tab's upgrade, nor of Dexie's own connection.
      db.onversionchange = () => db.close()
      if (!db.objectStoreNames.contains('meta')) {
        db.close()
        resolve(undefined)
        return
      }
      const get = db.transaction('meta', 'readonly').objectStore('meta').get(key)
      get.onsuccess = () => {
        db.close()
        resolve((get.result as { value?: T } | undefined)?.value)
      }
      get.onerror = () => {
        db.close()
        reject(get.error ?? new Error('IndexedDB read failed'))
      }
    }
  })
}

import { afterEach, describe, expect, it, vi } from 'vitest'
import Dexie from 'dexie'
import { AppDB, classifyStorageError, createAppDB, STORAGE_MESSAGES, type StorageProblem } from '~/app/db'
import { appDB, onStorageProblem, reportStorageProblem, setAppDB } from '~/app/db/instance'

const opened: Dexie[] = []

function track<T extends Dexie>(db: T): T {
  opened.push(db)
  return db
}

function uniqueName(): string {
  return `test-${Math.random().toString(36).slice(2)}`
}

afterEach(async () => {
  for (const db of opened.splice(0)) db.close()
})

describe('AppDB', () => {
  it('keeps meta values across connections to the same database', async () => {
    const name = uniqueName()
    const db = track(new AppDB(name))
    await db.setMeta('me', { user: { id: 'u-1' } })
    db.close()

    const again = track(new AppDB(name))
    expect(await again.getMeta('me')).toEqual({ user: { id: 'u-1' } })
    await again.deleteMeta('me')
    expect(await again.getMeta('me')).toBeUndefined()
  })

  it('keeps test databases apart from each other', async () => {
    const a = track(new AppDB(uniqueName()))
    const b = track(new AppDB(uniqueName()))
    await a.setMeta('k', 'a')
    expect(await b.getMeta('k')).toBeUndefined()
  })
})

describe('classifyStorageError', () => {
  it.each<[string, StorageProblem]>([
    ['QuotaExceededError', 'quota'],
    ['InvalidStateError', 'unavailable'],
    ['MissingAPIError', 'unavailable'],
    ['SecurityError', 'unavailable'],
    ['VersionError', 'versionchange'],
    ['DatabaseClosedError', 'versionchange'],
  ])('maps a %s to %s', (name, problem) => {
    expect(classifyStorageError(new DOMException('failed', name))).toBe(problem)
  })

  it('looks inside a Dexie error at the IndexedDB error it wraps', () => {
    const wrapped = new Dexie.AbortError('Transaction aborted', new DOMException('disk full', 'QuotaExceededError'))
    expect(wrapped.name).toBe('AbortError')
    expect(classifyStorageError(wrapped)).toBe('quota')
  })

  it.each([new Error('boom'), new DOMException('x', 'AbortError'), null, undefined, 'text'])(
    'maps anything else (%s) to unknown',
    (error) => {
      expect(classifyStorageError(error)).toBe('unknown')
    },
  )

  it('has a Chinese message for every problem', () => {
    for (const message of Object.values(STORAGE_MESSAGES)) expect(message).toMatch(/[\u4e00-\u9fff]/)
  })
})

describe('createAppDB', () => {
  it('closes itself and reports versionchange when another tab opens a newer version', async () => {
    const name = uniqueName()
    const problems: StorageProblem[] = []
    const db = track(createAppDB((p) => problems.push(p), name))
    await db.setMeta('me', 'kept')

    const newer = track(new Dexie(name))
    // One version past the app's own, whatever that is now.
    newer.version(db.verno + 1).stores({ meta: 'key' })
    await newer.open()

    expect(problems).toEqual(['versionchange'])
    expect(db.isOpen()).toBe(false)
    expect(newer.verno).toBe(db.verno + 1)
    expect(await newer.table('meta').get('me')).toEqual({ key: 'me', value: 'kept' })
    // What the app shows if it still tries to use the closed connection.
    const failure = await db.getMeta('me').catch((error: unknown) => error)
    expect(classifyStorageError(failure)).toBe('versionchange')
  })

  it('reports blocked while an older connection refuses to let it upgrade', async () => {
    const name = uniqueName()
    const older = track(new Dexie(name))
    older.version(0.5).stores({ meta: 'key' })
    older.on('versionchange', () => false) // an old tab that does not step aside
    await older.open()

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}) // Dexie logs the block too
    const problems: StorageProblem[] = []
    const db = track(createAppDB((p) => problems.push(p), name))
    const opening = db.open()
    await expect.poll(() => problems).toEqual(['blocked'])

    older.close()
    await opening
    expect(db.isOpen()).toBe(true)
    warn.mockRestore()
  })
})

describe('upgrading the device database', () => {
  it('keeps the signed-in member stored by version 1 when the app opens it at the current version', async () => {
    const name = uniqueName()
    const v1 = new Dexie(name)
    v1.version(1).stores({ meta: 'key' })
    await v1.table('meta').put({ key: 'me', value: { remembered: true } })
    v1.close()

    const current = track(new AppDB(name))
    expect(await current.getMeta('me')).toEqual({ remembered: true })
    expect(await current.outbox.count()).toBe(0)
    expect(current.verno).toBeGreaterThan(1)
  })
})

describe('the app database instance', () => {
  it('hands out the database set for the test', () => {
    const db = track(new AppDB(uniqueName()))
    setAppDB(db)
    expect(appDB()).toBe(db)
  })

  it('tells every listener about a storage problem until it unsubscribes', () => {
    const seen: StorageProblem[] = []
    const stop = onStorageProblem((p) => seen.push(p))
    reportStorageProblem('quota')
    stop()
    reportStorageProblem('blocked')
    expect(seen).toEqual(['quota'])
  })
})

// useLiveQuery: the one reactive Dexie query of the app (issue 11), with and without a reactive source.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { useLiveQuery } from '~/app/composables/useLiveQuery'
import type { AppDB } from '~/app/db'
import { freshDB, settle } from './helpers'

let db: AppDB
beforeEach(() => {
  db = freshDB()
})
afterEach(async () => {
  await db.delete()
})

const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })
const branch = (id: string, name: string) => ({ id, name, place: '新杭镇', kind: 'village' as const })

describe('useLiveQuery', () => {
  it('starts at `initial` and follows the query as the database changes', async () => {
    const scope = effectScope()
    const names = scope.run(() => useLiveQuery(async () => (await db.branches.toArray()).map((b) => b.name), null as string[] | null))!
    expect(names.value).toBeNull()
    await waitFor(() => expect(names.value).toEqual([]))
    await db.branches.put(branch('b-1', '合兴村党支部'))
    await waitFor(() => expect(names.value).toEqual(['合兴村党支部']))
    scope.stop()
  })

  it('subscribes again with the new value when the source changes, and no longer follows the old one', async () => {
    await db.branches.bulkPut([branch('b-1', '合兴村党支部'), branch('b-2', '金鸡窝村党支部')])
    const id = ref('b-1')
    const queried: string[] = []
    const scope = effectScope()
    const name = scope.run(() =>
      useLiveQuery(
        id,
        async (value) => {
          queried.push(value)
          return (await db.branches.get(value))?.name ?? null
        },
        undefined as string | null | undefined,
      ),
    )!
    await waitFor(() => expect(name.value).toBe('合兴村党支部'))

    id.value = 'b-2'
    await waitFor(() => expect(name.value).toBe('金鸡窝村党支部'))
    const runs = queried.length
    // A change to the row it followed before: not read again.
    await db.branches.update('b-1', { name: '合兴村' })
    await settle()
    expect(queried.length).toBe(runs)
    expect(name.value).toBe('金鸡窝村党支部')
    scope.stop()
  })

  it('shows `initial` again while the new value is read, with `reset`', async () => {
    await db.branches.put(branch('b-1', '合兴村党支部'))
    const id = ref('b-1')
    const scope = effectScope()
    const name = scope.run(() =>
      useLiveQuery(id, async (value) => (await db.branches.get(value))?.name ?? null, undefined as string | null | undefined, {
        reset: true,
      }),
    )!
    await waitFor(() => expect(name.value).toBe('合兴村党支部'))
    id.value = 'b-9'
    await nextTick()
    expect(name.value).toBeUndefined()
    await waitFor(() => expect(name.value).toBeNull())
    scope.stop()
  })

  it('stops following when its scope ends', async () => {
    const scope = effectScope()
    const count = scope.run(() => useLiveQuery(() => db.branches.count(), -1))!
    await waitFor(() => expect(count.value).toBe(0))
    scope.stop()
    await db.branches.put(branch('b-1', '合兴村党支部'))
    await settle()
    expect(count.value).toBe(0)
  })
})

import { liveQuery } from 'dexie'
import { onScopeDispose, shallowRef, type ShallowRef } from 'vue'

/** A ref that follows a Dexie query, also across tabs, until the calling scope ends. */
export function useLiveQuery<T>(query: () => Promise<T>, initial: T): ShallowRef<T> {
  const value = shallowRef(initial)
  const subscription = liveQuery(query).subscribe({
    next: (result) => (value.value = result),
    error: (error: unknown) => console.error('liveQuery', error),
  })
  onScopeDispose(() => subscription.unsubscribe())
  return value
}

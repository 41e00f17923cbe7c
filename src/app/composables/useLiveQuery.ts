import { liveQuery } from 'dexie'
import { shallowRef, watch, type ShallowRef, type WatchSource } from 'vue'

export interface UseLiveQueryOptions {
  /**
   * Show `initial` again while the query for a new source value runs (a page switching topics shows
   * "loading", not the last topic's rows). Default false: the last result stays until the new one comes.
   */
  reset?: boolean
}

/**
 * A ref that follows a Dexie query (also across tabs) until the calling scope ends. With a `source`, the
 * query takes its value and is subscribed again whenever it changes (the old subscription ends first, so
 * a late answer for the old value never lands): `useLiveQuery(topicId, (id) => db.comments…, null)`.
 */
export function useLiveQuery<T>(query: () => Promise<T>, initial: T): ShallowRef<T>
export function useLiveQuery<S, T>(
  source: WatchSource<S>,
  query: (value: S) => Promise<T>,
  initial: T,
  options?: UseLiveQueryOptions,
): ShallowRef<T>
export function useLiveQuery<S, T>(
  ...args:
    | [query: () => Promise<T>, initial: T]
    | [source: WatchSource<S>, query: (value: S) => Promise<T>, initial: T, options?: UseLiveQueryOptions]
): ShallowRef<T> {
  const [source, query, initial, options] =
    args.length === 2 ? [() => undefined as S, args[0], args[1], {}] : [args[0], args[1], args[2], args[3] ?? {}]
  const value = shallowRef(initial)
  watch(
    source,
    (current, _previous, onCleanup) => {
      if (options.reset) value.value = initial
      const subscription = liveQuery(() => query(current)).subscribe({
        next: (result) => (value.value = result),
        error: (error: unknown) => console.error('liveQuery', error),
      })
      // Runs before the next subscription and when the scope ends (the watcher stops with it).
      onCleanup(() => subscription.unsubscribe())
    },
    { immediate: true },
  )
  return value
}

// A photo someone else's phone is still uploading answers 404 at first. Pages that show photos try a
// failed one again a little later (sooner at first: the author's phone is probably sending it now) and
// after every sync, by giving its <img> a new key.
import { onScopeDispose, reactive, watch } from 'vue'
import { useSyncStore } from '../stores/sync'

export function usePhotoRetry() {
  const sync = useSyncStore()
  /** Photos that failed to load, with how many times they were tried. */
  const failed = reactive(new Map<string, number>())
  const attempts = reactive(new Map<string, number>())
  const timers = new Set<ReturnType<typeof setTimeout>>()
  onScopeDispose(() => timers.forEach(clearTimeout))

  function retry(id: string) {
    failed.delete(id)
    attempts.set(id, (attempts.get(id) ?? 0) + 1)
  }

  function onError(id: string) {
    const tries = (attempts.get(id) ?? 0) + 1
    failed.set(id, tries)
    const timer = setTimeout(
      () => {
        timers.delete(timer)
        if (failed.has(id)) retry(id)
      },
      Math.min(60_000, 5_000 * tries),
    )
    timers.add(timer)
  }

  watch(
    () => sync.lastSyncedAt,
    () => [...failed.keys()].forEach(retry),
  )

  return {
    /** A key for the photo's <img>: changes on each retry, so the browser asks again. */
    keyOf: (id: string) => `${id}:${attempts.get(id) ?? 0}`,
    isFailed: (id: string) => failed.has(id),
    onError,
  }
}

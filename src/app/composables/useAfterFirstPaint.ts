import { onMounted, shallowRef, type Ref } from 'vue'

/**
 * Runs `task` once the browser has drawn what is on screen and has a moment: what the first screen
 * doesn't show (the sync engine, the service worker, cards below the greeting) waits for this. The
 * timeouts keep it running in a background tab, where frames and idle periods may never come.
 */
export function afterFirstPaint(task: () => void, settleMs = 0): void {
  let done = false
  const run = () => {
    if (done) return
    done = true
    // `settleMs`: for work that reads the database too (the sync engine), let the page's own first reads go first.
    if (settleMs > 0) setTimeout(task, settleMs)
    else task()
  }
  const idle = (cb: () => void) =>
    typeof requestIdleCallback === 'function' ? requestIdleCallback(cb, { timeout: 300 }) : setTimeout(cb, 0)
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(() => idle(run), 0))
  setTimeout(run, 1000)
}

/** False until the component's first paint has happened (see afterFirstPaint), then true. */
export function useAfterFirstPaint(): Readonly<Ref<boolean>> {
  const painted = shallowRef(false)
  onMounted(() => afterFirstPaint(() => (painted.value = true)))
  return painted
}

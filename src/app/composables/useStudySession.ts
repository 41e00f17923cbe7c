import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { useSyncStore } from '../stores/sync'

/** Counts *active* study seconds: the page is visible and the member is reading (recent activity) or media is playing. */
export class ActiveTimer {
  activeSeconds = 0
  private lastActivity: number

  constructor(
    now: number,
    /** Reading with no scroll, touch or key for this long is idle (issue 4: "not idle for more than a minute"). */
    private readonly idleMs = 60_000,
  ) {
    this.lastActivity = now
  }

  activity(now: number): void {
    this.lastActivity = now
  }

  /** Called once a second. */
  tick(now: number, state: { visible: boolean; playing: boolean }): void {
    if (!state.visible) return
    if (state.playing || now - this.lastActivity < this.idleMs) this.activeSeconds++
  }
}

/** Sessions shorter than this are not worth a record (a quick look, a mis-tap). */
const MIN_RECORDED_SECONDS = 10
const ACTIVITY_EVENTS = ['scroll', 'touchstart', 'pointerdown', 'keydown', 'wheel'] as const

/**
 * Measures active study time on a material and records it as a `study.record` mutation when the member
 * leaves the page or puts the app in the background (offline too); the server turns it into points.
 */
export function useStudySession(materialId: string, media: Ref<HTMLMediaElement | null>) {
  const sync = useSyncStore()
  const activeSeconds = ref(0)
  const completed = ref(false)
  let timer = new ActiveTimer(Date.now())
  let startedAt = new Date()
  let interval: ReturnType<typeof setInterval> | undefined

  const onActivity = () => timer.activity(Date.now())
  const onHidden = () => {
    if (document.visibilityState === 'hidden') void record()
  }

  /** Records the session so far and starts a new one (sessions never overlap). */
  async function record(): Promise<void> {
    const seconds = timer.activeSeconds
    const session = { startedAt: startedAt.toISOString(), endedAt: new Date().toISOString() }
    timer = new ActiveTimer(Date.now())
    startedAt = new Date()
    activeSeconds.value = 0
    if (seconds < MIN_RECORDED_SECONDS || !sync.userId) return
    await sync.enqueue('study.record', {
      sessionId: crypto.randomUUID(),
      materialId,
      ...session,
      activeSeconds: seconds,
      completed: completed.value,
    })
  }

  onMounted(() => {
    ACTIVITY_EVENTS.forEach((type) => window.addEventListener(type, onActivity, { passive: true }))
    document.addEventListener('visibilitychange', onHidden)
    window.addEventListener('pagehide', record)
    interval = setInterval(() => {
      timer.tick(Date.now(), { visible: document.visibilityState === 'visible', playing: Boolean(media.value && !media.value.paused) })
      activeSeconds.value = timer.activeSeconds
    }, 1000)
  })
  onBeforeUnmount(() => {
    clearInterval(interval)
    ACTIVITY_EVENTS.forEach((type) => window.removeEventListener(type, onActivity))
    document.removeEventListener('visibilitychange', onHidden)
    window.removeEventListener('pagehide', record)
    void record()
  })

  return { activeSeconds, completed, record }
}

import { onBeforeUnmount, onMounted, ref } from 'vue'
import { useOverviewStore } from '~/app/stores/overview'

/** The time the 总览 pages read (upcoming meetings, overdue notices, the freshness note), kept current each minute. */
export function useOverviewClock() {
  const store = useOverviewStore()
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    store.tick()
    timer = setInterval(() => {
      now.value = Date.now()
      store.tick()
    }, 60_000)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}

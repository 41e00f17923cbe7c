// The chart, loaded with the 总览 pages only: Chart.js stays out of the first load and of every other page.
// A small loader rather than Vue's defineAsyncComponent, which would add itself to the first load (Vue's
// runtime is there) for this one use.
import { defineComponent, h, onMounted, shallowRef, type Component } from 'vue'

let loaded: Component | null = null

export const OverviewChart = defineComponent({
  name: 'OverviewChartLoader',
  inheritAttrs: false,
  setup(_, { attrs }) {
    const chart = shallowRef<Component | null>(loaded)
    const failed = shallowRef(false)
    onMounted(async () => {
      try {
        loaded ??= (await import('./OverviewChart.vue')).default
        chart.value = loaded
      } catch {
        // The service worker keeps the chunk for offline use; this is a broken download.
        failed.value = true
      }
    })
    return () =>
      chart.value
        ? h(chart.value, attrs)
        : h('p', { class: 'chart-pending' }, failed.value ? '图表暂时无法显示，请稍后再打开本页。' : '正在加载图表…')
  },
})

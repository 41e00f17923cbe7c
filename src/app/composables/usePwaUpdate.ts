import { useRegisterSW } from 'virtual:pwa-register/vue'

/**
 * The service worker's life cycle as refs. A new version waits until the member taps 更新
 * (workbox-window's `waiting` → messageSkipWaiting → reload on `controlling`): forcing it
 * could reload a page with a half-filled form.
 */
export function usePwaUpdate() {
  const { needRefresh, offlineReady, updateServiceWorker } = useRegisterSW({ immediate: true })
  return {
    needRefresh,
    offlineReady,
    applyUpdate: () => updateServiceWorker(true),
    dismiss: () => {
      needRefresh.value = false
      offlineReady.value = false
    },
  }
}

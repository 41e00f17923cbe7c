import { createApp } from 'vue'
import { createPinia } from 'pinia'
import type { Router } from 'vue-router'
import App from './App.vue'
import { createAppRouter } from './router'
import { useSessionStore } from './stores/session'
import { classifyStorageError, reportStorageProblem } from './db/problems'
import './styles.css'
// Function-call components (showToast, showNotify) are not picked up by the auto-import resolver.
import 'vant/es/toast/style'
import 'vant/es/notify/style'

/** Starts loading a page's code now rather than once the router has decided to show it. */
function preloadPage(router: Router, path: string): void {
  for (const record of router.resolve(path).matched) {
    const page = record.components?.default
    if (typeof page === 'function') void (page as () => Promise<unknown>)().catch(() => undefined)
  }
}

const app = createApp(App)
app.use(createPinia())
// Nothing waits here: the shell mounts at once, the router's guard waits for the saved session.
useSessionStore()
  .restore()
  // The app still opens (to the login page) and says why nothing can be remembered.
  .catch((error: unknown) => reportStorageProblem(classifyStorageError(error)))
const router = createAppRouter()
// A page a service worker controls was opened before, most likely signed in: fetch its code beside the
// session read instead of after it. A first visit goes to 登录 and loads nothing it doesn't show.
if (navigator.serviceWorker?.controller) preloadPage(router, location.pathname)
app.use(router)
app.mount('#app')

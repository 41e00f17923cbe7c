import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter } from './router'
import { useSessionStore } from './stores/session'
import { classifyStorageError } from './db'
import { reportStorageProblem } from './db/instance'
import './styles.css'
// Function-call components (showToast, showNotify) are not picked up by the auto-import resolver.
import 'vant/es/toast/style'
import 'vant/es/notify/style'

const app = createApp(App)
app.use(createPinia())
try {
  await useSessionStore().restore()
} catch (error) {
  // The app still opens (to the login page) and says why nothing can be remembered.
  reportStorageProblem(classifyStorageError(error))
}
const router = createAppRouter()
app.use(router)
await router.isReady()
app.mount('#app')

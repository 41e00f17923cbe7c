import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { APP_NAME, APP_SHORT_NAME, THEME_COLOR } from './src/domain/brand'

export default defineConfig({
  // `~/` is src/, as in tsconfig.json: imports name where a module lives instead of how far to climb.
  resolve: { alias: { '~/': fileURLToPath(new URL('./src/', import.meta.url)) } },
  plugins: [
    vue(),
    // Vant components and their CSS are imported on use, so the first page only loads what it shows.
    Components({ resolvers: [VantResolver()], dts: false, dirs: [] }),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/app',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: APP_NAME,
        short_name: APP_SHORT_NAME,
        description: '新杭镇党员学习、会议、积分与议事的移动平台',
        lang: 'zh-CN',
        dir: 'ltr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: THEME_COLOR,
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,svg,ico,woff2}'],
      },
      devOptions: { enabled: false },
    }),
  ],
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
  },
})

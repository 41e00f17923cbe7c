import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { vantSvgIcons } from './scripts/vite-svg-icons'
import { APP_NAME, APP_SHORT_NAME, THEME_COLOR } from './src/domain/brand'
import { precompress } from './scripts/precompress'

export default defineConfig({
  // `~/` is src/, as in tsconfig.json: imports name where a module lives instead of how far to climb.
  resolve: { alias: { '~/': fileURLToPath(new URL('./src/', import.meta.url)) } },
  plugins: [
    vue(),
    // Vant components and their CSS are imported on use, so the first page only loads what it shows.
    Components({ resolvers: [VantResolver()], dts: false, dirs: [] }),
    // Vant's icon font (20 KB, and an outside URL the CSP blocks) swapped for the SVG icons the app uses.
    vantSvgIcons(),
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
    // .br and .gz beside each text file, served by routes/static.ts as they are (issue 14: a weak signal).
    precompress(),
  ],
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    // Browsers new enough for es2022 preload modules themselves (Vite's helper falls back to rel=preload):
    // no polyfill in the entry. Route chunks keep their dependency lists, so a page's files load in one wave.
    modulePreload: { polyfill: false },
  },
})

import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'

/** `~/` is src/, as in tsconfig.json and vite.config.ts; every project resolves it. */
const resolve = { alias: { '~/': fileURLToPath(new URL('./src/', import.meta.url)) } }

export default defineConfig({
  test: {
    reporters: ['default', './tests/summary-reporter.ts'],
    projects: [
      { resolve, test: { name: 'domain', include: ['tests/domain/**/*.test.ts'], environment: 'node' } },
      {
        resolve,
        test: {
          name: 'server',
          include: ['tests/server/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/server/postgres.global.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        test: {
          name: 'sync',
          include: ['tests/sync/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/sync/setup.ts'],
          globalSetup: ['tests/server/postgres.global.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        plugins: [vue(), Components({ resolvers: [VantResolver()], dts: false, dirs: [] })],
        test: {
          name: 'app',
          include: ['tests/app/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['tests/app/setup.ts'],
          server: { deps: { inline: ['vant'] } },
        },
      },
      {
        resolve,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/server.global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})

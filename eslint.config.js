// ESLint 9 flat config: recommended rules (not the type-checked ones, to stay fast) and the
// one-way dependency rule of docs/architecture.md. Layout is Prettier's (.prettierrc.json).
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import prettierOff from 'eslint-config-prettier/flat'

const SOURCES = '{ts,vue}'
/** Folder depths below a layer (src/<layer>/*, src/<layer>/*\/*, …) that get their own relative-path patterns. */
const MAX_DEPTH = 6

/**
 * A relative import means different things at different depths (`../app` from src/server/db is
 * src/server/app.ts, from src/server it is src/app), so each depth gets the exact prefix that climbs
 * to src/. `layers` are the folders of src/ that must not be reached; `null` forbids leaving the layer at all.
 */
function layerBoundaries(layer, layers, message, extraPatterns = []) {
  return Array.from({ length: MAX_DEPTH }, (_, depth) => {
    const up = '\\.\\./'.repeat(depth + 1)
    const target = layers === null ? '' : `(${layers.join('|')})(/|$)`
    const files = [`src/${layer}/${'*/'.repeat(depth)}*.${SOURCES}`]
    return {
      files,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              { regex: `^${up}${target}`, message },
              { regex: `(^|/)src/(${(layers ?? ['app', 'server']).join('|')})(/|$)`, message },
              { regex: layers === null ? `^~/(?!${layer}/)` : `^~/(${layers.join('|')})(/|$)`, message },
              ...extraPatterns,
            ],
          },
        ],
      },
    }
  })
}

const domainPackages = {
  group: [
    'vue',
    'vue/**',
    'vue-router',
    'pinia',
    'dexie',
    'dexie/**',
    'vant',
    'vant/**',
    '@vant/**',
    'fastify',
    'fastify/**',
    '@fastify/**',
    'kysely',
    'kysely/**',
    'pg',
    'better-sqlite3',
    'workbox-*',
    'node:*',
    // Anchored with `/`: gitignore-style patterns match any path segment, and Node has a module called `domain`.
    ...builtinModules.map((name) => `/${name}`),
  ],
  message: 'src/domain is pure shared code: no framework, storage or Node modules (docs/architecture.md, the one-way rule).',
}

const storageMessage = 'Only src/app/db touches IndexedDB or localStorage (docs/architecture.md, the one-way rule).'
const storageGlobals = ['indexedDB', 'localStorage', 'sessionStorage']

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'data/', '.tmp/', 'coverage/', 'public/', 'dev-dist/'] },

  js.configs.recommended,
  tseslint.configs.recommended,
  pluginVue.configs['flat/recommended'],

  {
    files: [`**/*.${SOURCES}`, '**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    files: [`src/app/**/*.${SOURCES}`],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/app/sw.ts'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ['src/server/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['tests/app/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },

  {
    files: ['**/*.vue'],
    rules: {
      // Attribute wrapping is layout, not correctness; the templates keep short tags on one line.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': ['warn', { html: { void: 'always', normal: 'never', component: 'always' } }],
    },
  },

  // Dependencies run one way (docs/architecture.md, the one-way rule).
  ...layerBoundaries('domain', null, 'src/domain imports nothing outside itself (docs/architecture.md, the one-way rule).', [
    domainPackages,
  ]),
  ...layerBoundaries('server', ['app'], 'src/server never imports from src/app (docs/architecture.md, the one-way rule).'),
  ...layerBoundaries('app', ['server'], 'src/app never imports from src/server (docs/architecture.md, the one-way rule).'),
  // The sync core knows no feature (docs/architecture.md, the sync core): features import it, never the other way.
  {
    files: [`src/server/sync/*.${SOURCES}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./app(/|$)',
              message: 'src/server never imports from src/app (docs/architecture.md, the one-way rule).',
            },
            { regex: '(^|/)src/(app)(/|$)', message: 'src/server never imports from src/app (docs/architecture.md, the one-way rule).' },
            { regex: '^~/app(/|$)', message: 'src/server never imports from src/app (docs/architecture.md, the one-way rule).' },
            {
              regex:
                '^\\.\\./(features|services|routes|security|app)(/|\\.ts)?$|^\\.\\./(features|services|routes)/|^~/server/(features|services|routes|security|app)(/|\\.ts|$)',
              message:
                'The sync core imports src/domain, the database layer, http/errors and its own files only: it is handed the features (src/server/sync/README.md).',
            },
          ],
        },
      ],
    },
  },

  // One Dexie module (docs/architecture.md, the one-way rule).
  {
    files: [`src/app/**/*.${SOURCES}`],
    ignores: ['src/app/db/**'],
    rules: {
      'no-restricted-globals': ['error', ...storageGlobals.map((name) => ({ name, message: storageMessage }))],
      'no-restricted-properties': [
        'error',
        ...['window', 'globalThis', 'self'].flatMap((object) =>
          storageGlobals.map((property) => ({ object, property, message: storageMessage })),
        ),
      ],
    },
  },
  // Prettier owns the layout (npm run lint checks it): no stylistic rule may disagree with it.
  prettierOff,
)

import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '~/server/config'
import { VANT_ICONS } from '~/app/styles/vantIcons'
import { vantIconsCss } from '../../scripts/vite-svg-icons'

// Vant's icon font is replaced by one SVG rule per name in VANT_ICONS: a name used but missing there draws
// nothing. These checks read the sources, so an icon added to a page or drawn by a newly used Vant component
// fails here rather than on a phone.

const APP = join(PROJECT_ROOT, 'src/app')
const VANT = join(PROJECT_ROOT, 'node_modules/vant/es')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(vue|ts)$/.test(e.name) ? [join(dir, e.name)] : [],
  )
}

/** Every name Vant's icon font had: what `<van-icon name>` and the `icon` props accept. */
const vantNames = new Set([...readFileSync(join(VANT, 'icon/index.css'), 'utf8').matchAll(/\.van-icon-([\w-]+):before/g)].map((m) => m[1]!))
const literals = (code: string) => [...code.matchAll(/'([\w-]+)'/g)].map((m) => m[1]!)

/** Icon names a source file uses: `<van-icon name>`, any `…icon="…"` attribute, bound ones' literals, `icon: '…'`. */
function iconNamesIn(code: string): string[] {
  const names: string[] = []
  for (const [tag] of code.matchAll(/<van-icon\b[^>]*>/g)) {
    for (const m of tag.matchAll(/(?<!:)\bname="([\w-]+)"/g)) names.push(m[1]!)
    for (const m of tag.matchAll(/:name="([^"]*)"/g)) names.push(...literals(m[1]!))
  }
  for (const m of code.matchAll(/\s(?:[\w-]+-)?icon="([\w-]+)"/g)) names.push(m[1]!)
  for (const m of code.matchAll(/\s:(?:[\w-]+-)?icon="([^"]*)"/g)) names.push(...literals(m[1]!))
  for (const m of code.matchAll(/\bicon:\s*'([\w-]+)'/g)) names.push(m[1]!)
  if (/\sis-link\b|\bisLink\b/.test(code)) names.push('arrow')
  if (/\s:?left-arrow\b/.test(code)) names.push('arrow-left')
  return names.filter((n) => vantNames.has(n))
}

/**
 * Literals in a Vant component's code that are icon names but aren't drawn as icons (events, props' values,
 * class names): reviewed once per component, so a new literal after an upgrade is looked at.
 */
const NOT_ICONS: Record<string, string[]> = {
  cell: ['label'],
  checkbox: ['label', 'checked', 'minus'],
  'collapse-item': ['label'],
  empty: ['circle', 'description', 'stop'],
  field: ['label', 'passed', 'search'],
  search: ['label'],
  stepper: ['plus', 'minus'],
  tab: ['card', 'shrink'],
  tabs: ['card', 'shrink'],
  loading: ['circle'],
  dialog: ['warning'],
  'notice-bar': ['close', 'replay'],
  'dropdown-item': ['close', 'down'],
  'dropdown-menu': ['down'],
  uploader: ['delete', 'close'],
  'action-sheet': ['close', 'description'],
  popup: ['close'],
  tag: ['close'],
  'image-preview': ['close'],
}

/** The Vant components the app renders, by tag or function (`showToast` draws a toast), and what they use. */
function vantComponentsUsed(files: string[]): string[] {
  const used = new Set<string>()
  for (const file of files) {
    const code = readFileSync(file, 'utf8')
    for (const m of code.matchAll(/<van-([a-z-]+)/g)) used.add(m[1]!)
    for (const m of code.matchAll(/\bshow(Toast|ConfirmDialog|Dialog|Notify|ImagePreview)\b/g)) {
      used.add({ Toast: 'toast', ConfirmDialog: 'dialog', Dialog: 'dialog', Notify: 'notify', ImagePreview: 'image-preview' }[m[1]!]!)
    }
  }
  // Drawn inside others: the uploader's previews and image-preview are van-image, collapse items are cells.
  for (const [outer, inner] of [
    ['uploader', 'image'],
    ['image-preview', 'image'],
    ['collapse-item', 'cell'],
    ['dropdown-item', 'cell'],
    ['search', 'field'],
  ] as const) {
    if (used.has(outer)) used.add(inner)
  }
  return [...used].sort()
}

function internalIconNames(component: string): string[] {
  const dir = join(VANT, component)
  const code = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n')
  const skip = new Set(NOT_ICONS[component] ?? [])
  return [...code.matchAll(/"([\w-]+)"/g)].map((m) => m[1]!).filter((n) => vantNames.has(n) && !skip.has(n))
}

describe('the SVG icons that stand in for Vant’s icon font', () => {
  const files = sources(APP)

  it('finds the names the app uses, static, bound and in scripts', () => {
    const code = `<van-icon name="clock-o" /> <van-icon :name="open ? 'arrow-up' : 'arrow-down'" />
      <van-button icon="plus" /> <van-field left-icon="info-o" is-link /> <van-uploader upload-icon="photograph" />
      <van-grid-item :icon="entry.icon" /> { to: '/', icon: 'wap-home-o' } <van-nav-bar left-arrow />`
    expect(iconNamesIn(code).sort()).toEqual(
      ['arrow', 'arrow-down', 'arrow-left', 'arrow-up', 'clock-o', 'info-o', 'photograph', 'plus', 'wap-home-o'].sort(),
    )
  })

  it('has a glyph for every icon name in src/app', () => {
    const missing = files.flatMap((file) =>
      iconNamesIn(readFileSync(file, 'utf8'))
        .filter((n) => !(n in VANT_ICONS))
        .map((n) => `${relative(PROJECT_ROOT, file)}: ${n}`),
    )
    expect(missing).toEqual([])
  })

  it('has a glyph for every icon the Vant components the app uses draw themselves', () => {
    const used = vantComponentsUsed(files)
    expect(used).toEqual(expect.arrayContaining(['cell', 'checkbox', 'nav-bar', 'toast', 'field', 'tabbar']))
    const missing = used.flatMap((c) =>
      internalIconNames(c)
        .filter((n) => !(n in VANT_ICONS))
        .map((n) => `van-${c}: ${n}`),
    )
    expect([...new Set(missing)]).toEqual([])
  })

  it('names only icons Vant has, so `name` props keep meaning the same picture', () => {
    expect(Object.keys(VANT_ICONS).filter((n) => !vantNames.has(n))).toEqual([])
  })

  it('writes one mask rule per name, with no font and no outside URL', () => {
    const css = vantIconsCss()
    for (const name of Object.keys(VANT_ICONS)) {
      expect(css).toMatch(new RegExp(`\\.van-icon-${name}\\{--van-svg:url\\("data:image/svg\\+xml,`))
    }
    expect(css).toMatch(/\.van-icon:before\{[^}]*mask:var\(--van-svg\)/)
    expect(css).not.toMatch(/@font-face|woff|url\(["']?(https?:|\/\/)/)
  })
})

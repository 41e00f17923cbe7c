import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Plugin } from 'vite'
import { getIconData, iconToHTML, iconToSVG, svgToURL } from '@iconify/utils'
import { VANT_ICONS } from '../src/app/styles/vantIcons'

const require = createRequire(import.meta.url)

/** Vant's icon stylesheet, which every Vant component's style entry imports (`../../icon/index.css`). */
const VANT_ICON_CSS = /[\\/]node_modules[\\/]vant[\\/](es|lib)[\\/]icon[\\/]index\.css$/

/**
 * The stylesheet that stands in for Vant's: the same `.van-icon` box, and a CSS mask per name, so an icon takes
 * the text's colour and size like the font glyph did. Built from the icon set in node_modules: nothing is
 * fetched at run time, and no font or outside URL is left for the CSP to block.
 */
export function vantIconsCss(): string {
  const set = JSON.parse(readFileSync(require.resolve('@iconify-json/tabler/icons.json'), 'utf8')) as Parameters<typeof getIconData>[0]
  const rules = Object.entries(VANT_ICONS).map(([name, id]) => {
    const data = getIconData(set, id)
    if (!data) throw new Error(`@iconify-json/tabler has no icon "${id}" (for van-icon "${name}")`)
    // No width/height: the mask sizes it to the icon's 1em box.
    const { attributes, body } = iconToSVG(data, { width: 'unset', height: 'unset' })
    return `.van-icon-${name}{--van-svg:${svgToURL(iconToHTML(body, attributes))}}`
  })
  return [
    // The font's glyph box: 1em square, sitting where a glyph would (its descent below the baseline).
    // A name without a rule draws nothing (a transparent mask), rather than a filled square.
    '.van-icon{position:relative;display:inline-block;font-size:inherit;line-height:1;--van-svg:linear-gradient(#0000,#0000)}',
    '.van-icon:before{content:"";display:inline-block;width:1em;height:1em;vertical-align:-.125em;' +
      'background-color:currentColor;-webkit-mask:var(--van-svg) center/contain no-repeat;mask:var(--van-svg) center/contain no-repeat}',
    // An image icon (`name` is a URL) draws no mask.
    '.van-icon__image{display:block;width:1em;height:1em;object-fit:contain}',
    '.van-icon:has(.van-icon__image):before{content:none}',
    ...rules,
  ].join('\n')
}

/** Serves `vantIconsCss()` wherever Vant's icon stylesheet is imported, in dev and in the build. */
export function vantSvgIcons(): Plugin {
  let css: string | undefined
  return {
    name: 'djy:vant-svg-icons',
    enforce: 'pre',
    load(id) {
      if (!VANT_ICON_CSS.test(id.split('?')[0] ?? '')) return null
      css ??= vantIconsCss()
      return css
    },
  }
}

/**
 * The icons the app can show, by Vant's name, each drawn by an SVG of the Tabler set (MIT, @iconify-json/tabler).
 *
 * Vant's own icon stylesheet inlines a 20 KB font and names a fallback on an outside CDN, which the CSP blocks
 * (a console error on every page). The build replaces that stylesheet with one rule per name below
 * (scripts/vite-svg-icons.ts): `.van-icon-<name>` draws its SVG as a CSS mask in currentColor, so
 * `<van-icon name="…">`, `icon="…"` props and the icons Vant's components draw themselves keep working.
 * A name missing here shows nothing: tests/app/vant-icons.test.ts scans src/app for names and fails first.
 */
export const VANT_ICONS = {
  // Drawn by Vant's components themselves: cell/nav-bar/collapse arrows, checkbox/radio/dropdown ticks,
  // toasts, field/search clear, popup/tag/uploader close, uploader and image placeholders.
  arrow: 'chevron-right',
  'arrow-left': 'chevron-left',
  'arrow-up': 'chevron-up',
  'arrow-down': 'chevron-down',
  success: 'check',
  fail: 'x',
  cross: 'x',
  close: 'x',
  clear: 'circle-x-filled',
  search: 'search',
  photograph: 'camera',
  photo: 'photo',
  'photo-fail': 'photo-off',
  description: 'file-text-filled',
  // The app's own: tab bar, home grid, cells, buttons, tags.
  'wap-home-o': 'home',
  'bookmark-o': 'bookmark',
  'calendar-o': 'calendar',
  'chat-o': 'message-circle',
  'user-o': 'user',
  'add-o': 'circle-plus',
  'balance-list-o': 'report-money',
  'bar-chart-o': 'chart-bar',
  bell: 'bell-filled',
  'chart-trending-o': 'trending-up',
  checked: 'circle-check-filled',
  'clock-o': 'clock',
  'cluster-o': 'sitemap',
  completed: 'clipboard-check',
  'delete-o': 'trash',
  'description-o': 'file-text',
  down: 'download',
  edit: 'pencil',
  exchange: 'arrows-exchange',
  'flag-o': 'flag',
  'friends-o': 'users',
  'good-job': 'thumb-up-filled',
  'good-job-o': 'thumb-up',
  'info-o': 'info-circle',
  'location-o': 'map-pin',
  lock: 'lock',
  manager: 'user-filled',
  'manager-o': 'user-cog',
  'medal-o': 'medal',
  passed: 'circle-check',
  'photo-o': 'photo',
  plus: 'plus',
  qr: 'qrcode',
  'records-o': 'clipboard-text',
  revoke: 'arrow-back-up',
  scan: 'scan',
  'setting-o': 'settings',
  'shield-o': 'shield',
  'todo-list-o': 'list-check',
  upgrade: 'circle-arrow-up',
  'video-o': 'video',
  warning: 'alert-circle-filled',
  'warning-o': 'alert-circle',
} as const satisfies Record<string, string>

export type VantIconName = keyof typeof VANT_ICONS

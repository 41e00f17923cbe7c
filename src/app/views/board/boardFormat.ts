// How the 朋友圈 pages say durations and excerpts, in Chinese.

/** 平均办结用时: "3天5小时", "20小时", "不到1小时"; "暂无" when nothing was resolved. */
export function sayDuration(hours: number | null): string {
  if (hours === null || !Number.isFinite(hours)) return '暂无'
  if (hours < 1) return '不到1小时'
  const rounded = Math.round(hours)
  if (rounded < 24) return `${rounded}小时`
  const days = Math.floor(rounded / 24)
  const rest = rounded % 24
  return rest === 0 ? `${days}天` : `${days}天${rest}小时`
}

/** The start of a text for a one- or two-line row, whole characters (not cut inside a surrogate pair). */
export function excerpt(text: string, max = 60): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()]
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('')
}

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString()

/** 今天 14:05, 昨天 09:30, 11月20日 08:00, or 从未同步. */
export function formatSyncTime(iso: string | undefined, now = new Date()): string {
  if (!iso) return '从未同步'
  const at = new Date(iso)
  const time = at.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false })
  if (sameDay(at, now)) return `今天 ${time}`
  if (sameDay(at, new Date(now.getTime() - 86_400_000))) return `昨天 ${time}`
  return `${at.getMonth() + 1}月${at.getDate()}日 ${time}`
}

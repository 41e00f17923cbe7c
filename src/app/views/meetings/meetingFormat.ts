// Dates and times of meetings as the town reads them: Beijing time, in Chinese, whatever the phone's zone.

const ZONE = 'Asia/Shanghai'
const dayFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, month: 'long', day: 'numeric', weekday: 'short' })
const yearFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, year: 'numeric' })
const timeFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
const partsFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** 3月10日周二 (with the year when it is not this year). */
export function formatDay(iso: string, now = Date.now()): string {
  const at = new Date(iso)
  const year = yearFormat.format(at)
  return (year === yearFormat.format(new Date(now)) ? '' : year) + dayFormat.format(at)
}

export const formatTime = (iso: string) => timeFormat.format(new Date(iso))

/** 3月10日周二 14:00–15:30 */
export function formatWhen(startsAt: string, endsAt: string, now = Date.now()): string {
  return `${formatDay(startsAt, now)} ${formatTime(startsAt)}–${formatTime(endsAt)}`
}

/** The date (YYYY-MM-DD) and time (HH:mm) in Beijing of an instant, for the form's pickers. */
export function shanghaiParts(at: string | number): { date: string; time: string } {
  const parts = Object.fromEntries(partsFormat.formatToParts(new Date(at)).map((p) => [p.type, p.value]))
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` }
}

/** The instant of a Beijing date and time, as the ISO text a draft carries; '' when either is missing. */
export function fromShanghai(date: string, time: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && /^\d{2}:\d{2}$/.test(time) ? `${date}T${time}:00+08:00` : ''
}

export const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`)

/**
 * Where a new meeting's form starts: the next full hour, for an hour and a half, on one Shanghai day (the
 * form has one date). Late in the evening that would cross midnight and the form would open in error, and
 * in the small hours nobody meets, so then it offers the morning at 9 instead.
 */
export function defaultMeetingSlot(now: number): { date: string; start: string; end: string } {
  const nextHour = Math.ceil((now + 30 * 60_000) / 3600_000) * 3600_000
  const start = shanghaiParts(nextHour)
  const end = shanghaiParts(nextHour + 90 * 60_000)
  if (start.time >= '08:00' && end.date === start.date) return { date: start.date, start: start.time, end: end.time }
  return { date: start.time < '08:00' ? start.date : end.date, start: '09:00', end: '10:30' }
}

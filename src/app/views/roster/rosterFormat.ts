// How the roster screens say dates and members: in Chinese, Beijing time, whatever the phone's locale.
import { dayInShanghai } from '~/domain/calendar'
import { COMMITTEE_POST_LABELS, MEMBERSHIP_LABELS } from '~/domain/roster'
import type { MemberRow } from '~/domain/members'

/** 2026年12月3日, from YYYY-MM-DD (or an instant, read as its day in Shanghai). */
export function sayDay(day: string | null | undefined): string {
  if (!day) return '未填写'
  const [y, m, d] = (/^\d{4}-\d{2}-\d{2}$/.test(day) ? day : dayInShanghai(day)).split('-').map(Number)
  return `${y}年${m}月${d}日`
}

const shanghai = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** 12月3日 14:05 in Beijing time, with the year when it is not this year's. */
export function sayWhen(iso: string, now = Date.now()): string {
  const parts = (at: Date | number) => Object.fromEntries(shanghai.formatToParts(at).map((p) => [p.type, p.value]))
  const p = parts(new Date(iso))
  const year = p.year === parts(now).year ? '' : `${p.year}年`
  return `${year}${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`
}

/** The tags a member carries in lists: 支委 post (or 书记 by role), 预备党员, 党员中心户. */
export function memberTags(m: MemberRow): string[] {
  const tags: string[] = []
  if (m.committeePost) tags.push(COMMITTEE_POST_LABELS[m.committeePost])
  else if (m.role === 'secretary') tags.push('支部书记')
  if (m.membership === 'probationary') tags.push(MEMBERSHIP_LABELS.probationary)
  if (m.centerHousehold) tags.push('党员中心户')
  return tags
}

/** The second line of a member in lists: the phone and where they are. */
export function memberLine(m: MemberRow): string {
  const phone = m.loginPhone ?? m.contactPhone
  const where = m.status === 'away' ? `外出务工 · ${m.awayCity ?? '城市未填'}` : '在家'
  return phone ? `${phone} · ${where}` : where
}

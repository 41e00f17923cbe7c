// The demo town's routine (issue 13), loaded with the rest of the demo data and never otherwise: the
// 三会一课 a branch holds by the calendar (支委会 and 主题党日 each month, 党员大会 and 党课 each quarter,
// 组织生活会 and 民主评议 each January) and a 朋友圈 topic each month, over the periods supervision judges
// (the last three months, the last two quarters and years). seeds/meetings.json's meetings sit on days
// counted from the loading day, so only a routine pinned to the calendar gives every month and quarter
// its meetings whatever day the demo is loaded on. Only meetings already over are made (closed with
// minutes and attendance, no check-in keys), so the demo's own upcoming meetings stay the only ones ahead.
//
// The mix supervision then shows: 东亭村 neglects its 支委会 and its 党员大会 (red, with the notice a red
// warning opens), 合兴村 and 流洞社区 have 朋友圈 comments past their deadline (yellow), the others are green.
// Members study now and then (demoStudy.ts), 东亭村's fewest.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { MeetingType } from '~/domain/meetings'
import {
  addMonths,
  addQuarters,
  dayInShanghai,
  monthOf,
  monthStart,
  quarterOf,
  quarterStart,
  shanghaiTime,
  yearOf,
  addDays,
} from '~/domain/calendar'
import { seedDemoStudy } from './demoStudy'

const MINUTE = 60_000
const QUARTER_NAMES = ['一', '二', '三', '四']

interface Slot {
  type: MeetingType
  /** The meeting's day, counted from the start of its period. */
  day: string
  period: string
  time: string
  minutes: number
  title: string
  record: string
}

/** The routine's meetings of the periods supervision looks at. */
function routine(today: string): Slot[] {
  const month = monthOf(today)
  const quarter = quarterOf(today)
  const year = Number(yearOf(today))
  const slots: Slot[] = []
  for (const m of [addMonths(month, -2), addMonths(month, -1), month]) {
    const n = Number(m.slice(5, 7))
    slots.push(
      {
        type: 'committee',
        period: m,
        day: `${m}-06`,
        time: '19:30',
        minutes: 90,
        title: `${n}月支委会`,
        record: `支委会按月召开。研究${n}月党建工作安排、入党积极分子培养和困难党员走访。`,
      },
      {
        type: 'theme_day',
        period: m,
        day: `${m}-10`,
        time: '09:00',
        minutes: 120,
        title: `${n}月主题党日`,
        record: `${n}月主题党日：重温入党誓词，集中学习，开展志愿服务。`,
      },
    )
  }
  for (const q of [addQuarters(quarter, -1), quarter]) {
    const name = `${q.slice(0, 4)}年第${QUARTER_NAMES[Number(q.slice(6)) - 1]}季度`
    slots.push(
      {
        type: 'assembly',
        period: q,
        day: addDays(quarterStart(q), 24),
        time: '19:30',
        minutes: 120,
        title: `${name}支部党员大会`,
        record: '支部党员大会应到党员过半数出席。通报本季度支部工作，讨论村级重点事项，举手表决通过。',
      },
      {
        type: 'lecture',
        period: q,
        day: addDays(monthStart(addMonths(quarterStart(q).slice(0, 7), 1)), 11),
        time: '19:30',
        minutes: 90,
        title: `${name}党课`,
        record: '支部书记讲党课，结合村里实际谈如何发挥党员先锋模范作用，党员交流学习体会。',
      },
    )
  }
  for (const y of [year - 1, year]) {
    slots.push(
      {
        type: 'org_life',
        period: String(y),
        day: `${y}-01-20`,
        time: '14:00',
        minutes: 180,
        title: `${y}年度组织生活会`,
        record: '对照检查，开展批评和自我批评，支委会成员逐一发言，列出整改清单。',
      },
      {
        type: 'review',
        period: String(y),
        day: `${y}-01-22`,
        time: '14:00',
        minutes: 120,
        title: `${y}年度民主评议党员`,
        record: '党员个人自评、党员互评和民主测评，评议结果报镇党委备案。',
      },
    )
  }
  return slots
}

/** The branches that skip part of the routine, for the demo to show what supervision raises. */
const NEGLECTED: Readonly<Record<string, readonly MeetingType[]>> = { 'b-dongting': ['committee', 'assembly'] }
/** 合兴村's feed is seeds/board.json's alone (its topics of 20 and 45 days ago cover every past month). */
const OWN_TOPICS_ONLY = new Set(['b-hexing'])

/** A stable number 0–99 per text (a meeting and a member), so a demo is the same every time it is loaded. */
function roll(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return (h >>> 0) % 100
}

const iso = (ms: number) => new Date(ms).toISOString()

export async function seedSupervisionDemo(trx: Kysely<Database>, _seedDir: string, now: Date): Promise<void> {
  const stamp = now.getTime()
  const today = dayInShanghai(now)
  const branches = await trx.selectFrom('branches').select(['id', 'place', 'kind']).where('archived_at', 'is', null).orderBy('id').execute()
  const users = await trx
    .selectFrom('users')
    .select(['id', 'role', 'branch_id', 'status'])
    .where('role', '!=', 'admin')
    .where('ended_at', 'is', null)
    .orderBy('id')
    .execute()
  const topicMonths = await trx.selectFrom('board_topics').select(['branch_id', 'created_at']).execute()
  for (const branch of branches) {
    const members = users.filter((u) => u.branch_id === branch.id)
    const secretary = members.find((u) => u.role === 'secretary')
    if (!secretary) continue
    const committee = [secretary, ...members.filter((u) => u.role !== 'secretary' && u.status === 'home').slice(0, 2)]
    for (const slot of routine(today)) {
      if (NEGLECTED[branch.id]?.includes(slot.type)) continue
      const start = shanghaiTime(slot.day, `${slot.time}:00`)
      const end = start + slot.minutes * MINUTE
      if (end > stamp) continue
      const id = `routine-${branch.id}-${slot.type}-${slot.period}`
      const expected = (slot.type === 'committee' ? committee : members).map((u) => u.id).sort()
      await trx
        .insertInto('meetings')
        .values({
          id,
          branch_id: branch.id,
          type: slot.type,
          title: slot.title,
          agenda: `${slot.title}：按计划召开`,
          place: `${branch.place}党群服务中心`,
          starts_at: iso(start),
          ends_at: iso(end),
          audience: slot.type === 'committee' ? 'committee' : 'branch',
          expected_ids_json: JSON.stringify(expected),
          remote_allowed: slot.type === 'committee' ? 0 : 1,
          remote_member_ids_json: '[]',
          video_url: null,
          material_ids_json: '[]',
          status: 'closed',
          minutes: slot.record,
          backfill_reason: null,
          created_by: secretary.id,
          created_at: iso(start - 7 * 24 * 60 * MINUTE),
          closed_at: iso(end + 60 * MINUTE),
          closed_by: secretary.id,
        })
        .execute()
      for (const member of members.filter((u) => expected.includes(u.id))) {
        const r = roll(`${id}:${member.id}`)
        const away = member.status === 'away' && slot.type !== 'committee'
        const leave = away ? r >= 85 && r < 92 : r < 3
        const absent = away ? r >= 92 : r >= 3 && r < 6
        if (leave) {
          await trx
            .insertInto('leaves')
            .values({
              id: `${id}:${member.id}`,
              meeting_id: id,
              member_id: member.id,
              reason: away ? '外出务工，无法参会' : '家中有事',
              status: 'approved',
              requested_at: iso(start - 24 * 60 * MINUTE),
              decided_at: iso(start - 22 * 60 * MINUTE),
              decided_by: secretary.id,
              note: null,
            })
            .execute()
        }
        if (leave || absent) continue
        // On site a few minutes early (now and then ten minutes late), or the whole meeting remotely.
        const checkedIn = away ? start : Math.floor((start + (r > 95 ? 10 : -2 - (r % 8)) * MINUTE) / 30_000) * 30_000
        await trx
          .insertInto('attendance')
          .values({
            id: `${id}:${member.id}`,
            meeting_id: id,
            member_id: member.id,
            mode: away ? 'remote' : 'onsite',
            checked_in_at: iso(checkedIn),
            remote_seconds: away ? Math.round(slot.minutes * 60 * 0.9) : 0,
            last_heartbeat_at: away ? iso(end - 5 * MINUTE) : null,
            proxy_by: null,
            note: null,
            received_at: iso(end),
          })
          .execute()
      }
    }
    if (OWN_TOPICS_ONLY.has(branch.id)) continue
    for (const month of [addMonths(monthOf(today), -2), addMonths(monthOf(today), -1), monthOf(today)]) {
      const postedOn = `${month}-03`
      if (postedOn > today || topicMonths.some((t) => t.branch_id === branch.id && monthOf(dayInShanghai(t.created_at)) === month)) continue
      const createdAt = iso(shanghaiTime(postedOn, '09:00'))
      const n = Number(month.slice(5, 7))
      await trx
        .insertInto('board_topics')
        .values({
          id: `t-routine-${branch.id}-${month}`,
          branch_id: branch.id,
          category: 'affairs',
          title: `${n}月${branch.kind === 'village' ? '村务' : '社区事务'}公开，欢迎提意见`,
          text: `${n}月的收支明细和重点工作已在公开栏张贴，有疑问或建议请留言。`,
          photos_json: '[]',
          closes_on: addDays(postedOn, 14),
          created_by: secretary.id,
          created_at: createdAt,
          updated_at: createdAt,
        })
        .execute()
    }
  }
  await seedDemoStudy(trx, now, roll)
}

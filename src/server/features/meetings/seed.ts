// The demo 三会一课 (seeds/meetings.json), loaded with the rest of the demo data and never otherwise.
// Times are relative to the moment of loading, so a demo always has meetings behind it, one today and some
// ahead: each meeting names a day counted from the loading day and a time of day, both in Asia/Shanghai.
// Closed meetings carry their record; the demo ledger stays empty (the points tests start from zero), so
// closing them awards no points.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { newMeetingKey } from '~/domain/checkin'
import { ATTENDANCE_MODES, AUDIENCES, LEAVE_STATUSES, MEETING_TYPES, mayAttendRemotely, type MeetingMessageRow } from '~/domain/meetings'
import { addDays, dayInShanghai, shanghaiTime } from '~/domain/calendar'
import { parseWith, z } from '~/domain/validation'
import type { ChangeWriter } from '~/server/sync/changes'
import { attendanceFromRow, attendanceId, keyHolders, leaveFromRow, meetingFromRow } from './rows'

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max))

const seedMeetingSchema = z.object({
  id: z.string().check(z.regex(/^[\w-]{1,64}$/)),
  branchId: text(64),
  type: z.enum(MEETING_TYPES),
  title: text(60),
  agenda: z.string().check(z.maxLength(2000)),
  place: text(60),
  /** Days from the day of loading (Asia/Shanghai): -30 is a month ago, 0 today, 7 next week. */
  day: z.int().check(z.minimum(-365), z.maximum(365)),
  /** The start's time of day in Asia/Shanghai, `HH:MM`. */
  time: z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/)),
  durationMinutes: z.int().check(z.minimum(15), z.maximum(480)),
  audience: z.enum(AUDIENCES),
  memberIds: z.array(z.string()),
  remoteAllowed: z.boolean(),
  remoteMemberIds: z.array(z.string()),
  videoUrl: z.nullable(z.string().check(z.regex(/^https:\/\/\S{4,300}$/))),
  materialIds: z.array(z.string()),
  /** The minutes (会议记录) of a closed meeting; null for one still to be held or closed. */
  record: z.nullable(z.string().check(z.minLength(10))),
  /**
   * How members attended. For a closed meeting, every expected member not listed here, on leave
   * (approved) or in `absent` checked in on site a few minutes before the start.
   */
  attendance: z.array(
    z.object({
      memberId: z.string(),
      mode: z.enum(ATTENDANCE_MODES),
      /** Minutes after the start (negative: before); on site, counted by its 30-second slot. */
      at: z.int(),
      /** Remote: the minutes the room saw the member's heartbeat. */
      remoteMinutes: z.optional(z.int().check(z.minimum(0))),
      /** Proxy (代签): why the secretary signed. */
      note: z.optional(text(200)),
    }),
  ),
  leaves: z.array(z.object({ memberId: z.string(), reason: text(200), status: z.enum(LEAVE_STATUSES), note: z.optional(text(200)) })),
  absent: z.array(z.string()),
  /** The meeting's chat (即时沟通): minutes after the start. */
  messages: z.array(z.object({ memberId: z.string(), at: z.int(), text: text(500) })),
})
export type SeedMeeting = z.infer<typeof seedMeetingSchema>

const MINUTE = 60_000

/** The instant of `time` (Asia/Shanghai, which has no daylight saving) on the day `day` days after `now`'s. */
export function seedInstant(now: Date, day: number, time: string): Date {
  return new Date(shanghaiTime(addDays(dayInShanghai(now), day), time))
}

const iso = (ms: number) => new Date(ms).toISOString()
const slotStartOf = (ms: number) => Math.floor(ms / 30_000) * 30_000

/** Loads seeds/meetings.json (when present) inside the demo seed's transaction; keys are made here. */
export async function seedMeetings(trx: Kysely<Database>, seedDir: string, now: Date): Promise<void> {
  const path = join(seedDir, 'meetings.json')
  if (!existsSync(path)) return
  const parsed = parseWith(z.array(seedMeetingSchema), JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.ok) throw new Error(`seeds/meetings.json 不符合格式: ${parsed.message}`)
  const users = await trx
    .selectFrom('users')
    .select(['id', 'role', 'branch_id', 'status'])
    .where('role', '!=', 'admin')
    .orderBy('id')
    .execute()
  const stamp = now.getTime()
  for (const m of parsed.value) {
    const fail = (problem: string) => new Error(`seeds/meetings.json ${m.id}: ${problem}`)
    const inBranch = users.filter((u) => u.branch_id === m.branchId)
    const secretary = inBranch.find((u) => u.role === 'secretary')
    if (!secretary) throw fail(`支部 ${m.branchId} 没有书记`)
    const branchIds = new Set(inBranch.map((u) => u.id))
    const expectedIds = m.audience === 'branch' ? [...branchIds] : [...new Set(m.memberIds)].sort()
    if (expectedIds.length === 0) throw fail('没有参会人员')
    const listed = [
      ...m.memberIds,
      ...m.remoteMemberIds,
      ...m.attendance.map((a) => a.memberId),
      ...m.leaves.map((l) => l.memberId),
      ...m.absent,
      ...m.messages.map((x) => x.memberId),
    ]
    const stranger = listed.find((id) => !branchIds.has(id))
    if (stranger) throw fail(`${stranger} 不是本支部党员`)
    const start = seedInstant(now, m.day, m.time).getTime()
    const end = start + m.durationMinutes * MINUTE
    const closed = m.record !== null
    if (closed && end > stamp) throw fail('还没开完的会议不能有会议记录')
    const meetingRow = { remoteAllowed: m.remoteAllowed, remoteMemberIds: m.remoteMemberIds, expectedIds }
    const closedAt = closed ? Math.min(stamp, end + 2 * 60 * MINUTE) : null

    await trx
      .insertInto('meetings')
      .values({
        id: m.id,
        branch_id: m.branchId,
        type: m.type,
        title: m.title,
        agenda: m.agenda,
        place: m.place,
        starts_at: iso(start),
        ends_at: iso(end),
        audience: m.audience,
        expected_ids_json: JSON.stringify(expectedIds),
        remote_allowed: m.remoteAllowed ? 1 : 0,
        remote_member_ids_json: JSON.stringify([...new Set(m.remoteMemberIds)].sort()),
        video_url: m.videoUrl,
        material_ids_json: JSON.stringify(m.materialIds),
        status: closed ? 'closed' : 'scheduled',
        minutes: m.record,
        backfill_reason: null,
        created_by: secretary.id,
        created_at: iso(Math.min(stamp, start - 7 * 24 * 60 * MINUTE)),
        closed_at: closedAt === null ? null : iso(closedAt),
        closed_by: closed ? secretary.id : null,
      })
      .execute()
    await trx.insertInto('meeting_keys').values({ meeting_id: m.id, key: newMeetingKey() }).execute()

    const approvedLeave = new Set(m.leaves.filter((l) => l.status === 'approved').map((l) => l.memberId))
    const explicit = new Set(m.attendance.map((a) => a.memberId))
    if (explicit.size !== m.attendance.length) throw fail('同一党员签到了两次')
    const attendance = [...m.attendance]
    if (closed) {
      // The rest of the expected members checked in on site, a few minutes early.
      expectedIds
        .filter((id) => !explicit.has(id) && !approvedLeave.has(id) && !m.absent.includes(id))
        .forEach((memberId, i) => attendance.push({ memberId, mode: 'onsite', at: -2 - (i % 8) }))
    }
    for (const a of attendance) {
      const member = users.find((u) => u.id === a.memberId)!
      if (!expectedIds.includes(a.memberId)) throw fail(`${a.memberId} 不在参会人员中`)
      if (a.mode === 'remote' && !mayAttendRemotely(meetingRow, { id: member.id, status: member.status }))
        throw fail(`${a.memberId} 不能远程参会`)
      if (a.mode === 'proxy' && !a.note) throw fail(`${a.memberId} 的代签须写明原因`)
      const at = start + a.at * MINUTE
      const checkedInAt = a.mode === 'onsite' ? slotStartOf(at) : at
      const remoteSeconds = a.mode === 'remote' ? (a.remoteMinutes ?? 0) * 60 : 0
      if (checkedInAt > stamp) throw fail(`${a.memberId} 的签到时间还没到`)
      await trx
        .insertInto('attendance')
        .values({
          id: attendanceId(m.id, a.memberId),
          meeting_id: m.id,
          member_id: a.memberId,
          mode: a.mode,
          checked_in_at: iso(checkedInAt),
          remote_seconds: remoteSeconds,
          last_heartbeat_at: a.mode === 'remote' ? iso(Math.min(stamp, checkedInAt + remoteSeconds * 1000)) : null,
          proxy_by: a.mode === 'proxy' ? secretary.id : null,
          note: a.mode === 'proxy' ? (a.note ?? null) : null,
          received_at: iso(Math.min(stamp, end)),
        })
        .execute()
    }

    for (const l of m.leaves) {
      if (!expectedIds.includes(l.memberId)) throw fail(`${l.memberId} 不在参会人员中，不能请假`)
      if (explicit.has(l.memberId)) throw fail(`${l.memberId} 已签到，不能再请假`)
      // Asked the day before (or now, for a meeting further ahead), decided a couple of hours later.
      const requested = Math.min(stamp, start - 24 * 60 * MINUTE)
      const decided = l.status === 'pending' ? null : Math.min(stamp, requested + 2 * 60 * MINUTE)
      await trx
        .insertInto('leaves')
        .values({
          id: attendanceId(m.id, l.memberId),
          meeting_id: m.id,
          member_id: l.memberId,
          reason: l.reason,
          status: l.status,
          requested_at: iso(requested),
          decided_by: decided === null ? null : secretary.id,
          decided_at: decided === null ? null : iso(decided),
          note: l.note ?? null,
        })
        .execute()
    }

    for (const [i, message] of m.messages.entries()) {
      if (start + message.at * MINUTE > stamp) throw fail('聊天记录的时间还没到')
      await trx
        .insertInto('meeting_messages')
        .values({
          id: `${m.id}-msg-${String(i + 1).padStart(2, '0')}`,
          meeting_id: m.id,
          member_id: message.memberId,
          text: message.text,
          sent_at: iso(start + message.at * MINUTE),
        })
        .execute()
    }
  }
}

/**
 * Sends every meeting's rows to the devices that see them: the meetings, attendance, leaves and chat to
 * the branch, each key to the branch's secretaries and the admins only. For the first start (the demo
 * meetings), as the feature's `publish` (SyncService.publishAllIfEmpty).
 */
export async function publishMeetings(trx: Kysely<Database>, writer: ChangeWriter): Promise<void> {
  const meetings = await trx.selectFrom('meetings').selectAll().orderBy('starts_at').orderBy('id').execute()
  const names = new Map((await trx.selectFrom('users').select(['id', 'name']).execute()).map((u) => [u.id, u.name]))
  const holders = new Map<string, string[]>()
  for (const row of meetings) {
    const scope = `branch:${row.branch_id}` as const
    await writer.put(scope, 'meetings', row.id, meetingFromRow(row))
    const key = await trx.selectFrom('meeting_keys').select('key').where('meeting_id', '=', row.id).executeTakeFirst()
    if (!holders.has(row.branch_id)) holders.set(row.branch_id, await keyHolders(trx, row.branch_id))
    if (key)
      for (const holder of holders.get(row.branch_id)!)
        await writer.put(`user:${holder}`, 'meeting_keys', row.id, { id: row.id, key: key.key })
    for (const a of await trx.selectFrom('attendance').selectAll().where('meeting_id', '=', row.id).orderBy('id').execute()) {
      await writer.put(scope, 'attendance', a.id, attendanceFromRow(a))
    }
    for (const l of await trx.selectFrom('leaves').selectAll().where('meeting_id', '=', row.id).orderBy('id').execute()) {
      await writer.put(scope, 'leaves', l.id, leaveFromRow(l))
    }
    for (const x of await trx
      .selectFrom('meeting_messages')
      .selectAll()
      .where('meeting_id', '=', row.id)
      .orderBy('sent_at')
      .orderBy('id')
      .execute()) {
      const message: MeetingMessageRow = {
        id: x.id,
        meetingId: x.meeting_id,
        memberId: x.member_id,
        name: names.get(x.member_id) ?? '',
        text: x.text,
        sentAt: x.sent_at,
      }
      await writer.put(scope, 'meeting_messages', x.id, message)
    }
  }
}

// The member roster that syncs to devices, and the status a member sets on 我的 (issue 3).
import { calendarDay, line, ref, z } from './validation'
import { MEMBER_STATUSES, ROLES, phoneSchema } from './users'
import type { Viewer } from './sync'
import { COMMITTEE_POSTS, END_REASONS, GENDERS, MEMBERSHIPS } from './roster'

/** A member as a device sees them: one row of the synced `members` table. */
export const memberRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  branchId: z.nullable(z.string()),
  status: z.enum(MEMBER_STATUSES),
  awayCity: z.nullable(z.string()),
  returnDate: z.nullable(z.string()),
  centerHousehold: z.boolean(),
  /** Only the member, their branch secretary and the admin see it; others get null. */
  contactPhone: z.nullable(z.string()),
  updatedAt: z.string(),
  // The full record (issue 12). Optional: rows published before it lack them, and devices keep those.
  gender: z.optional(z.enum(GENDERS)),
  /** The login phone, birth date: like contactPhone, only the member, their secretary and the admin. */
  loginPhone: z.optional(z.nullable(z.string())),
  birthDate: z.optional(z.nullable(z.string())),
  joinedPartyOn: z.optional(z.string()),
  membership: z.optional(z.enum(MEMBERSHIPS)),
  partyGroupId: z.optional(z.nullable(z.string())),
  committeePost: z.optional(z.nullable(z.enum(COMMITTEE_POSTS))),
  /** Membership ended: the row stays (names in history), and leaves every current list. */
  endedAt: z.optional(z.nullable(z.string())),
  endReason: z.optional(z.nullable(z.enum(END_REASONS))),
})
export type MemberRow = z.infer<typeof memberRowSchema>

const city = line({ trim: true, min: 1, max: 20, tooShort: '请填写务工城市', tooLong: '城市名称过长' })

export const profileUpdateArgsSchema = z
  .object({
    /** Whose profile: the sender's own when absent; a secretary may set one of their branch's members. */
    memberId: z.optional(ref()),
    status: z.enum(MEMBER_STATUSES),
    awayCity: z.optional(z.nullable(city)),
    returnDate: z.optional(z.nullable(calendarDay())),
    phone: z.optional(z.nullable(phoneSchema)),
  })
  .check(z.refine((a) => a.status !== 'away' || Boolean(a.awayCity), { message: '外出务工须填写务工城市', path: ['awayCity'] }))
export type ProfileUpdateArgs = z.infer<typeof profileUpdateArgsSchema>

/** The row after a profile update: what the server stores, and what the app shows before it is confirmed. */
export function applyProfileUpdate(row: MemberRow, args: ProfileUpdateArgs, at: string): MemberRow {
  const away = args.status === 'away'
  return {
    ...row,
    status: args.status,
    awayCity: away ? (args.awayCity ?? null) : null,
    returnDate: away ? (args.returnDate ?? null) : null,
    contactPhone: args.phone === undefined ? row.contactPhone : args.phone,
    updatedAt: at,
  }
}

/** Whether `actor` may change `target`'s profile. */
export function mayUpdateProfile(actor: Viewer, target: { id: string; branchId: string | null }): boolean {
  if (actor.id === target.id || actor.role === 'admin') return true
  return actor.role === 'secretary' && actor.branchId !== null && actor.branchId === target.branchId
}

/** What of a member row this viewer may read. */
export function redactMember(row: MemberRow, viewer: Viewer): MemberRow {
  const seesContact = viewer.id === row.id || viewer.role === 'admin' || (viewer.role === 'secretary' && viewer.branchId === row.branchId)
  return seesContact ? row : { ...row, contactPhone: null, loginPhone: null, birthDate: null }
}

import { z } from './validation'

export const ROLES = ['member', 'secretary', 'admin'] as const
export type Role = (typeof ROLES)[number]

export const ROLE_LABELS: Record<Role, string> = {
  member: '党员',
  secretary: '支部书记',
  admin: '镇党委管理员',
}

export const MEMBER_STATUSES = ['home', 'away'] as const
export type MemberStatus = (typeof MEMBER_STATUSES)[number]

export const MEMBER_STATUS_LABELS: Record<MemberStatus, string> = {
  home: '在家',
  away: '外出务工',
}

export const phoneSchema = z.string().trim().regex(/^1\d{10}$/, '请输入11位手机号码')
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')

export const branchSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  place: z.string().min(1),
  kind: z.enum(['village', 'community']),
})
export type Branch = z.infer<typeof branchSchema>

export const householdSchema = z.object({
  id: z.string().min(1),
  headName: z.string().min(1),
  address: z.string().min(1),
  people: z.number().int().min(1).max(20),
})
export type Household = z.infer<typeof householdSchema>

/** A user as the seed files describe one. */
export const seedUserSchema = z
  .object({
    id: z.string().min(1),
    phone: phoneSchema,
    name: z.string().min(1).max(20),
    role: z.enum(ROLES),
    branchId: z.string().min(1).nullable(),
    gender: z.enum(['male', 'female']),
    birthYear: z.number().int().min(1900).max(2010),
    joinedPartyOn: isoDate,
    status: z.enum(MEMBER_STATUSES),
    awayCity: z.string().min(1).nullable(),
    returnDate: isoDate.nullable(),
    centerHousehold: z.boolean(),
    households: z.array(householdSchema),
  })
  .refine((u) => (u.role === 'admin') === (u.branchId === null), {
    message: '只有镇党委管理员不属于任何支部',
    path: ['branchId'],
  })
  .refine((u) => (u.status === 'away') === (u.awayCity !== null), {
    message: '外出务工的党员须填写务工城市',
    path: ['awayCity'],
  })
  .refine((u) => u.households.length === (u.centerHousehold ? 10 : 0), {
    message: '党员中心户联系十户群众，其他党员不填',
    path: ['households'],
  })
export type SeedUser = z.infer<typeof seedUserSchema>

export const seedTownSchema = z.object({
  town: z.object({ id: z.string().min(1), name: z.string().min(1) }),
  branches: z.array(branchSchema).min(1),
})
export type SeedTown = z.infer<typeof seedTownSchema>

/** What `GET /api/me` answers, and what the app keeps to open offline. */
export const meSchema = z.object({
  user: z.object({
    id: z.string(),
    phone: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    status: z.enum(MEMBER_STATUSES),
    awayCity: z.string().nullable(),
    centerHousehold: z.boolean(),
  }),
  branch: z.object({ id: z.string(), name: z.string() }).nullable(),
  town: z.object({ id: z.string(), name: z.string() }),
})
export type Me = z.infer<typeof meSchema>

export function describeRole(me: Me): string {
  if (me.user.role === 'admin') return `${me.town.name}${ROLE_LABELS.admin}`
  return me.branch ? `${me.branch.name} · ${ROLE_LABELS[me.user.role]}` : ROLE_LABELS[me.user.role]
}

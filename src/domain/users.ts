import { z } from './validation'
import { MEMBER_STATUSES, ROLES } from './roles'

export * from './roles'

export const phoneSchema = z.string().check(z.trim(), z.regex(/^1\d{10}$/, '请输入11位手机号码'))
const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'))
const text = (max?: number) => z.string().check(z.minLength(1), ...(max ? [z.maxLength(max)] : []))

export const branchSchema = z.object({
  id: text(),
  name: text(),
  place: text(),
  kind: z.enum(['village', 'community']),
})
export type Branch = z.infer<typeof branchSchema>
/** A branch as devices see it: one row of the synced `branches` table (town scope). */
export const branchRowSchema = z.object({
  ...branchSchema.shape,
  /** Set when the admin archived it (issue 12); absent in rows published before. */
  archivedAt: z.optional(z.nullable(z.string())),
})
export type BranchRow = z.infer<typeof branchRowSchema>

export const householdSchema = z.object({
  id: text(),
  headName: text(),
  address: text(),
  people: z.int().check(z.minimum(1), z.maximum(20)),
})
export type Household = z.infer<typeof householdSchema>

/** A user as the seed files describe one. */
export const seedUserSchema = z
  .object({
    id: text(),
    phone: phoneSchema,
    name: text(20),
    role: z.enum(ROLES),
    branchId: z.nullable(text()),
    gender: z.enum(['male', 'female']),
    birthYear: z.int().check(z.minimum(1900), z.maximum(2010)),
    joinedPartyOn: isoDate,
    status: z.enum(MEMBER_STATUSES),
    awayCity: z.nullable(text()),
    returnDate: z.nullable(isoDate),
    centerHousehold: z.boolean(),
    households: z.array(householdSchema),
  })
  .check(
    z.refine((u) => (u.role === 'admin') === (u.branchId === null), {
      message: '只有镇党委管理员不属于任何支部',
      path: ['branchId'],
    }),
    z.refine((u) => (u.status === 'away') === (u.awayCity !== null), {
      message: '外出务工的党员须填写务工城市',
      path: ['awayCity'],
    }),
    z.refine((u) => u.households.length === (u.centerHousehold ? 10 : 0), {
      message: '党员中心户联系十户群众，其他党员不填',
      path: ['households'],
    }),
  )
export type SeedUser = z.infer<typeof seedUserSchema>

export const seedTownSchema = z.object({
  town: z.object({ id: text(), name: text() }),
  branches: z.array(branchSchema).check(z.minLength(1)),
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
    awayCity: z.nullable(z.string()),
    centerHousehold: z.boolean(),
  }),
  branch: z.nullable(z.object({ id: z.string(), name: z.string() })),
  town: z.object({ id: z.string(), name: z.string() }),
})
export type Me = z.infer<typeof meSchema>

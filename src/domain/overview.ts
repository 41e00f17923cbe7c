// 总览 (issue 13): the figures the town committee and a branch's secretary see. The server computes them
// from each branch's facts with `branchOverview` / `townOverview` and sends them as synced rows
// (`overviews`, in `office:` scopes), so a device shows exactly the server's numbers, offline, with the
// time they were computed.
import { z } from './validation'

export const LIGHTS = ['green', 'yellow', 'red'] as const
export type Light = (typeof LIGHTS)[number]
export const LIGHT_LABELS: Record<Light, string> = { green: '正常', yellow: '预警', red: '严重' }

/** The items of the branch table, each with a traffic light. */
export const OVERVIEW_ITEMS = ['meetings', 'attendance', 'migrant', 'study', 'comments', 'notices'] as const
export type OverviewItem = (typeof OVERVIEW_ITEMS)[number]
export const OVERVIEW_ITEM_LABELS: Record<OverviewItem, string> = {
  meetings: '组织生活',
  attendance: '参会率',
  migrant: '流动党员',
  study: '学习',
  comments: '朋友圈',
  notices: '整改',
}

/** A share, 0–100 with one decimal, or null when there was nothing to count. */
const pct = z.nullable(z.number())

export const overviewFiguresSchema = z.object({
  members: z.int(),
  migrantMembers: z.int(),
  /** This quarter (`2026-Q4`) so far. */
  quarter: z.string(),
  attendance: z.object({ all: pct, onsite: pct, remote: pct, migrant: pct }),
  /** Share of current members who studied at least once in the last 7 / 30 days. */
  study: z.object({ last7: pct, last30: pct }),
  /** This year's points per current member. */
  averagePoints: z.number(),
  /** 朋友圈 comments this year. */
  comments: z.object({ received: z.int(), resolved: z.int(), resolvedOnTime: z.int(), overdue: z.int() }),
  warnings: z.object({ yellow: z.int(), red: z.int() }),
  notices: z.object({ open: z.int(), overdue: z.int() }),
  /** An overdue 整改提示单 was escalated and isn't closed yet. */
  flagged: z.boolean(),
})
export type OverviewFigures = z.infer<typeof overviewFiguresSchema>

export const trendPointSchema = z.object({
  month: z.string(),
  attendance: pct,
  migrant: pct,
  study: pct,
  commentsOnTime: pct,
})
export type TrendPoint = z.infer<typeof trendPointSchema>

/** The year's summary, like the Xinhang report. */
export const yearSummarySchema = z.object({
  year: z.string(),
  warnings: z.object({ yellow: z.int(), red: z.int() }),
  notices: z.object({ issued: z.int(), accepted: z.int(), overdue: z.int(), open: z.int() }),
  /** The first quarter's rate with closed meetings this year, and this quarter's. */
  attendanceStart: pct,
  attendanceNow: pct,
  migrantStart: pct,
  migrantNow: pct,
  topics: z.int(),
  commentsByCategory: z.record(z.string(), z.int()),
  commentsResolved: z.int(),
})
export type YearSummary = z.infer<typeof yearSummarySchema>

/** One overview: the town's (`id: 'town'`) or a branch's (`id` = the branch id). */
export const overviewRowSchema = z.object({
  id: z.string(),
  branchId: z.nullable(z.string()),
  name: z.string(),
  /** When the server computed it, and the Shanghai day it is about. */
  computedAt: z.string(),
  day: z.string(),
  figures: overviewFiguresSchema,
  lights: z.record(z.enum(OVERVIEW_ITEMS), z.enum(LIGHTS)),
  /** The last 12 months, oldest first. */
  trend: z.array(trendPointSchema),
  year: yearSummarySchema,
  /** A branch's members by this year's points, highest first (a branch row only; empty for the town). */
  ranking: z.array(z.object({ memberId: z.string(), name: z.string(), points: z.number() })),
})
export type OverviewRow = z.infer<typeof overviewRowSchema>

// The sync protocol's shapes, shared by the server and the app (docs/architecture.md, the sync core; docs/api.md).
import { instant, ref, z } from './validation'
import type { Role } from './users'

/** Bumped when the meaning of a mutation or a synced row changes; the server says which it accepts. */
export const SCHEMA_VERSION = 3
export const MAX_PUSH_BATCH = 100
/**
 * Rows in a pull page. Each page is a round trip and a request's fixed cost on the phone, which set a first
 * sync's pace at 500 (issue 14: 40,000 rows in 83 pages); a page of 2,000 is ~40 KB compressed.
 */
export const PULL_PAGE_SIZE = 2000

export const mutationSchema = z.object({
  id: z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'id 应为 UUID')),
  name: ref(64),
  args: z.unknown(),
  clientTime: instant('clientTime 应为 ISO 时间', { anyYear: true }),
})
export type Mutation = z.infer<typeof mutationSchema>

const clientIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'clientId 格式不正确'))

export const pushBodySchema = z.object({
  clientId: clientIdSchema,
  schemaVersion: z.int().check(z.minimum(1)),
  mutations: z.array(mutationSchema).check(z.maxLength(MAX_PUSH_BATCH, `每批最多 ${MAX_PUSH_BATCH} 条`)),
  /** The device's clock when it sent this push: how far it is from the server's (check-ins far off are 待核实). Optional: older apps don't send it. */
  sentAt: z.optional(instant('sentAt 应为 ISO 时间', { anyYear: true })),
})
export type PushBody = z.infer<typeof pushBodySchema>

export type MutationResult = { id: string; status: 'applied' } | { id: string; status: 'rejected'; code: string; message: string }

export interface PushReply {
  results: MutationResult[]
}

export const pullQuerySchema = z.object({
  clientId: clientIdSchema,
  // An admin's names every branch scope twice (branch and office): room for about 150 branches.
  cursor: z.optional(z.string().check(z.maxLength(8192))),
})

/** Every table devices sync. Each gets its redaction from exactly one of the server's features (src/server/features.ts checks it). */
export const SYNC_TABLES = [
  'members',
  'branches',
  'courses',
  'materials',
  'points_rules',
  'points',
  'quiz_questions',
  'quiz_results',
  'exams',
  'study_progress',
  'honor_lists',
  'honor_marks',
  'meetings',
  'attendance',
  'leaves',
  'meeting_keys',
  'meeting_messages',
  'topics',
  'comments',
  'households',
  'notices',
  'party_groups',
  // Supervision (issue 13): rules and the working calendar in the town scope; the rest in `office:` scopes.
  'warning_rules',
  'workdays',
  'warnings',
  'rectifications',
  'overviews',
] as const

export type SyncTable = (typeof SYNC_TABLES)[number]

export interface Change {
  table: SyncTable
  id: string
  op: 'put' | 'delete'
  row?: unknown
}

export interface PullReply {
  cursor: string
  changes: Change[]
  hasMore: boolean
  /** The device must clear its synced tables (never the outbox) before applying these changes. */
  reset?: true
}

/**
 * A scope is a set of rows that change together and are seen together: the town's, a branch's, one
 * user's private rows. Each has its own version counter, so the cursor is a map from scope to version.
 */
export type Scope = `town:${string}` | `branch:${string}` | `office:${string}` | `user:${string}`

export interface Viewer {
  id: string
  role: Role
  branchId: string | null
  townId: string
}

/**
 * The scopes whose rows a user may receive, in the order a pull walks them. An `office:` scope holds what
 * only those who supervise see (issue 13: warnings, 整改提示单, the overview): `office:<branch>` its
 * secretaries and the admins, `office:<town>` the admins. A secretary who stops being one no longer sees
 * it, and their device is reset (pull), so nothing stays on it.
 */
export function visibleScopes(viewer: Viewer, allBranchIds: readonly string[]): Scope[] {
  const branches = viewer.role === 'admin' ? [...allBranchIds].sort() : viewer.branchId ? [viewer.branchId] : []
  const offices = viewer.role === 'admin' ? [viewer.townId, ...branches] : viewer.role === 'secretary' ? branches : []
  return [
    `town:${viewer.townId}`,
    ...branches.map((b) => `branch:${b}` as const),
    ...offices.map((o) => `office:${o}` as const),
    `user:${viewer.id}`,
  ]
}

/** The cursor is opaque to the app; only the server reads it. */
export function encodeCursor(versions: Record<string, number>): string {
  return btoa(JSON.stringify({ v: 1, s: versions }))
}

/** The largest scope version a cursor may name: the column is a 32-bit integer on PostgreSQL. */
export const MAX_SCOPE_VERSION = 2 ** 31 - 1

/**
 * The versions a cursor names, or null for one that can't be read (corrupt, forged, or out of range):
 * the server then answers with a reset, which a device recovers from by itself, rather than an error.
 */
export function decodeCursor(cursor: string | undefined): Record<string, number> | null {
  if (!cursor) return {}
  try {
    const parsed = JSON.parse(atob(cursor)) as { v?: unknown; s?: unknown }
    if (parsed.v !== 1 || typeof parsed.s !== 'object' || parsed.s === null || Array.isArray(parsed.s)) return null
    const entries = Object.entries(parsed.s as Record<string, unknown>)
    if (!entries.every(([, n]) => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_SCOPE_VERSION)) return null
    return Object.fromEntries(entries) as Record<string, number>
  } catch {
    return null
  }
}

/** Reason codes of a rejected mutation, each with the Chinese message shown to the member. */
export const REJECTIONS = {
  unknown_mutation: '应用版本与服务器不一致，无法识别此操作，请更新应用',
  invalid_args: '提交的内容有误',
  forbidden: '没有权限进行此操作',
  not_found: '操作的对象不存在',
  duplicate_id: '操作编号重复',
} as const
export type RejectionCode = keyof typeof REJECTIONS | (string & {})

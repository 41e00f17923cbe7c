// What the 整改提示单 and warning-rule tests share: pushing as someone, time travel for the server's clock,
// a photo upload, a warning to issue for, and reading rows behind the API.
import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { vi } from 'vitest'
import type { FastifyInstance } from 'fastify'
import type { MutationName } from '~/domain/mutations'
import type { MutationResult } from '~/domain/sync'
import { warningId, type RectificationRow, type WarningRow } from '~/domain/supervision'
import { rectificationFromRow } from '~/server/features/supervision/rectificationRows'
import { seedSupervisionDefaults } from '~/server/features/supervision/seed'
import { warningFromRow, warningToRow } from '~/server/features/supervision/warningRows'
import type { TestServer } from './helpers'
import { clientId, mutation, push } from './sync-helpers'

export const HEXING = 'b-hexing'
export const JINJIWO = 'b-jinjiwo'
export const PHONES = { jinjiwoSecretary: '13800000102' } as const

/** Pushes one mutation and answers `applied` or the rejection's code and message. */
export async function send(app: FastifyInstance, cookie: string, name: MutationName, args: unknown): Promise<MutationResult> {
  const [result] = await push(app, cookie, clientId(), [mutation(name, args)])
  if (!result) throw new Error('no result')
  return result
}
export const outcome = (result: MutationResult) => (result.status === 'applied' ? 'applied' : result.code)

/** Runs `fn` with the server's clock (Date only; timers run) at `instant`. */
export async function at<T>(instant: string, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date(instant))
  try {
    return await fn()
  } finally {
    vi.useRealTimers()
  }
}

/** The default rules and the 2026 calendar, as every database starts with them (a no-op once there). */
export const ensureDefaults = (server: TestServer) => server.withDb((db) => seedSupervisionDefaults(db))

export function issueArgs(over: Record<string, unknown> = {}) {
  return {
    id: `r-${randomUUID()}`,
    branchId: HEXING,
    warningId: null as string | null,
    requirement: '第三季度未召开支部党员大会，请限期召开并上传会议记录',
    workingDays: 10,
    ...over,
  }
}

export function answerArgs(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    answerId: `a-${randomUUID()}`,
    text: '已于本周召开支部党员大会，补学了文件',
    photoIds: [] as string[],
    meetingId: null as string | null,
    ...over,
  }
}

/** Who is told of a step: 合兴村's secretaries and the admins, by id. */
export const officeOf = (server: TestServer): Promise<{ secretaries: string[]; admins: string[] }> =>
  server.withDb(async (db) => {
    const ids = async (role: 'secretary' | 'admin') => {
      let query = db.selectFrom('users').select('id').where('role', '=', role)
      if (role === 'secretary') query = query.where('branch_id', '=', HEXING)
      return (await query.orderBy('id').execute()).map((u) => u.id)
    }
    return { secretaries: await ids('secretary'), admins: await ids('admin') }
  })

/** An open red warning of 合兴村 (or `branchId`) to issue a notice for; an id of its own, so tests don't meet. */
export async function insertWarning(server: TestServer, branchId = HEXING): Promise<WarningRow> {
  const [period, groupId] = ['2026-Q3', `t-${randomUUID().slice(0, 8)}`]
  const w: WarningRow = {
    id: warningId(branchId, 'assembly-quarterly', period, groupId),
    branchId,
    ruleCode: 'assembly-quarterly',
    ruleVersion: 1,
    kind: 'meeting',
    groupId,
    period,
    level: 'red',
    title: '2026年第三季度未召开支部党员大会',
    openedAt: new Date().toISOString(),
    escalatedAt: null,
    clearedAt: null,
    clearReason: null,
    history: [],
    rectificationId: null,
  }
  await server.withDb((db) => db.insertInto('warnings').values(warningToRow(w)).execute())
  return w
}

export const storedNotice = (server: TestServer, id: string): Promise<RectificationRow> =>
  server.withDb(async (db) =>
    rectificationFromRow(await db.selectFrom('rectifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
  )

export const storedWarning = (server: TestServer, id: string): Promise<WarningRow> =>
  server.withDb(async (db) => warningFromRow(await db.selectFrom('warnings').selectAll().where('id', '=', id).executeTakeFirstOrThrow()))

/** The in-app notices about a 整改提示单, as `memberId event` (from the notice id `rn:<id>:<event>:<n>:<member>`). */
export const stepNotices = (server: TestServer, rectificationId: string): Promise<string[]> =>
  server.withDb(async (db) =>
    (
      await db
        .selectFrom('notices')
        .select(['id', 'member_id'])
        .where('kind', '=', 'rectification')
        .where('comment_id', '=', rectificationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map((n) => `${n.member_id} ${n.id.split(':')[2]}`),
  )

/** Uploads a small JPEG as `cookie`'s owner in one chunk; answers its id. */
export async function uploadPhoto(app: FastifyInstance, cookie: string): Promise<string> {
  const bytes = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .toBuffer()
  const id = `p-${randomUUID()}`
  const response = await app.inject({
    method: 'PUT',
    url: `/api/photos/${id}`,
    headers: { cookie, 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}` },
    payload: bytes,
  })
  if (response.statusCode !== 201) throw new Error(`upload ${response.statusCode}: ${response.body}`)
  return id
}

import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { memberLedgerQuerySchema, rankingQuerySchema, type MemberLedgerReply, type RankingReply } from '~/domain/points'
import { parseWith, ref, z } from '~/domain/validation'
import { HttpError, validate } from '../http/errors'
import { requireUser } from './auth'
import { memberLedger, ranking, type LedgerCursor } from '../features/points/queries'

export function pointsRoutes(app: FastifyInstance, deps: { db: Kysely<Database> }) {
  // 排行榜: the branch's or the town's members by points this month or this year; the caller's place always included.
  app.get('/api/points/ranking', async (request): Promise<RankingReply> => {
    const user = requireUser(request)
    const query = validate(rankingQuerySchema, request.query, '查询参数')
    if (query.scope === 'branch' && !user.branchId) throw new HttpError(400, 'bad_request', '镇党委管理员没有所属支部，请查看全镇排行')
    return ranking(deps.db, user, query)
  })

  // One member's ledger for the admin (积分记录, to correct an entry): ledgers are private rows on each member's
  // own devices, so the admin reads them here, online. Newest first, a page at a time; never to anyone else.
  app.get('/api/points/ledger', async (request): Promise<MemberLedgerReply> => {
    const user = requireUser(request)
    if (user.role !== 'admin') throw new HttpError(403, 'forbidden', '只有镇党委管理员可以查看党员的积分记录')
    const query = validate(memberLedgerQuerySchema, request.query, '查询参数')
    const before = query.before === undefined ? null : parseLedgerCursor(query.before)
    const reply = await memberLedger(deps.db, query.memberId, before)
    if (!reply) throw new HttpError(404, 'not_found', '找不到这名党员')
    return reply
  })
}

// Its parts go into the query: text PostgreSQL can store (a NUL in one is an error there, not a miss).
const ledgerCursorSchema = z.tuple([ref(10), ref(40), ref(200)])

function parseLedgerCursor(raw: string): LedgerCursor {
  try {
    const parsed = parseWith(ledgerCursorSchema, JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')))
    if (parsed.ok) return parsed.value
  } catch {
    // falls through to the 400
  }
  throw new HttpError(400, 'bad_request', '查询参数有误：翻页位置无效，请重新打开积分记录')
}

import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { dayInShanghai, periodKey, rank, rankingQuerySchema, type RankingReply } from '../../domain/points'
import { HttpError, validate } from '../http/errors'
import { requireUser } from './auth'

export function pointsRoutes(app: FastifyInstance, deps: { db: Kysely<Database> }) {
  // 排行榜: the branch's or the town's members by points this month or this year; the caller's place always included.
  app.get('/api/points/ranking', async (request): Promise<RankingReply> => {
    const user = requireUser(request)
    const query = validate(rankingQuerySchema, request.query, '查询参数')
    const branchId = user.branchId
    if (query.scope === 'branch' && !branchId) throw new HttpError(400, 'bad_request', '镇党委管理员没有所属支部，请查看全镇排行')
    const period = periodKey(query.period, dayInShanghai(new Date()))
    let members = deps.db
      .selectFrom('users')
      .innerJoin('branches', 'branches.id', 'users.branch_id')
      .leftJoin('points_totals', (join) => join.onRef('points_totals.member_id', '=', 'users.id').on('points_totals.period', '=', period))
      .select(['users.id', 'users.name', 'branches.name as branchName', 'points_totals.points'])
      .where('users.role', '!=', 'admin')
    if (query.scope === 'branch' && branchId) members = members.where('users.branch_id', '=', branchId)
    const rows = await members.execute()
    const ranked = rank(rows, (r) => r.points ?? 0, (a, b) => a.name.localeCompare(b.name, 'zh-CN'))
    const mine = ranked.find((r) => r.item.id === user.id)
    return {
      scope: query.scope,
      period,
      rows: ranked.map((r) => ({ name: r.item.name, branchName: r.item.branchName, points: r.points, place: r.place, isMe: r.item.id === user.id })),
      me: mine ? { place: mine.place, points: mine.points } : null,
    }
  })
}

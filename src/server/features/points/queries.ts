// What the points screens read online: the 排行榜 and, for the admin, one member's ledger (ledgers are
// private rows on each member's own devices, so the admin reads them here and never syncs them).
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import {
  counterEntryId,
  ledgerSourceOf,
  MEMBER_LEDGER_PAGE,
  periodKey,
  rank,
  type MemberLedgerEntry,
  type MemberLedgerReply,
  type RankingQuery,
  type RankingReply,
} from '~/domain/points'
import { dayInShanghai } from '~/domain/calendar'

/**
 * The user's branch's or the town's current members by points this month or this year; the caller's place
 * always included. Ended memberships are left out; a moved member ranks in their new branch, with their points.
 */
export async function ranking(
  db: Kysely<Database>,
  user: { id: string; branchId: string | null },
  query: RankingQuery,
): Promise<RankingReply> {
  const period = periodKey(query.period, dayInShanghai(new Date()))
  let members = db
    .selectFrom('users')
    .innerJoin('branches', 'branches.id', 'users.branch_id')
    .leftJoin('points_totals', (join) => join.onRef('points_totals.member_id', '=', 'users.id').on('points_totals.period', '=', period))
    .select(['users.id', 'users.name', 'branches.name as branchName', 'points_totals.points'])
    .where('users.role', '!=', 'admin')
    .where('users.ended_at', 'is', null)
  if (query.scope === 'branch' && user.branchId) members = members.where('users.branch_id', '=', user.branchId)
  const rows = await members.execute()
  const ranked = rank(
    rows,
    (r) => r.points ?? 0,
    (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
  )
  const mine = ranked.find((r) => r.item.id === user.id)
  return {
    scope: query.scope,
    period,
    rows: ranked.map((r) => ({
      name: r.item.name,
      branchName: r.item.branchName,
      points: r.points,
      place: r.place,
      isMe: r.item.id === user.id,
    })),
    me: mine ? { place: mine.place, points: mine.points } : null,
  }
}

export type LedgerCursor = [day: string, createdAt: string, id: string]

/** The `before` cursor: the last shown entry's (day, created_at, id), opaque to the app. */
function ledgerCursor(at: LedgerCursor): string {
  return Buffer.from(JSON.stringify(at)).toString('base64url')
}

/** One member's ledger, newest first, a page at a time before `before`; null when there is no such member (or it is the admin). */
export async function memberLedger(db: Kysely<Database>, memberId: string, before: LedgerCursor | null): Promise<MemberLedgerReply | null> {
  const member = await db
    .selectFrom('users')
    .leftJoin('branches', 'branches.id', 'users.branch_id')
    .select(['users.id', 'users.name', 'users.role', 'branches.name as branchName'])
    .where('users.id', '=', memberId)
    .executeTakeFirst()
  if (!member || member.role === 'admin') return null

  let page = db
    .selectFrom('points_ledger as l')
    .leftJoin('points_rules as r', (join) => join.onRef('r.code', '=', 'l.rule_code').onRef('r.version', '=', 'l.rule_version'))
    .leftJoin('users as c', 'c.id', 'l.created_by')
    .select([
      'l.id',
      'l.rule_code',
      'l.source_id',
      'l.day',
      'l.points',
      'l.reason',
      'l.created_at',
      'r.name as ruleName',
      'c.name as createdBy',
    ])
    .where('l.member_id', '=', member.id)
  if (before) {
    const [day, createdAt, id] = before
    page = page.where((eb) =>
      eb.or([
        eb('l.day', '<', day),
        eb.and([eb('l.day', '=', day), eb('l.created_at', '<', createdAt)]),
        eb.and([eb('l.day', '=', day), eb('l.created_at', '=', createdAt), eb('l.id', '<', id)]),
      ]),
    )
  }
  const rows = await page
    .orderBy('l.day', 'desc')
    .orderBy('l.created_at', 'desc')
    .orderBy('l.id', 'desc')
    .limit(MEMBER_LEDGER_PAGE + 1)
    .execute()
  const more = rows.length > MEMBER_LEDGER_PAGE
  const shown = rows.slice(0, MEMBER_LEDGER_PAGE)

  const counterIds = shown
    .filter((r) => !r.source_id.startsWith('counter:'))
    .map((r) => counterEntryId({ id: r.id, ruleCode: r.rule_code }))
  const counters =
    counterIds.length === 0
      ? []
      : await db
          .selectFrom('points_ledger as l')
          .leftJoin('users as c', 'c.id', 'l.created_by')
          .select(['l.id', 'l.source_id', 'l.day', 'l.reason', 'c.name as createdBy'])
          .where('l.id', 'in', counterIds)
          .execute()
  const counterOf = new Map(counters.map((c) => [c.source_id.slice('counter:'.length), c]))

  const today = dayInShanghai(new Date())
  const totals = await db
    .selectFrom('points_totals')
    .select(['period', 'points'])
    .where('member_id', '=', member.id)
    .where('period', 'in', [periodKey('month', today), periodKey('year', today)])
    .execute()
  const totalOf = (period: string) => Number(totals.find((t) => t.period === period)?.points ?? 0)

  const entries = shown.map((r): MemberLedgerEntry => {
    const correction = r.source_id.startsWith('counter:')
    const counter = counterOf.get(r.id)
    return {
      id: r.id,
      ruleCode: r.rule_code,
      ruleName: r.ruleName ?? r.rule_code,
      day: r.day,
      points: r.points,
      reason: r.reason,
      sourceId: r.source_id,
      source: ledgerSourceOf(r.source_id),
      createdAt: r.created_at,
      createdBy: r.createdBy ?? null,
      correction,
      corrects: correction ? r.source_id.slice('counter:'.length) : null,
      correctedBy: counter ? { id: counter.id, day: counter.day, reason: counter.reason, createdBy: counter.createdBy ?? null } : null,
    }
  })
  const last = shown.at(-1)
  return {
    member: { id: member.id, name: member.name, branchName: member.branchName ?? null },
    totals: { month: totalOf(periodKey('month', today)), year: totalOf(periodKey('year', today)) },
    entries,
    nextBefore: more && last ? ledgerCursor([last.day, last.created_at, last.id]) : null,
  }
}

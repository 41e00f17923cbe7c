// 积分: the rule table, each member's ledger (private rows), and the admin's adjustments and corrections.
import { asStored, defineFeature } from '~/server/sync/feature'
import { ruleRowId, type RuleRow } from '~/domain/points'
import { adjustPoints, correctPoints, reviseRules } from './adjustments'
import { ruleFromRow } from './ledger'

export const pointsFeature = defineFeature({
  name: 'points',
  mutations: {
    'points.adjust': adjustPoints,
    'points.correct': correctPoints,
    'rules.revise': reviseRules,
  },
  tables: {
    points_rules: asStored,
    // Private to the member: only their own `user:` scope ever holds these rows.
    points: asStored,
  },
  uniqueRejections: {
    'points.adjust': { code: 'cap_reached', message: '该党员本项积分已达上限，或此调整已记录过' },
    'points.correct': { code: 'already_corrected', message: '这条积分记录已经更正过' },
  },
  async publish(trx, writer, townId) {
    for (const rule of await trx.selectFrom('points_rules').selectAll().orderBy('code').orderBy('version').execute()) {
      const row: RuleRow = { ...ruleFromRow(rule), id: ruleRowId(rule) }
      await writer.put(`town:${townId}`, 'points_rules', row.id, row)
    }
  },
})

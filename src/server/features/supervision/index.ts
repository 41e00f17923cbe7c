// Supervision (issue 13): 组织生活预警, 整改提示单, the working calendar and the overview. Warnings and
// overviews are computed by the server (service.ts) from each branch's facts; notices are issued by the
// admin (or by a red warning) and answered by the branch's secretary. Everything but the rules and the
// calendar lives in `office:` scopes: the branch's secretaries and the admins, never members.
import { asStored, defineFeature } from '~/server/sync/feature'
import { reviseWarningRule } from './rules'
import { setWorkday } from './workdays'
import { answerRectification, decideRectification, issueRectificationByAdmin } from './rectifications'
import { publishSupervision, publishMissingSupervision } from './publish'
import { seedSupervisionDemo } from './demo'

export const supervisionFeature = defineFeature({
  name: 'supervision',
  mutations: {
    async 'warningRule.revise'(ctx, args) {
      await reviseWarningRule(ctx, args)
    },
    async 'workday.set'(ctx, args) {
      await setWorkday(ctx, args)
    },
    async 'rectification.issue'(ctx, args) {
      await issueRectificationByAdmin(ctx, args)
    },
    async 'rectification.answer'(ctx, args) {
      await answerRectification(ctx, args)
    },
    async 'rectification.decide'(ctx, args) {
      await decideRectification(ctx, args)
    },
  },
  tables: {
    warning_rules: asStored,
    workdays: asStored,
    // Who sees these is decided by the scope: `office:<branch>` and `office:<town>` (domain/sync.ts).
    warnings: asStored,
    rectifications: asStored,
    overviews: asStored,
  },
  uniqueRejections: {
    'rectification.issue': { code: 'already_issued', message: '该预警已下发整改提示单' },
  },
  publish: publishSupervision,
  publishMissing: publishMissingSupervision,
  // The demo town's routine meetings and topics (demo data only; the default rules are seeded at every start).
  seed: seedSupervisionDemo,
})

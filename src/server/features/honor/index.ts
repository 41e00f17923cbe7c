// 红黄榜: the month's lists the admin publishes from the ledger, and each member's own mark with its reasons.
import { asStored, defineFeature } from '~/server/sync/feature'
import { publishHonorLists, withdrawHonorLists } from './honor'

export const honorFeature = defineFeature({
  name: 'honor',
  mutations: {
    async 'honor.publish'({ trx, viewer, writer, now }, args) {
      await publishHonorLists(trx, writer, viewer.townId, args, viewer.id, now)
    },
    async 'honor.withdraw'({ trx, viewer, writer, now }, args) {
      await withdrawHonorLists(trx, writer, viewer.townId, args, viewer.id, now)
    },
  },
  tables: {
    // Names and branches only; each member's reasons are in their private `honor_marks`.
    honor_lists: asStored,
    honor_marks: asStored,
  },
})

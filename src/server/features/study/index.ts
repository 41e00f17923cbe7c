// 学习: 网上党校 courses, the 学习智库 materials the admin publishes, and each member's study sessions.
import { asStored, defineFeature } from '~/server/sync/feature'
import type { Course } from '~/domain/study'
import { saveMaterial, withdrawMaterial } from './materials'
import { recordStudy } from './record'
import { materialFromRow, seedStudy } from './study'

export const studyFeature = defineFeature({
  name: 'study',
  mutations: {
    'study.record': recordStudy,
    async 'material.save'({ trx, viewer, writer, now }, args) {
      await saveMaterial(trx, writer, viewer.townId, args.material, now)
    },
    async 'material.withdraw'({ trx, viewer, writer, now }, args) {
      await withdrawMaterial(trx, writer, viewer.townId, args.materialId, now)
    },
  },
  tables: {
    courses: asStored,
    materials: asStored,
    // Private: only the member's own `user:` scope holds these.
    study_progress: asStored,
  },
  uniqueRejections: {
    'study.record': { code: 'duplicate_session', message: '这条学习记录已经提交过' },
  },
  async publish(trx, writer, townId) {
    for (const course of await trx.selectFrom('courses').selectAll().orderBy('id').execute()) {
      const row: Course = { id: course.id, title: course.title, summary: course.summary, order: course.sort_order }
      await writer.put(`town:${townId}`, 'courses', course.id, row)
    }
    for (const material of await trx.selectFrom('materials').selectAll().where('status', '=', 'published').orderBy('id').execute()) {
      await writer.put(`town:${townId}`, 'materials', material.id, materialFromRow(material))
    }
  },
  // The courses, materials and question bank of seeds/study/.
  seed: (trx, seedDir, now) => seedStudy(trx, seedDir, now.toISOString()),
})

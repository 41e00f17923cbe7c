// Every mutation a device may send and every table it syncs is registered by exactly one feature
// (src/server/features.ts): a new mutation without a handler, or a synced table without a redaction, fails
// here at run time and, through the @ts-expect-error lines, in `npm run typecheck`.
import { describe, expect, it } from 'vitest'
import { MUTATIONS } from '~/domain/mutations'
import { SYNC_TABLES } from '~/domain/sync'
import { FEATURES } from '~/server/features'
import { defineFeature, syncFeatures } from '~/server/sync/feature'
import { membersFeature } from '~/server/features/members'
import { studyFeature } from '~/server/features/study'
import { quizFeature } from '~/server/features/quiz'
import { pointsFeature } from '~/server/features/points'
import { honorFeature } from '~/server/features/honor'
import { meetingsFeature } from '~/server/features/meetings'
import { boardFeature } from '~/server/features/board'
import { supervisionFeature } from '~/server/features/supervision'

const registered = (part: 'mutations' | 'tables') => FEATURES.list.flatMap((feature) => Object.keys(feature[part]))
const sorted = (names: Iterable<string>) => [...names].sort()
function without<T extends object, K extends keyof T>(object: T, key: K): Omit<T, K> {
  const copy = { ...object }
  delete copy[key]
  return copy
}

describe('the features the server runs', () => {
  it('registers a handler for every mutation of domain/mutations.ts, each exactly once', () => {
    expect(sorted(registered('mutations'))).toEqual(sorted(Object.keys(MUTATIONS)))
    expect(sorted(Object.keys(FEATURES.handlers))).toEqual(sorted(Object.keys(MUTATIONS)))
    for (const handler of Object.values(FEATURES.handlers)) expect(handler).toBeTypeOf('function')
  })

  it('registers a redaction for every synced table, each exactly once', () => {
    expect(sorted(registered('tables'))).toEqual(sorted(SYNC_TABLES))
    expect(sorted(Object.keys(FEATURES.redactions))).toEqual(sorted(SYNC_TABLES))
    for (const redaction of Object.values(FEATURES.redactions)) expect(redaction).toBeTypeOf('function')
  })

  it('names each feature once and answers unique violations only for its own mutations', () => {
    const names = FEATURES.list.map((feature) => feature.name)
    expect(new Set(names).size).toBe(names.length)
    for (const feature of FEATURES.list) {
      for (const name of Object.keys(feature.uniqueRejections ?? {})) expect(Object.keys(feature.mutations)).toContain(name)
    }
  })

  it('refuses a list with a mutation or a synced table left out, at compile time and when it runs', () => {
    const withoutBoard = [membersFeature, studyFeature, quizFeature, pointsFeature, honorFeature, meetingsFeature] as const
    // @ts-expect-error the board's mutations have no handler and its tables no redaction
    expect(() => syncFeatures(withoutBoard)).toThrow(/mutation comment\.post has no handler.*table comments has no redaction/)
    const boardWithoutNoticeRead = defineFeature({
      name: 'board',
      mutations: without(boardFeature.mutations, 'notice.read'),
      tables: boardFeature.tables,
    })
    // @ts-expect-error notice.read has no handler
    expect(() => syncFeatures([...withoutBoard, boardWithoutNoticeRead])).toThrow('mutation notice.read has no handler')
    const boardWithoutNotices = defineFeature({
      name: 'board',
      mutations: boardFeature.mutations,
      tables: without(boardFeature.tables, 'notices'),
    })
    // @ts-expect-error the notices table has no redaction
    expect(() => syncFeatures([...withoutBoard, boardWithoutNotices])).toThrow('table notices has no redaction')
  })

  it('refuses a list that registers a mutation or a synced table twice, at compile time and when it runs', () => {
    const all = [
      membersFeature,
      studyFeature,
      quizFeature,
      pointsFeature,
      honorFeature,
      meetingsFeature,
      boardFeature,
      supervisionFeature,
    ] as const
    expect(() => syncFeatures(all)).not.toThrow()
    const noticesAgain = defineFeature({ name: 'echo', mutations: { 'notice.read': boardFeature.mutations['notice.read'] }, tables: {} })
    // @ts-expect-error notice.read registered twice
    expect(() => syncFeatures([...all, noticesAgain])).toThrow('mutation notice.read registered twice (echo)')
    const membersAgain = defineFeature({ name: 'echo', mutations: {}, tables: { members: membersFeature.tables.members } })
    // @ts-expect-error the members table registered twice
    expect(() => syncFeatures([...all, membersAgain])).toThrow('table members registered twice (echo)')
  })
})

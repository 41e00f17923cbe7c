// What a feature hands the sync core (docs/architecture.md, the sync core; the shape of Replicache's reference
// server, whose push receives its mutators): its mutation handlers, its synced tables' redaction per
// viewer, the rows devices see on first start and its demo data. The core knows no feature:
// src/server/features.ts lists them through `syncFeatures`, which refuses to compile unless every
// mutation and every synced table is registered exactly once, and buildApp hands the result to SyncService.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { MUTATIONS, type MutationArgs, type MutationName } from '~/domain/mutations'
import { SYNC_TABLES, type SyncTable, type Viewer } from '~/domain/sync'
import type { ChangeWriter } from './changes'

export interface MutationContext {
  trx: Kysely<Database>
  viewer: Viewer
  writer: ChangeWriter
  /** The server's receipt time. */
  now: string
  /** The device's time when the mutation was made: unchecked, bound it before use (boundedWrittenAt). */
  clientTime: string
  /** The device's clock minus the server's when it sent the push (`sentAt`), or null when it didn't say. */
  clockSkewMs?: number | null
}

/** Applies one mutation, its arguments already validated; a refusal is thrown as MutationRejected. */
export type MutationHandler<N extends MutationName> = (ctx: MutationContext, args: MutationArgs<N>) => Promise<void>

/** What a stored row of a synced table becomes for one viewer, at pull time. */
export type Redaction = (row: unknown, viewer: Viewer) => unknown

/** A table whose rows every viewer of their scope sees whole: who sees them is decided by the scope they are written to. */
export const asStored: Redaction = (row) => row

export interface Rejection {
  code: string
  message: string
}

/** Runs a change in a transaction with a ChangeWriter and pokes the devices that see it (SyncService.write). */
export type SyncWrite = <T>(change: (trx: Kysely<Database>, writer: ChangeWriter, now: string) => Promise<T>) => Promise<T>

export interface SyncFeature<N extends MutationName = never, T extends SyncTable = never> {
  readonly name: string
  readonly mutations: { readonly [K in N]: MutationHandler<K> }
  readonly tables: { readonly [K in T]: Redaction }
  /**
   * What a unique violation means for the mutations whose rows have a natural key: a concurrent push wrote
   * the same row first (another member's session with this id, a secretary's 代签 at the moment of a
   * check-in), answered as the documented rejection. Any other mutation's push is run again, and its own
   * checks then see the row.
   */
  readonly uniqueRejections?: { readonly [K in N]?: Rejection }
  /** Writes the feature's rows devices see, on the first start of a database (SyncService.publishAllIfEmpty). */
  readonly publish?: (trx: Kysely<Database>, writer: ChangeWriter, townId: string) => Promise<void>
  /** At every start: sends rows an older database holds but never sent (a table added by a later version). */
  readonly publishMissing?: (db: Kysely<Database>, write: SyncWrite) => Promise<void>
  /** Loads the feature's demo data into an empty database, after the town and its people (db/seed.ts). */
  readonly seed?: (trx: Kysely<Database>, seedDir: string, now: Date) => Promise<void>
}

/** A feature with its names erased: what the list holds. */
export interface AnySyncFeature extends Omit<SyncFeature, 'mutations' | 'tables' | 'uniqueRejections'> {
  readonly mutations: { readonly [K in MutationName]?: MutationHandler<K> }
  readonly tables: { readonly [K in SyncTable]?: Redaction }
  readonly uniqueRejections?: { readonly [K in MutationName]?: Rejection }
}

/** A feature, its mutation and table names inferred from what it registers. */
export function defineFeature<N extends MutationName = never, T extends SyncTable = never>(feature: SyncFeature<N, T>): SyncFeature<N, T> {
  return feature
}

/** The features merged: what the core runs. Made only by `syncFeatures`. */
export interface SyncFeatures {
  /** In the listed order: publishing and seeding run in it. */
  readonly list: readonly AnySyncFeature[]
  readonly handlers: { readonly [N in MutationName]: MutationHandler<N> }
  readonly redactions: Readonly<Record<SyncTable, Redaction>>
  readonly uniqueRejections: Readonly<Partial<Record<MutationName, Rejection>>>
}

// ---------------------------------------------------------------- the compile-time check of the list

type NamesOf<F, P extends 'mutations' | 'tables'> = F extends AnySyncFeature ? keyof F[P] : never
type RegisteredTwice<Fs extends readonly unknown[], P extends 'mutations' | 'tables', Seen = never> = Fs extends readonly [
  infer F,
  ...infer Rest,
]
  ? (NamesOf<F, P> & Seen) | RegisteredTwice<Rest, P, Seen | NamesOf<F, P>>
  : never

interface Problems<Fs extends readonly AnySyncFeature[]> {
  mutationsWithoutHandler: Exclude<MutationName, NamesOf<Fs[number], 'mutations'>>
  mutationsRegisteredTwice: RegisteredTwice<Fs, 'mutations'>
  tablesWithoutRedaction: Exclude<SyncTable, NamesOf<Fs[number], 'tables'>>
  tablesRegisteredTwice: RegisteredTwice<Fs, 'tables'>
}
type Found<Fs extends readonly AnySyncFeature[]> = {
  [K in keyof Problems<Fs> as [Problems<Fs>[K]] extends [never] ? never : K]: Problems<Fs>[K]
}
/** `unknown` when the list is complete; otherwise a type the list can't satisfy, naming what is wrong. */
type Complete<Fs extends readonly AnySyncFeature[]> = keyof Found<Fs> extends never
  ? unknown
  : { 'every mutation and synced table needs exactly one feature': Found<Fs> }

/**
 * Merges the features into the tables the core runs. Compiles only when every mutation of
 * domain/mutations.ts has exactly one handler and every table of SYNC_TABLES exactly one redaction;
 * checks the same again when it runs.
 */
export function syncFeatures<const Fs extends readonly AnySyncFeature[]>(features: Fs & Complete<Fs>): SyncFeatures {
  const handlers: Record<string, unknown> = {}
  const redactions: Record<string, Redaction> = {}
  const uniqueRejections: Record<string, Rejection> = {}
  const problems: string[] = []
  for (const feature of features) {
    for (const [name, handler] of Object.entries(feature.mutations)) {
      if (name in handlers) problems.push(`mutation ${name} registered twice (${feature.name})`)
      handlers[name] = handler
    }
    for (const [table, redaction] of Object.entries(feature.tables)) {
      if (table in redactions) problems.push(`table ${table} registered twice (${feature.name})`)
      redactions[table] = redaction as Redaction
    }
    Object.assign(uniqueRejections, feature.uniqueRejections)
  }
  const mutationNames = Object.keys(MUTATIONS)
  problems.push(...mutationNames.filter((name) => !(name in handlers)).map((name) => `mutation ${name} has no handler`))
  problems.push(
    ...Object.keys(handlers)
      .filter((name) => !mutationNames.includes(name))
      .map((name) => `mutation ${name} is not in domain/mutations.ts`),
  )
  problems.push(...SYNC_TABLES.filter((table) => !(table in redactions)).map((table) => `table ${table} has no redaction`))
  problems.push(
    ...Object.keys(redactions)
      .filter((table) => !(SYNC_TABLES as readonly string[]).includes(table))
      .map((table) => `table ${table} is not in SYNC_TABLES`),
  )
  if (problems.length > 0) throw new Error(`sync features: ${problems.join('; ')}`)
  return {
    list: [...features],
    handlers: handlers as unknown as SyncFeatures['handlers'],
    redactions: redactions as Record<SyncTable, Redaction>,
    uniqueRejections: uniqueRejections as Partial<Record<MutationName, Rejection>>,
  }
}

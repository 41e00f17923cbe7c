/** A permanent, expected refusal: answered as `rejected` with the code and message, never as a 5xx. */
export class MutationRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const errorCode = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined

/** A row with this key exists already: PostgreSQL's unique_violation, or SQLite's. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error)
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

/** PostgreSQL gave up on this transaction to let another go on (serialization_failure, deadlock_detected): run it again. */
export function isTransactionConflict(error: unknown): boolean {
  const code = errorCode(error)
  return code === '40001' || code === '40P01'
}

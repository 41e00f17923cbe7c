/** A permanent, expected refusal: answered as `rejected` with the code and message, never as a 5xx. */
export class MutationRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

import type { FastifyReply } from 'fastify'
import type { z } from 'zod/mini'
import { parseWith } from '../../domain/validation'

/** An error with the HTTP status and the message a person reads; the error handler turns it into JSON. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'bad_request', message)
}

/** Validates a body, query or params against its schema; a bad one is a 400 before anything is written. */
export function validate<T>(schema: z.ZodMiniType<T>, input: unknown, what = '请求内容'): T {
  const parsed = parseWith(schema, input ?? {})
  if (!parsed.ok) throw badRequest(`${what}有误：${parsed.message}`)
  return parsed.value
}

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  return reply.code(error.statusCode).headers(error.headers).send({ error: error.code, message: error.message })
}

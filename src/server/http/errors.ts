import type { FastifyReply } from 'fastify'
import type { z } from 'zod/mini'
import { parseWith } from '~/domain/validation'

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

/**
 * A request Node's HTTP parser could not read (a raw non-ASCII byte in the path, a broken header line)
 * never reaches a route: answer it in the documented shape too, then close the connection.
 */
export function answerUnreadableRequest(error: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW'
  const body = JSON.stringify(
    tooLarge ? { error: 'too_large', message: '请求头过大' } : { error: 'bad_request', message: '请求格式有误，无法识别' },
  )
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  )
}

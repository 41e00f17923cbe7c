import { constants } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import fastifyCompress from '@fastify/compress'

/** Below this an answer costs more to compress than it saves (a header and a round of CPU for a few bytes). */
export const COMPRESSION_THRESHOLD = 1024

/**
 * Brotli's quality for answers made on the fly. A first pull page (~370 KB of JSON) is the big one; measured by
 * `bench/compression.ts` on this machine: quality 4 → 22 KB in ~3 ms, 5 → 19 KB in ~4.5 ms, 11 → 16 KB in over
 * 3 s, gzip 6 → 23 KB. Quality 4 saves nearly all there is to save for the least CPU; the build's own files are
 * compressed once at quality 11 (scripts/precompress.ts) and served as they are.
 */
export const DYNAMIC_BROTLI_QUALITY = 4

/**
 * Text only: JSON, HTML, JS, CSS, SVG, the manifest. Photos (JPEG), xlsx exports (already zip) and media
 * are left as they are, and so is the event stream (it is hijacked anyway, so no hook ever sees it). The
 * plugin's own default also takes `octet-stream`, which here is only ever bytes we didn't make.
 */
const COMPRESSIBLE = /^(?:text\/(?!event-stream)|application\/(?:json|javascript|manifest\+json|xml)|image\/svg\+xml)(?:;|$)/

/**
 * Compresses answers by Accept-Encoding (brotli, else gzip), with `Vary: accept-encoding`. Registered before
 * the routes: the plugin adds its hook to each route as it is declared. Files the build precompressed
 * already carry their Content-Encoding (routes/static.ts) and are passed through untouched.
 */
export async function compression(app: FastifyInstance) {
  await app.register(fastifyCompress, {
    global: true,
    // Devices never send compressed bodies: nothing to inflate, and no small crafted body that inflates to a large one.
    globalDecompression: false,
    encodings: ['br', 'gzip'],
    threshold: COMPRESSION_THRESHOLD,
    customTypes: (type: string) => COMPRESSIBLE.test(type),
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: DYNAMIC_BROTLI_QUALITY } },
    zlibOptions: { level: 6 },
    // Above the plugin's syncThreshold (8 KB on two cores), answers are compressed as a stream in libuv's thread
    // pool, so a pull page being compressed doesn't hold up other requests on the event loop.
  })
}

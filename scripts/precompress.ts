import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Logger, Plugin } from 'vite'

const brotli = promisify(brotliCompress)
const gz = promisify(gzip)

/** What the server may send compressed (src/server/http/compression.ts); images, media and fonts are compressed already. */
export const PRECOMPRESSIBLE = /\.(js|mjs|css|html|svg|webmanifest|json|txt|xml)$/

/**
 * Writes `x.br` (brotli 11) and `x.gz` (gzip 9) beside every compressible file under `dir`, keeping only those
 * smaller than the file itself. Compressed once at build time, so the slowest setting is free at run time; and
 * small ones too, since the server compresses on the fly any text file it finds no copy of.
 */
export async function precompressDir(dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => PRECOMPRESSIBLE.test(f))
  const written: string[] = []
  await Promise.all(
    files.map(async (file) => {
      const path = join(dir, file)
      const bytes = await readFile(path)
      const [br, gzipped] = await Promise.all([
        brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
        gz(bytes, { level: 9 }),
      ])
      for (const [suffix, out] of [
        ['.br', br],
        ['.gz', gzipped],
      ] as const) {
        if (out.length >= bytes.length) continue
        await writeFile(path + suffix, out)
        written.push(file + suffix)
      }
    }),
  )
  return written.sort()
}

/**
 * The build's last step, after vite-plugin-pwa has written sw.js (its own closeBundle is sequential too):
 * the .br/.gz copies are written once the output is final, and after the service worker's precache list
 * was made, so they are never precached (its globPatterns don't name them either).
 */
export function precompress(): Plugin {
  let outDir = ''
  let logger: Logger | undefined
  return {
    name: 'djy-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
      logger = config.logger
    },
    closeBundle: {
      sequential: true,
      order: 'post',
      async handler(error) {
        if (error) return
        const written = await precompressDir(outDir)
        logger?.info(`precompressed ${written.length} files (.br, .gz) in ${outDir}`)
      },
    },
  }
}

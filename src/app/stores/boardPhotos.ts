// Photos for comments and topics, compressed on the phone before they are kept (issue 6): a 12-megapixel
// camera photo becomes a JPEG of about 1600 px and a few hundred KB, so it uploads over a village
// connection. Keeping and uploading them is sync/photoUploads.ts.
import type { CompressedPhoto } from '../sync/photoUploads'

export type { CompressedPhoto } from '../sync/photoUploads'

export const PHOTO_MAX_SIDE = 1600
export const PHOTO_QUALITY = 0.8
/** A photo the browser can't even open is refused before it is kept. */
export const PHOTO_INPUT_MAX_BYTES = 40 * 1024 * 1024

export class PhotoError extends Error {}

/** The size to draw at: the long side at most `maxSide`, never enlarged. */
export function fitWithin(width: number, height: number, maxSide = PHOTO_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/**
 * Shrinks a photo from the camera or the gallery to a JPEG of at most `maxSide` px on the long side,
 * turned the way the camera held it (EXIF orientation), without its metadata (the place it was taken).
 */
export async function compressPhoto(file: Blob, maxSide = PHOTO_MAX_SIDE, quality = PHOTO_QUALITY): Promise<CompressedPhoto> {
  if (file.size > PHOTO_INPUT_MAX_BYTES) throw new PhotoError('照片太大（超过40MB），请换一张')
  if (file.type && !file.type.startsWith('image/')) throw new PhotoError('只能选择图片')
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  } catch {
    throw new PhotoError('无法读取这张图片，请换一张')
  }
  const { width, height } = fitWithin(bitmap.width, bitmap.height, maxSide)
  try {
    if (typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(width, height)
      const context = canvas.getContext('2d')
      if (!context) throw new PhotoError('此浏览器无法处理图片')
      context.drawImage(bitmap, 0, 0, width, height)
      return { blob: await canvas.convertToBlob({ type: 'image/jpeg', quality }), width, height }
    }
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    const context = canvas.getContext('2d')
    if (!context) throw new PhotoError('此浏览器无法处理图片')
    context.drawImage(bitmap, 0, 0, width, height)
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
    if (!blob) throw new PhotoError('图片压缩失败，请换一张')
    return { blob, width, height }
  } finally {
    bitmap.close()
  }
}

// Reading a check-in QR code (issue 5): from the rear camera, or from a picture the member picks
// (从相册选择). The browser's BarcodeDetector where it has one, jsQR on canvas pixels otherwise; jsQR is
// loaded only when needed so it stays out of the first load. What is read goes to the meetings store's
// `checkInFromScan`, the one path for every scanned text.

interface DetectedBarcode {
  rawValue: string
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource | ImageBitmap): Promise<DetectedBarcode[]>
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike
  getSupportedFormats(): Promise<string[]>
}

type Decoder = (source: HTMLVideoElement | ImageBitmap, width: number, height: number) => Promise<string | null>

let nativeDetector: Promise<BarcodeDetectorLike | null> | undefined

/** The browser's own QR reader, if it has one that knows QR codes. */
function barcodeDetector(): Promise<BarcodeDetectorLike | null> {
  nativeDetector ??= (async () => {
    const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector
    if (!Detector) return null
    try {
      return (await Detector.getSupportedFormats()).includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : null
    } catch {
      return null
    }
  })()
  return nativeDetector
}

/** Draws the source scaled to at most `max` pixels on its long side and reads it with jsQR. */
async function decodeWithJsQR(source: CanvasImageSource, width: number, height: number, max: number, thorough: boolean): Promise<string | null> {
  const { default: jsQR } = await import('jsqr')
  const scale = Math.min(1, max / Math.max(width, height))
  const w = Math.max(1, Math.round(width * scale))
  const h = Math.max(1, Math.round(height * scale))
  const canvas = document.createElement('canvas')
  canvas.width = w
  canvas.height = h
  const context = canvas.getContext('2d', { willReadFrequently: true })
  if (!context) return null
  context.drawImage(source, 0, 0, w, h)
  const pixels = context.getImageData(0, 0, w, h)
  return jsQR(pixels.data, w, h, { inversionAttempts: thorough ? 'attemptBoth' : 'dontInvert' })?.data ?? null
}

async function pickDecoder(): Promise<Decoder> {
  const native = await barcodeDetector()
  if (native) return async (source) => (await native.detect(source))[0]?.rawValue ?? null
  return (source, width, height) => decodeWithJsQR(source, width, height, 640, false)
}

export type CameraProblem = 'denied' | 'no_camera' | 'busy' | 'unsupported' | 'failed'

export const CAMERA_MESSAGES: Record<CameraProblem, string> = {
  denied: '没有摄像头权限。请在浏览器或手机设置里允许本应用使用摄像头，或点下面的“从相册选择签到码图片”。',
  no_camera: '没有找到可用的摄像头。可以点下面的“从相册选择签到码图片”。',
  busy: '摄像头正被其他应用使用，请关闭其他应用后重试。',
  unsupported: '当前浏览器不能使用摄像头扫码。可以点下面的“从相册选择签到码图片”。',
  failed: '摄像头打开失败，请重试，或从相册选择签到码图片。',
}

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(CAMERA_MESSAGES[problem])
  }
}

function cameraProblem(error: unknown): CameraProblem {
  const name = (error as { name?: string } | null)?.name
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied'
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'no_camera'
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'busy'
  return 'failed'
}

/**
 * Opens the rear camera into `video` and reads frames until a QR code is found; `onText` gets each text
 * read (the caller stops the scan once it has what it wants). Returns the function that stops the camera.
 */
export async function startCameraScan(video: HTMLVideoElement, onText: (text: string) => void): Promise<() => void> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported')
  let stream: MediaStream
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false })
  } catch (error) {
    throw new CameraError(cameraProblem(error))
  }
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const stop = () => {
    stopped = true
    clearTimeout(timer)
    stream.getTracks().forEach((track) => track.stop())
    video.srcObject = null
  }
  video.srcObject = stream
  video.setAttribute('playsinline', '')
  video.muted = true
  try {
    await video.play()
  } catch (error) {
    stop()
    throw new CameraError(cameraProblem(error))
  }
  const decode = await pickDecoder()
  const frame = async () => {
    if (stopped) return
    try {
      if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        const text = await decode(video, video.videoWidth, video.videoHeight)
        if (text && !stopped) onText(text)
      }
    } catch {
      // A frame that could not be read: try the next one.
    }
    if (!stopped) timer = setTimeout(() => void frame(), 200)
  }
  void frame()
  return stop
}

/** Reads the QR code in a picture (a photo or a screenshot of the code); null when there is none. */
export async function decodeImageFile(file: Blob): Promise<string | null> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file)
  } catch {
    throw new Error('无法打开这张图片，请换一张')
  }
  try {
    const native = await barcodeDetector()
    if (native) {
      const found = (await native.detect(bitmap))[0]?.rawValue
      if (found) return found
    }
    // A photo is larger and rougher than a camera frame: try it at two sizes, both light and dark codes.
    for (const max of [1024, 2048]) {
      const text = await decodeWithJsQR(bitmap, bitmap.width, bitmap.height, max, true)
      if (text) return text
    }
    return null
  } finally {
    bitmap.close()
  }
}

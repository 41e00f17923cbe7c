// 扫码签到's logic (issue 5): reading a check-in QR code from the rear camera, or from a picture the member
// picks (从相册选择), and handing every text read to the meetings store's `checkInFromScan`, the one path
// for every scanned text. The browser's BarcodeDetector where it has one, jsQR on canvas pixels otherwise;
// jsQR is loaded only when needed so it stays out of the first load. ScanPage.vue is the template.
import { computed, onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { useMeetingsStore, type ScanOutcome } from '../stores/meetings'

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
async function decodeWithJsQR(
  source: CanvasImageSource,
  width: number,
  height: number,
  max: number,
  thorough: boolean,
): Promise<string | null> {
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
async function startCameraScan(video: HTMLVideoElement, onText: (text: string) => void): Promise<() => void> {
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
async function decodeImageFile(file: Blob): Promise<string | null> {
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

/**
 * The scanner of ScanPage: opens the camera into `video` when mounted (and closes it when left), reads a
 * picture from a file input's change event, and keeps what the last scan came to. `meetingId` narrows it
 * to the meeting the member opened the scanner from.
 */
export function useCheckinScanner(video: Ref<HTMLVideoElement | null>, meetingId?: string) {
  const store = useMeetingsStore()
  const camera = ref<'idle' | 'starting' | 'on' | 'off'>('idle')
  const cameraError = ref('')
  const reading = ref(false)
  /** What the last scan came to: a refusal before anything was queued, or the check-in queued. */
  const result = ref<ScanOutcome | null>(null)
  let stopCamera: (() => void) | null = null

  const meeting = computed(() => (result.value?.ok ? store.byId(result.value.meetingId) : undefined))
  const state = computed(() => (result.value?.ok ? store.checkinState(result.value.mutationId, result.value.meetingId) : null))

  function closeCamera() {
    stopCamera?.()
    stopCamera = null
    if (camera.value === 'on' || camera.value === 'starting') camera.value = 'off'
  }

  /** Every decoded text, from the camera or a picture, goes the same way: the store checks it and queues the check-in. */
  async function scanned(text: string) {
    if (reading.value) return
    reading.value = true
    closeCamera()
    try {
      result.value = await store.checkInFromScan(text, { meetingId })
    } catch (e) {
      result.value = { ok: false, message: e instanceof Error ? e.message : '签到失败，请重试' }
    } finally {
      reading.value = false
    }
  }

  async function openCamera() {
    result.value = null
    cameraError.value = ''
    if (!video.value) return
    camera.value = 'starting'
    try {
      stopCamera = await startCameraScan(video.value, (text) => void scanned(text))
      // Left the page while the camera was starting.
      if (camera.value !== 'starting') closeCamera()
      else camera.value = 'on'
    } catch (e) {
      camera.value = 'off'
      cameraError.value = e instanceof CameraError ? e.message : '摄像头打开失败，请重试，或从相册选择签到码图片。'
    }
  }

  async function fromPicture(event: Event) {
    const input = event.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = ''
    if (!file) return
    closeCamera()
    result.value = null
    reading.value = true
    try {
      const text = await decodeImageFile(file)
      reading.value = false
      if (text) await scanned(text)
      else result.value = { ok: false, message: '图片里没有找到签到码。请选一张清楚、完整的签到码图片，或直接用摄像头扫码。' }
    } catch (e) {
      reading.value = false
      result.value = { ok: false, message: e instanceof Error ? e.message : '无法读取这张图片' }
    }
  }

  function again() {
    result.value = null
    void openCamera()
  }

  onMounted(() => void openCamera())
  onBeforeUnmount(() => {
    camera.value = 'off'
    closeCamera()
  })

  return { camera, cameraError, reading, result, meeting, state, openCamera, fromPicture, again }
}

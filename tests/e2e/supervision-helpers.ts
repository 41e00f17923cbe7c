// What tests/e2e/supervision.test.ts needs besides the browser: screenshots once the page is still, Beijing
// times for the meeting form, a photo to attach, what a phone's IndexedDB holds, and a meeting the admin
// records after the fact (补录) and closes with minutes.
import sharp from 'sharp'
import { expect } from 'vitest'
import type { Page } from 'playwright-core'
import { screenshot } from './browser'
import { DB_NAME } from '~/app/constants'

/** A sync round on a busy 2-core machine, the server's debounced recompute included. */
export const LIVE = { timeout: 90_000 }

/** A screenshot once the toasts have gone, and closing popups too unless one is meant to be open. */
export async function shot(page: Page, step: string, { popup = false, fullPage = false } = {}): Promise<void> {
  const passing = page.locator(popup ? '.van-toast:visible' : '.van-toast:visible, .van-overlay:visible')
  await expect.poll(() => passing.count(), { timeout: 15_000 }).toBe(0)
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'))
  await screenshot(page, `supervision-${step}`, { animations: 'disabled', fullPage })
}

export const path = (page: Page): string => new URL(page.url()).pathname

/** The date and time in Beijing `minutes` from now, as the meeting form's pickers take them. */
export function beijing(minutes: number): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(Date.now() + minutes * 60_000))
      .map((p) => [p.type, p.value]),
  )
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` }
}

/** A small photo of the meeting, as the secretary picks from the album. */
export async function meetingPhoto(): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const buffer = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 16, b: 46 } } })
    .jpeg({ quality: 80 })
    .toBuffer()
  return { name: '支委会现场.jpg', mimeType: 'image/jpeg', buffer }
}

/** How many rows a table of the app's IndexedDB holds on this phone (0 when the table isn't there). */
export function countRows(page: Page, table: string): Promise<number> {
  return page.evaluate(
    ([name, store]) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name)
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          if (!db.objectStoreNames.contains(store)) {
            db.close()
            resolve(0)
            return
          }
          const count = db.transaction(store).objectStore(store).count()
          count.onsuccess = () => {
            db.close()
            resolve(count.result)
          }
          count.onerror = () => reject(count.error)
        }
      }),
    [DB_NAME, table] as const,
  )
}

/**
 * The admin records a meeting already under way (补录, with its reason) for a branch and closes it with
 * minutes: a meeting held, as the warning engine counts one. Returns on the closed meeting's page.
 */
export async function recordHeldMeeting(
  admin: Page,
  meeting: { branch: string; type: string; title: string; people: string[]; reason: string; minutes: string },
): Promise<void> {
  await admin.goto('/meetings')
  await admin.getByRole('button', { name: '安排会议' }).click()
  const form = admin.locator('.meeting-edit')
  await form.getByRole('radiogroup', { name: '支部', exact: true }).getByText(meeting.branch, { exact: true }).click({ timeout: 30_000 })
  await form.getByRole('radiogroup', { name: '会议类型', exact: true }).getByText(meeting.type, { exact: true }).click()
  await admin.getByPlaceholder('如：三月支部党员大会').fill(meeting.title)
  await admin.getByPlaceholder('如：村委会会议室').fill('东亭村党群服务中心')
  await form.getByRole('radiogroup', { name: '参会范围', exact: true }).getByText('支委成员', { exact: true }).click()
  for (const name of meeting.people) await admin.getByLabel('参会人员').getByText(name, { exact: true }).click()
  // Two minutes ago, but never on yesterday's date: just after midnight the form's one date would hold a
  // meeting that ended before it began.
  const today = beijing(0)
  const twoMinutesAgo = beijing(-2)
  const start = twoMinutesAgo.date === today.date ? twoMinutesAgo : { date: today.date, time: '00:00' }
  const end = beijing(60)
  await admin.getByLabel('会议日期').fill(start.date)
  await admin.getByLabel('开始时间').fill(start.time)
  await admin.getByLabel('结束时间').fill(end.date === start.date ? end.time : '23:59')
  await admin.getByPlaceholder('开始时间已过，只有写明原因才能补录').fill(meeting.reason)
  await admin.getByRole('button', { name: '发布会议安排' }).click()
  await admin.locator('.detail-title').getByText(meeting.title).waitFor()
  await admin.locator('.detail-tags').getByText('待同步').waitFor({ state: 'detached', timeout: 60_000 })

  await admin.getByText('记录并结束').click()
  await admin.getByPlaceholder('会议议程、讨论情况、形成的决定等（至少10个字）').fill(meeting.minutes)
  await admin.getByRole('button', { name: '保存记录并结束会议' }).click()
  await admin.getByRole('button', { name: '确定结束' }).click()
  await admin.locator('.detail-tags').getByText('已结束').waitFor()
  await admin.locator('.detail-tags').getByText('待同步').waitFor({ state: 'detached', timeout: 60_000 })
}

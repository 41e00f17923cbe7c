import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import type { MeetingDraft } from '~/domain/meetings'

// WebAuthn refuses an IP address as the relying party's id: the same server, by name.
const baseUrl = inject('baseUrl').replace('127.0.0.1', 'localhost')

async function signedIn(browser: Browser, phone: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phoneContext(browser, baseUrl)
  const page = await context.newPage()
  await page.goto('/login')
  await loginAs(page, phone)
  await page.getByText('同志，您好').waitFor()
  return { context, page }
}

/** Opens the room, reloading until this device has synced the meeting. */
async function openRoom(page: Page, meetingId: string, title: string) {
  await expect
    .poll(
      async () => {
        await page.goto(`/meetings/${meetingId}/room`)
        // isVisible() doesn't wait: give the page time to sync before reloading it (a reload interrupts the sync).
        return page
          .getByRole('heading', { name: title })
          .waitFor({ state: 'visible', timeout: 8_000 })
          .then(() => true)
          .catch(() => false)
      },
      { timeout: 60_000 },
    )
    .toBe(true)
}

describe('remote attendance confirmed by fingerprint or face', () => {
  let browser: Browser
  let secretary: Page
  let member: Page
  let memberContext: BrowserContext
  const meetingId = `mt-e2e-${randomUUID().slice(0, 8)}`
  const title = '远程参会演练'

  beforeAll(async () => {
    browser = await launchChromium()
    ;({ page: secretary } = await signedIn(browser, '13800000101'))
    ;({ page: member, context: memberContext } = await signedIn(browser, '13800000001'))
  })
  afterAll(async () => {
    await browser?.close()
  })

  // Two browsers, a passkey ceremony and a first sync each: on a loaded CI machine this has run past 60 s.
  it('registers a passkey, joins the room with it, and chats with the secretary live', async () => {
    const draft: MeetingDraft = {
      id: meetingId,
      branchId: 'b-hexing',
      type: 'assembly',
      title,
      agenda: '一、学习党章\n二、讨论村道修缮',
      place: '合兴村党群服务中心',
      startsAt: new Date(Date.now() + 2 * 60_000).toISOString(),
      endsAt: new Date(Date.now() + 62 * 60_000).toISOString(),
      audience: 'branch',
      memberIds: [],
      remoteAllowed: true,
      // 王建国 is at home in the demo data; the secretary allows him to attend remotely.
      remoteMemberIds: ['u-66hr2jf7sv8n'],
      videoUrl: 'https://meeting.example.cn/room/123',
      materialIds: [],
      backfillReason: null,
    }
    const push = await secretary.request.post('/api/sync/push', {
      data: {
        clientId: 'c_e2e_remote_room',
        schemaVersion: 2,
        mutations: [{ id: randomUUID(), name: 'meeting.schedule', args: { meeting: draft }, clientTime: new Date().toISOString() }],
      },
    })
    expect((await push.json()) as unknown).toMatchObject({ results: [{ status: 'applied' }] })

    // The phone's platform authenticator, with fingerprint/face verification that succeeds.
    const cdp = await memberContext.newCDPSession(member)
    await cdp.send('WebAuthn.enable')
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    })

    // Without a passkey, the room sends the member to register one.
    await openRoom(member, meetingId, title)
    await member.getByTestId('room-join').click()
    await member.getByRole('alert').getByText('请先在“我的”里登记').waitFor()

    await member.goto('/me/passkeys')
    await member.getByRole('button', { name: '用指纹或面容登记' }).click()
    await member.getByTestId('passkey-row').first().waitFor()
    await screenshot(member, '50-passkeys')

    await openRoom(member, meetingId, title)
    await member.getByTestId('room-join').click()
    await member.getByTestId('room-joined').waitFor()

    // The secretary's room shows the member among the remote attendees without a reload.
    await openRoom(secretary, meetingId, title)
    await secretary.getByTestId('room-remote-name').getByText('王建国').waitFor({ timeout: 20_000 })

    await member.getByTestId('room-input').locator('input').fill('我在杭州工地，已上线参会')
    await member.getByRole('button', { name: '发送' }).click()
    await secretary.getByTestId('room-chat').getByText('我在杭州工地，已上线参会').waitFor({ timeout: 20_000 })
    await secretary.getByTestId('room-input').locator('input').fill('收到，欢迎参会')
    await secretary.getByRole('button', { name: '发送' }).click()
    await member.getByTestId('room-chat').getByText('收到，欢迎参会').waitFor({ timeout: 20_000 })
    await screenshot(member, '51-remote-room')

    const attendance = (await (await member.request.get(`/api/sync/pull?clientId=c_e2e_remote_check`)).json()) as {
      changes: { table: string; id: string; row?: { mode?: string } }[]
    }
    expect(
      attendance.changes.filter((c) => c.table === 'attendance' && c.id === `${meetingId}:u-66hr2jf7sv8n`).map((c) => c.row?.mode),
    ).toEqual(['remote'])
  }, 120_000)
})

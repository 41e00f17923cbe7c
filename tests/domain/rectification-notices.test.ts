// What the in-app notices of a 整改提示单 say (issue 13), and how notices are numbered and counted overdue.
import { describe, expect, it } from 'vitest'
import { rectificationNotice, rectificationNumber, rectificationOverdue, type RectificationRow } from '~/domain/supervision'

const notice: Pick<RectificationRow, 'number' | 'requirement' | 'deadline' | 'answers' | 'decisions'> = {
  number: rectificationNumber('2026', 3),
  requirement: '第四季度尚未召开支部党员大会，请于期限内召开。',
  deadline: '2026-10-16',
  answers: [{ id: 'a1', at: '2026-10-09T02:00:00.000Z', byId: 'u-1', text: '已召开支部党员大会。', photoIds: [], meetingId: null }],
  decisions: [{ at: '2026-10-10T02:00:00.000Z', byId: 'u-0', outcome: 'returned', reason: '缺少签到表！' }],
}
const context = { branchName: '合兴村党支部', followUp: { number: '整改〔2026〕4号', deadline: '2026-10-30' } }

describe('the notices of a 整改提示单', () => {
  it('numbers as 整改〔year〕N号', () => {
    expect(rectificationNumber('2027', 12)).toBe('整改〔2027〕12号')
  })

  it('says each step once, without doubled punctuation, with the deadline as month and day', () => {
    expect(rectificationNotice('issued', notice, 'branch', context)).toEqual({
      title: '收到整改提示单（整改〔2026〕3号）',
      body: '第四季度尚未召开支部党员大会，请于期限内召开。请于10月16日前提交整改情况。',
    })
    expect(rectificationNotice('answered', notice, 'office', context)).toEqual({
      title: '合兴村党支部提交了整改情况',
      body: '整改〔2026〕3号：已召开支部党员大会',
    })
    expect(rectificationNotice('returned', notice, 'branch', context).body).toBe('退回原因：缺少签到表。')
    expect(rectificationNotice('overdue', notice, 'branch', context).body).toBe(
      '期限10月16日已过，仍未完成整改。已下发整改〔2026〕4号，期限10月30日，请抓紧整改。',
    )
    expect(rectificationNotice('overdue', notice, 'office', context)).toEqual({
      title: '合兴村党支部的整改提示单已超期',
      body: '整改〔2026〕3号期限10月16日已过，已自动下发整改〔2026〕4号，期限10月30日。',
    })
  })

  it('cuts a long text short', () => {
    const long = { ...notice, requirement: '党'.repeat(60) }
    expect(rectificationNotice('issued', long, 'branch', context).body).toBe(`${'党'.repeat(40)}…。请于10月16日前提交整改情况。`)
  })

  it('counts a notice overdue from the day after its deadline, while it waits for the branch', () => {
    expect(rectificationOverdue({ status: 'open', deadline: '2026-10-16' }, '2026-10-16')).toBe(false)
    expect(rectificationOverdue({ status: 'open', deadline: '2026-10-16' }, '2026-10-17')).toBe(true)
    expect(rectificationOverdue({ status: 'returned', deadline: '2026-10-16' }, '2026-10-17')).toBe(true)
    expect(rectificationOverdue({ status: 'answered', deadline: '2026-10-16' }, '2026-10-17')).toBe(false)
  })
})

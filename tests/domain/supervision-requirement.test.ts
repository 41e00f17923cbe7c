// The requirement a new 整改提示单 starts with (issue 13), the app's pre-filled one and the server's own
// alike: it fits what the warning is about, so no branch is sent "补齐会议记录" about overdue comments.
import { describe, expect, it } from 'vitest'
import { DEFAULT_WARNING_RULES, rectificationRequirement, WARNING_KINDS } from '~/domain/supervision'

const TITLE = '2026年第四季度未召开支部党员大会'

describe('rectificationRequirement', () => {
  it('asks for the meeting the rule wants, with its minutes', () => {
    const assembly = DEFAULT_WARNING_RULES.find((r) => r.code === 'assembly-quarterly')!
    expect(rectificationRequirement({ title: TITLE, kind: 'meeting' }, assembly.meetingType)).toBe(
      `针对“${TITLE}”，请支部认真查找原因，在期限内召开支部党员大会并上传会议记录，并在期限内提交整改情况。`,
    )
    expect(rectificationRequirement({ title: '2026年11月未召开支委会', kind: 'meeting' })).toContain('召开会议并上传会议记录')
  })

  it('asks each other kind for its own remedy, and nothing about minutes', () => {
    const said = (kind: (typeof WARNING_KINDS)[number]) => rectificationRequirement({ title: '某项预警', kind })
    expect(said('topic')).toContain('发布朋友圈话题')
    expect(said('attendance')).toContain('提高参会率')
    expect(said('attendance')).toContain('落实请假和远程参会')
    expect(said('migrant_attendance')).toContain('外出务工党员的参会率')
    expect(said('migrant_attendance')).toContain('落实请假和远程参会')
    expect(said('quorum')).toContain('重新召开支部党员大会并达到法定人数')
    expect(said('overdue_comments')).toContain('限期办结超期留言并答复群众')
    for (const kind of WARNING_KINDS.filter((k) => k !== 'meeting' && k !== 'quorum')) expect(said(kind)).not.toContain('会议记录')
    // Each starts from the warning and ends with the deadline, and no two kinds say the same.
    for (const kind of WARNING_KINDS) expect(said(kind)).toMatch(/^针对“某项预警”，.*并在期限内提交整改情况。$/)
    expect(new Set(WARNING_KINDS.map(said)).size).toBe(WARNING_KINDS.length)
  })
})

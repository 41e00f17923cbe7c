import { describe, expect, it } from 'vitest'
import { excerpt, sayDuration } from '~/app/views/board/boardFormat'
import { sortTodo, type TodoItem } from '~/app/composables/useBoardTodo'

describe('sayDuration (平均办结用时)', () => {
  it('says 暂无 when nothing was resolved', () => expect(sayDuration(null)).toBe('暂无'))
  it('says hours under a day, and 不到1小时 under an hour', () => {
    expect(sayDuration(0.4)).toBe('不到1小时')
    expect(sayDuration(5.4)).toBe('5小时')
    expect(sayDuration(23.4)).toBe('23小时')
  })
  it('says days and hours from a day on', () => {
    expect(sayDuration(23.6)).toBe('1天')
    expect(sayDuration(69.2)).toBe('2天21小时')
    expect(sayDuration(72)).toBe('3天')
  })
})

describe('excerpt', () => {
  it('keeps short text whole and cuts long text with an ellipsis, on whole characters', () => {
    expect(excerpt('路灯  坏了\n两盏', 20)).toBe('路灯 坏了 两盏')
    expect(excerpt('一二三四五六', 4)).toBe('一二三四…')
    expect(excerpt('👍👍👍', 2)).toBe('👍👍…')
  })
})

describe('sortTodo (待办留言)', () => {
  const item = (
    id: string,
    status: 'pending' | 'accepted',
    createdAt: string,
    deadline: string | null,
    key: TodoItem['status']['key'] = status,
  ): TodoItem => ({ comment: { id, status, createdAt, deadline }, status: { key, label: '' } }) as unknown as TodoItem
  it('puts 待处理 first (longest waiting first), then 已受理 by deadline', () => {
    const sorted = sortTodo([
      item('a', 'accepted', '2026-11-01T00:00:00Z', '2026-12-05T15:59:59.999Z'),
      item('b', 'pending', '2026-11-20T00:00:00Z', null),
      item('c', 'accepted', '2026-11-02T00:00:00Z', '2026-11-20T15:59:59.999Z', 'overdue'),
      item('d', 'pending', '2026-11-10T00:00:00Z', null),
    ])
    expect(sorted.map((i) => i.comment.id)).toEqual(['d', 'b', 'c', 'a'])
  })
})

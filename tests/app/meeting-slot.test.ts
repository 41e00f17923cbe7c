import { describe, expect, it } from 'vitest'
import { defaultMeetingSlot } from '~/app/views/meetings/meetingFormat'

// Instants in UTC; Shanghai is UTC+8.
const at = (iso: string) => Date.parse(iso)

describe('defaultMeetingSlot', () => {
  it('starts at the next full hour at least 30 minutes away, for an hour and a half', () => {
    expect(defaultMeetingSlot(at('2026-12-03T06:10:00Z'))).toEqual({ date: '2026-12-03', start: '15:00', end: '16:30' })
    expect(defaultMeetingSlot(at('2026-12-03T06:40:00Z'))).toEqual({ date: '2026-12-03', start: '16:00', end: '17:30' })
  })

  it('offers the next morning when the evening slot would cross midnight (the form has one date)', () => {
    // 22:40 in Shanghai: 23:00 + 1 h 30 would end on the next day.
    expect(defaultMeetingSlot(at('2026-12-03T14:40:00Z'))).toEqual({ date: '2026-12-04', start: '09:00', end: '10:30' })
    // 20:50: 22:00 to 23:30 still fits the day.
    expect(defaultMeetingSlot(at('2026-12-03T12:50:00Z'))).toEqual({ date: '2026-12-03', start: '22:00', end: '23:30' })
  })

  it('counts days in Shanghai, not in the machine’s zone: 23:40 on New Year’s Eve gives 1 January at 9', () => {
    expect(defaultMeetingSlot(at('2026-12-31T15:40:00Z'))).toEqual({ date: '2027-01-01', start: '09:00', end: '10:30' })
  })
})

describe('defaultMeetingSlot in the small hours', () => {
  it('offers 9 in the morning of the same day', () => {
    // 02:10 in Shanghai.
    expect(defaultMeetingSlot(Date.parse('2026-12-03T18:10:00Z'))).toEqual({ date: '2026-12-04', start: '09:00', end: '10:30' })
  })
})

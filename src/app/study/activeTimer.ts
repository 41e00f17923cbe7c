/** Counts *active* study seconds: the page is visible and the member is reading (recent activity) or media is playing. */
export class ActiveTimer {
  activeSeconds = 0
  private lastActivity: number

  constructor(
    now: number,
    /** Reading with no scroll, touch or key for this long is idle (issue 4: "not idle for more than a minute"). */
    private readonly idleMs = 60_000,
  ) {
    this.lastActivity = now
  }

  activity(now: number): void {
    this.lastActivity = now
  }

  /** Called once a second. */
  tick(now: number, state: { visible: boolean; playing: boolean }): void {
    if (!state.visible) return
    if (state.playing || now - this.lastActivity < this.idleMs) this.activeSeconds++
  }
}

// Which lasting states this controller process has reported with an Event already (the
// eventOnce action): one Warning for the state, not one per sync. Memory only: after a restart or
// a leader change the next sync reports it once more, which is what a state that lasts deserves.

/** The last notice reported, per work queue key; a newer one (another generation) replaces it. */
export class OnceNotices {
  private readonly reported = new Map<string, string>();

  /** True when `notice` was not the last one reported for `key`; it is now. */
  firstReport(key: string, notice: string): boolean {
    if (this.reported.get(key) === notice) return false;
    this.reported.set(key, notice);
    return true;
  }

  /** The object under `key` is gone (owner-events.ts forget). */
  forget(key: string): void {
    this.reported.delete(key);
  }
}

// Which lasting states this controller process has reported with an Event already (the
// eventOnce action): one Event for the state, not one per sync. Memory only: after a restart or
// a leader change the next sync reports it once more, which is what a state that lasts deserves.
//
// A sync plans the notice of every state that still lasts (a rollback revision gone, a claim whose
// class refuses to grow it, a claim that reached its size while the set was resizing), and
// `retain` then drops the notices of states that ended: memory stays bounded by what lasts, and a
// state that comes back later is reported again.

/** The notices reported, per work queue key. */
export class OnceNotices {
  private readonly reported = new Map<string, Set<string>>();

  /** True when `notice` has not been reported for `key` (or was dropped since); it is now. */
  firstReport(key: string, notice: string): boolean {
    let notices = this.reported.get(key);
    if (notices === undefined) {
      notices = new Set();
      this.reported.set(key, notices);
    }
    if (notices.has(notice)) return false;
    notices.add(notice);
    return true;
  }

  /** Forgets the notices of `key` other than `lasting` (those the sync planned). */
  retain(key: string, lasting: readonly string[]): void {
    const notices = this.reported.get(key);
    if (notices === undefined) return;
    const keep = new Set(lasting);
    for (const notice of notices) if (!keep.has(notice)) notices.delete(notice);
    if (notices.size === 0) this.reported.delete(key);
  }

  /** The object under `key` is gone (owner-events.ts forget). */
  forget(key: string): void {
    this.reported.delete(key);
  }
}

// Slow start across the syncs of one large create run. upstream caps a DaemonSet sync's creates at
// burstReplicas (250) and starts every sync's slowStartBatch at 1 (daemon_controller.go syncNodes),
// so 1000 daemon pods take four syncs that each climb 1, 2, 4, …, 128 again: eight round trips per
// sync where two do once the first sync has shown that the API server takes these pods.
//
// CreateRamp remembers, per key, the batch size a sync reached when every create of it succeeded
// and the plan had left more for the next sync (at most `maxBatchSize`); that next sync, if it
// comes within `freshForMs`, starts its slow start there. A failure, a run that ended, or a pause forgets it, so a quota or
// admission error still stops a run at its first failing batch — one batch of calls at most, as
// upstream, only a larger batch when it strikes in the middle of a run.

/** How one sync's creates went. */
export interface CreateRunOutcome {
  /** Every create of the sync succeeded (none failed, none skipped). */
  readonly allSucceeded: boolean;
  /** The plan held creates back for the next sync (its per-sync cap). */
  readonly morePending: boolean;
  /** SlowStartOutcome.lastBatchSize. */
  readonly lastBatchSize: number;
}

export interface CreateRampOptions {
  /** How long a reached size stays good for the next sync (ms). Default 5000. */
  readonly freshForMs?: number;
  /**
   * The largest size carried over. Default 128: half the DaemonSet's 250 creates per sync, so a
   * carried-over sync takes two round trips and a failure costs at most 128 calls.
   */
  readonly maxBatchSize?: number;
}

export class CreateRamp {
  private readonly freshForMs: number;
  private readonly maxBatchSize: number;
  private readonly reached = new Map<string, { readonly size: number; readonly at: number }>();

  constructor(options: CreateRampOptions = {}) {
    this.freshForMs = options.freshForMs ?? 5000;
    this.maxBatchSize = options.maxBatchSize ?? 128;
  }

  /** The first batch size of this sync's creates at `now` (ms): 1 unless the previous sync of the run reached more. */
  initialBatchSize(key: string, now: number): number {
    const last = this.reached.get(key);
    if (last === undefined || now - last.at > this.freshForMs) return 1;
    return last.size;
  }

  record(key: string, outcome: CreateRunOutcome, now: number): void {
    if (outcome.allSucceeded && outcome.morePending && outcome.lastBatchSize > 0) {
      this.reached.set(key, { size: Math.min(outcome.lastBatchSize, this.maxBatchSize), at: now });
    } else {
      this.reached.delete(key);
    }
  }

  forget(key: string): void {
    this.reached.delete(key);
  }
}

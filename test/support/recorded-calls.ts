// The call log of a fake object manager: every call as `<verb> <name>`, when it started and ended
// (so a test sees which calls ran at once), and which calls fail.
import type { WorkloadCondition } from '../../src/api/meta.ts';

/** What an object manager's writeConditions is handed (updateConditions' `update`). */
/**
 * The sizes of the batches in which calls of `verb` ran: each run of starts before any of them
 * ends is one batch (a slow start shows as 1, 2, 4, …).
 */
export function batchSizes(timeline: readonly string[], verb: string): number[] {
  const sizes: number[] = [];
  let starting = false;
  for (const entry of timeline.filter((e) => e.includes(` ${verb} `))) {
    if (entry.startsWith('start ')) {
      if (starting) sizes[sizes.length - 1] = (sizes.at(-1) ?? 0) + 1;
      else sizes.push(1);
      starting = true;
    } else starting = false;
  }
  return sizes;
}

export type ConditionsUpdate = (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined;

export class RecordedCalls {
  readonly calls: string[] = [];
  /** `start <call>` and `end <call>`, in the order they happened: batches show as runs of starts. */
  readonly timeline: string[] = [];
  /** Failures thrown once each, before `fail` is asked. */
  readonly failOnce = new Map<string, Error[]>();
  readonly failures = new Map<string, Error>();
  /** Which calls throw, after `failOnce`; by default the `failures` entry. */
  fail: (call: string) => Error | undefined = (call) => this.failures.get(call);
  /** Runs as each call starts, so a test sees what the executor had done before it. */
  onStart: (call: string) => void = () => undefined;

  /** Records `call`, yields once (so concurrent calls interleave), then throws its failure if any. */
  protected async call(call: string): Promise<void> {
    this.calls.push(call);
    this.timeline.push(`start ${call}`);
    this.onStart(call);
    await Promise.resolve();
    this.timeline.push(`end ${call}`);
    const failure = this.failOnce.get(call)?.shift() ?? this.fail(call);
    if (failure) throw failure;
  }

  /**
   * A `writeConditions` call as updateConditions makes it: the list computed from `current`, and
   * a recorded call only when it changes. Returns the list written, if any.
   */
  protected async conditionsCall(current: readonly WorkloadCondition[] | undefined, update: ConditionsUpdate): Promise<readonly WorkloadCondition[] | undefined> {
    const next = update(current);
    if (next === undefined) return undefined;
    await this.call('writeConditions');
    return next;
  }
}

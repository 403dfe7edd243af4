// The call log of a fake object manager: every call as `<verb> <name>`, when it started and ended
// (so a test sees which calls ran at once), and which calls fail.

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
}

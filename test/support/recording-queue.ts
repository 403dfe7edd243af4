// A work queue stand-in for informer handler tests: records each key enqueued, in order, and each
// delayed enqueue as `<key> after <ms>`.
export class RecordingQueue {
  readonly added: string[] = [];
  readonly delayed: string[] = [];

  enqueue(key: string): void {
    this.added.push(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.delayed.push(`${key} after ${ms}`);
  }
}

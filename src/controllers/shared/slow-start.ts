// upstream: pkg/controller/controller_utils.go slowStartBatch (ReplicaSet, DaemonSet, Job) and
// pkg/controller/statefulset/stateful_set_control.go slowStartBatch (capped at MaxBatchSize).
// Calls that create many objects go in batches of 1, 2, 4, … so that a systematic failure (quota,
// admission webhook, a terminating namespace) costs one call instead of hundreds; the first batch
// with a failure ends the run.
export interface SlowStartOutcome<T> {
  readonly succeeded: readonly T[];
  readonly failed: readonly { readonly item: T; readonly error: unknown }[];
  /** Items never tried because an earlier batch failed. */
  readonly skipped: readonly T[];
  /** The planned size of the last batch that ran (the last one may hold fewer items); 0 when none ran. */
  readonly lastBatchSize: number;
}

export interface SlowStartOptions {
  /** Default 1. */
  readonly initialBatchSize?: number;
  /** The largest batch; default none (the StatefulSet controller caps at 500). */
  readonly maxBatchSize?: number;
}

function nextBatchSize(size: number, options: SlowStartOptions): number {
  return Math.min(size * 2, options.maxBatchSize ?? Number.POSITIVE_INFINITY);
}

function firstBatchSize(options: SlowStartOptions): number {
  return Math.max(1, options.initialBatchSize ?? 1);
}

/**
 * Runs `call` on every item in slow-start batches, the items of a batch concurrently (upstream
 * starts one goroutine per item and waits for the batch). A call that throws before returning its
 * promise fails like one that rejects, so the batch's other calls are still waited for.
 */
export async function slowStartBatch<T>(
  items: readonly T[],
  options: SlowStartOptions,
  call: (item: T) => Promise<unknown>,
): Promise<SlowStartOutcome<T>> {
  const succeeded: T[] = [];
  const failed: { item: T; error: unknown }[] = [];
  let index = 0;
  let lastBatchSize = 0;
  for (let size = firstBatchSize(options); index < items.length; size = nextBatchSize(size, options)) {
    lastBatchSize = size;
    const batch = items.slice(index, index + size);
    index += batch.length;
    const results = await Promise.allSettled(batch.map((item) => new Promise((resolve) => resolve(call(item)))));
    results.forEach((result, i) => {
      const item = batch[i];
      if (item === undefined) return;
      if (result.status === 'fulfilled') succeeded.push(item);
      else failed.push({ item, error: result.reason });
    });
    if (failed.length > 0) break;
  }
  return { succeeded, failed, skipped: items.slice(index), lastBatchSize };
}

/**
 * The batch (0-based) that position `index` of a slow-start run falls in, for work planned by
 * position before it runs (the StatefulSet's units, which count positions that need no call).
 */
export function slowStartBatchOf(index: number, options: SlowStartOptions = {}): number {
  let batch = 0;
  let start = 0;
  let size = firstBatchSize(options);
  while (index >= start + size) {
    start += size;
    size = nextBatchSize(size, options);
    batch++;
  }
  return batch;
}

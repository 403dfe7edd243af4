// upstream: pkg/controller/controller_utils.go slowStartBatch. Calls that create many objects go
// in batches of 1, 2, 4, … so that a systematic failure (quota, admission webhook, a terminating
// namespace) costs one call instead of hundreds; the first batch with a failure ends the run.
export interface SlowStartOutcome<T> {
  readonly succeeded: readonly T[];
  readonly failed: readonly { readonly item: T; readonly error: unknown }[];
  /** Items never tried because an earlier batch failed. */
  readonly skipped: readonly T[];
}

export async function slowStartBatch<T>(
  items: readonly T[],
  initialBatchSize: number,
  call: (item: T) => Promise<unknown>,
): Promise<SlowStartOutcome<T>> {
  const succeeded: T[] = [];
  const failed: { item: T; error: unknown }[] = [];
  let index = 0;
  for (let size = Math.max(1, initialBatchSize); index < items.length; size *= 2) {
    const batch = items.slice(index, index + size);
    index += batch.length;
    const results = await Promise.allSettled(batch.map((item) => call(item)));
    results.forEach((result, i) => {
      const item = batch[i];
      if (item === undefined) return;
      if (result.status === 'fulfilled') succeeded.push(item);
      else failed.push({ item, error: result.reason });
    });
    if (failed.length > 0) break;
  }
  return { succeeded, failed, skipped: items.slice(index) };
}

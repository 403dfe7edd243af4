// `kubectl rollout status`'s loop (upstream: kubectl pkg/cmd/rollout/rollout_status.go, a
// watchtools.UntilWithSync on the one object): read the object, judge it, then judge every change
// the watch delivers until the rollout is done, fails, the object is deleted or the timeout passes.
import type { KubeObject } from '../api/meta.ts';
import type { RolloutStatus } from '../api/rollout-status.ts';
import { WatchIdleError, WatchStatusError, isGone, statusFromObject } from '../runtime/client/errors.ts';
import type { WatchEvent } from '../runtime/client/watch-decoder.ts';

/** Where the object comes from (the seam tests fake; main.ts wraps the REST client). */
export interface RolloutSource<T extends KubeObject> {
  /** The object as it is now. */
  get(signal: AbortSignal | undefined): Promise<T>;
  /** The object's changes after `resourceVersion`, until the server ends the stream. */
  watch(resourceVersion: string, signal: AbortSignal | undefined): AsyncIterable<WatchEvent<T>>;
}

export interface FollowOptions {
  /** false: print the status once and return (`--watch=false`). */
  readonly watch: boolean;
  /** Aborts when `--timeout` has passed; absent = wait for ever. */
  readonly timeout?: AbortSignal;
  /** Receives each status message, once per change of message. */
  readonly out: (line: string) => void;
}

/**
 * A status as the loop follows it: kubectl's, with a line to print before a failure (the message
 * of the RolledBack condition before the error; src/cli/rollout-control-status.ts).
 */
export type FollowedStatus = RolloutStatus & { readonly detail?: string };

/** The rollout status is an error (kubectl prints it and exits 1). */
export class RolloutStatusError extends Error {
  override readonly name = 'RolloutStatusError';
}

/**
 * Prints the status of the object until `judge` says done (or once without watch). Throws
 * RolloutStatusError for a status kubectl reports as an error, and for a deleted object; "timed
 * out waiting for the condition" once the timeout aborts. A watch the server closes, one that goes
 * idle, and one whose resourceVersion expired (410) are resumed: the first two from the last
 * version seen, the last after reading the object again.
 */
export async function followRollout<T extends KubeObject>(
  source: RolloutSource<T>,
  judge: (obj: T) => FollowedStatus,
  options: FollowOptions,
): Promise<void> {
  const signal = options.timeout;
  let last: string | undefined;
  /** Prints the object's status; true once there is nothing more to wait for. */
  const report = (obj: T): boolean => {
    const status = judge(obj);
    if (status.kind === 'unsupported' || status.kind === 'failed') {
      if (status.detail !== undefined) options.out(status.detail);
      throw new RolloutStatusError(status.message);
    }
    if (status.message !== last) options.out(status.message);
    last = status.message;
    return status.kind === 'done' || !options.watch;
  };
  const timedOut = (): RolloutStatusError => new RolloutStatusError('timed out waiting for the condition');

  try {
    let obj = await source.get(signal);
    if (report(obj)) return;
    let resourceVersion = obj.metadata.resourceVersion ?? '';
    for (;;) {
      // The client's watch ends quietly once the signal aborts.
      if (signal?.aborted) throw timedOut();
      try {
        for await (const event of source.watch(resourceVersion, signal)) {
          switch (event.type) {
            case 'ADDED':
            case 'MODIFIED':
              resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
              if (report(event.object)) return;
              break;
            case 'BOOKMARK':
              resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
              break;
            case 'DELETED':
              // kubectl stops rather than follow a new object of the same name.
              throw new RolloutStatusError('object has been deleted');
            case 'ERROR':
              throw new WatchStatusError('rollout status watch', statusFromObject(event.object));
            default: {
              const unknown: never = event.type;
              throw new Error(`unexpected watch event ${String(unknown)}`);
            }
          }
        }
      } catch (err) {
        if (err instanceof WatchIdleError) continue;
        if (!isGone(err)) throw err;
        obj = await source.get(signal);
        if (report(obj)) return;
        resourceVersion = obj.metadata.resourceVersion ?? '';
      }
    }
  } catch (err) {
    if (signal?.aborted && !(err instanceof RolloutStatusError)) throw timedOut();
    throw err;
  }
}

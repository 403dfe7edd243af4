// Expectations: what a controller has asked the API server to create or delete for an owner but
// not yet seen in its cache (upstream: pkg/controller/controller_utils.go ControllerExpectations
// and UIDTrackingControllerExpectations). The cache lags the API server, so planning from it right
// after a create would create the same pod again; a controller plans new creates and deletes for
// an owner only once its expectations are satisfied. Deletes are tracked by an identity the
// controller chooses (a pod's UID; or its key namespace/name, as upstream's ReplicaSet controller
// does), so a delete event for some other pod of the owner is not mistaken for one we issued.
import { Counter } from 'prom-client';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import { registry, singleton } from './metrics/registry.ts';

const expectationTimeouts = singleton(
  'my_workload_expectation_timeouts_total',
  () =>
    new Counter({
      name: 'my_workload_expectation_timeouts_total',
      help: 'Expectations treated as satisfied only because they were set longer ago than the TTL, per controller',
      labelNames: ['controller'] as const,
      registers: [registry],
    }),
);

/** upstream: pkg/controller/controller_utils.go ExpectationsTimeout. */
export const expectationsTimeoutMs = 5 * 60 * 1000;

export interface ExpectationsOptions {
  /** Controller name, the `controller` label of the timeout metric. */
  readonly controller: string;
  readonly clock?: Clock;
  /** How long expectations may stay unmet before they are ignored. Default 5 min (as upstream). */
  readonly ttlMs?: number;
}

/** A read-only view of one owner's expectations. */
export interface PendingExpectations {
  /** Creates issued and not yet observed; ≤ 0 means none outstanding. */
  readonly creations: number;
  /** Pods (UIDs or keys, as the controller tracks them) whose deletion was issued and not yet observed. */
  readonly deletions: readonly string[];
  /** Clock time (ms) of the last `expect…` call. */
  readonly setAt: number;
}

interface OwnerRecord {
  creations: number;
  readonly deletions: Set<string>;
  setAt: number;
}

/**
 * Guarantees to callers:
 * - `satisfied(key)` is true when nothing is outstanding, when the key has no record, or when the
 *   record was set more than the TTL ago (a lost watch event must not block an owner forever);
 * - an expired record is dropped when found, so its timeout is counted once and the next
 *   `expect…` call starts afresh;
 * - observations for a key without a record are ignored.
 */
export class Expectations {
  private readonly controller: string;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly records = new Map<string, OwnerRecord>();

  constructor(options: ExpectationsOptions) {
    this.controller = options.controller;
    this.clock = options.clock ?? realClock;
    this.ttlMs = options.ttlMs ?? expectationsTimeoutMs;
    expectationTimeouts.inc({ controller: this.controller }, 0);
  }

  /** Records `count` creates about to be issued for `key`, replacing the previous create count. */
  expectCreations(key: string, count: number): void {
    const record = this.record(key);
    record.creations = count;
    record.setAt = this.clock.now();
  }

  /** Records deletes about to be issued for `key`, by pod UID, replacing the previous set. */
  expectDeletions(key: string, uids: readonly string[]): void {
    const record = this.record(key);
    record.deletions.clear();
    for (const uid of uids) record.deletions.add(uid);
    record.setAt = this.clock.now();
  }

  /** A pod created for `key` showed up in the cache. */
  creationObserved(key: string): void {
    this.lowerExpectations(key, { creations: 1 });
  }

  /** The pod with `uid`, deleted for `key`, left the cache (or its delete returned NotFound). */
  deletionObserved(key: string, uid: string): void {
    this.lowerExpectations(key, { deletions: [uid] });
  }

  /**
   * Forgets creates and deletes that will never be observed because the call failed (upstream:
   * LowerExpectations after a failed or skipped create).
   */
  lowerExpectations(key: string, lower: { readonly creations?: number; readonly deletions?: readonly string[] }): void {
    const record = this.records.get(key);
    if (record === undefined) return;
    record.creations -= lower.creations ?? 0;
    for (const uid of lower.deletions ?? []) record.deletions.delete(uid);
  }

  /** Whether the controller may plan new creates and deletes for `key`. */
  satisfied(key: string): boolean {
    const record = this.records.get(key);
    if (record === undefined) return true;
    if (record.creations <= 0 && record.deletions.size === 0) return true;
    if (this.clock.now() - record.setAt > this.ttlMs) {
      this.records.delete(key);
      expectationTimeouts.inc({ controller: this.controller });
      return true;
    }
    return false;
  }

  /** The outstanding expectations of `key`, for logging and tests. */
  get(key: string): PendingExpectations | undefined {
    const record = this.records.get(key);
    if (record === undefined) return undefined;
    return { creations: record.creations, deletions: [...record.deletions], setAt: record.setAt };
  }

  /** Drops `key`'s record, when its owner is deleted. */
  delete(key: string): void {
    this.records.delete(key);
  }

  private record(key: string): OwnerRecord {
    let record = this.records.get(key);
    if (record === undefined) {
      record = { creations: 0, deletions: new Set(), setAt: this.clock.now() };
      this.records.set(key, record);
    }
    return record;
  }
}

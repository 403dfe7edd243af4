// Read-your-own-writes for reconcilers that plan from informer caches (upstream:
// pkg/controller/util/consistency/consistency.go, used by the StatefulSet controller behind
// StaleControllerConsistencyStatefulSet). A reconcile records the resourceVersion of every object it
// wrote, per owner key and resource; the next reconcile of that key waits until each informer has
// applied an event at least that new. Otherwise a cache that has not seen the pod created a moment
// ago makes the planner create it again (AlreadyExists), or delete a pod twice.
//
// resourceVersions are compared as integers, as upstream does (they are etcd revisions, shared by
// every resource); one that does not parse never blocks.

/** Where a resource's cache stands: the informer's last applied resourceVersion. */
export interface ResourceVersionSource {
  readonly lastSyncResourceVersion: string;
}

/** The first resource whose cache is older than a write recorded for the owner. */
export interface ConsistencyLag {
  readonly resource: string;
  readonly wroteResourceVersion: string;
  readonly readResourceVersion: string;
}

interface OwnerRecord {
  readonly ownerUid: string;
  /** resource → newest written resourceVersion. */
  readonly written: Map<string, string>;
}

/** -1, 0 or 1 as a < b, a = b, a > b; undefined when either is not a decimal integer. */
export function compareResourceVersions(a: string, b: string): number | undefined {
  if (!/^[0-9]+$/.test(a) || !/^[0-9]+$/.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Invariant: a record holds, per resource, the newest resourceVersion written for its owner since
 * the last time ensureReady found every cache caught up (which drops the record).
 */
export class ConsistencyStore {
  private readonly sources: ReadonlyMap<string, ResourceVersionSource>;
  private readonly records = new Map<string, OwnerRecord>();

  /** `sources`: one per resource name used in wroteAt; writes to other resources are ignored. */
  constructor(sources: Readonly<Record<string, ResourceVersionSource>>) {
    this.sources = new Map(Object.entries(sources));
  }

  /**
   * Records a write for `ownerKey` (namespace/name). A record left by an earlier owner of that name
   * (another UID) is dropped first.
   */
  wroteAt(ownerKey: string, ownerUid: string, resource: string, resourceVersion: string | undefined): void {
    if (resourceVersion === undefined || resourceVersion === '' || !this.sources.has(resource)) return;
    let record = this.records.get(ownerKey);
    if (record === undefined || record.ownerUid !== ownerUid) {
      record = { ownerUid, written: new Map() };
      this.records.set(ownerKey, record);
    }
    const previous = record.written.get(resource);
    if (previous === undefined || (compareResourceVersions(previous, resourceVersion) ?? -1) < 0) {
      record.written.set(resource, resourceVersion);
    }
  }

  /** Forgets the owner's writes; with `ownerUid`, only if they were recorded for that UID. */
  clear(ownerKey: string, ownerUid?: string): void {
    const record = this.records.get(ownerKey);
    if (record !== undefined && (ownerUid === undefined || record.ownerUid === ownerUid)) this.records.delete(ownerKey);
  }

  /**
   * undefined when every cache has seen the owner's writes (the record is then dropped); else the
   * first cache that lags. Never call it while a reconcile of the same key is writing.
   */
  ensureReady(ownerKey: string): ConsistencyLag | undefined {
    const record = this.records.get(ownerKey);
    if (record === undefined) return undefined;
    for (const [resource, wroteResourceVersion] of record.written) {
      const readResourceVersion = this.sources.get(resource)?.lastSyncResourceVersion ?? '';
      // "" before the first list; controllers start only after their caches synced.
      if (readResourceVersion === '') continue;
      const order = compareResourceVersions(wroteResourceVersion, readResourceVersion);
      if (order !== undefined && order > 0) return { resource, wroteResourceVersion, readResourceVersion };
    }
    this.records.delete(ownerKey);
    return undefined;
  }
}

// Watches the pods of one namespace and keeps running counts, so a scenario's end ("all N pods
// Ready on the new image", "no pods left") is seen the moment the watch event arrives, not at the
// next poll. Counts are kept incrementally: at 5000 pods a full scan per event would cost more
// CPU than the controllers being measured.
import type { Pod } from '../src/api/core.ts';
import { pods } from '../src/api/resources.ts';
import { ApiError } from '../src/runtime/client/errors.ts';
import type { KubeClient } from '../src/runtime/client/rest.ts';

export interface PodCounts {
  /** Pods that exist, terminating ones included. */
  readonly total: number;
  readonly terminating: number;
  /** Ready, not terminating, by the first container's image. */
  readonly readyByImage: ReadonlyMap<string, number>;
  /** Not terminating, by image, Ready or not. */
  readonly liveByImage: ReadonlyMap<string, number>;
}

export interface PodChurn {
  readonly added: number;
  readonly deleted: number;
  /** Deleted after a deletionTimestamp was seen: graceful deletes, finished by kwok's pod-delete stage. */
  readonly deletedAfterGrace: number;
}

export interface Quantiles {
  readonly count: number;
  readonly p0: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly p100: number;
}

interface Contribution {
  readonly image: string;
  readonly ready: boolean;
  readonly terminating: boolean;
}

function contributionOf(pod: Pod): Contribution {
  return {
    image: pod.spec.containers[0]?.image ?? '',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    terminating: pod.metadata.deletionTimestamp !== undefined,
  };
}

/** What one applied watch event changed, for listeners that record a step's timelines. */
export interface PodChange {
  /** Date.now() when the event was applied. */
  readonly at: number;
  readonly name: string;
  /** The pod's first appearance. */
  readonly added: boolean;
  /** The pod turned Ready (not terminating) with this event. */
  readonly becameReady: boolean;
  /** Ready, non-terminating pods of the namespace after the event. */
  readonly ready: number;
}

interface Waiter {
  readonly test: (counts: PodCounts) => boolean;
  readonly resolve: (at: number) => void;
}

/** The watch sent an ERROR event (410 Gone, in practice): list again. */
class WatchExpired extends Error {
  override readonly name = 'WatchExpired';
}

export class WaitTimeout extends Error {
  override readonly name = 'WaitTimeout';
}

export class PodWatch {
  private readonly client: KubeClient;
  private readonly namespace: string;
  private readonly byUid = new Map<string, Contribution>();
  private readonly readyByImage = new Map<string, number>();
  private readonly liveByImage = new Map<string, number>();
  private terminating = 0;
  /** Ready, non-terminating pods: the sum of readyByImage, kept apart for the listeners. */
  private ready = 0;
  private readonly listeners = new Set<(change: PodChange) => void>();
  private churn = { added: 0, deleted: 0, deletedAfterGrace: 0 };
  private waiters: Waiter[] = [];
  /** Date.now() of every pod's first appearance and first Ready, for the timeline quantiles. */
  readonly addedAt: number[] = [];
  readonly readyAt: number[] = [];
  readonly deletedAt: number[] = [];
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(client: KubeClient, namespace: string) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Lists, then watches in the background; resolves once the list is in. */
  async start(): Promise<void> {
    const rv = await this.relist();
    this.loop = this.watchFrom(rv);
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  counts(): PodCounts {
    return { total: this.byUid.size, terminating: this.terminating, readyByImage: this.readyByImage, liveByImage: this.liveByImage };
  }

  churnSince(start: PodChurn): PodChurn {
    return {
      added: this.churn.added - start.added,
      deleted: this.churn.deleted - start.deleted,
      deletedAfterGrace: this.churn.deletedAfterGrace - start.deletedAfterGrace,
    };
  }

  /** Seconds from `t0` until 0, 10, 50, 90 and 100 % of the events at or after `t0` (undefined: none). */
  static quantiles(times: readonly number[], t0: number): Quantiles | undefined {
    const after = times.filter((t) => t >= t0);
    if (after.length === 0) return undefined;
    const at = (q: number): number => ((after[Math.min(after.length - 1, Math.floor(q * (after.length - 1)))] ?? t0) - t0) / 1000;
    return { count: after.length, p0: at(0), p10: at(0.1), p50: at(0.5), p90: at(0.9), p100: at(1) };
  }

  /**
   * Calls `listener` after every applied event. A relist (after 410 Gone) replays the namespace
   * unseen and then reports its net Ready change as one event with no name. Returns the
   * unsubscribe function.
   */
  subscribe(listener: (change: PodChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ready, non-terminating pods now. */
  readyCount(): number {
    return this.ready;
  }

  churnNow(): PodChurn {
    return { ...this.churn };
  }

  /** Resolves with Date.now() at the event that made `test` true (at once if it already is). */
  waitFor(test: (counts: PodCounts) => boolean, timeoutMs: number, what: string): Promise<number> {
    if (test(this.counts())) return Promise.resolve(Date.now());
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const c = this.counts();
        reject(new WaitTimeout(`${what}: not reached in ${timeoutMs / 1000} s (pods ${c.total}, terminating ${c.terminating}, ready ${JSON.stringify([...c.readyByImage])})`));
      }, timeoutMs);
      const waiter: Waiter = {
        test,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private async relist(): Promise<string> {
    const list = await this.client.listAll(pods, { namespace: this.namespace });
    this.byUid.clear();
    this.readyByImage.clear();
    this.liveByImage.clear();
    this.terminating = 0;
    const readyBefore = this.ready;
    this.ready = 0;
    for (const pod of list.items) this.apply('ADDED', pod, false);
    // The net change the relist found, as one event: a step's Ready-count timeline stays whole.
    if (this.ready !== readyBefore) this.notify({ at: Date.now(), name: '', added: false, becameReady: false, ready: this.ready });
    return list.resourceVersion;
  }

  private async watchFrom(resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.stop.signal.aborted) {
      try {
        for await (const event of this.client.watch(pods, {
          namespace: this.namespace,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          timeoutSeconds: 600,
          signal: this.stop.signal,
        })) {
          if (event.type === 'ERROR') throw new WatchExpired();
          rv = event.object.metadata.resourceVersion ?? rv;
          if (event.type !== 'BOOKMARK') this.apply(event.type, event.object);
        }
      } catch (err) {
        if (this.stop.signal.aborted) return;
        if (err instanceof WatchExpired || (err instanceof ApiError && err.code === 410)) rv = await this.relist();
        else await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private bump(map: Map<string, number>, image: string, by: number): void {
    const next = (map.get(image) ?? 0) + by;
    if (next === 0) map.delete(image);
    else map.set(image, next);
  }

  private account(c: Contribution, sign: 1 | -1): void {
    if (c.terminating) {
      this.terminating += sign;
      return;
    }
    this.bump(this.liveByImage, c.image, sign);
    if (c.ready) {
      this.bump(this.readyByImage, c.image, sign);
      this.ready += sign;
    }
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod, report = true): void {
    const uid = pod.metadata.uid ?? '';
    const before = this.byUid.get(uid);
    let added = false;
    let becameReady = false;
    if (before) this.account(before, -1);
    if (type === 'DELETED') {
      this.byUid.delete(uid);
      if (before) {
        this.churn.deleted++;
        this.deletedAt.push(Date.now());
        if (before.terminating) this.churn.deletedAfterGrace++;
      }
    } else {
      const now = contributionOf(pod);
      if (!before) {
        added = true;
        this.churn.added++;
        this.addedAt.push(Date.now());
      }
      if (now.ready && !now.terminating && !(before?.ready ?? false)) {
        becameReady = true;
        this.readyAt.push(Date.now());
      }
      this.byUid.set(uid, now);
      this.account(now, 1);
    }
    if (report) this.notify({ at: Date.now(), name: pod.metadata.name ?? '', added, becameReady, ready: this.ready });
    if (this.waiters.length > 0) this.check();
  }

  private notify(change: PodChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private check(): void {
    const counts = this.counts();
    const at = Date.now();
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.test(counts)) w.resolve(at);
      else still.push(w);
    }
    this.waiters = still;
  }
}

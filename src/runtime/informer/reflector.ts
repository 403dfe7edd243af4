// The reflector keeps a Store equal to the API server's view of one resource (client-go
// tools/cache/reflector.go ListAndWatch):
//
//   list (all pages) ──► replace store ──► watch from the list's resourceVersion ──┐
//        ▲                                    │ normal close: re-watch at once ◄────┘
//        │ 410 Gone (HTTP or ERROR event)     │ any other failure: back off, re-watch from
//        └────────────────────────────────────┘ the last seen resourceVersion
//
// It never gives up: list and watch failures (network, 429, 5xx, 403, idle stream) are retried
// forever with a jittered exponential backoff, so one bad minute of the API server cannot stop the
// operator. Bookmarks advance the resourceVersion without touching the store.
//
// It talks to the API server only through a ListerWatcher (lister-watcher.ts), as client-go's
// reflector does, so it can be tested against an in-memory one.
import { Counter } from 'prom-client';
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { WatchIdleError, WatchStatusError, isGone, statusFromObject } from '../client/errors.ts';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { Logger } from '../logging.ts';
import { registry, singleton } from '../metrics/registry.ts';
import { Backoff } from './backoff.ts';
import type { ListerWatcher } from './lister-watcher.ts';
import type { Store, StoreDelta } from './store.ts';
import { applyWatchEvent, replaceAll } from './store.ts';

const watchRestarts = singleton(
  'my_workload_informer_watch_restarts_total',
  () =>
    new Counter({
      name: 'my_workload_informer_watch_restarts_total',
      help: 'Watches re-opened by informers, by resource and reason (closed: normal server close; gone: 410, relist follows; error: any failure; idle: no byte for the idle timeout).',
      labelNames: ['resource', 'reason'] as const,
      registers: [registry],
    }),
);

const relists = singleton(
  'my_workload_informer_relists_total',
  () =>
    new Counter({
      name: 'my_workload_informer_relists_total',
      help: 'Full lists done by informers after the first one, by resource (each follows a 410 Gone or a failed list).',
      labelNames: ['resource'] as const,
      registers: [registry],
    }),
);

export interface ReflectorOptions<T extends KubeObject> {
  /** Where the objects come from (listWatchFromClient in production). */
  readonly listerWatcher: ListerWatcher<T>;
  /** The resource listed and watched; names the reflector in logs and metrics. */
  readonly resource: Resource<T>;
  readonly store: Store<T>;
  /** Called after the store changed, with what changed. Must not throw. */
  readonly onDeltas: (deltas: readonly StoreDelta<T>[]) => void;
  /** Applied to every object before it is stored (default: drop managedFields). */
  readonly transform?: (obj: T) => T;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Server-side watch timeout; default uniformly random in [300, 600) s as client-go. */
  readonly watchTimeoutSeconds?: () => number;
  /** Abort a watch that delivers no byte for this long (ms). Bookmarks arrive about once a minute. Default 120 000. */
  readonly idleTimeoutMs?: number;
  /** Page size of lists. Default 500. */
  readonly pageSize?: number;
}

export function dropManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export class Reflector<T extends KubeObject> {
  private readonly options: ReflectorOptions<T>;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly transform: (obj: T) => T;
  private readonly label: string;
  /** resourceVersion of the newest list, event or bookmark applied. */
  private resourceVersion = '';
  private listed = false;
  private listCount = 0;

  constructor(options: ReflectorOptions<T>) {
    this.options = options;
    this.clock = options.clock ?? realClock;
    this.backoff = new Backoff(this.clock, { random: options.random });
    this.transform = options.transform ?? dropManagedFields;
    this.label = options.resource.group ? `${options.resource.plural}.${options.resource.group}` : options.resource.plural;
  }

  /** True once the first list has been applied to the store. */
  get hasSynced(): boolean {
    return this.listed;
  }

  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Runs until the signal aborts; never rejects for API failures. */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.options.logger;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
        }
        const started = this.clock.now();
        const events = await this.watch(signal);
        if (signal.aborted) break;
        watchRestarts.inc({ resource: this.label, reason: 'closed' });
        // A stream the server closes at once without a single event points at a problem
        // (client-go: "very short watch"); back off instead of spinning.
        if (events === 0 && this.clock.now() - started < 1000) await this.clock.sleep(this.backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) break;
        // 410 Gone, as the answer to the watch request or as an ERROR event in its stream.
        if (isGone(err)) {
          watchRestarts.inc({ resource: this.label, reason: 'gone' });
          log.info('watch expired, relisting', { resource: this.label, resourceVersion: this.resourceVersion });
          needList = true;
          continue;
        }
        watchRestarts.inc({ resource: this.label, reason: err instanceof WatchIdleError ? 'idle' : 'error' });
        const delay = this.backoff.next();
        log.warn(needList ? 'list failed, retrying' : 'watch failed, retrying', {
          resource: this.label,
          retryInMs: Math.round(delay),
          err,
        });
        try {
          await this.clock.sleep(delay, signal);
        } catch {
          break;
        }
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const { items, resourceVersion } = await this.options.listerWatcher.list({ limit: this.options.pageSize ?? 500 }, signal);
    if (this.listCount++ > 0) relists.inc({ resource: this.label });
    const deltas = replaceAll(this.options.store, items.map(this.transform));
    this.resourceVersion = resourceVersion;
    this.listed = true;
    this.options.onDeltas(deltas);
  }

  /** One watch stream; resolves with the number of events on a normal close. */
  private async watch(signal: AbortSignal): Promise<number> {
    const { listerWatcher, store } = this.options;
    const timeoutSeconds = this.options.watchTimeoutSeconds?.() ?? Math.floor(300 + Math.random() * 300);
    let count = 0;
    const stream = listerWatcher.watch({
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      idleTimeoutMs: this.options.idleTimeoutMs,
      signal,
    });
    for await (const event of stream) {
      count++;
      const rv = event.object.metadata?.resourceVersion;
      switch (event.type) {
        case 'BOOKMARK':
          break;
        case 'ERROR':
          throw new WatchStatusError(this.label, statusFromObject(event.object));
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED':
          this.options.onDeltas(applyWatchEvent(store, event.type, this.transform(event.object)));
          break;
        default: {
          const unknown: never = event.type;
          throw new Error(`unknown watch event type ${String(unknown)}`);
        }
      }
      if (rv) this.resourceVersion = rv;
    }
    return count;
  }
}

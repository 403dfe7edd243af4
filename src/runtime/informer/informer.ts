// Shared informers: one reflector and one store per resource for the whole process, however many
// controllers watch it (client-go SharedInformerFactory). Handlers run synchronously after the
// store has changed, so a handler that reads the store sees the new state; they should only
// enqueue keys.
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import type { KubeClient } from '../client/rest.ts';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { Logger } from '../logging.ts';
import { listWatchFromClient } from './lister-watcher.ts';
import { dropManagedFields, Reflector } from './reflector.ts';
import type { IndexFunc, ReadonlyStore, StoreDelta } from './store.ts';
import { Store } from './store.ts';

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface SharedInformer<T extends KubeObject> {
  readonly resource: Resource<T>;
  readonly store: ReadonlyStore<T>;
  readonly hasSynced: boolean;
  /**
   * resourceVersion of the newest list, event or bookmark applied to the store ("" before the first
   * list). Handlers for that event have already run when it advances.
   */
  readonly lastSyncResourceVersion: string;
  /**
   * Registers a handler. One registered after the first list receives an add for every cached
   * object first, so it never misses state (client-go behaviour).
   */
  addEventHandler(handler: EventHandler<T>): void;
}

export interface InformerFactoryOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  /** Namespace for namespaced resources; undefined = all namespaces. */
  readonly namespace?: string;
  readonly clock?: Clock;
  /** Re-deliver every object as an update this often (ms); 0 = never. Default 0. */
  readonly resyncPeriodMs?: number;
}

class Informer<T extends KubeObject> implements SharedInformer<T> {
  readonly resource: Resource<T>;
  readonly store: Store<T>;
  readonly reflector: Reflector<T>;
  private readonly handlers: EventHandler<T>[] = [];
  private readonly logger: Logger;

  readonly trim: ((obj: T) => T) | undefined;

  constructor(
    resource: Resource<T>,
    indexers: Readonly<Record<string, IndexFunc<T>>>,
    options: InformerFactoryOptions,
    trim: ((obj: T) => T) | undefined,
  ) {
    this.resource = resource;
    this.trim = trim;
    this.logger = options.logger;
    this.store = new Store<T>(indexers);
    this.reflector = new Reflector<T>({
      listerWatcher: listWatchFromClient(options.client, resource, {
        namespace: resource.namespaced ? options.namespace : undefined,
      }),
      resource,
      store: this.store,
      onDeltas: (deltas) => this.dispatch(deltas),
      transform: trim === undefined ? dropManagedFields : (obj) => trim(dropManagedFields(obj)),
      logger: options.logger.child({ informer: resource.plural }),
      clock: options.clock,
    });
  }

  get hasSynced(): boolean {
    return this.reflector.hasSynced;
  }

  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    if (this.hasSynced) for (const obj of this.store.list()) this.call(() => handler.onAdd?.(obj));
  }

  resync(): void {
    for (const obj of this.store.list()) for (const h of this.handlers) this.call(() => h.onUpdate?.(obj, obj));
  }

  private dispatch(deltas: readonly StoreDelta<T>[]): void {
    for (const delta of deltas) {
      for (const h of this.handlers) {
        switch (delta.type) {
          case 'add':
            this.call(() => h.onAdd?.(delta.obj));
            break;
          case 'update':
            this.call(() => h.onUpdate?.(delta.old, delta.obj));
            break;
          case 'delete':
            this.call(() => h.onDelete?.(delta.obj));
            break;
        }
      }
    }
  }

  /** A throwing handler must not stop the informer or the other handlers. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error('event handler failed', { resource: this.resource.plural, err });
    }
  }
}

export class InformerFactory {
  private readonly options: InformerFactoryOptions;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly running: Promise<void>[] = [];
  private started: AbortSignal | undefined;

  constructor(options: InformerFactoryOptions) {
    this.options = options;
  }

  /**
   * The shared informer for `resource`. Indexers are merged when several callers ask before start;
   * asking with a new index after start is a programming error. `trim` (beyond dropping
   * managedFields, which every informer does) keeps only what the readers of this cache read: it
   * is the cache's shape, so every caller must pass the same function or none.
   */
  informerFor<T extends KubeObject>(
    resource: Resource<T>,
    indexers: Readonly<Record<string, IndexFunc<T>>> = {},
    trim?: (obj: T) => T,
  ): SharedInformer<T> {
    const key = `${resource.group}/${resource.version}/${resource.plural}`;
    const existing = this.informers.get(key);
    if (existing) {
      // The map is keyed by resource, so the entry under this key was created for this T.
      const informer = existing as unknown as Informer<T>;
      if (informer.trim !== trim) throw new Error(`informer for ${key} requested with another trim function`);
      const missing = Object.entries(indexers).filter(([name]) => !informer.store.hasIndex(name));
      if (missing.length > 0) {
        if (this.started) throw new Error(`informer for ${key} requested with new indexes after start`);
        informer.store.addIndexers(Object.fromEntries(missing));
      }
      return informer;
    }
    if (this.started) throw new Error(`informer for ${key} requested after start`);
    const informer = new Informer<T>(resource, indexers, this.options, trim);
    this.informers.set(key, informer as unknown as Informer<KubeObject>);
    return informer;
  }

  /**
   * The shared informer for `resource` if someone already asked for it with informerFor, else
   * undefined; never creates one. For consumers that only read what the controllers watch anyway
   * (an informer of their own would list a resource that may not even be installed).
   */
  existingInformerFor<T extends KubeObject>(resource: Resource<T>): SharedInformer<T> | undefined {
    // The map is keyed by resource, so the entry under this key was created for this T.
    return this.informers.get(`${resource.group}/${resource.version}/${resource.plural}`) as unknown as Informer<T> | undefined;
  }

  /** Starts every informer created so far; they run until the signal aborts. */
  start(signal: AbortSignal): void {
    this.started = signal;
    for (const informer of this.informers.values()) {
      this.running.push(informer.reflector.run(signal));
    }
    const period = this.options.resyncPeriodMs ?? 0;
    if (period > 0) {
      const timer = setInterval(() => {
        for (const informer of this.informers.values()) informer.resync();
      }, period);
      timer.unref();
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    }
  }

  /** Names of informers that have not finished their first list. */
  unsynced(): string[] {
    return [...this.informers.values()].filter((i) => !i.hasSynced).map((i) => i.resource.plural);
  }

  /** Resolves once every informer has synced, or rejects when the signal aborts. */
  async waitForCacheSync(signal: AbortSignal, pollMs = 50): Promise<void> {
    const clock = this.options.clock ?? realClock;
    while (this.unsynced().length > 0) await clock.sleep(pollMs, signal);
  }

  /** Resolves when every reflector loop has returned (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.allSettled(this.running);
  }
}

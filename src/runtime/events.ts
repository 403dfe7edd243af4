// Core v1 Events, recorded as client-go's tools/record does (upstream: tools/record/event.go,
// events_cache.go), so `kubectl describe` shows ours like kube-controller-manager's:
// - event() never blocks: it queues (bounded; drops and counts when full) and one writer drains;
// - a repeat (same object, type, reason, message) PATCHes count+1 and lastTimestamp of the Event
//   written before (created again if it is gone);
// - from the 10th distinct message per object+type+reason (gaps under 600 s) one Event is reused,
//   its message prefixed `(combined from similar events): `;
// - per object+type a token bucket (burst 25, 1 token per 300 s, TryAccept) drops the excess;
// - transport errors are retried 12 times, 10 s apart; an API error (the server refused) is not.
//
// The correlation steps are pure functions over small records (`eventKey`, `aggregate`,
// `observeRepeat`, and token-bucket.ts `tryAccept`); EventCorrelator keeps their state in LRU caches.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter } from 'prom-client';
import type { CoreEvent, ObjectReference } from '../api/core.ts';
import type { ObjectMeta } from '../api/meta.ts';
import { isDns1123Subdomain } from '../api/names.ts';
import type { Resource } from '../api/resources.ts';
import { events } from '../api/resources.ts';
import { ApiError, isAlreadyExists, isNamespaceTerminating, isNotFound } from './client/errors.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import type { Logger } from './logging.ts';
import { silentLogger } from './logging.ts';
import { registry, singleton } from './metrics/registry.ts';
import { formatMetaV1Time } from './time.ts';
import type { TokenBucketState } from './token-bucket.ts';
import { tryAccept } from './token-bucket.ts';

export const eventComponent = 'my-workload-operator';

/** Why an event was not written: the queue was full, the spam filter, the server refused it, or
 *  every retry failed. */
export type EventDropReason = 'queue_full' | 'spam_filtered' | 'rejected' | 'retries_exhausted';

const eventsDropped = singleton(
  'event_recorder_dropped_events_total',
  () =>
    new Counter({
      name: 'event_recorder_dropped_events_total',
      help: 'Events that were not written to the API server, by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
);

// ---- correlation: pure functions ------------------------------------------------------------

/** Upstream defaults (events_cache.go). */
export const correlationDefaults = {
  lruCacheSize: 4096,
  aggregateMaxEvents: 10,
  aggregateIntervalMs: 600_000,
  spamBurst: 25,
  spamQps: 1 / 300,
} as const;

export const combinedMessagePrefix = '(combined from similar events): ';

function joinKey(parts: readonly (string | undefined)[]): string {
  // A separator that cannot occur in names, unlike upstream's plain concatenation.
  return parts.map((p) => p ?? '').join('\u0000');
}

/** The part every key starts with: who reports, about which object, of which type. */
function sourceObjectType(e: CoreEvent): (string | undefined)[] {
  const o = e.involvedObject;
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type];
}

/** Identifies repeats of one event: same source, object, type, reason and message. */
export function eventKey(e: CoreEvent): string {
  return joinKey([...sourceObjectType(e), e.reason, e.message]);
}

/** The spam filter's bucket: per source, object and type. */
export function spamKey(e: CoreEvent): string {
  return joinKey(sourceObjectType(e));
}

/** Events aggregate per source, object, type and reason (`aggregateKey`); `localKey` is the message. */
export function aggregateKeys(e: CoreEvent): { readonly aggregateKey: string; readonly localKey: string } {
  return {
    aggregateKey: joinKey([...sourceObjectType(e), e.reason, e.reportingComponent, e.reportingInstance]),
    localKey: e.message ?? '',
  };
}

/** The distinct messages seen for one aggregate key, oldest first, and when the last one came. */
export interface AggregateRecord {
  readonly messages: readonly string[];
  readonly lastSeenAt: number;
}

/**
 * Adds `message` to the record (starting afresh after more than `intervalMs` of silence) and says
 * whether the event should be folded into the combined one: from the `maxEvents`-th distinct
 * message on. Upstream then forgets one message (PopAny), so a later repeat of a remembered
 * message is written on its own again; we forget the oldest, which makes it deterministic.
 * upstream: events_cache.go EventAggregator.EventAggregate.
 */
export function aggregate(
  record: AggregateRecord | undefined,
  message: string,
  now: number,
  limits: { readonly maxEvents: number; readonly intervalMs: number },
): { readonly combine: boolean; readonly record: AggregateRecord } {
  const fresh = record === undefined || now - record.lastSeenAt > limits.intervalMs;
  const previous = fresh ? [] : record.messages;
  const messages = previous.includes(message) ? previous : [...previous, message];
  if (messages.length < limits.maxEvents) return { combine: false, record: { messages, lastSeenAt: now } };
  return { combine: true, record: { messages: messages.slice(1), lastSeenAt: now } };
}

/** What we know of an Event already written (upstream: eventLog). */
export interface EventLog {
  readonly count: number;
  readonly firstTimestamp: string;
  readonly name: string;
  readonly resourceVersion: string;
}

/** The merge patch of a repeat: the fields a repeat changes. */
export interface EventPatch {
  readonly count: number;
  readonly lastTimestamp: string;
  readonly message: string;
}

/**
 * Turns `event` into a repeat of the one logged before under the same key, if any: same name and
 * firstTimestamp, count + 1, plus the patch to send. upstream: events_cache.go eventObserve.
 */
export function observeRepeat(
  event: CoreEvent,
  last: EventLog | undefined,
): { readonly event: CoreEvent; readonly patch: EventPatch | undefined; readonly log: EventLog } {
  if (last === undefined || last.count <= 0) {
    return { event, patch: undefined, log: logOf(event) };
  }
  const repeated: CoreEvent = {
    ...event,
    metadata: { ...event.metadata, name: last.name, resourceVersion: last.resourceVersion || undefined },
    firstTimestamp: last.firstTimestamp,
    count: last.count + 1,
  };
  return {
    event: repeated,
    patch: { count: last.count + 1, lastTimestamp: event.lastTimestamp ?? '', message: event.message ?? '' },
    log: logOf(repeated),
  };
}

function logOf(e: CoreEvent): EventLog {
  return {
    count: e.count ?? 1,
    firstTimestamp: e.firstTimestamp ?? '',
    name: e.metadata.name ?? '',
    resourceVersion: e.metadata.resourceVersion ?? '',
  };
}

/**
 * `<name>.<unix nanoseconds in hex>`, or a UUID when that is no valid object name (too long).
 * upstream: tools/record/util GenerateEventName.
 */
export function eventName(refName: string, unixNano: bigint): string {
  const name = `${refName}.${unixNano.toString(16)}`;
  return isDns1123Subdomain(name) ? name : randomUUID();
}

// ---- correlation: state ---------------------------------------------------------------------

/** A Map that forgets the least recently used entry beyond `size` (upstream: k8s.io/utils/lru). */
class LruCache<V> {
  private readonly entries = new Map<string, V>();
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.size) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

export type CorrelateResult =
  | { readonly kind: 'skip' }
  | { readonly kind: 'create'; readonly event: CoreEvent; readonly key: string }
  | { readonly kind: 'patch'; readonly event: CoreEvent; readonly patch: EventPatch; readonly key: string };

export interface CorrelatorOptions {
  readonly lruCacheSize?: number;
  readonly aggregateMaxEvents?: number;
  readonly aggregateIntervalMs?: number;
  readonly spamBurst?: number;
  readonly spamQps?: number;
}

/**
 * Decides for each new event whether to create, patch or skip it. `newName(refName)` names a
 * combined event. upstream: events_cache.go EventCorrelator.EventCorrelate.
 */
export class EventCorrelator {
  private readonly aggregates: LruCache<AggregateRecord>;
  private readonly logs: LruCache<EventLog>;
  private readonly spam: LruCache<TokenBucketState>;
  private readonly limits: Required<CorrelatorOptions>;
  private readonly newName: (refName: string, now: number) => string;

  constructor(newName: (refName: string, now: number) => string, options: CorrelatorOptions = {}) {
    this.limits = { ...correlationDefaults, ...options };
    this.aggregates = new LruCache(this.limits.lruCacheSize);
    this.logs = new LruCache(this.limits.lruCacheSize);
    this.spam = new LruCache(this.limits.lruCacheSize);
    this.newName = newName;
  }

  correlate(event: CoreEvent, now: number): CorrelateResult {
    const { aggregateKey, localKey } = aggregateKeys(event);
    const aggregated = aggregate(this.aggregates.get(aggregateKey), localKey, now, {
      maxEvents: this.limits.aggregateMaxEvents,
      intervalMs: this.limits.aggregateIntervalMs,
    });
    this.aggregates.set(aggregateKey, aggregated.record);

    let candidate = event;
    let key = eventKey(event);
    if (aggregated.combine) {
      const time = formatMetaV1Time(now);
      candidate = {
        ...event,
        metadata: { name: this.newName(event.involvedObject.name ?? '', now), namespace: event.metadata.namespace },
        message: combinedMessagePrefix + (event.message ?? ''),
        count: 1,
        firstTimestamp: time,
        lastTimestamp: time,
      };
      key = aggregateKey;
    }

    // As upstream, a repeat is counted before the spam filter runs: a dropped repeat still
    // raises the count the next written repeat carries.
    const observed = observeRepeat(candidate, this.logs.get(key));
    this.logs.set(key, observed.log);

    const spamId = spamKey(observed.event);
    // upstream: events_cache.go EventSourceObjectSpamFilter.Filter (a new bucket starts full).
    const spam = tryAccept(this.spam.get(spamId), now, {
      burst: this.limits.spamBurst,
      qps: this.limits.spamQps,
    });
    this.spam.set(spamId, spam.state);
    if (!spam.accepted) return { kind: 'skip' };

    return observed.patch === undefined
      ? { kind: 'create', event: observed.event, key }
      : { kind: 'patch', event: observed.event, patch: observed.patch, key };
  }

  /** Records the Event the server returned, so the next repeat patches it. */
  updateState(key: string, written: CoreEvent): void {
    this.logs.set(key, logOf(written));
  }
}

// ---- the recorder ---------------------------------------------------------------------------

/** The object an event is about. Items of a list lack apiVersion/kind: fill them in. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Pick<ObjectMeta, 'namespace' | 'name' | 'uid' | 'resourceVersion'>;
}

export type EventType = 'Normal' | 'Warning';

/** The calls the recorder makes; KubeClient satisfies it. */
export interface EventClient {
  create(res: Resource<CoreEvent>, obj: CoreEvent, options?: { readonly signal?: AbortSignal }): Promise<CoreEvent>;
  patch(
    res: Resource<CoreEvent>,
    namespace: string,
    name: string,
    type: 'merge',
    body: unknown,
    options?: { readonly signal?: AbortSignal },
  ): Promise<CoreEvent>;
}

export interface EventRecorderOptions {
  readonly client: EventClient;
  /** source.component and reportingComponent. Default `my-workload-operator`. */
  readonly component?: string;
  /** source.host and reportingInstance: this process's identity. Default os.hostname(). */
  readonly host?: string;
  /** Events waiting to be written; beyond it they are dropped and counted. Default 1000. */
  readonly maxQueuedEvents?: number;
  /** Tries per event on transport errors. Default 12. */
  readonly maxTriesPerEvent?: number;
  /** Between tries; the first wait is a random fraction of it. Default 10 000. */
  readonly retryIntervalMs?: number;
  readonly correlation?: CorrelatorOptions;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly random?: () => number;
}

/**
 * Records Events about objects. event() returns at once; writes happen in order on one async
 * writer. flush() waits until everything queued so far is written or given up; shutdown() stops
 * accepting events, cancels retry waits and flushes.
 */
export class EventRecorder {
  readonly component: string;
  readonly host: string;
  private readonly client: EventClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly maxQueuedEvents: number;
  private readonly maxTriesPerEvent: number;
  private readonly retryIntervalMs: number;
  private readonly correlator: EventCorrelator;
  private readonly queue: CoreEvent[] = [];
  private readonly closing = new AbortController();
  /** True while the writer loop runs; it clears the flag in the same turn it finds the queue empty. */
  private draining = false;
  private writer: Promise<void> = Promise.resolve();
  /** Last timestamp (ns) used in a name: names stay unique when the clock has ms resolution. */
  private lastNano = 0n;

  constructor(options: EventRecorderOptions) {
    this.client = options.client;
    this.component = options.component ?? eventComponent;
    this.host = options.host ?? hostname();
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger();
    this.random = options.random ?? Math.random;
    this.maxQueuedEvents = options.maxQueuedEvents ?? 1000;
    this.maxTriesPerEvent = options.maxTriesPerEvent ?? 12;
    this.retryIntervalMs = options.retryIntervalMs ?? 10_000;
    this.correlator = new EventCorrelator((refName, now) => this.uniqueName(refName, now), options.correlation);
  }

  /** Queues an Event about `obj`. Never blocks or throws. */
  event(obj: InvolvedObject, type: EventType, reason: string, message: string): void {
    if (this.closing.signal.aborted) return;
    const name = obj.metadata.name;
    if (!name) {
      this.logger.error('cannot record event for an object without a name', { kind: obj.kind, reason });
      return;
    }
    if (this.queue.length >= this.maxQueuedEvents) {
      eventsDropped.inc({ reason: 'queue_full' });
      this.logger.warn('event queue full, dropping event', { kind: obj.kind, object: name, reason });
      return;
    }
    this.queue.push(this.makeEvent(obj, name, type, reason, message));
    if (!this.draining) {
      // The writer starts on a later turn: no request is begun on the caller's stack.
      this.draining = true;
      this.writer = Promise.resolve().then(() => this.drain());
    }
  }

  /** Resolves once every event queued before or during the call is written or given up. */
  async flush(): Promise<void> {
    while (this.draining) await this.writer;
  }

  /** Stops accepting events, gives up on retry waits, and flushes. */
  async shutdown(): Promise<void> {
    this.closing.abort();
    await this.flush();
  }

  private makeEvent(obj: InvolvedObject, name: string, type: EventType, reason: string, message: string): CoreEvent {
    const now = this.clock.now();
    const time = formatMetaV1Time(now);
    const involvedObject: ObjectReference = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    };
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.uniqueName(name, now), namespace: obj.metadata.namespace || 'default' },
      involvedObject,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: time,
      lastTimestamp: time,
      source: { component: this.component, host: this.host },
      reportingComponent: this.component,
      reportingInstance: this.host,
    };
  }

  private uniqueName(refName: string, now: number): string {
    let nano = BigInt(Math.floor(now)) * 1_000_000n;
    if (nano <= this.lastNano) nano = this.lastNano + 1n;
    this.lastNano = nano;
    return eventName(refName, nano);
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        await this.recordToSink(next);
      }
    } finally {
      this.draining = false;
    }
  }

  /** upstream: event.go recordToSink. */
  private async recordToSink(event: CoreEvent): Promise<void> {
    const result = this.correlator.correlate(event, this.clock.now());
    if (result.kind === 'skip') {
      eventsDropped.inc({ reason: 'spam_filtered' });
      this.logger.debug('event dropped by the spam filter', { object: event.involvedObject.name, reason: event.reason });
      return;
    }
    for (let tries = 1; ; tries++) {
      if (await this.write(result)) return;
      if (tries >= this.maxTriesPerEvent) {
        eventsDropped.inc({ reason: 'retries_exhausted' });
        this.logger.error('unable to write event, retry limit exceeded', { object: event.involvedObject.name, reason: event.reason });
        return;
      }
      // The first wait is random so that writers failing together do not retry together.
      const delay = tries === 1 ? this.retryIntervalMs * this.random() : this.retryIntervalMs;
      try {
        await this.clock.sleep(delay, this.closing.signal);
      } catch {
        eventsDropped.inc({ reason: 'retries_exhausted' });
        this.logger.error('unable to write event, recorder is shut down', { object: event.involvedObject.name, reason: event.reason });
        return;
      }
    }
  }

  /**
   * One try. True when done (written, or refused by the server: retrying would not help),
   * false on a transport error. upstream: event.go recordEvent.
   */
  private async write(result: Exclude<CorrelateResult, { kind: 'skip' }>): Promise<boolean> {
    const namespace = result.event.metadata.namespace ?? 'default';
    try {
      let written: CoreEvent | undefined;
      if (result.kind === 'patch') {
        try {
          written = await this.client.patch(events, namespace, result.event.metadata.name ?? '', 'merge', result.patch);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      written ??= await this.client.create(events, withoutResourceVersion(result.event));
      this.correlator.updateState(result.key, written);
      return true;
    } catch (err) {
      if (err instanceof ApiError) {
        eventsDropped.inc({ reason: 'rejected' });
        const fields = { object: result.event.involvedObject.name, reason: result.event.reason, err };
        if (isAlreadyExists(err) || isNamespaceTerminating(err)) this.logger.debug('server rejected event', fields);
        else this.logger.error('server rejected event', fields);
        return true;
      }
      this.logger.warn('unable to write event, will retry', { object: result.event.involvedObject.name, err });
      return false;
    }
  }
}

function withoutResourceVersion(event: CoreEvent): CoreEvent {
  const { resourceVersion: _dropped, ...metadata } = event.metadata;
  return { ...event, metadata };
}

// An in-memory ListerWatcher for reflector tests. Every list and watch the reflector makes becomes
// a pending call the test takes with nextList()/nextWatch() and answers: resolve or reject a list,
// send events into a watch, close it or make it fail. Each step hands back a promise that settles
// when the reflector has acted on it, so tests never guess how long the reflector needs.
import type { KubeObject } from '../../src/api/meta.ts';
import type { WatchEvent } from '../../src/runtime/client/watch-decoder.ts';
import type {
  ListerWatcher,
  ListerWatcherListOptions,
  ListerWatcherWatchOptions,
} from '../../src/runtime/informer/lister-watcher.ts';
import type { Deferred } from './microtasks.ts';
import { deferred } from './microtasks.ts';

/** Calls in arrival order; next() takes the oldest, waiting for one if none is pending. */
class CallQueue<C> {
  private readonly pending: C[] = [];
  private readonly takers: ((call: C) => void)[] = [];
  count = 0;

  push(call: C): void {
    this.count++;
    const taker = this.takers.shift();
    if (taker) taker(call);
    else this.pending.push(call);
  }

  next(): Promise<C> {
    const call = this.pending.shift();
    if (call !== undefined) return Promise.resolve(call);
    return new Promise<C>((resolve) => this.takers.push(resolve));
  }
}

export interface ListResult<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** One list request, answered by the test. */
export class PendingList<T> {
  readonly options: ListerWatcherListOptions;
  private readonly answer: Deferred<ListResult<T>>;

  constructor(options: ListerWatcherListOptions, answer: Deferred<ListResult<T>>) {
    this.options = options;
    this.answer = answer;
  }

  resolve(result: ListResult<T>): void {
    this.answer.resolve(result);
  }

  reject(err: Error): void {
    this.answer.reject(err);
  }
}

type StreamItem<T> =
  | { readonly kind: 'event'; readonly event: WatchEvent<T>; readonly handled: () => void }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly err: Error };

/**
 * One watch stream. An event counts as handled when the reflector asks for the next one (a
 * for-await loop does so only after its body has run) or stops reading.
 */
export class FakeWatch<T> implements AsyncIterable<WatchEvent<T>> {
  readonly options: ListerWatcherWatchOptions;
  private readonly items: StreamItem<T>[] = [];
  private waiting: Deferred<IteratorResult<WatchEvent<T>>> | undefined;
  private inHand: (() => void) | undefined;
  private finished = false;

  constructor(options: ListerWatcherWatchOptions) {
    this.options = options;
    // Like the REST client, a watch whose caller aborted ends quietly.
    options.signal.addEventListener('abort', () => this.push({ kind: 'end' }), { once: true });
  }

  /** True once the reflector has stopped reading this stream. */
  get ended(): boolean {
    return this.finished;
  }

  /** Delivers `event`; resolves once the reflector has handled it or stopped reading. */
  send(event: WatchEvent<T>): Promise<void> {
    return new Promise<void>((resolve) => this.push({ kind: 'event', event, handled: resolve }));
  }

  /** Ends the stream as an API server does when the watch times out. */
  close(): void {
    this.push({ kind: 'end' });
  }

  /** Breaks the stream: the reflector's next read rejects with `err`. */
  fail(err: Error): void {
    this.push({ kind: 'error', err });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    return {
      next: () => this.next(),
      return: () => {
        this.stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private push(item: StreamItem<T>): void {
    if (this.finished) {
      if (item.kind === 'event') item.handled();
      return;
    }
    this.items.push(item);
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      this.deliver(waiting);
    }
  }

  private next(): Promise<IteratorResult<WatchEvent<T>>> {
    this.releaseInHand();
    const result = deferred<IteratorResult<WatchEvent<T>>>();
    if (this.finished) result.resolve({ done: true, value: undefined });
    else if (this.items.length > 0) this.deliver(result);
    else this.waiting = result;
    return result.promise;
  }

  private deliver(to: Deferred<IteratorResult<WatchEvent<T>>>): void {
    const item = this.items.shift();
    if (item === undefined) return;
    if (item.kind === 'event') {
      this.inHand = item.handled;
      to.resolve({ done: false, value: item.event });
      return;
    }
    this.stop();
    if (item.kind === 'end') to.resolve({ done: true, value: undefined });
    else to.reject(item.err);
  }

  private stop(): void {
    this.finished = true;
    this.releaseInHand();
    for (const item of this.items.splice(0)) if (item.kind === 'event') item.handled();
  }

  private releaseInHand(): void {
    const handled = this.inHand;
    this.inHand = undefined;
    handled?.();
  }
}

export class FakeListerWatcher<T extends KubeObject> implements ListerWatcher<T> {
  private readonly lists = new CallQueue<PendingList<T>>();
  private readonly watches = new CallQueue<FakeWatch<T>>();

  /** Lists requested so far. */
  get listCalls(): number {
    return this.lists.count;
  }

  /** Watches opened so far. */
  get watchCalls(): number {
    return this.watches.count;
  }

  /** The oldest list request not yet taken, once the reflector has made it. */
  nextList(): Promise<PendingList<T>> {
    return this.lists.next();
  }

  /** The oldest watch not yet taken, once the reflector has opened it. */
  nextWatch(): Promise<FakeWatch<T>> {
    return this.watches.next();
  }

  list(options: ListerWatcherListOptions, signal: AbortSignal): Promise<ListResult<T>> {
    const answer = deferred<ListResult<T>>();
    signal.addEventListener('abort', () => answer.reject(new Error('aborted')), { once: true });
    this.lists.push(new PendingList(options, answer));
    return answer.promise;
  }

  watch(options: ListerWatcherWatchOptions): AsyncIterable<WatchEvent<T>> {
    const stream = new FakeWatch<T>(options);
    this.watches.push(stream);
    return stream;
  }
}

// Watches whose events e2e tests replay. Pods here turn Ready within milliseconds, so a poll sees
// the end of a rollout, not its steps: anything about order or "never" (maxUnavailable, creation
// order, a halted rollout) reads a watch opened before the action and checks every state its event
// sequence passes through. Shared by the MyDaemonSet and MyStatefulSet suites.
import type { KubeObject } from '../../../src/api/meta.ts';
import type { Resource } from '../../../src/api/resources.ts';
import type { KubeClient } from '../../../src/runtime/client/rest.ts';
import { testClient, waitFor, type WaitOptions } from './env.ts';
import { uidOf } from './objects.ts';

export interface Observed<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: T;
  /** When the test received it (ms): never before the writer acted. */
  readonly at: number;
}

/**
 * A watch opened from a list's resourceVersion and recorded until stopped. `replay` walks the
 * states it saw, one per event, starting from the list. A watch the server closes is resumed from
 * the last resourceVersion seen (no event lost); any other failure is kept and fails `replay`.
 */
export class Recorder<T extends KubeObject> {
  readonly events: Observed<T>[] = [];
  readonly initial: readonly T[];
  readonly startedAt: number;
  private failure: unknown;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  private readonly client: KubeClient;
  private readonly resource: Resource<T>;
  private readonly namespace: string | undefined;

  private constructor(client: KubeClient, resource: Resource<T>, namespace: string | undefined, initial: readonly T[], resourceVersion: string) {
    this.client = client;
    this.resource = resource;
    this.namespace = namespace;
    this.initial = initial;
    this.startedAt = Date.now();
    this.done = this.run(resourceVersion);
  }

  static async start<T extends KubeObject>(resource: Resource<T>, namespace: string | undefined): Promise<Recorder<T>> {
    const client = await testClient();
    const list = await client.list(resource, { namespace });
    return new Recorder(client, resource, namespace, list.items, list.metadata.resourceVersion ?? '');
  }

  private async run(from: string): Promise<void> {
    let resourceVersion = from;
    while (!this.abort.signal.aborted) {
      try {
        for await (const ev of this.client.watch(this.resource, {
          namespace: this.namespace,
          resourceVersion,
          allowWatchBookmarks: true,
          signal: this.abort.signal,
        })) {
          if (ev.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(ev.object)}`);
          resourceVersion = ev.object.metadata.resourceVersion ?? resourceVersion;
          if (ev.type !== 'BOOKMARK') this.events.push({ type: ev.type, object: ev.object, at: Date.now() });
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.failure = err;
        return;
      }
    }
  }

  /** The objects by UID after the whole recorded sequence. */
  current(): Map<string, T> {
    let last = new Map<string, T>();
    for (const step of this.replay()) last = step.state;
    return last;
  }

  /**
   * Every state the watch saw, starting with the list; `event` is undefined for the first. The
   * state map is fresh per step.
   */
  *replay(): Generator<{ readonly state: Map<string, T>; readonly event: Observed<T> | undefined; readonly at: number }> {
    if (this.failure !== undefined) throw new Error('the watch failed, its record is incomplete', { cause: this.failure });
    const state = new Map<string, T>(this.initial.map((o) => [uidOf(o), o]));
    yield { state: new Map(state), event: undefined, at: this.startedAt };
    for (const event of this.events) {
      if (event.type === 'DELETED') state.delete(uidOf(event.object));
      else state.set(uidOf(event.object), event.object);
      yield { state: new Map(state), event, at: event.at };
    }
  }

  /** Waits until the recorded state equals a fresh list (every UID at the same resourceVersion). */
  async caughtUp(options: WaitOptions = { timeoutMs: 30_000 }): Promise<void> {
    const fingerprint = (objs: Iterable<T>): string =>
      [...objs]
        .map((o) => `${uidOf(o)}@${o.metadata.resourceVersion ?? ''}`)
        .sort()
        .join(',');
    await waitFor(
      'the watch to catch up with a fresh list',
      async () => ({
        listed: fingerprint((await this.client.list(this.resource, { namespace: this.namespace })).items),
        watched: fingerprint(this.current().values()),
      }),
      (v) => v.listed === v.watched,
      options,
    );
  }

  /**
   * Waits until the state after every event recorded so far satisfies `done`; returns that state.
   * Reads the watch, not the API: nothing the watch saw is skipped.
   */
  async waitState(what: string, done: (state: Map<string, T>) => boolean, options?: WaitOptions): Promise<Map<string, T>> {
    return waitFor(what, () => Promise.resolve(this.current()), done, { intervalMs: 50, ...options });
  }

  /**
   * Fails as soon as an event recorded from now until `ms` have passed matches `forbidden`: a
   * bounded observation window for "this does not happen" (start it only once the writer has acted
   * on the change, or it proves nothing).
   */
  async expectNoEventFor(ms: number, what: string, forbidden: (event: Observed<T>) => boolean): Promise<void> {
    const from = this.events.length;
    const until = Date.now() + ms;
    for (;;) {
      if (this.failure !== undefined) throw new Error('the watch failed, its record is incomplete', { cause: this.failure });
      const hit = this.events.slice(from).find(forbidden);
      if (hit) throw new Error(`${what}: saw ${hit.type} ${hit.object.metadata.name ?? ''} within ${ms} ms`);
      if (Date.now() >= until) return;
      await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, until - Date.now()))));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

// Watches one workload object by name and records the Ready count its status reports at each
// event: the status side of the status lag (bench/status-lag.ts). Events are timed as
// pod-watch.ts times them, Date.now() when the event is handled, so both timelines share a clock
// and the same client-side delays.
import type { KubeObject } from '../src/api/meta.ts';
import type { Resource } from '../src/api/resources.ts';
import { ApiError } from '../src/runtime/client/errors.ts';
import type { KubeClient } from '../src/runtime/client/rest.ts';
import type { CountPoint } from './status-lag.ts';

/** The watch sent an ERROR event (410 Gone, in practice): list again. */
class WatchExpired extends Error {
  override readonly name = 'WatchExpired';
}

export class StatusWatch<T extends KubeObject> {
  private readonly client: KubeClient;
  private readonly res: Resource<T>;
  private readonly namespace: string;
  private readonly name: string;
  private readonly readyOf: (obj: T) => number;
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  /** The status count at each event, in arrival order. Nothing while the object does not exist. */
  readonly points: CountPoint[] = [];

  constructor(client: KubeClient, res: Resource<T>, namespace: string, name: string, readyOf: (obj: T) => number) {
    this.client = client;
    this.res = res;
    this.namespace = namespace;
    this.name = name;
    this.readyOf = readyOf;
  }

  /**
   * Lists (one LIST request, the caller counts it), then watches in the background from the list's
   * resourceVersion: no event after the list is lost, and on loopback the stream is open within
   * milliseconds, before a controller can have reacted to the step's first write.
   */
  async start(): Promise<void> {
    const rv = await this.relist();
    this.loop = this.watchFrom(rv);
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private get fieldSelector(): string {
    return `metadata.name=${this.name}`;
  }

  private record(obj: T): void {
    this.points.push({ at: Date.now(), count: this.readyOf(obj) });
  }

  private async relist(): Promise<string> {
    const list = await this.client.list(this.res, { namespace: this.namespace, fieldSelector: this.fieldSelector });
    for (const obj of list.items) this.record(obj);
    return list.metadata.resourceVersion ?? '';
  }

  private async watchFrom(resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.stop.signal.aborted) {
      try {
        for await (const event of this.client.watch(this.res, {
          namespace: this.namespace,
          fieldSelector: this.fieldSelector,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          timeoutSeconds: 600,
          signal: this.stop.signal,
        })) {
          if (event.type === 'ERROR') throw new WatchExpired();
          rv = event.object.metadata.resourceVersion ?? rv;
          // A deleted object reports nothing more: its last status stands.
          if (event.type === 'ADDED' || event.type === 'MODIFIED') this.record(event.object);
        }
      } catch (err) {
        if (this.stop.signal.aborted) return;
        if (err instanceof WatchExpired || (err instanceof ApiError && err.code === 410)) rv = await this.relist();
        else await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}

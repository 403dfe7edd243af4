// An in-memory Events endpoint for recorder tests: keeps created Events by namespace/name,
// applies merge patches, and lets a test fail the next requests.
import type { CoreEvent } from '../../src/api/core.ts';
import type { Resource } from '../../src/api/resources.ts';
import type { EventClient } from '../../src/runtime/events.ts';
import { apiError } from './fake-lease-api.ts';

export interface EventCall {
  readonly verb: 'create' | 'patch';
  readonly namespace: string;
  readonly name: string;
  readonly body: unknown;
}

export class FakeEventApi implements EventClient {
  readonly stored = new Map<string, CoreEvent>();
  readonly calls: EventCall[] = [];
  /** Errors thrown by the next requests, first to last. */
  readonly failures: Error[] = [];
  private rv = 0;

  async create(_res: Resource<CoreEvent>, obj: CoreEvent): Promise<CoreEvent> {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    this.calls.push({ verb: 'create', namespace, name, body: obj });
    await Promise.resolve();
    this.failNext();
    const key = `${namespace}/${name}`;
    if (this.stored.has(key)) throw apiError(409, 'AlreadyExists');
    const created = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv), uid: `uid-${this.rv}` } };
    this.stored.set(key, created);
    return created;
  }

  async patch(_res: Resource<CoreEvent>, namespace: string, name: string, _type: 'merge', body: unknown): Promise<CoreEvent> {
    this.calls.push({ verb: 'patch', namespace, name, body });
    await Promise.resolve();
    this.failNext();
    const key = `${namespace}/${name}`;
    const current = this.stored.get(key);
    if (!current) throw apiError(404, 'NotFound');
    const patched: CoreEvent = {
      ...current,
      ...(typeof body === 'object' && body !== null ? body : {}),
      metadata: { ...current.metadata, resourceVersion: String(++this.rv) },
    };
    this.stored.set(key, patched);
    return patched;
  }

  get all(): CoreEvent[] {
    return [...this.stored.values()];
  }

  private failNext(): void {
    const failure = this.failures.shift();
    if (failure) throw failure;
  }
}

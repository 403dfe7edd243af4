// An in-memory Lease endpoint for leader-election tests: optimistic concurrency on
// resourceVersion (409 Conflict), 404 before creation, and hooks to fail or hang requests.
import type { Lease } from '../../src/api/core.ts';
import type { Resource } from '../../src/api/resources.ts';
import { ApiError, TransportError } from '../../src/runtime/client/errors.ts';
import type { LeaseClient } from '../../src/runtime/leader-election.ts';

export type Verb = 'get' | 'create' | 'update';
/** What a request does instead of succeeding: fail with an error, or hang until aborted. */
export type Fault = Error | 'hang' | undefined;

/** An API server's refusal; its message is `reason` unless given. */
export function apiError(code: number, reason: string, message = reason): ApiError {
  return new ApiError({ method: 'X', path: '/leases', code, status: { reason, message }, retryAfterSeconds: undefined });
}

export function transportError(): TransportError {
  return new TransportError('X', '/leases', new Error('connect ECONNREFUSED'));
}

export class FakeLeaseApi implements LeaseClient {
  lease: Lease | undefined;
  readonly calls: Verb[] = [];
  /** Consulted before each request; return a fault to inject it. */
  fault: (verb: Verb) => Fault = () => undefined;
  private rv = 0;

  /** Stores `lease` as if someone else wrote it (new resourceVersion). */
  put(lease: Lease): Lease {
    this.rv++;
    this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(this.rv) } };
    return this.lease;
  }

  async get(_res: Resource<Lease>, _namespace: string, _name: string, signal?: AbortSignal): Promise<Lease> {
    await this.enter('get', signal);
    if (!this.lease) throw apiError(404, 'NotFound');
    return this.lease;
  }

  async create(_res: Resource<Lease>, obj: Lease, options?: { readonly signal?: AbortSignal }): Promise<Lease> {
    await this.enter('create', options?.signal);
    if (this.lease) throw apiError(409, 'AlreadyExists');
    return this.put(obj);
  }

  async update(_res: Resource<Lease>, obj: Lease, options?: { readonly signal?: AbortSignal }): Promise<Lease> {
    await this.enter('update', options?.signal);
    if (!this.lease) throw apiError(404, 'NotFound');
    if (obj.metadata.resourceVersion !== this.lease.metadata.resourceVersion) throw apiError(409, 'Conflict');
    return this.put(obj);
  }

  count(verb: Verb): number {
    return this.calls.filter((c) => c === verb).length;
  }

  private async enter(verb: Verb, signal: AbortSignal | undefined): Promise<void> {
    this.calls.push(verb);
    await Promise.resolve();
    const fault = this.fault(verb);
    if (fault === 'hang') {
      await new Promise<never>((_resolve, reject) => {
        if (signal?.aborted) reject(new Error('aborted'));
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    if (fault instanceof Error) throw fault;
    if (signal?.aborted) throw new Error('aborted');
  }
}

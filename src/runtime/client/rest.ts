// A small REST client for the Kubernetes API that speaks raw JSON: the verbs (get, list, create,
// update, patch, delete, watch) over one shared connection. The pieces live beside it, one job
// each: transport.ts (connection, headers, throttling, metrics), requests.ts (paths, queries,
// bodies), retry.ts (what is sent again and when), watch-decoder.ts (the watch stream), and
// errors.ts (what failures look like to callers).
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeList, KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import { ApiError, TransportError, WatchIdleError, parseStatus } from './errors.ts';
import type { ClientOptions, DeleteOptions, ListOptions, PatchType, Query, WatchOptions, WriteOptions } from './requests.ts';
import { buildUrl, deleteBody, listQuery, patchContentType, resourcePath, watchQuery, writeQuery } from './requests.ts';
import { parseRetryAfter, retryDelayAfterAnswer, retryDelayAfterFailure } from './retry.ts';
import type { ClientLimitState, HttpVerb, StreamResponse, Transport } from './transport.ts';
import { HttpClient } from './transport.ts';
import type { WatchEvent } from './watch-decoder.ts';
import { decodeWatchStream } from './watch-decoder.ts';

// Callers import the client's vocabulary from here, as before the split.
export type { ClientOptions, DeleteOptions, ListOptions, PatchType, WatchOptions, WriteOptions } from './requests.ts';
export { resourcePath } from './requests.ts';
export type { ClientLimitState, Transport } from './transport.ts';
export { transportFromCredentials } from './transport.ts';
export type { WatchEvent } from './watch-decoder.ts';

interface RequestSpec {
  readonly method: HttpVerb;
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  readonly encode?: (body: unknown) => string;
}

export class KubeClient {
  readonly host: string;
  private readonly transport: Transport;
  private readonly http: HttpClient;
  private readonly maxRetries: number;
  private readonly userAgent: string;
  private readonly clock: Clock;

  constructor(transport: Transport, options: ClientOptions = {}) {
    this.transport = transport;
    const qps = options.qps ?? 0;
    this.clock = options.clock ?? realClock;
    this.userAgent = options.userAgent ?? 'my-workload-operator';
    this.http = new HttpClient(transport, {
      qps,
      burst: options.burst ?? Math.max(1, Math.ceil(qps * 1.5)),
      timeoutMs: options.timeoutMs ?? 60_000,
      userAgent: this.userAgent,
      clock: this.clock,
    });
    this.host = this.http.host;
    this.maxRetries = options.maxRetries ?? 10;
  }

  static async fromKubeConfig(kc: KubeConfig, options: ClientOptions = {}): Promise<KubeClient> {
    // client-node's transport is loaded on first use only (client-node-transport.ts says why).
    const { transportFromKubeConfig } = await import('./client-node-transport.ts');
    return new KubeClient(await transportFromKubeConfig(kc), options);
  }

  /** The client-side rate limit now: its QPS and whether requests are waiting on it (write-pacer.ts). */
  get limit(): ClientLimitState {
    return this.http.limit;
  }

  /** A client on the same connection with other limits (e.g. unthrottled for tests). */
  withOptions(options: ClientOptions): KubeClient {
    return new KubeClient(this.transport, { userAgent: this.userAgent, clock: this.clock, ...options });
  }

  // ---- typed verbs --------------------------------------------------------------------------

  get<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, name: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'GET', path: resourcePath(res, namespace, name), signal });
  }

  list<T extends KubeObject>(res: Resource<T>, options: ListOptions = {}, signal?: AbortSignal): Promise<KubeList<T>> {
    return this.request<KubeList<T>>({ method: 'GET', path: resourcePath(res, options.namespace), query: listQuery(options), signal });
  }

  /** Lists every page and returns all items with the resourceVersion of the list. */
  async listAll<T extends KubeObject>(
    res: Resource<T>,
    options: ListOptions = {},
    signal?: AbortSignal,
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.list(res, { limit: 500, ...options, continue: cont }, signal);
      items.push(...page.items);
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  create<T extends KubeObject>(res: Resource<T>, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.request<T>({
      method: 'POST',
      path: resourcePath(res, obj.metadata.namespace, undefined, options.subresource),
      query: writeQuery(options),
      body: obj,
      signal: options.signal,
      encode: options.encode,
    });
  }

  /** PUT of the whole object (or of a subresource such as `status`); carries its resourceVersion. */
  update<T extends KubeObject>(res: Resource<T>, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.request<T>({
      method: 'PUT',
      path: resourcePath(res, obj.metadata.namespace, obj.metadata.name ?? '', options.subresource),
      query: writeQuery(options),
      body: obj,
      signal: options.signal,
    });
  }

  patch<T extends KubeObject>(
    res: Resource<T>,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.request<T>({
      method: 'PATCH',
      path: resourcePath(res, namespace, name, options.subresource),
      query: { ...writeQuery(options), force: type === 'apply' && options.force ? true : undefined },
      body,
      contentType: patchContentType[type],
      signal: options.signal,
    });
  }

  delete(res: Resource, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<unknown> {
    return this.request<unknown>({
      method: 'DELETE',
      path: resourcePath(res, namespace, name),
      body: deleteBody(options),
      signal: options.signal,
    });
  }

  deleteCollection(res: Resource, options: ListOptions & DeleteOptions): Promise<unknown> {
    return this.request<unknown>({
      method: 'DELETE',
      path: resourcePath(res, options.namespace),
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
      body: deleteBody(options),
      signal: options.signal,
    });
  }

  // ---- raw requests -------------------------------------------------------------------------

  /**
   * Sends one request through the rate limiter (each attempt takes a token) and sends it again as
   * retry.ts decides. Throws ApiError for a final non-2xx answer, TransportError when no answer
   * came, and the signal's own error once the caller aborted.
   */
  async request<T>(spec: RequestSpec): Promise<T> {
    const url = buildUrl(this.transport.server, spec.path, spec.query);
    let connectionRetries = 0;
    for (let attempt = 0; ; attempt++) {
      await this.http.throttle(spec.method, spec.signal);
      let answer: Awaited<ReturnType<HttpClient['send']>>;
      try {
        answer = await this.http.send({ ...spec, url });
      } catch (err) {
        if (spec.signal?.aborted) throw err;
        const delay = retryDelayAfterFailure({ method: spec.method, err, connectionRetries });
        if (delay === undefined) throw new TransportError(spec.method, spec.path, err);
        connectionRetries++;
        await this.clock.sleep(delay, spec.signal);
        continue;
      }

      if (answer.status >= 200 && answer.status < 300) {
        if (answer.text.length === 0) return undefined as T;
        // Health endpoints (/readyz, /healthz) answer text/plain.
        const json = (answer.headers.get('content-type') ?? '').includes('json');
        return json ? parseJson<T>(answer.text) : (answer.text as T);
      }
      const retryAfterSeconds = parseRetryAfter(answer.headers.get('retry-after'));
      const delay = retryDelayAfterAnswer({ status: answer.status, retryAfterSeconds, attempt, maxRetries: this.maxRetries });
      if (delay !== undefined) {
        await this.clock.sleep(delay, spec.signal);
        continue;
      }
      throw new ApiError({
        method: spec.method,
        path: spec.path,
        code: answer.status,
        status: parseStatus(answer.text),
        retryAfterSeconds,
      });
    }
  }

  /**
   * Opens a watch and yields its events until the server closes the stream, the idle timeout
   * passes without a byte, or the signal aborts. A non-200 answer throws ApiError (410 included);
   * an idle stream throws WatchIdleError, other stream failures TransportError. Watches bypass
   * the rate limiter, as in client-go. An ERROR event is yielded as it came: the caller decides.
   */
  async *watch<T extends KubeObject>(res: Resource<T>, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const path = resourcePath(res, options.namespace);
    const url = buildUrl(this.transport.server, path, watchQuery(options));
    // The idle timer is a real timer on purpose: it guards a real socket, whatever clock drives
    // the caller's backoffs.
    const idle = new AbortController();
    const idleMs = options.idleTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new Error(`watch idle for ${idleMs} ms`)), idleMs);
      timer.unref();
    };
    const signals = [idle.signal];
    if (options.signal) signals.push(options.signal);
    arm();
    let response: StreamResponse;
    try {
      response = await this.http.open(url, AbortSignal.any(signals));
    } catch (err) {
      clearTimeout(timer);
      throw idle.signal.aborted ? new WatchIdleError(path, idleMs) : new TransportError('WATCH', path, err);
    }
    if (response.status !== 200 || !response.body) {
      clearTimeout(timer);
      const text = await response.text().catch(() => '');
      throw new ApiError({
        method: 'WATCH',
        path,
        code: response.status,
        status: parseStatus(text),
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
      });
    }
    try {
      yield* decodeWatchStream<T>(response.body as AsyncIterable<Uint8Array>, arm);
    } catch (err) {
      if (options.signal?.aborted) return;
      throw idle.signal.aborted ? new WatchIdleError(path, idleMs) : new TransportError('WATCH', path, err);
    } finally {
      clearTimeout(timer);
      idle.abort();
    }
  }
}

function parseJson<T>(text: string): T {
  // The API server is the trust boundary for shape; callers narrow further where it matters.
  return JSON.parse(text) as T;
}

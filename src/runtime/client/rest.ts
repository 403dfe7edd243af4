// A small REST client for the Kubernetes API that speaks raw JSON.
//
// Why not @kubernetes/client-node's generated APIs: their typed bodies drop fields the model does
// not know (a pod template with a newer field would lose it), they turn times into Date objects,
// and every call with a CA builds a new TLS agent. We keep client-node for what it does well —
// loading kubeconfig and in-cluster credentials — and send requests ourselves over one shared
// undici dispatcher, with client-go's client-side throttling, Retry-After handling and metrics.
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Dispatcher } from 'undici';
import { fetch } from 'undici';
import type { KubeList, KubeObject } from '../../api/meta.ts';
import { isRecord } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import { TokenBucket } from '../token-bucket.ts';
import { ApiError, TransportError, parseStatus } from './errors.ts';
import { restClientRateLimiterDuration, restClientRequestDuration, restClientRequests } from './metrics.ts';

export interface ClientOptions {
  /** Client-side request rate (requests/s) for everything but watches. 0 = unlimited. Default 0. */
  readonly qps?: number;
  /** Requests allowed at once above the rate. Default max(1, 1.5 × qps). */
  readonly burst?: number;
  /** Deadline for one non-watch request, in ms. Default 60 000. */
  readonly timeoutMs?: number;
  /** Retries of a 429/5xx answer carrying Retry-After (client-go: 10). */
  readonly maxRetries?: number;
  readonly userAgent?: string;
  readonly clock?: Clock;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const patchContentType: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

export interface WatchOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion?: string;
  readonly timeoutSeconds?: number;
  readonly allowWatchBookmarks?: boolean;
  /** The stream is aborted when no byte arrives for this long (ms). Default 120 000. */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** For ERROR this is a Status, not a T. */
  readonly object: T;
}

export interface WriteOptions {
  readonly subresource?: string;
  readonly fieldManager?: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  /**
   * Writes the body as this returns it instead of JSON.stringify, for objects whose bytes the API
   * server keeps as sent (a ControllerRevision's RawExtension `data`).
   */
  readonly encode?: (body: unknown) => string;
}

export interface DeleteOptions {
  /** Precondition: only delete the object with this UID. */
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  readonly signal?: AbortSignal;
}

interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  readonly encode?: (body: unknown) => string;
}

/** Resolves auth headers and the TLS dispatcher for each request. */
export interface Transport {
  readonly server: string;
  headers(): Promise<Record<string, string>>;
  readonly dispatcher: Dispatcher | undefined;
}

/**
 * Builds a transport from a KubeConfig. The dispatcher is created once and reused (one pooled
 * HTTP/2 or keep-alive connection); auth headers are re-read every 10 s so rotating tokens
 * (projected service-account tokens, exec plugins) are picked up.
 */
export async function transportFromKubeConfig(kc: KubeConfig): Promise<Transport> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const first = new RequestContext(cluster.server, HttpMethod.GET);
  await kc.applySecurityAuthentication(first);
  const dispatcher = first.getDispatcher();
  let cached: { at: number; headers: Record<string, string> } | undefined;
  return {
    server: cluster.server.replace(/\/+$/, ''),
    dispatcher,
    async headers() {
      const now = Date.now();
      if (cached && now - cached.at < 10_000) return cached.headers;
      const ctx = new RequestContext(cluster.server, HttpMethod.GET);
      // applySecurityAuthentication also builds a throw-away dispatcher; only its headers are kept.
      await kc.applySecurityAuthentication(ctx);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(ctx.getHeaders())) headers[k] = String(v);
      cached = { at: now, headers };
      return headers;
    },
  };
}

export class KubeClient {
  readonly host: string;
  private readonly transport: Transport;
  private readonly limiter: TokenBucket;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly userAgent: string;
  private readonly clock: Clock;

  constructor(transport: Transport, options: ClientOptions = {}) {
    this.transport = transport;
    this.host = new URL(transport.server).host;
    const qps = options.qps ?? 0;
    this.clock = options.clock ?? realClock;
    this.limiter = new TokenBucket({
      qps,
      burst: options.burst ?? Math.max(1, Math.ceil(qps * 1.5)),
      clock: this.clock,
    });
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 10;
    this.userAgent = options.userAgent ?? 'my-workload-operator';
  }

  static async fromKubeConfig(kc: KubeConfig, options: ClientOptions = {}): Promise<KubeClient> {
    return new KubeClient(await transportFromKubeConfig(kc), options);
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
    return this.request<KubeList<T>>({
      method: 'GET',
      path: resourcePath(res, options.namespace),
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      },
      signal,
    });
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
   * Sends one request through the rate limiter; retries 429 and 5xx answers that carry an integer
   * Retry-After (at most maxRetries times, each taking a new token), and GETs whose connection was
   * refused or reset (3 times, 0.5 s apart) — client-go's rest/with_retry.go policy.
   */
  async request<T>(spec: RequestSpec): Promise<T> {
    const url = buildUrl(this.transport.server, spec.path, spec.query);
    let transportRetries = 0;
    for (let attempt = 0; ; attempt++) {
      const waitStart = this.clock.now();
      await this.limiter.take(spec.signal);
      const waited = (this.clock.now() - waitStart) / 1000;
      if (waited > 0.001) restClientRateLimiterDuration.observe({ verb: spec.method, host: this.host }, waited);

      const started = performance.now();
      let response: Awaited<ReturnType<typeof fetch>>;
      let text: string;
      try {
        const signals = [AbortSignal.timeout(this.timeoutMs)];
        if (spec.signal) signals.push(spec.signal);
        response = await fetch(url, {
          method: spec.method,
          headers: await this.requestHeaders(spec),
          body: spec.body === undefined ? undefined : (spec.encode ?? JSON.stringify)(spec.body),
          dispatcher: this.transport.dispatcher,
          signal: AbortSignal.any(signals),
        });
        text = await response.text();
      } catch (err) {
        restClientRequests.inc({ code: '<error>', method: spec.method, host: this.host });
        if (spec.signal?.aborted) throw err;
        if (spec.method === 'GET' && transportRetries < 3 && isConnectionError(err)) {
          transportRetries++;
          await this.clock.sleep(500, spec.signal);
          continue;
        }
        throw new TransportError(spec.method, spec.path, err);
      } finally {
        restClientRequestDuration.observe({ verb: spec.method, host: this.host }, (performance.now() - started) / 1000);
      }
      restClientRequests.inc({ code: String(response.status), method: spec.method, host: this.host });

      if (response.status >= 200 && response.status < 300) {
        if (text.length === 0) return undefined as T;
        // Health endpoints (/readyz, /healthz) answer text/plain.
        const json = (response.headers.get('content-type') ?? '').includes('json');
        return json ? parseJson<T>(text) : (text as T);
      }
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if ((response.status === 429 || response.status >= 500) && retryAfter !== undefined && attempt < this.maxRetries) {
        await this.clock.sleep(retryAfter * 1000, spec.signal);
        continue;
      }
      throw new ApiError({
        method: spec.method,
        path: spec.path,
        code: response.status,
        status: parseStatus(text),
        retryAfterSeconds: retryAfter,
      });
    }
  }

  /**
   * Opens a watch and yields its events until the server closes the stream, the idle timeout
   * passes without a byte, or the signal aborts. A non-200 answer throws ApiError (410 included);
   * stream failures throw TransportError. Watches bypass the rate limiter, as in client-go.
   */
  async *watch<T extends KubeObject>(res: Resource<T>, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const path = resourcePath(res, options.namespace);
    const url = buildUrl(this.transport.server, path, {
      watch: true,
      allowWatchBookmarks: options.allowWatchBookmarks,
      resourceVersion: options.resourceVersion,
      timeoutSeconds: options.timeoutSeconds,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
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
    const signal = AbortSignal.any(signals);
    arm();
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(url, {
        method: 'GET',
        headers: { ...(await this.transport.headers()), Accept: 'application/json', 'User-Agent': this.userAgent },
        dispatcher: this.transport.dispatcher,
        signal,
      });
    } catch (err) {
      clearTimeout(timer);
      restClientRequests.inc({ code: '<error>', method: 'WATCH', host: this.host });
      throw new TransportError('WATCH', path, err);
    }
    restClientRequests.inc({ code: String(response.status), method: 'WATCH', host: this.host });
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
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        arm();
        buffered += decoder.decode(chunk, { stream: true });
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
          if (line.length === 0) continue;
          const event = parseWatchEvent<T>(line);
          if (event) yield event;
        }
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      throw new TransportError('WATCH', path, idle.signal.aborted ? idle.signal.reason : err);
    } finally {
      clearTimeout(timer);
      idle.abort();
    }
  }

  private async requestHeaders(spec: RequestSpec): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      ...(await this.transport.headers()),
      Accept: 'application/json',
      'User-Agent': this.userAgent,
    };
    if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json';
    return headers;
  }
}

export function resourcePath(res: Resource, namespace: string | undefined, name?: string, subresource?: string): string {
  let path = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  if (res.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${res.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

function buildUrl(server: string, path: string, query: RequestSpec['query']): string {
  const url = new URL(server + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return url.toString();
}

function writeQuery(options: WriteOptions): Record<string, string | boolean | undefined> {
  return { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
}

function deleteBody(options: DeleteOptions): unknown {
  const preconditions =
    options.uid !== undefined || options.resourceVersion !== undefined
      ? { uid: options.uid, resourceVersion: options.resourceVersion }
      : undefined;
  return {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: options.propagationPolicy,
    gracePeriodSeconds: options.gracePeriodSeconds,
    preconditions,
  };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number.parseInt(value, 10);
}

function parseJson<T>(text: string): T {
  // The API server is the trust boundary for shape; callers narrow further where it matters.
  return JSON.parse(text) as T;
}

function parseWatchEvent<T>(line: string): WatchEvent<T> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.type !== 'string' || !isRecord(parsed.object)) return undefined;
  const type = parsed.type;
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK' && type !== 'ERROR') {
    return undefined;
  }
  return { type, object: parsed.object as T };
}

function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const cause: unknown = err.cause;
  const code = isRecord(cause) && typeof cause.code === 'string' ? cause.code : '';
  return ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED'].includes(code);
}

// What each verb of the REST client sends: the options callers pass, and the URL paths, query
// parameters and bodies they become (the API conventions of
// https://kubernetes.io/docs/reference/using-api/api-concepts/; client-go builds the same in
// rest/request.go and the generated typed clients).
import type { Resource } from '../../api/resources.ts';
import type { Clock } from '../clock.ts';

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

export const patchContentType: Readonly<Record<PatchType, string>> = {
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

/** Query parameters; undefined and '' values are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** `/api/v1/namespaces/ns/pods/name/status` and its shorter forms. */
export function resourcePath(res: Resource, namespace: string | undefined, name?: string, subresource?: string): string {
  let path = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  if (res.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${res.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

export function buildUrl(server: string, path: string, query: Query | undefined): string {
  const url = new URL(server + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return url.toString();
}

export function listQuery(options: ListOptions): Query {
  return {
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    limit: options.limit,
    continue: options.continue,
    resourceVersion: options.resourceVersion,
    resourceVersionMatch: options.resourceVersionMatch,
  };
}

export function watchQuery(options: WatchOptions): Query {
  return {
    watch: true,
    allowWatchBookmarks: options.allowWatchBookmarks,
    resourceVersion: options.resourceVersion,
    timeoutSeconds: options.timeoutSeconds,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  };
}

export function writeQuery(options: WriteOptions): Record<string, string | boolean | undefined> {
  return { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
}

/** A DeleteOptions body; preconditions only when a UID or resourceVersion is given. */
export function deleteBody(options: DeleteOptions): unknown {
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

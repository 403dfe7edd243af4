// What a reflector needs from the API: list a resource, and watch it from a resourceVersion
// (client-go tools/cache/listwatch.go ListerWatcher and NewFilteredListWatchFromClient). The
// reflector depends on this pair, not on the whole REST client, so it runs against an in-memory
// fake in unit tests; listWatchFromClient binds it to one resource, namespace and selectors.
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import type { KubeClient } from '../client/rest.ts';
import type { WatchEvent } from '../client/watch-decoder.ts';

export interface ListerWatcherListOptions {
  /** Page size; the lister fetches every page. */
  readonly limit?: number;
}

export interface ListerWatcherWatchOptions {
  /** Start after this resourceVersion ("" = from the current state, with synthetic ADDED events). */
  readonly resourceVersion: string;
  /** Asks the API server to end the watch after this long. */
  readonly timeoutSeconds?: number;
  readonly allowWatchBookmarks?: boolean;
  /** Cut the stream when no byte arrives for this long (ms). */
  readonly idleTimeoutMs?: number;
  readonly signal: AbortSignal;
}

export interface ListerWatcher<T extends KubeObject> {
  /** Every item, with the resourceVersion of the list: the point to watch from. */
  list(options: ListerWatcherListOptions, signal: AbortSignal): Promise<{ readonly items: readonly T[]; readonly resourceVersion: string }>;
  /**
   * The events after `resourceVersion` until the stream ends. Rejects with an ApiError (410 Gone
   * when the resourceVersion is too old) if the watch cannot start; ERROR events are yielded.
   */
  watch(options: ListerWatcherWatchOptions): AsyncIterable<WatchEvent<T>>;
}

export interface ListWatchScope {
  /** Restrict a namespaced resource to one namespace; undefined = all. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** The calls of KubeClient a ListerWatcher makes. */
export type ListWatchClient = Pick<KubeClient, 'listAll' | 'watch'>;

/** Lists and watches `resource` through `client`, in `scope`. */
export function listWatchFromClient<T extends KubeObject>(
  client: ListWatchClient,
  resource: Resource<T>,
  scope: ListWatchScope = {},
): ListerWatcher<T> {
  const { namespace, labelSelector, fieldSelector } = scope;
  return {
    list: (options, signal) => client.listAll(resource, { namespace, labelSelector, fieldSelector, limit: options.limit }, signal),
    watch: (options) => client.watch<T>(resource, { namespace, labelSelector, fieldSelector, ...options }),
  };
}

// The informer's cache: objects keyed by namespace/name with secondary indexes, as client-go's
// ThreadSafeStore + Indexers. One writer (the reflector); controllers get the ReadonlyStore view.
//
// Invariant: every object in `items` appears exactly under the index values its index functions
// return for it, and nowhere else. Objects are stored as received and must never be mutated:
// controllers copy before changing anything (client-go's rule for lister results).
import type { KubeObject } from '../../api/meta.ts';

export type IndexFunc<T> = (obj: T) => readonly string[];

/** The read side handed to controllers. */
export interface ReadonlyStore<T extends KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  /** Objects whose index `indexName` yields `value`. Unknown index → []. */
  byIndex(indexName: string, value: string): T[];
  readonly size: number;
}

export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** Index of every object by namespace (cluster-scoped objects under ""). */
export const namespaceIndex = 'namespace';
/** Index by the UID of the controller owner reference. */
export const controllerIndex = 'controller';

export const defaultIndexers: Readonly<Record<string, IndexFunc<KubeObject>>> = {
  [namespaceIndex]: (obj) => [obj.metadata.namespace ?? ''],
  [controllerIndex]: (obj) => {
    const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
    return ref ? [ref.uid] : [];
  },
};

export class Store<T extends KubeObject> implements ReadonlyStore<T> {
  private readonly items = new Map<string, T>();
  /** indexName → index value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly indexers: Record<string, IndexFunc<T>>;

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    this.indexers = { ...defaultIndexers, ...indexers };
    for (const name of Object.keys(this.indexers)) this.indices.set(name, new Map());
  }

  /** Adds indexes; only while the store is empty (before the informer starts), so none is partial. */
  addIndexers(indexers: Readonly<Record<string, IndexFunc<T>>>): void {
    if (this.items.size > 0) throw new Error('indexes can only be added to an empty store');
    for (const [name, fn] of Object.entries(indexers)) {
      this.indexers[name] = fn;
      this.indices.set(name, new Map());
    }
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  hasIndex(name: string): boolean {
    return this.indices.has(name);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const keys = this.indices.get(indexName)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Stores `obj`, returning what it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    return old;
  }

  /** Removes the object under `key`, returning it. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name);
      if (!index) continue;
      for (const value of fn(obj)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name);
      if (!index) continue;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

/** A change the store went through, as delivered to event handlers. */
export type StoreDelta<T> =
  | { readonly type: 'add'; readonly obj: T }
  | { readonly type: 'update'; readonly old: T; readonly obj: T }
  | { readonly type: 'delete'; readonly obj: T };

/**
 * Applies a full list to the store (a relist) and returns the deltas that turn the old contents
 * into the new: adds for new keys, updates for changed resourceVersions, deletes (with the last
 * known object) for keys gone; a key that now holds another UID is a delete followed by an add.
 */
export function replaceAll<T extends KubeObject>(store: Store<T>, items: readonly T[]): StoreDelta<T>[] {
  const deltas: StoreDelta<T>[] = [];
  const seen = new Set<string>();
  for (const obj of items) {
    const key = objectKey(obj);
    seen.add(key);
    const old = store.get(key);
    if (!old) {
      store.upsert(obj);
      deltas.push({ type: 'add', obj });
    } else if (old.metadata.uid !== obj.metadata.uid) {
      store.remove(key);
      deltas.push({ type: 'delete', obj: old });
      store.upsert(obj);
      deltas.push({ type: 'add', obj });
    } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      store.upsert(obj);
      deltas.push({ type: 'update', old, obj });
    }
  }
  for (const key of store.keys()) {
    if (seen.has(key)) continue;
    const old = store.remove(key);
    if (old) deltas.push({ type: 'delete', obj: old });
  }
  return deltas;
}

/**
 * Applies one watch event. An ADDED or MODIFIED for a key holding another UID is a delete of the
 * old object and an add of the new (the old one's DELETED event was missed across a reconnect).
 */
export function applyWatchEvent<T extends KubeObject>(
  store: Store<T>,
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  obj: T,
): StoreDelta<T>[] {
  const key = objectKey(obj);
  if (type === 'DELETED') {
    const old = store.get(key);
    // A delete of an earlier incarnation (other UID) leaves the current object in place.
    if (!old || old.metadata.uid === obj.metadata.uid) store.remove(key);
    return [{ type: 'delete', obj }];
  }
  const old = store.get(key);
  if (old && old.metadata.uid !== obj.metadata.uid) {
    store.remove(key);
    store.upsert(obj);
    return [
      { type: 'delete', obj: old },
      { type: 'add', obj },
    ];
  }
  store.upsert(obj);
  return old ? [{ type: 'update', old, obj }] : [{ type: 'add', obj }];
}

// Where each kind lives on the API server. The REST client builds URLs from these; informers are
// keyed by them.
import type { ControllerRevision, CoreEvent, Lease, Node, PersistentVolumeClaim, Pod } from './core.ts';
import type { KubeObject } from './meta.ts';

export interface Resource<T extends KubeObject = KubeObject> {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural, as in the URL. */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Phantom field carrying the object type; never set at runtime. */
  readonly _type?: T;
}

export function resource<T extends KubeObject>(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
): Resource<T> {
  return { group, version, plural, kind, namespaced };
}

export function apiVersionOf(res: Resource): string {
  return res.group === '' ? res.version : `${res.group}/${res.version}`;
}

export const pods = resource<Pod>('', 'v1', 'pods', 'Pod', true);
export const nodes = resource<Node>('', 'v1', 'nodes', 'Node', false);
export const persistentVolumeClaims = resource<PersistentVolumeClaim>(
  '',
  'v1',
  'persistentvolumeclaims',
  'PersistentVolumeClaim',
  true,
);
export const events = resource<CoreEvent>('', 'v1', 'events', 'Event', true);
export const configMaps = resource<KubeObject & { data?: Record<string, string> }>('', 'v1', 'configmaps', 'ConfigMap', true);
export const namespaces = resource<KubeObject>('', 'v1', 'namespaces', 'Namespace', false);
export const controllerRevisions = resource<ControllerRevision>(
  'apps',
  'v1',
  'controllerrevisions',
  'ControllerRevision',
  true,
);
export const leases = resource<Lease>('coordination.k8s.io', 'v1', 'leases', 'Lease', true);

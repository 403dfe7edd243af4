// The migration fixtures (test/unit/fixtures/migration/): what kube-controller-manager v1.36.3 and our
// operator made of the same manifests (manifests.yaml), as `kubectl get -o json` lists. Upstream's are
// in namespace `mig`; ours in `mig2`, where the MyDaemonSet is named `myfluentd`.
import { readFileSync } from 'node:fs';
import type { ControllerRevision, Pod } from '../../src/api/core.ts';
import { isRecord } from '../../src/api/meta.ts';
import type { KubeObject, OwnerReference } from '../../src/api/meta.ts';
import type { MyDaemonSet, MyDeployment, MyStatefulSet } from '../../src/api/workloads.ts';

const dir = new URL('./fixtures/migration/', import.meta.url);

/** The items of a fixture list, checked to be objects of `kind`. */
function items(file: string, kind: string): KubeObject[] {
  const list: unknown = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  if (!isRecord(list) || !Array.isArray(list.items)) throw new Error(`${file}: not a list`);
  return list.items.filter((item: unknown): item is KubeObject => isRecord(item) && item.kind === kind && isRecord(item.metadata));
}

function named<T extends KubeObject>(objects: readonly KubeObject[], name: string): T {
  const found = objects.find((o) => o.metadata.name === name);
  if (found === undefined) throw new Error(`fixture ${name} missing`);
  return found as T;
}

export const upstreamRevisions = items('upstream-controllerrevisions.json', 'ControllerRevision') as ControllerRevision[];
export const upstreamPods = items('upstream-pods.json', 'Pod') as Pod[];
export const upstreamDaemonSetRevision = named<ControllerRevision>(upstreamRevisions, 'fluentd-6c7cfd896f');
export const upstreamStatefulSetRevision = named<ControllerRevision>(upstreamRevisions, 'web-847b47bbbc');
export const upstreamDaemonPods = upstreamPods.filter((pod) => pod.metadata.name?.startsWith('fluentd-'));
export const upstreamWeb0 = named<Pod>(upstreamPods, 'web-0');
export const upstreamDeploymentPods = upstreamPods.filter((pod) => pod.metadata.name?.startsWith('nginx-deployment-'));
export const upstreamDeploymentHash = '84dc858676';

const upstreamWorkloads = [...items('upstream-workloads.json', 'DaemonSet'), ...items('upstream-workloads.json', 'StatefulSet'), ...items('upstream-workloads.json', 'Deployment')];
/** The apps/v1 objects as the API server stored them (defaulted). */
export const upstreamDaemonSet = named<MyDaemonSet>(upstreamWorkloads, 'fluentd');
export const upstreamStatefulSet = named<MyStatefulSet>(upstreamWorkloads, 'web');
export const upstreamDeployment = named<MyDeployment>(upstreamWorkloads, 'nginx-deployment');

const ourMyDaemonSet = named<MyDaemonSet>(items('our-workloads.json', 'MyDaemonSet'), 'myfluentd');
const ourMyStatefulSet = named<MyStatefulSet>(items('our-workloads.json', 'MyStatefulSet'), 'web');
const ourMyDeployment = named<MyDeployment>(items('our-workloads.json', 'MyDeployment'), 'nginx-deployment');

/** An object as just applied in the namespace of upstream's, under `name`: no status, a new uid. */
function freshlyApplied<T extends KubeObject & { readonly status?: unknown }>(obj: T, name: string, uid: string): T {
  const { status: _status, ...rest } = obj;
  return { ...rest, metadata: { name, namespace: 'mig', uid, generation: 1, creationTimestamp: '2026-12-06T05:00:00Z', labels: obj.metadata.labels } } as T;
}

/** manifests.yaml's DaemonSet applied as a MyDaemonSet after the DaemonSet was orphan-deleted. */
export const migratedDaemonSet = freshlyApplied(ourMyDaemonSet, 'fluentd', 'mds-uid');
/** The same for the StatefulSet. */
export const migratedStatefulSet = freshlyApplied(ourMyStatefulSet, 'web', 'msts-uid');
/** The same for the Deployment. */
export const migratedDeployment = freshlyApplied(ourMyDeployment, 'nginx-deployment', 'mdeploy-uid');

/** What orphan deletion leaves: no controller reference. */
export function orphaned<T extends KubeObject>(obj: T): T {
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: undefined } };
}

/** `obj` as claimed by `owner` (adoption after the orphan deletion). */
export function adoptedBy<T extends KubeObject>(obj: T, owner: KubeObject): T {
  const ref: OwnerReference = {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [ref] } };
}

// The workloads `kubectl my migrate` moves between apps/v1 and apps.my.dev/v1alpha1, how users name
// them on the command line, and how kubectl names them in its output. Our kinds mirror apps/v1 field
// for field (src/api/workloads.ts), so the apps/v1 objects are read in our kinds' wire shapes, as
// bench/workloads.ts does. Pure.
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { apiVersionOf, resource } from '../../api/resources.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../../api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../api/workloads.ts';
import { parseTarget, TargetError, type TargetKind } from '../target.ts';

export const daemonSets = resource<MyDaemonSet>('apps', 'v1', 'daemonsets', 'DaemonSet', true);
export const statefulSets = resource<MyStatefulSet>('apps', 'v1', 'statefulsets', 'StatefulSet', true);
export const deployments = resource<MyDeployment>('apps', 'v1', 'deployments', 'Deployment', true);
export const replicaSets = resource<MyReplicaSet>('apps', 'v1', 'replicasets', 'ReplicaSet', true);

export type WorkloadKind = 'DaemonSet' | 'StatefulSet' | 'Deployment';

export const appsV1 = 'apps/v1';
export const mine = 'apps.my.dev/v1alpha1';
/** Which API a workload is served by: apps/v1 (kube-controller-manager) or ours (the operator). */
export type Api = typeof appsV1 | typeof mine;

/** A workload read from either API, tagged so its spec is typed. */
export type Workload =
  | { readonly kind: 'DaemonSet'; readonly obj: MyDaemonSet }
  | { readonly kind: 'StatefulSet'; readonly obj: MyStatefulSet }
  | { readonly kind: 'Deployment'; readonly obj: MyDeployment };

/** The resource of a kind in each API. */
export type Pair<T extends KubeObject> = Readonly<Record<Api, Resource<T>>>;

export const daemonSetPair: Pair<MyDaemonSet> = { [appsV1]: daemonSets, [mine]: myDaemonSets };
export const statefulSetPair: Pair<MyStatefulSet> = { [appsV1]: statefulSets, [mine]: myStatefulSets };
export const deploymentPair: Pair<MyDeployment> = { [appsV1]: deployments, [mine]: myDeployments };
export const replicaSetPair: Pair<MyReplicaSet> = { [appsV1]: replicaSets, [mine]: myReplicaSets };

export function workloadResource(kind: WorkloadKind, api: Api): Resource<MyDaemonSet | MyStatefulSet | MyDeployment> {
  switch (kind) {
    case 'DaemonSet':
      return daemonSetPair[api];
    case 'StatefulSet':
      return statefulSetPair[api];
    case 'Deployment':
      return deploymentPair[api];
  }
}

export function otherApi(api: Api): Api {
  return api === appsV1 ? mine : appsV1;
}

/** How kubectl prints an object it acted on: `daemonset.apps/web`, `mydaemonset.apps.my.dev/web`. */
export function objectLabel(res: Resource, name: string): string {
  return `${res.kind.toLowerCase()}${res.group === '' ? '' : `.${res.group}`}/${name}`;
}

/** The next step without --apply: `now apply the manifest with apiVersion: apps/v1 and kind: DaemonSet`. */
export function applyHint(res: Resource): string {
  return `now apply the manifest with apiVersion: ${apiVersionOf(res)} and kind: ${res.kind}`;
}

// ---- the command line ---------------------------------------------------------------------------

export interface MigrateTarget {
  readonly kind: WorkloadKind;
  /** The API the object is served by now. */
  readonly from: Api;
  readonly name: string;
}

/** kubectl's spellings of the apps/v1 kinds: short, singular, plural, each also with `.apps`. */
const appsV1Spellings: ReadonlyMap<string, WorkloadKind> = new Map(
  (
    [
      ['DaemonSet', 'ds'],
      ['StatefulSet', 'sts'],
      ['Deployment', 'deploy'],
    ] as const
  ).flatMap(([kind, short]) => {
    const singular = kind.toLowerCase();
    return [short, singular, `${singular}s`].flatMap((s) => [s, `${s}.apps`]).map((spelling) => [spelling, kind] as const);
  }),
);

const ourKinds: Readonly<Record<TargetKind, WorkloadKind>> = {
  MyDaemonSet: 'DaemonSet',
  MyStatefulSet: 'StatefulSet',
  MyDeployment: 'Deployment',
};

/** `ds/web`, `deployments.apps web`, `mds/web`…: the workload to migrate and the API it is served by. */
export function parseMigrateTarget(args: readonly string[]): MigrateTarget {
  const [first, second] = args;
  const [type, name] = second === undefined ? (first ?? '').split('/', 2) : [first, second];
  const kind = appsV1Spellings.get((type ?? '').toLowerCase());
  if (kind !== undefined && args.length <= 2) {
    if (!name) throw new TargetError(`missing the name of the ${kind}`);
    return { kind, from: appsV1, name };
  }
  try {
    const target = parseTarget(args);
    return { kind: ourKinds[target.kind], from: mine, name: target.name };
  } catch (err) {
    // parseTarget lists only our kinds; migrate takes the apps/v1 ones too.
    if (err instanceof TargetError && err.message.startsWith('unsupported resource type')) {
      throw new TargetError(
        `unsupported resource type "${type ?? ''}": use ds, sts or deploy (apps/v1), or mds, msts or mdeploy (with --to apps/v1)`,
        { cause: err },
      );
    }
    throw err;
  }
}

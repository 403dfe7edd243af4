// What `kubectl my rollout plan` reads: the live object, the object with the change as the API
// server would store it (a server-side dry-run update: CRD defaults, CEL rules and the validating
// webhook apply as to `kubectl apply`, and nothing is stored), and what the kind's controller lists
// for it (controller.ts of each kind), claimed as it would claim them (claimed.ts).
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { controllerRevisions, nodes, persistentVolumeClaims, pods } from '../../api/resources.ts';
import { selectorToString } from '../../api/selector.ts';
import type { MyDeployment } from '../../api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../api/workloads.ts';
import { ApiError } from '../../runtime/client/errors.ts';
import { resourcePath, writeQuery } from '../../runtime/client/requests.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { Target } from '../target.ts';
import { daemonSetClaim, deploymentClaim, statefulSetClaim } from './claimed.ts';
import type { RolloutCluster } from './plan-rollout.ts';
import { RolloutPlanError } from './rollout-plan.ts';
import type { SpecChange } from './spec-change.ts';
import { changedObject } from './spec-change.ts';

/** The calls made here; KubeClient satisfies it. */
export type PlanClient = Pick<KubeClient, 'get' | 'listAll' | 'request'>;

export async function readCluster(client: PlanClient, target: Target, namespace: string, change: SpecChange): Promise<RolloutCluster> {
  switch (target.kind) {
    case 'MyDaemonSet': {
      const live = await client.get(myDaemonSets, namespace, target.name);
      const ds = await dryRunUpdate(client, myDaemonSets, namespace, target.name, changedObject(live, change));
      const labelSelector = selectorToString(ds.spec.selector);
      const [allNodes, podList, revisionList] = await Promise.all([
        listAll(client, nodes, undefined, undefined),
        listAll<Pod>(client, pods, namespace, labelSelector),
        listAll<ControllerRevision>(client, controllerRevisions, namespace, labelSelector),
      ]);
      return { kind: target.kind, live, cluster: { ds, nodes: allNodes, ...daemonSetClaim(ds, podList, revisionList) } };
    }
    case 'MyStatefulSet': {
      const live = await client.get(myStatefulSets, namespace, target.name);
      const set = await dryRunUpdate(client, myStatefulSets, namespace, target.name, changedObject(live, change));
      const labelSelector = selectorToString(set.spec.selector);
      const [podList, pvcs, revisionList] = await Promise.all([
        listAll<Pod>(client, pods, namespace, labelSelector),
        listAll<PersistentVolumeClaim>(client, persistentVolumeClaims, namespace, undefined),
        listAll<ControllerRevision>(client, controllerRevisions, namespace, labelSelector),
      ]);
      return { kind: target.kind, live, cluster: { set, pvcs, ...statefulSetClaim(set, podList, revisionList) } };
    }
    case 'MyDeployment': {
      const live = await client.get(myDeployments, namespace, target.name);
      const d: MyDeployment = await dryRunUpdate(client, myDeployments, namespace, target.name, changedObject(live, change));
      // The MyReplicaSets' selectors are the Deployment's plus pod-template-hash: its selector finds their pods.
      const labelSelector = selectorToString(d.spec.selector);
      const [replicaSetList, podList] = await Promise.all([
        listAll(client, myReplicaSets, namespace, labelSelector),
        listAll<Pod>(client, pods, namespace, labelSelector),
      ]);
      return { kind: target.kind, live, cluster: { d, ...deploymentClaim(d, replicaSetList, podList) } };
    }
  }
}

/**
 * PUT ?dryRun=All of the changed object (carrying the live resourceVersion): the answer is the
 * object as it would be stored, generation raised when the spec changed. A refusal (422 from the
 * schema, CEL or the webhook; 409 when the object changed meanwhile) is the API server's message.
 */
async function dryRunUpdate<T extends KubeObject>(client: PlanClient, resource: Resource<T>, namespace: string, name: string, body: unknown): Promise<T> {
  try {
    return await client.request<T>({ method: 'PUT', path: resourcePath(resource, namespace, name), query: writeQuery({ dryRun: true }), body });
  } catch (err) {
    if (err instanceof ApiError && err.status?.message !== undefined) throw new RolloutPlanError(err.status.message, { cause: err });
    throw err;
  }
}

async function listAll<T extends KubeObject>(client: PlanClient, resource: Resource<T>, namespace: string | undefined, labelSelector: string | undefined): Promise<T[]> {
  return (await client.listAll(resource, { namespace, labelSelector })).items;
}

// Reads from the cluster the names normalise.ts rewrites: the hashes of MyReplicaSets
// (pod-template-hash) and ControllerRevisions, and the owners whose pods get generated names.
// Objects of other walkthrough namespaces are left out: whether a namespace deleted after an
// earlier section is gone yet is timing, and must not change how this section is numbered.
import type { KubeObject } from '../../src/api/meta.ts';
import { controllerOf } from '../../src/api/meta.ts';
import { controllerRevisions } from '../../src/api/resources.ts';
import { myDaemonSets, myReplicaSets } from '../../src/api/workloads.ts';
import type { KubeClient } from '../../src/runtime/client/rest.ts';
import type { KnownHash, NameFacts } from './normalise.ts';

function orderKey(obj: KubeObject, revision: number): string {
  const owner = controllerOf(obj)?.name ?? '';
  return `${obj.metadata.namespace ?? ''}/${owner}|${String(revision).padStart(6, '0')}|${obj.metadata.name ?? ''}`;
}

/** The names in the cluster outside other walkthrough namespaces than `namespace`. */
export async function nameFacts(client: KubeClient, namespace: string): Promise<NameFacts> {
  const visible = (o: KubeObject): boolean => {
    const ns = o.metadata.namespace ?? '';
    return ns === namespace || !ns.startsWith('walkthrough-');
  };
  const [replicaSets, revisions, daemonSets] = await Promise.all([
    client.list(myReplicaSets),
    client.list(controllerRevisions),
    client.list(myDaemonSets),
  ]);
  const hashes: KnownHash[] = [];
  for (const rs of replicaSets.items.filter(visible)) {
    const hash = rs.metadata.labels?.['pod-template-hash'];
    const revision = Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '0');
    if (hash) hashes.push({ hash, order: orderKey(rs, revision) });
  }
  for (const cr of revisions.items.filter(visible)) {
    // A ControllerRevision is named <owner>-<hash> (upstream: controller_history.go ControllerRevisionName).
    const hash = (cr.metadata.name ?? '').split('-').pop();
    if (hash) hashes.push({ hash, order: orderKey(cr, cr.revision) });
  }
  const podOwners = [...replicaSets.items, ...daemonSets.items].map((o) => o.metadata.name ?? '').filter((n) => n !== '');
  return { hashes, podOwners: [...new Set(podOwners)] };
}

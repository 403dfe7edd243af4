// `kubectl my migrate`: moves a DaemonSet, StatefulSet or Deployment between apps/v1 and our kinds
// without touching its pods (docs/migrate.md). The old object is deleted with --cascade=orphan, so
// its pods, ControllerRevisions and claims stay as they are and lose only its owner reference; the
// new object, of the same spec, adopts them (for our kinds: the controllers recognise the orphaned
// revisions and pod-template-hashes, issue 18). A Deployment's ReplicaSets go the same way after
// it, listed before it is deleted (they are found by its UID). Going back to apps/v1, a
// MyDeployment's MyReplicaSets become apps/v1 ReplicaSets (convert.ts replicaSetFromMine).
//
// Everything that can be checked is checked before the first write: the object, our refusals, and
// the API server's verdict on the new objects (a server dry-run create with strict field
// validation: an unknown field, an existing object of the name, a missing CRD). --dry-run stops
// there, after dry-run deletes.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { controllerOf } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { controllerRevisions, persistentVolumeClaims, pods } from '../../api/resources.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { group as ourGroup } from '../../api/workloads.ts';
import type { Clock } from '../../runtime/clock.ts';
import { ApiError, errorMessage, isAlreadyExists, isNotFound } from '../../runtime/client/errors.ts';
import { writeQuery } from '../../runtime/client/requests.ts';
import { resourcePath, type KubeClient } from '../../runtime/client/rest.ts';
import { convertWorkload, MigrationRefused, refusal, replicaSetFromMine, type Converted } from './convert.ts';
import {
  claimGroup,
  claimsKept,
  dependentsDetail,
  dependentsSummary,
  namingOwner,
  podGroup,
  replicaSetGroup,
  revisionGroup,
  type Dependents,
} from './dependents.ts';
import {
  appsV1,
  applyHint,
  daemonSetPair,
  deploymentPair,
  objectLabel,
  otherApi,
  replicaSetPair,
  statefulSetPair,
  workloadResource,
  type Api,
  type MigrateTarget,
  type Workload,
} from './kinds.ts';
import { orphanDelete, waitOrphaned, type OrphanDeletion, type WaitOptions } from './orphan-delete.ts';

export interface MigrateOptions {
  /** Print what would be deleted, orphaned and created, checked by server dry runs; write nothing. */
  readonly dryRun: boolean;
  /** Create the new object from the old one's spec (else print the apply step). */
  readonly apply: boolean;
}

export interface MigrateContext {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly out: (line: string) => void;
  readonly clock: Clock;
  /** How long each orphaning may take (ms). Default 5 minutes. */
  readonly timeoutMs?: number;
  /** Default 500 ms. */
  readonly pollMs?: number;
}

/** The field manager of the objects migrate creates. */
export const fieldManager = 'kubectl-my-migrate';

async function readWorkload(client: KubeClient, target: MigrateTarget, namespace: string): Promise<Workload> {
  switch (target.kind) {
    case 'DaemonSet':
      return { kind: target.kind, obj: await client.get(daemonSetPair[target.from], namespace, target.name) };
    case 'StatefulSet':
      return { kind: target.kind, obj: await client.get(statefulSetPair[target.from], namespace, target.name) };
    case 'Deployment':
      return { kind: target.kind, obj: await client.get(deploymentPair[target.from], namespace, target.name) };
  }
}

/** POST with strict field validation: a field the other kind lacks is an error, not dropped. */
function create(client: KubeClient, res: Resource, obj: Converted, options: { readonly dryRun: boolean }): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: 'POST',
    path: resourcePath(res, obj.metadata.namespace),
    query: { ...writeQuery({ fieldManager, dryRun: options.dryRun }), fieldValidation: 'Strict' },
    body: obj,
  });
}

/** The server dry-run create, its refusals in our words. */
async function checkCreate(client: KubeClient, res: Resource, obj: Converted, sourceLabel: string): Promise<void> {
  try {
    await create(client, res, obj, { dryRun: true });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const label = objectLabel(res, obj.metadata.name ?? '');
    if (isAlreadyExists(err)) throw new MigrationRefused(`${label} already exists`, { cause: err });
    if (isNotFound(err)) {
      const hint = res.group === ourGroup ? ': install the CRDs (kubectl apply -f crds/) and the operator first' : '';
      throw new MigrationRefused(`the server does not serve ${res.plural}.${res.group}${hint}`, { cause: err });
    }
    throw new MigrationRefused(`${sourceLabel} cannot become ${label}: ${errorMessage(err)}`, { cause: err });
  }
}

interface Snapshot {
  readonly pods: readonly Pod[];
  readonly revisions: readonly ControllerRevision[];
  readonly claims: readonly PersistentVolumeClaim[];
}

async function snapshot(client: KubeClient, namespace: string, kind: Workload['kind']): Promise<Snapshot> {
  const podList = await client.listAll(pods, { namespace });
  const revisionList = kind === 'Deployment' ? [] : (await client.listAll(controllerRevisions, { namespace })).items;
  const claimList = kind === 'StatefulSet' ? (await client.listAll(persistentVolumeClaims, { namespace })).items : [];
  return { pods: podList.items, revisions: revisionList, claims: claimList };
}

/** What orphaning the workload leaves behind (a Deployment: `replicaSets`, listed by the caller). */
function workloadDependents(source: Workload, uid: string, now: Snapshot, replicaSets: { kind: string; items: readonly KubeObject[] }): Dependents {
  if (source.kind === 'Deployment') return { orphaned: [replicaSetGroup(replicaSets.kind, replicaSets.items)], claimsKept: [] };
  const owned = namingOwner(uid, now.pods);
  const revisions = revisionGroup(namingOwner(uid, now.revisions));
  if (source.kind === 'DaemonSet') return { orphaned: [podGroup(owned), revisions], claimsKept: [] };
  const ownedClaims = namingOwner(uid, now.claims);
  return {
    orphaned: [podGroup(owned), revisions, claimGroup(ownedClaims)],
    claimsKept: claimsKept(source.obj.spec, owned, now.claims, ownedClaims),
  };
}

/** The kinds whose objects may name a workload of `kind` (served by `api`) as owner. */
function dependentKinds(kind: Workload['kind'], api: Api): Resource[] {
  switch (kind) {
    case 'DaemonSet':
      return [pods, controllerRevisions];
    case 'StatefulSet':
      return [pods, controllerRevisions, persistentVolumeClaims];
    case 'Deployment':
      return [replicaSetPair[api]];
  }
}

export async function migrate(target: MigrateTarget, options: MigrateOptions, ctx: MigrateContext): Promise<void> {
  const { client, namespace, out } = ctx;
  const to = otherApi(target.from);
  const sourceRes = workloadResource(target.kind, target.from);
  const targetRes = workloadResource(target.kind, to);
  const sourceLabel = objectLabel(sourceRes, target.name);
  const suffix = options.dryRun ? ' (dry run)' : '';
  const wait: WaitOptions = { clock: ctx.clock, timeoutMs: ctx.timeoutMs ?? 5 * 60_000, pollMs: ctx.pollMs ?? 500 };

  const source = await readWorkload(client, target, namespace);
  const uid = source.obj.metadata.uid ?? '';
  const refused = refusal(source, sourceRes, to);
  if (refused !== undefined) throw new MigrationRefused(refused);
  const converted = convertWorkload(source, targetRes, to);

  // A Deployment's ReplicaSets are found by its UID, so they are listed while it exists.
  const rsFrom = replicaSetPair[target.from];
  const rsTo = replicaSetPair[to];
  const replicaSets: MyReplicaSet[] =
    source.kind === 'Deployment' ? (await client.listAll(rsFrom, { namespace })).items.filter((rs) => controllerOf(rs)?.uid === uid) : [];
  const recreated = to === appsV1 ? replicaSets.map((rs) => replicaSetFromMine(rs, rsTo)) : [];

  await checkCreate(client, targetRes, converted, sourceLabel);
  for (const rs of recreated) await checkCreate(client, rsTo, rs, sourceLabel);

  const deletion: OrphanDeletion = { resource: sourceRes, namespace, name: target.name, uid, dependents: dependentKinds(source.kind, target.from) };
  const before = await snapshot(client, namespace, source.kind);
  const dependents = workloadDependents(source, uid, before, { kind: rsFrom.kind, items: replicaSets });
  await orphanDelete(client, deletion, { dryRun: options.dryRun });
  if (!options.dryRun) await waitOrphaned(client, deletion, wait);
  out(`${sourceLabel} deleted (${dependentsSummary(dependents)})${suffix}`);
  if (options.dryRun) for (const line of dependentsDetail(dependents)) out(line);

  for (const rs of replicaSets) {
    const name = rs.metadata.name ?? '';
    const rsDeletion: OrphanDeletion = { resource: rsFrom, namespace, name, uid: rs.metadata.uid ?? '', dependents: [pods] };
    const rsPods = namingOwner(rsDeletion.uid, options.dryRun ? before.pods : (await client.listAll(pods, { namespace })).items);
    await orphanDelete(client, rsDeletion, { dryRun: options.dryRun });
    if (!options.dryRun) await waitOrphaned(client, rsDeletion, wait);
    out(`${objectLabel(rsFrom, name)} deleted (${dependentsSummary({ orphaned: [podGroup(rsPods)], claimsKept: [] })})${suffix}`);
    const replacement = recreated.find((r) => r.metadata.name === name);
    if (replacement !== undefined) {
      if (!options.dryRun) await create(client, rsTo, replacement, { dryRun: false });
      out(`${objectLabel(rsTo, name)} created${suffix}`);
    }
  }

  if (options.apply) {
    if (!options.dryRun) await create(client, targetRes, converted, { dryRun: false });
    out(`${objectLabel(targetRes, target.name)} created${suffix}`);
  } else {
    out(applyHint(targetRes));
  }
  if (to === appsV1 && source.kind === 'DaemonSet') {
    out('note: the DaemonSet controller may replace the pods: see "Back to apps/v1" in docs/migrate.md');
  }
}

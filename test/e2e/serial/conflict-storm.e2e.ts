// Conflict storm: while the three rollouts of support/chaos.ts run, other clients keep writing to
// the same objects the operator writes — labels and annotations of the custom resources, the
// MyReplicaSets, the pods and the claims (merge patches of their own keys), and status conditions
// of their own types on the custom resources (read, add, write back with the resourceVersion read,
// retried on conflict, as a careful controller does). The operator must lose none of their
// writes, and they none of its: at the end every key and condition each client last wrote is on
// every object it wrote to that still exists, the operator's own labels and conditions are right,
// every rollout is complete, and the invariants replayed from watches held throughout.
//
// Default size (`npm test`): 3 rollouts on 10 nodes. `npm run test:chaos`: 10 rollouts on 50 nodes
// (CHAOS_STORM_ROLLOUTS, CHAOS_NODES).
import assert from 'node:assert/strict';
import { isRecord, type KubeObject } from '../../../src/api/meta.ts';
import { persistentVolumeClaims, pods } from '../../../src/api/resources.ts';
import type { Resource } from '../../../src/api/resources.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../../src/api/workloads.ts';
import { ApiError, isConflict, isNotFound } from '../../../src/runtime/client/errors.ts';
import type { KubeClient } from '../../../src/runtime/client/rest.ts';
import { podsDeletedByOthers, readAudit, startAuditing, stopAuditing } from '../support/audit.ts';
import { ChaosRig, type RigWatches } from '../support/chaos.ts';
import { condition as deploymentCondition } from '../support/deployment.ts';
import { kubeconfigPath, logFile, testClient } from '../support/env.ts';
import { uidOf } from '../support/objects.ts';
import { startLeading, type OperatorProcess } from '../support/operator.ts';
import { runSeed, seededRandom, Violations, writeRunRecord } from '../support/reliability.ts';

const rollouts = Number(process.env.CHAOS_STORM_ROLLOUTS ?? 3);
const nodeCount = Number(process.env.CHAOS_NODES ?? 10);
/** Concurrent writers; each writes as fast as the API server answers. */
const writers = 3;
const keyPrefix = 'storm.e2e.my.dev';

type Target = { readonly resource: Resource<KubeObject>; readonly name: string; readonly uid: string; readonly kind: string };

/** What the storm last wrote successfully to one object (by UID): metadata keys and condition messages. */
interface Written {
  readonly target: Target;
  readonly labels: Map<string, string>;
  readonly annotations: Map<string, string>;
  readonly conditions: Map<string, string>;
}

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

function conditionsOf(obj: KubeObject): Condition[] {
  const status: unknown = isRecord(obj) ? obj.status : undefined;
  const list: unknown = isRecord(status) ? status.conditions : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((c: unknown): Condition[] =>
    isRecord(c) && typeof c.type === 'string' && typeof c.status === 'string'
      ? [{ type: c.type, status: c.status, ...(typeof c.message === 'string' ? { message: c.message } : {}), ...(typeof c.reason === 'string' ? { reason: c.reason } : {}), ...(typeof c.lastTransitionTime === 'string' ? { lastTransitionTime: c.lastTransitionTime } : {}) }]
      : [],
  );
}

describe('conflict storm: other clients write to the same objects during rollouts @own-operator @control-plane', function () {
  this.timeout(1_800_000);
  let rig: ChaosRig | undefined;
  let operator: OperatorProcess | undefined;
  let auditFrom = 0;

  before(async () => (auditFrom = await startAuditing()));
  after(async () => {
    await operator?.stop('SIGKILL');
    await rig?.remove();
    await stopAuditing();
  });

  it(`loses none of the other clients' labels, annotations and conditions, nor its own, through ${rollouts} rollouts`, async () => {
    const seed = runSeed();
    const rand = seededRandom(seed);
    rig = await ChaosRig.create('storm', nodeCount);
    const r = rig;
    operator = (await startLeading({ kubeconfig: kubeconfigPath(), logFile: logFile('operator-storm.log'), namespace: r.namespace, leaseName: 'storm', identity: 'storm-replica' })).operator;
    const { ds, set, deploy } = await r.createWorkloads();
    await r.completion(Date.now());
    const client = await testClient();
    const watches = await r.startWatches();

    const written = new Map<string, Written>();
    const counts = { metadata: 0, conditions: 0, conflicts: 0, gone: 0 };
    let storming = true;
    const custom: Target[] = [
      { resource: myDaemonSets, name: 'agent', uid: uidOf(ds), kind: 'MyDaemonSet' },
      { resource: myStatefulSets, name: 'web', uid: uidOf(set), kind: 'MyStatefulSet' },
      { resource: myDeployments, name: 'front', uid: uidOf(deploy), kind: 'MyDeployment' },
    ];
    // The live objects, from the watches (a replay of everything they saw): refreshed every 200 ms.
    let live: { readonly at: number; readonly list: Target[] } = { at: 0, list: [] };
    const targets = (): Target[] => {
      if (Date.now() - live.at > 200) live = { at: Date.now(), list: liveTargets(watches) };
      return [...custom, ...live.list];
    };
    const writer = async (id: number): Promise<void> => {
      let n = 0;
      while (storming) {
        // A quarter of the writes are status conditions of the custom resources, the rest metadata of anything.
        const conditionWrite = rand() < 0.25;
        const all = conditionWrite ? custom : targets();
        const target = all[Math.floor(rand() * all.length)];
        if (!target) continue;
        const entry = written.get(target.uid) ?? { target, labels: new Map(), annotations: new Map(), conditions: new Map() };
        written.set(target.uid, entry);
        // Keys per kind: a MyDeployment's annotations are copied to its MyReplicaSets (upstream
        // copyDeploymentAnnotationsToReplicaSet), overwriting a key of the same name there by design.
        const key = `${keyPrefix}/${target.kind.toLowerCase()}-w${id}-${Math.floor(rand() * 4)}`;
        const value = `v${n++}`;
        try {
          if (conditionWrite) {
            if (await addCondition(client, r.namespace, target, `Storm${id}x${key.slice(-1)}`, value)) {
              entry.conditions.set(`Storm${id}x${key.slice(-1)}`, value);
              counts.conditions++;
            } else counts.conflicts++;
          } else {
            const field = rand() < 0.5 ? 'labels' : 'annotations';
            // A merge patch of one key, with the UID as precondition: it never lands on a successor of the same name.
            await client.patch(target.resource, r.namespace, target.name, 'merge', { metadata: { uid: target.uid, [field]: { [key]: value } } });
            entry[field].set(key, value);
            counts.metadata++;
          }
        } catch (err) {
          // Gone, or replaced by a successor of the same name: the UID in the patch no longer matches (422 on metadata.uid).
          if (isNotFound(err) || isConflict(err) || (err instanceof ApiError && err.code === 422 && err.message.includes('metadata.uid'))) counts.gone++;
          else throw err;
        }
      }
    };

    const storm = Promise.all(Array.from({ length: writers }, (_, id) => writer(id)));
    const stormFailed = storm.then(
      () => undefined,
      (err: unknown) => err,
    );
    try {
      for (let i = 0; i < rollouts; i++) {
        const since = Date.now();
        await r.rollNext();
        await r.completion(since);
      }
    } finally {
      storming = false;
    }
    const stormError = await stormFailed;
    assert.equal(stormError, undefined, `a storm writer failed: ${String(stormError)}`);

    await watches.caughtUp();
    const violations = new Violations();
    const stray = podsDeletedByOthers(readAudit(auditFrom), r.namespace);
    const worst = watches.replayInvariants(violations, new Set(stray.keys()));
    await r.checkEndState(violations);
    const lost = await lostWrites(client, r.namespace, [...written.values()]);
    for (const l of lost) violations.add(l);
    const d = await client.get(myDeployments, r.namespace, 'front');
    const available = deploymentCondition(d, 'Available');
    const progressing = deploymentCondition(d, 'Progressing');
    if (available?.status !== 'True') violations.add(`MyDeployment Available ${available?.status ?? 'missing'}`);
    if (progressing?.reason !== 'NewReplicaSetAvailable') violations.add(`MyDeployment Progressing ${progressing?.reason ?? 'missing'}`);
    await watches.stop();

    const file = writeRunRecord('conflict-storm', {
      ...r.recordBase(seed),
      faults: { 'foreign metadata patches': counts.metadata, 'foreign status conditions': counts.conditions, rollouts: r.rollouts },
      violations: violations.count,
      firstViolations: violations.first,
      lostWrites: lost.length,
      foreignWritesRefused: { conflictOrGone: counts.gone + counts.conflicts },
      worst,
    });
    console.log(
      `      seed ${seed}: ${counts.metadata} label/annotation patches and ${counts.conditions} status conditions by other clients over ${r.rollouts} rollouts; ${lost.length} lost (${file})`,
    );
    assert.equal(violations.count, 0, violations.describe());
    assert.ok(counts.metadata > 0 && counts.conditions > 0, 'the storm wrote nothing');
  });
});

/** The MyReplicaSets, pods and claims the watches show alive now. */
function liveTargets(watches: RigWatches): Target[] {
  const live = (resource: Resource<KubeObject>, kind: string, objs: Iterable<KubeObject>): Target[] =>
    [...objs].filter((o) => o.metadata.deletionTimestamp === undefined).map((o) => ({ resource, kind, name: o.metadata.name ?? '', uid: uidOf(o) }));
  return [
    ...live(myReplicaSets, 'MyReplicaSet', watches.rsWatch.current().values()),
    ...live(pods, 'Pod', watches.podWatch.current().values()),
    ...live(persistentVolumeClaims, 'PersistentVolumeClaim', watches.claimWatch.current().values()),
  ];
}

/**
 * Adds or updates the condition `type` as a careful client does: read, change the list, write it
 * back through the status subresource with the resourceVersion read. false: a conflict (someone —
 * the operator — wrote in between; the caller tries again later).
 */
async function addCondition(client: KubeClient, namespace: string, target: Target, type: string, message: string): Promise<boolean> {
  const current = await client.get(target.resource, namespace, target.name);
  if (uidOf(current) !== target.uid) return false;
  const others = conditionsOf(current).filter((c) => c.type !== type);
  const mine: Condition = { type, status: 'True', reason: 'Storm', message, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  try {
    await client.patch(target.resource, namespace, target.name, 'merge', { metadata: { resourceVersion: current.metadata.resourceVersion }, status: { conditions: [...others, mine] } }, { subresource: 'status' });
    return true;
  } catch (err) {
    if (isConflict(err)) return false;
    throw err;
  }
}

/** Each key and condition the storm last wrote, missing or different on the object that still exists. */
async function lostWrites(client: KubeClient, namespace: string, all: readonly Written[]): Promise<string[]> {
  const out: string[] = [];
  for (const w of all) {
    let obj: KubeObject;
    try {
      obj = await client.get(w.target.resource, namespace, w.target.name);
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    if (uidOf(obj) !== w.target.uid) continue;
    const where = `${w.target.kind} ${w.target.name}`;
    for (const [k, v] of w.labels) if (obj.metadata.labels?.[k] !== v) out.push(`${where}: label ${k}=${v} lost (now ${obj.metadata.labels?.[k] ?? 'absent'})`);
    for (const [k, v] of w.annotations) if (obj.metadata.annotations?.[k] !== v) out.push(`${where}: annotation ${k}=${v} lost (now ${obj.metadata.annotations?.[k] ?? 'absent'})`);
    const conditions = conditionsOf(obj);
    for (const [type, message] of w.conditions) {
      const c = conditions.find((x) => x.type === type);
      if (c?.message !== message) out.push(`${where}: condition ${type} "${message}" lost (now ${c ? `"${c.message ?? ''}"` : 'absent'})`);
    }
  }
  return out;
}

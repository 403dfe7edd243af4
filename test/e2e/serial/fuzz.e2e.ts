// Fuzzed input: custom resources of all four kinds, each a valid object with 1–3 fields replaced by
// random values their CRD schema allows (test/support/schema-fuzz.ts; CEL rules are not honoured,
// so some are refused), created against one operator without its admission webhook — the harsher
// case, where everything the CRD schema lets through reaches the controllers. Every object must end
// either refused at apply time with a message naming a field, settled by its own status (current
// generation, every desired replica made), or explained by a failure condition in its status or a
// Warning Event about it or what it made. The operator never exits.
//
// `spec.replicas` above 3 is lowered to 3 after mutation (the cluster is small; the fuzz is about
// shapes, not sizes). Daemons select one node of the test's own.
//
// Default size (`npm test`): 100 objects. `npm run test:chaos`: 1000 (FUZZ_OBJECTS; CHAOS_SEED
// replays the objects of a run).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../../hack/cluster.ts';
import { isRecord, type KubeObject } from '../../../src/api/meta.ts';
import { events } from '../../../src/api/resources.ts';
import type { Resource } from '../../../src/api/resources.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../../src/api/workloads.ts';
import { ApiError } from '../../../src/runtime/client/errors.ts';
import { resourcePath } from '../../../src/runtime/client/rest.ts';
import { mutate, parseSchema, type Schema } from '../../support/schema-fuzz.ts';
import { createOwnedNodes, daemonSetOnOwnedNodes, OwnedNodes } from '../support/daemonset.ts';
import { agnhostImage, newMyDeployment, newMyReplicaSet } from '../support/deployment.ts';
import { createNamespace, kubeconfigPath, logFile, testClient, waitFor } from '../support/env.ts';
import { startLeading, type OperatorProcess } from '../support/operator.ts';
import { runSeed, seededRandom, Violations, writeRunRecord } from '../support/reliability.ts';
import { newMyStatefulSet } from '../support/statefulset.ts';

const objects = Number(process.env.FUZZ_OBJECTS ?? 100);
const maxReplicas = 3;
/**
 * How long the objects get to settle or be explained: 2 min, plus 300 ms per object. Most fuzzed
 * objects are broken (their pods refused), and their syncs retry with exponential backoff; at the
 * client's default 50 writes/s the retries of hundreds of them queue ahead of the healthy ones
 * (a first run of 1000 left 102 healthy daemons unreported after 2 min: docs/reliability.md).
 */
const settleMs = 120_000 + 300 * objects;

interface Kind {
  readonly kind: string;
  readonly resource: Resource<KubeObject>;
  readonly schema: Schema;
  readonly base: (namespace: string, name: string) => unknown;
}

function crdSchema(plural: string): Schema {
  const crd: unknown = parse(readFileSync(path.join(repoRoot, 'crds', `${plural}.apps.my.dev.yaml`), 'utf8'));
  const versions = isRecord(crd) && isRecord(crd.spec) && Array.isArray(crd.spec.versions) ? (crd.spec.versions as unknown[]) : [];
  const first = versions[0];
  const schema = isRecord(first) && isRecord(first.schema) ? first.schema.openAPIV3Schema : undefined;
  return parseSchema(schema);
}

/**
 * Its status is for its current generation and every desired replica exists: the operator did its
 * part (a pod that then waits, say for a scheduler named in its spec that does not run here, is
 * the pod's story, told by its status).
 */
function settledByStatus(kind: string, obj: KubeObject): boolean {
  const status: unknown = isRecord(obj) ? obj.status : undefined;
  const spec: unknown = isRecord(obj) ? obj.spec : undefined;
  if (!isRecord(status) || typeof status.observedGeneration !== 'number' || status.observedGeneration < (obj.metadata.generation ?? 1)) return false;
  const count = (v: unknown): number => (typeof v === 'number' ? v : 0);
  if (kind === 'MyDaemonSet') return count(status.currentNumberScheduled) === count(status.desiredNumberScheduled);
  const desired = isRecord(spec) && typeof spec.replicas === 'number' ? spec.replicas : 1;
  return count(status.replicas) === desired;
}

/** A condition of its status that reports a failure (ReplicaFailure True, Progressing False). */
function failureCondition(obj: KubeObject): string | undefined {
  const status: unknown = isRecord(obj) ? obj.status : undefined;
  const list: unknown = isRecord(status) ? status.conditions : undefined;
  if (!Array.isArray(list)) return undefined;
  for (const c of list as unknown[]) {
    if (!isRecord(c)) continue;
    if ((c.type === 'ReplicaFailure' && c.status === 'True') || (c.type === 'Progressing' && c.status === 'False')) return `${String(c.type)}/${String(c.reason)}`;
  }
  return undefined;
}

/** What became of one fuzzed object. */
interface Outcome {
  readonly name: string;
  readonly kind: string;
  readonly changes: readonly string[];
  readonly refused?: string;
  readonly uid?: string;
  readonly resource?: Resource<KubeObject>;
}

describe('fuzzed custom resources @own-operator', function () {
  this.timeout(1_800_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  let operator: OperatorProcess | undefined;

  before(async () => {
    ns = await createNamespace('fuzz');
    owned = new OwnedNodes(ns.name);
  });
  after(async () => {
    await operator?.stop('SIGKILL');
    await ns.remove();
    await owned.deleteAll();
  });

  it(`never crashes on ${objects} schema-valid random objects; each is refused naming a field, or ends with a status or a Warning Event`, async () => {
    const seed = runSeed();
    const rand = seededRandom(seed);
    await createOwnedNodes(owned, 1);
    operator = (await startLeading({ kubeconfig: kubeconfigPath(), logFile: logFile('operator-fuzz.log'), namespace: ns.name, leaseName: 'fuzz', identity: 'fuzz-replica' })).operator;
    const client = await testClient();
    const kinds: readonly Kind[] = [
      { kind: 'MyDaemonSet', resource: myDaemonSets, schema: crdSchema('mydaemonsets'), base: (n, name) => daemonSetOnOwnedNodes(n, name, owned) },
      { kind: 'MyStatefulSet', resource: myStatefulSets, schema: crdSchema('mystatefulsets'), base: (n, name) => newMyStatefulSet(n, name, { replicas: 1, labels: { app: name } }) },
      { kind: 'MyDeployment', resource: myDeployments, schema: crdSchema('mydeployments'), base: (n, name) => newMyDeployment(n, name, 1, { app: name }, 'agnhost', agnhostImage) },
      { kind: 'MyReplicaSet', resource: myReplicaSets, schema: crdSchema('myreplicasets'), base: (n, name) => newMyReplicaSet(n, name, 1, { app: name }, 'agnhost', agnhostImage) },
    ];

    const outcomes: Outcome[] = [];
    for (let i = 0; i < objects; i++) {
      const k = kinds[Math.floor(rand() * kinds.length)] ?? kinds[0];
      if (!k) break;
      const name = `fz-${i}`;
      const { object, changes } = mutate(k.base(ns.name, name), k.schema, rand, 1 + Math.floor(rand() * 3), { maxDepth: 8 });
      const spec = object.spec;
      if (isRecord(spec) && typeof spec.replicas === 'number' && spec.replicas > maxReplicas) spec.replicas = maxReplicas;
      const described = changes.map((c) => `${c.path}=${JSON.stringify(c.value).slice(0, 80)}`);
      try {
        // POSTed as generated: it need not be what our types promise, only what the schema allows.
        const created = await client.request<KubeObject>({ method: 'POST', path: resourcePath(k.resource, ns.name), body: object });
        outcomes.push({ name, kind: k.kind, changes: described, uid: created.metadata.uid, resource: k.resource });
      } catch (err) {
        if (!(err instanceof ApiError) || err.code < 400 || err.code >= 500) throw err;
        outcomes.push({ name, kind: k.kind, changes: described, refused: err.message });
      }
    }

    const accepted = outcomes.filter((o) => o.refused === undefined);
    /**
     * Settled by its own status (settledByStatus), or explained by a failure condition of its
     * status or a Warning Event about it or about something it made (its pods, a MyDeployment's
     * replica sets: all named after it).
     */
    const explained = async (): Promise<{ status: number; warned: number; unexplained: Outcome[] }> => {
      const warnings = (await client.list(events, { namespace: ns.name })).items.filter((e) => e.type === 'Warning');
      const warnedUids = new Set(warnings.map((e) => e.involvedObject.uid ?? ''));
      const warnedNames = warnings.map((e) => e.involvedObject.name ?? '');
      const lists = await Promise.all(kinds.map((k) => client.list(k.resource, { namespace: ns.name })));
      const byUid = new Map(lists.flatMap((l) => l.items).map((o) => [o.metadata.uid ?? '', o]));
      let status = 0;
      let warned = 0;
      const unexplained: Outcome[] = [];
      for (const o of accepted) {
        const live = byUid.get(o.uid ?? '');
        if (live && settledByStatus(o.kind, live)) status++;
        else if ((live && failureCondition(live)) || warnedUids.has(o.uid ?? '') || warnedNames.some((n) => n.startsWith(`${o.name}-`))) warned++;
        else unexplained.push(o);
      }
      return { status, warned, unexplained };
    };
    try {
      await waitFor('every accepted object explained by a status or a Warning Event', explained, (v) => v.unexplained.length === 0, { timeoutMs: settleMs, intervalMs: 1_000 });
    } catch {
      // Reported below, object by object.
    }
    const last = await explained();

    const violations = new Violations();
    const allEvents = last.unexplained.length === 0 ? [] : (await client.list(events, { namespace: ns.name })).items;
    const lists = last.unexplained.length === 0 ? [] : await Promise.all(kinds.map((k) => client.list(k.resource, { namespace: ns.name })));
    const byName = new Map(lists.flatMap((l) => l.items).map((o) => [`${o.kind ?? ''}/${o.metadata.name ?? ''}`, o]));
    for (const o of last.unexplained.slice(0, 5)) {
      const about = allEvents.filter((e) => e.involvedObject.name === o.name || (e.involvedObject.name ?? '').startsWith(`${o.name}-`)).map((e) => `${e.type ?? ''}/${e.reason ?? ''} on ${e.involvedObject.kind ?? ''} ${e.involvedObject.name ?? ''}`);
      const live = byName.get(`${o.kind}/${o.name}`);
      const status = live && isRecord(live) ? JSON.stringify(live.status ?? {}).slice(0, 1200) : 'gone';
      violations.add(`${o.kind} ${o.name} unexplained after ${o.changes.join(', ')}; status ${status}; events: ${about.join(', ') || 'none'}`);
    }
    if (last.unexplained.length > 5) violations.count += last.unexplained.length - 5;
    if (operator.child.exitCode !== null || operator.child.signalCode !== null) violations.add(`the operator exited (${operator.child.exitCode ?? operator.child.signalCode ?? '?'}); see operator-fuzz.log`);
    const refused = outcomes.filter((o) => o.refused !== undefined);
    const unnamed = refused.filter((o) => !/spec\.|metadata\.|\.spec|Required value|Invalid value|Unsupported value/.test(o.refused ?? ''));
    for (const o of unnamed.slice(0, 5)) violations.add(`${o.kind} ${o.name} refused without naming a field: ${o.refused ?? ''}`);

    const file = writeRunRecord('fuzz', {
      seed,
      kinds: kinds.map((k) => k.kind),
      nodes: 1,
      faults: { 'fuzzed objects': objects },
      violations: violations.count,
      firstViolations: violations.first,
      fuzz: {
        refusedAtApply: refused.length,
        accepted: accepted.length,
        settledByStatus: last.status,
        explainedByFailure: last.warned,
        unexplained: last.unexplained.length,
        refusalExamples: refused.slice(0, 5).map((o) => `${o.kind}: ${(o.refused ?? '').slice(0, 200)}`),
      },
    });
    console.log(
      `      seed ${seed}: ${objects} objects, ${refused.length} refused at apply time, ${accepted.length} accepted: ${last.status} settled by their status, ${last.warned} explained by a failure condition or a Warning Event, ${last.unexplained.length} unexplained (${file})`,
    );
    assert.equal(violations.count, 0, violations.describe());
  });
});

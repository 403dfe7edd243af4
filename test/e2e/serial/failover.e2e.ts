// Failover: two replicas of the operator, as the chart runs them with replicaCount 2 (leader
// election on, identities from their pod names), while the three rollouts of support/chaos.ts run.
// The leader is SIGKILLed at a random moment of a rollout; it is started again (as its pod would
// be) only once the standby has taken over, and becomes the standby in turn.
//
// Measured: each takeover, from the kill until the standby reports leading, within the lease
// duration (15 s, the default) + 2 s. Proven from the API server's audit log (support/audit.ts):
// a replica writes nothing while it is a standby except its Lease attempts. A replica's standby
// time is from its start until its first successful write of the Lease; every request carries the
// replica's identity in its user agent. And the rollouts complete, nothing duplicated or orphaned.
//
// Default size (`npm test`): 2 failovers on 10 nodes. `npm run test:chaos`: 10 failovers on 50
// nodes (CHAOS_FAILOVERS, CHAOS_NODES).
import assert from 'node:assert/strict';
import { isOperatorAgent, readAudit, startAuditing, stopAuditing, type AuditEvent } from '../support/audit.ts';
import { ChaosRig, randomMoment } from '../support/chaos.ts';
import { kubeconfigPath, logFile, waitFor } from '../support/env.ts';
import { leadsLease, startOperator, type OperatorProcess } from '../support/operator.ts';
import { describeSpread, runSeed, seededRandom, spread, Violations, writeRunRecord } from '../support/reliability.ts';

const failovers = Number(process.env.CHAOS_FAILOVERS ?? 2);
const nodeCount = Number(process.env.CHAOS_NODES ?? 10);
const leaseName = 'failover';
const leaseDurationMs = 15_000;
const writeVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** One process of one replica: when it started, and (if it did) when it was killed. */
interface Incarnation {
  readonly identity: string;
  readonly process: OperatorProcess;
  readonly spawnedAt: number;
  killedAt?: number;
}

describe('failover between two replicas @own-operator @control-plane', function () {
  this.timeout(1_800_000);
  let rig: ChaosRig | undefined;
  const incarnations: Incarnation[] = [];
  let auditFrom = 0;

  before(async () => (auditFrom = await startAuditing()));
  after(async () => {
    await Promise.all(incarnations.map((i) => i.process.stop('SIGKILL')));
    await rig?.remove();
    await stopAuditing();
  });

  const spawn = async (r: ChaosRig, identity: string): Promise<Incarnation> => {
    const spawnedAt = Date.now();
    const proc = await startOperator({
      kubeconfig: kubeconfigPath(),
      logFile: logFile(`operator-failover-${identity}.log`),
      // Ready means caches synced: a standby is ready too.
      waitReady: true,
      args: ['--namespace', r.namespace, '--webhook-bind-address=0', '--leader-elect', '--leader-election-namespace', r.namespace, '--leader-election-id', leaseName, '--leader-election-identity', identity],
    });
    if (!proc) throw new Error('src/main.ts is missing');
    const incarnation: Incarnation = { identity, process: proc, spawnedAt };
    incarnations.push(incarnation);
    return incarnation;
  };
  const waitLeading = (i: Incarnation): Promise<unknown> =>
    waitFor(`${i.identity} to lead`, () => leadsLease(i.process, leaseName), (v) => v === 1, { timeoutMs: 60_000, intervalMs: 25 });

  it(`hands over within the lease duration + 2 s in each of ${failovers} failovers, and the standby writes nothing but its Lease attempts`, async () => {
    const seed = runSeed();
    const rand = seededRandom(seed);
    rig = await ChaosRig.create('failover', nodeCount);
    let leader = await spawn(rig, 'replica-a');
    await waitLeading(leader);
    let standby = await spawn(rig, 'replica-b');
    await rig.createWorkloads();
    await rig.completion(Date.now());

    const takeovers: number[] = [];
    let lastTakeoverAt = Date.now();
    for (let i = 0; i < failovers; i++) {
      await rig.rollNext();
      await randomMoment(rand);
      leader.killedAt = Date.now();
      await leader.process.stop('SIGKILL');
      await waitLeading(standby);
      lastTakeoverAt = Date.now();
      takeovers.push(lastTakeoverAt - leader.killedAt);
      // Its pod restarted by the kubelet, the killed replica comes back as the standby.
      const next = await spawn(rig, leader.identity);
      leader = standby;
      standby = next;
    }
    const recovered = await rig.completion(lastTakeoverAt);

    const violations = new Violations();
    await rig.checkEndState(violations);
    const audit = readAudit(auditFrom);
    const standbyWrites = writesWhileStandby(audit, incarnations, rig.namespace);
    for (const w of standbyWrites.slice(0, 5)) violations.add(`standby write: ${w}`);
    if (standbyWrites.length > 5) violations.count += standbyWrites.length - 5;
    for (const [n, ms] of takeovers.entries()) if (ms > leaseDurationMs + 2_000) violations.add(`takeover ${n + 1}: ${ms} ms after the kill`);

    const takeover = spread(takeovers);
    const file = writeRunRecord('failover', {
      ...rig.recordBase(seed),
      faults: { 'leader SIGKILL': failovers },
      violations: violations.count,
      firstViolations: violations.first,
      takeoverMs: takeover,
      standbyWrites: standbyWrites.length,
      operatorWritesAudited: audit.filter((e) => writeVerbs.has(e.verb) && isOperatorAgent(e.userAgent)).length,
      completedAfterLastRestartMs: recovered,
    });
    console.log(`      seed ${seed}: ${failovers} failovers, kill → standby leading ${describeSpread(takeover)}; ${standbyWrites.length} standby writes (${file})`);
    assert.equal(violations.count, 0, violations.describe());
  });
});

/**
 * The operator's writes made by a replica while it was a standby: from its start until its first
 * successful Lease write. A write belongs to the incarnation of its identity that started last
 * before the request arrived.
 */
function writesWhileStandby(audit: readonly AuditEvent[], incarnations: readonly Incarnation[], namespace: string): string[] {
  const out: string[] = [];
  const byIdentity = new Map<string, Incarnation[]>();
  for (const i of incarnations) byIdentity.set(i.identity, [...(byIdentity.get(i.identity) ?? []), i].sort((a, b) => a.spawnedAt - b.spawnedAt));
  const acquiredAt = new Map<Incarnation, number>();
  const incarnationOf = (identity: string, at: number): Incarnation | undefined => [...(byIdentity.get(identity) ?? [])].reverse().find((i) => i.spawnedAt <= at);
  const sorted = [...audit].sort((a, b) => (a.received < b.received ? -1 : a.received > b.received ? 1 : 0));
  for (const e of sorted) {
    if (!writeVerbs.has(e.verb)) continue;
    const identity = [...byIdentity.keys()].find((id) => isOperatorAgent(e.userAgent, id));
    if (identity === undefined) continue;
    const incarnation = incarnationOf(identity, e.receivedAt);
    if (incarnation === undefined) continue;
    const isLease = e.resource === 'leases' && e.namespace === namespace && e.name === leaseName;
    if (isLease) {
      if (e.code >= 200 && e.code < 300 && !acquiredAt.has(incarnation)) acquiredAt.set(incarnation, e.receivedAt);
      continue;
    }
    if (!acquiredAt.has(incarnation)) out.push(`${identity} ${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ''} ${e.namespace ?? ''}/${e.name ?? ''} at ${e.received}`);
  }
  return out;
}

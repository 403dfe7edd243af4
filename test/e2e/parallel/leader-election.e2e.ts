// Leader election and event recording against a real API server, in one process: two electors
// on one Lease in a namespace of their own.
//
//   npm run test:e2e -- test/e2e/parallel/leader-election.e2e.ts
//
// Still to come with the operator binary (test/e2e/serial/): two operator processes, SIGKILL the
// leader (the standby takes over within leaseDuration + 2 × 2.2 × retry) and SIGTERM it (it
// releases; the standby takes over on its next try), checking that reconciles never overlap.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { pollUntil } from '../../../hack/poll.ts';
import type { CoreEvent, Lease } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { configMaps, events, leases, namespaces } from '../../../src/api/resources.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { KubeClient } from '../../../src/runtime/client/rest.ts';
import { EventRecorder } from '../../../src/runtime/events.ts';
import type { StopReason } from '../../../src/runtime/leader-election.ts';
import { LeaderElector } from '../../../src/runtime/leader-election.ts';
import { kubeconfigPath } from '../support/env.ts';

const kubeconfig = kubeconfigPath();

/** Short timings so takeovers happen in seconds; the bounds below are derived from them. */
const timings = { leaseDurationMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 };
const leaseName = 'e2e-lock';

let client: KubeClient;

before(async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  client = await KubeClient.fromKubeConfig(kc, { qps: 0, timeoutMs: 10_000, userAgent: 'mwo-e2e-leader-election' });
});

async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

async function deleteNamespace(name: string): Promise<void> {
  try {
    await client.delete(namespaces, undefined, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Polls `probe` every 100 ms until `done` holds; fails after `timeoutMs` with the last value seen.
 * The timeouts are the bounds under test, so the probe after the deadline still counts.
 */
function waitFor<T>(what: string, probe: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  return pollUntil(what, probe, done, { timeoutMs, intervalMs: 100, deadlineAfterProbe: true });
}

interface Candidate {
  readonly identity: string;
  readonly elector: LeaderElector;
  readonly abort: AbortController;
  readonly stopped: StopReason[];
  readonly leaders: string[];
  readonly run: Promise<void>;
}

function candidate(namespace: string, identity: string, recorder?: EventRecorder): Candidate {
  const elector = new LeaderElector({ namespace, name: leaseName, identity, client, recorder, ...timings });
  const abort = new AbortController();
  const stopped: StopReason[] = [];
  const leaders: string[] = [];
  const run = elector.run({
    signal: abort.signal,
    onStartedLeading: () => undefined,
    onStoppedLeading: (reason) => stopped.push(reason),
    onNewLeader: (id) => leaders.push(id),
  });
  return { identity, elector, abort, stopped, leaders, run };
}

const readLease = (namespace: string): Promise<Lease> => client.get(leases, namespace, leaseName);

describe('leader election on a real API server', function () {
  this.timeout(120_000);
  let namespace = '';
  const candidates: Candidate[] = [];
  let recorder: EventRecorder | undefined;

  afterEach(async () => {
    for (const c of candidates.splice(0)) {
      c.abort.abort();
      await c.run;
    }
    await recorder?.shutdown();
    recorder = undefined;
    if (namespace) await deleteNamespace(namespace);
    namespace = '';
  });

  it('lets exactly one of two candidates lead, and the other take over once the leader stops renewing', async () => {
    namespace = await createNamespace('le-takeover');
    recorder = new EventRecorder({ client, host: 'e2e' });
    const a = candidate(namespace, `a-${randomBytes(2).toString('hex')}`, recorder);
    const b = candidate(namespace, `b-${randomBytes(2).toString('hex')}`, recorder);
    candidates.push(a, b);

    const leaderOf = (): Candidate[] => [a, b].filter((c) => c.elector.isLeader);
    await waitFor('a leader', leaderOf, (l) => l.length === 1, 15_000);

    // Over several renew periods, never two leaders, and the Lease names the one that leads.
    const windowEnd = Date.now() + 3 * timings.retryPeriodMs;
    while (Date.now() < windowEnd) {
      const leading = leaderOf();
      assert.equal(leading.length, 1, `leaders: ${leading.map((c) => c.identity).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [leader] = leaderOf();
    assert.ok(leader);
    const standby = leader === a ? b : a;
    const before = await readLease(namespace);
    assert.equal(before.spec?.holderIdentity, leader.identity);
    assert.equal(before.spec?.leaseDurationSeconds, 6);
    assert.match(before.spec?.renewTime ?? '', /\.\d{6}Z$/);
    // The standby has read the Lease on one of its jittered tries (its first may have lost the
    // race to create it).
    await waitFor('the standby to see the leader', () => standby.elector.leader, (id) => id === leader.identity, 2 * 2.2 * timings.retryPeriodMs + 1_000);
    assert.equal(standby.elector.isLeader, false);

    // The leader stops renewing without releasing (as if its process froze or died).
    const stoppedAt = Date.now();
    leader.abort.abort();
    await leader.run;
    assert.deepEqual(leader.stopped, ['stopped']);

    // The standby waits out the lease by its own clock: it cannot take over before the leader's
    // last renewal (at most one retry period before the stop) plus leaseDuration, and takes over
    // by then plus two jittered tries (one to see the last change, one after the lease).
    const worst = timings.leaseDurationMs + 2 * 2.2 * timings.retryPeriodMs + 1_000;
    await waitFor('the standby to take over', () => standby.elector.isLeader, (v) => v, worst);
    const tookOver = Date.now() - stoppedAt;
    assert.ok(tookOver >= timings.leaseDurationMs - timings.retryPeriodMs - 500, `took over after only ${tookOver} ms`);

    const after = await readLease(namespace);
    assert.equal(after.spec?.holderIdentity, standby.identity);
    assert.equal(after.spec?.leaseTransitions, (before.spec?.leaseTransitions ?? 0) + 1);
    assert.notEqual(after.spec?.acquireTime, before.spec?.acquireTime);
    await waitFor('onNewLeader to report the takeover', () => standby.leaders.at(-1), (id) => id === standby.identity, 2_000);

    // Both leaderships were recorded as Events on the Lease, as upstream does.
    await recorder.flush();
    const messages = (await client.list(events, { namespace })).items
      .filter((e) => e.involvedObject.kind === 'Lease' && e.reason === 'LeaderElection')
      .map((e) => e.message);
    assert.ok(messages.includes(`${leader.identity} became leader`), JSON.stringify(messages));
    assert.ok(messages.includes(`${standby.identity} became leader`), JSON.stringify(messages));
  });

  it('hands the Lease over within about 3 s of release() and counts the transition', async () => {
    namespace = await createNamespace('le-release');
    const a = candidate(namespace, 'a');
    candidates.push(a);
    await waitFor('a to lead', () => a.elector.isLeader, (v) => v, 15_000);
    assert.equal((await readLease(namespace)).spec?.leaseTransitions, 0);

    const b = candidate(namespace, 'b');
    candidates.push(b);
    await waitFor('b to see a as leader', () => b.elector.leader, (id) => id === 'a', 10_000);

    const releasedAt = Date.now();
    await a.elector.release();
    assert.deepEqual(a.stopped, ['released']);
    assert.equal(a.elector.isLeader, false);
    await waitFor('b to take over', () => b.elector.isLeader, (v) => v, 3_500);
    const handover = Date.now() - releasedAt;
    assert.ok(handover < 3_500, `handover took ${handover} ms`);

    const lease = await readLease(namespace);
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    assert.equal(lease.spec?.leaseDurationSeconds, 6);
  });

  it('records a repeated event as one Event whose count reaches 3', async () => {
    namespace = await createNamespace('le-events');
    const target = await client.create(configMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace, name: 'event-target' },
      data: { a: 'b' },
    });
    const involved = { apiVersion: 'v1', kind: 'ConfigMap', metadata: target.metadata };
    recorder = new EventRecorder({ client, host: 'e2e-host' });
    for (let i = 0; i < 3; i++) recorder.event(involved, 'Warning', 'Tested', 'the same message');
    recorder.event(involved, 'Normal', 'Other', 'another reason');
    await recorder.flush();

    const all = (await client.list(events, { namespace })).items;
    const tested = all.filter((e: CoreEvent) => e.reason === 'Tested');
    assert.equal(tested.length, 1, JSON.stringify(all, null, 1));
    const [event] = tested;
    assert.ok(event);
    assert.equal(event.count, 3);
    assert.equal(event.type, 'Warning');
    assert.equal(event.message, 'the same message');
    assert.match(event.metadata.name ?? '', /^event-target\.[0-9a-f]+$/);
    assert.deepEqual(event.source, { component: 'my-workload-operator', host: 'e2e-host' });
    assert.equal(event.reportingComponent, 'my-workload-operator');
    assert.equal(event.reportingInstance, 'e2e-host');
    const ref: KubeObject['metadata'] = target.metadata;
    assert.deepEqual(
      [event.involvedObject.kind, event.involvedObject.namespace, event.involvedObject.name, event.involvedObject.uid],
      ['ConfigMap', namespace, 'event-target', ref.uid],
    );
    assert.ok((event.lastTimestamp ?? '') >= (event.firstTimestamp ?? ''));
    assert.equal(all.filter((e) => e.reason === 'Other').length, 1);
  });
});

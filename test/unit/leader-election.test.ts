import assert from 'node:assert/strict';
import type { Lease } from '../../src/api/core.ts';
import type {
  Decision,
  LeaderRunOptions,
  LeaderElectionRecord,
  LeaderElectorOptions,
  StopReason,
} from '../../src/runtime/leader-election.ts';
import {
  LeaderElectionConfigError,
  LeaderElector,
  candidateRetryDelay,
  decide,
  nextRecord,
  recordFromLease,
  releaseRecord,
  validateTimings,
} from '../../src/runtime/leader-election.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';
import { formatMicroTime } from '../../src/runtime/time.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FakeLeaseApi, apiError, transportError } from '../support/fake-lease-api.ts';
import { deferred } from '../support/microtasks.ts';
import { waitUntil } from '../support/wait-until.ts';

const record = (over: Partial<LeaderElectionRecord> = {}): LeaderElectionRecord => ({
  holderIdentity: 'other',
  leaseDurationSeconds: 15,
  acquireTime: '2026-01-01T00:00:00.000000Z',
  renewTime: '2026-01-01T00:00:10.000000Z',
  leaseTransitions: 3,
  ...over,
});

describe('leader election decisions', () => {
  const rows: { name: string; observed: LeaderElectionRecord; seenAt: number; now: number; expected: Decision }[] = [
    { name: 'renews a lease it holds', observed: record({ holderIdentity: 'me' }), seenAt: 0, now: 1_000, expected: 'renew' },
    {
      name: 'renews a lease it holds even when its own observation is old',
      observed: record({ holderIdentity: 'me' }),
      seenAt: 0,
      now: 60_000,
      expected: 'renew',
    },
    { name: 'acquires a lease nobody holds', observed: record({ holderIdentity: '' }), seenAt: 0, now: 0, expected: 'acquire' },
    { name: 'waits while the record changed recently', observed: record(), seenAt: 10_000, now: 20_000, expected: 'wait' },
    { name: 'waits until the full lease duration has passed', observed: record(), seenAt: 0, now: 14_999, expected: 'wait' },
    { name: 'acquires once the record has not changed for the lease duration', observed: record(), seenAt: 0, now: 15_000, expected: 'acquire' },
    {
      name: "uses the holder's lease duration, not its own",
      observed: record({ leaseDurationSeconds: 60 }),
      seenAt: 0,
      now: 30_000,
      expected: 'wait',
    },
    {
      name: 'ignores a renewTime far in the past (clock skew): only the local observation counts',
      observed: record({ renewTime: '2000-01-01T00:00:00.000000Z' }),
      seenAt: 1_700_000_000_000,
      now: 1_700_000_001_000,
      expected: 'wait',
    },
    {
      name: 'ignores a renewTime in the future',
      observed: record({ renewTime: '2999-01-01T00:00:00.000000Z' }),
      seenAt: 1_700_000_000_000,
      now: 1_700_000_016_000,
      expected: 'acquire',
    },
  ];
  for (const row of rows) {
    it(row.name, () => assert.equal(decide(row.observed, row.seenAt, row.now, 'me'), row.expected));
  }

  it('takes over by bumping leaseTransitions and setting acquireTime', () => {
    const now = Date.UTC(2026, 10, 25, 17, 0, 0, 123);
    assert.deepEqual(nextRecord('acquire', record(), 'me', 15_000, now), {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-25T17:00:00.123000Z',
      renewTime: '2026-11-25T17:00:00.123000Z',
      leaseTransitions: 4,
    });
  });

  it('renews keeping acquireTime and leaseTransitions', () => {
    const now = Date.UTC(2026, 10, 25, 17, 0, 5);
    assert.deepEqual(nextRecord('renew', record({ holderIdentity: 'me' }), 'me', 15_000, now), {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-01T00:00:00.000000Z',
      renewTime: '2026-11-25T17:00:05.000000Z',
      leaseTransitions: 3,
    });
  });

  it('creates a new lease with zero transitions and whole-second duration', () => {
    const created = nextRecord('acquire', undefined, 'me', 15_900, 0);
    assert.equal(created.leaseTransitions, 0);
    assert.equal(created.leaseDurationSeconds, 15);
  });

  it('releases with an empty holder and a 1 s lease, keeping transitions', () => {
    const now = Date.UTC(2026, 10, 25, 17, 0, 0);
    assert.deepEqual(releaseRecord(record({ holderIdentity: 'me' }), now), {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: '2026-11-25T17:00:00.000000Z',
      renewTime: '2026-11-25T17:00:00.000000Z',
      leaseTransitions: 3,
    });
  });

  it('reads absent and null spec fields as zero values', () => {
    assert.deepEqual(recordFromLease({ metadata: {}, spec: { holderIdentity: null } }), {
      holderIdentity: '',
      leaseDurationSeconds: 0,
      acquireTime: '',
      renewTime: '',
      leaseTransitions: 0,
    });
  });
});

describe('candidate retry jitter', () => {
  it('waits at least one retry period', () => assert.equal(candidateRetryDelay(2_000, () => 0), 2_000));
  it('waits less than 2.2 retry periods', () => assert.ok(candidateRetryDelay(2_000, () => 0.999999) < 4_400));
  it('spreads over [retry, 2.2 × retry)', () => {
    for (let i = 0; i < 1_000; i++) {
      const d = candidateRetryDelay(2_000);
      assert.ok(d >= 2_000 && d < 4_400, String(d));
    }
  });
});

describe('leader election option validation', () => {
  const ok = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  it('accepts the upstream defaults', () => assert.doesNotThrow(() => validateTimings(ok)));
  const bad: { name: string; timings: typeof ok }[] = [
    { name: 'rejects a lease not longer than the renew deadline', timings: { ...ok, leaseDurationMs: 10_000 } },
    { name: 'rejects a renew deadline not above 1.2 × retry', timings: { ...ok, renewDeadlineMs: 2_400 } },
    { name: 'rejects a zero retry period', timings: { ...ok, retryPeriodMs: 0 } },
    { name: 'rejects a lease shorter than a second', timings: { leaseDurationMs: 900, renewDeadlineMs: 800, retryPeriodMs: 100 } },
  ];
  for (const row of bad) it(row.name, () => assert.throws(() => validateTimings(row.timings), LeaderElectionConfigError));
  it('rejects an empty identity', () => {
    assert.throws(
      () => new LeaderElector({ namespace: 'ns', name: 'lease', identity: '', client: new FakeLeaseApi() }),
      LeaderElectionConfigError,
    );
  });
});

// ---- the elector against an in-memory Lease, on a fake clock ---------------------------------

interface Harness {
  readonly clock: FakeClock;
  readonly api: FakeLeaseApi;
  readonly elector: LeaderElector;
  readonly stopped: StopReason[];
  readonly leaders: string[];
  readonly started: AbortSignal[];
  readonly run: Promise<void>;
  readonly abort: AbortController;
  /** Resolves when onStartedLeading is first called. */
  readonly leading: Promise<void>;
  /** Resolves with the reason onStoppedLeading is first called with. */
  readonly stoppedLeading: Promise<StopReason>;
  /** True once run() has resolved. */
  readonly finished: () => boolean;
}

function startElector(
  options: Partial<LeaderElectorOptions> & { api?: FakeLeaseApi; clock?: FakeClock; work?: (signal: AbortSignal) => Promise<void> } = {},
): Harness {
  const clock = options.clock ?? new FakeClock();
  const api = options.api ?? new FakeLeaseApi();
  const elector = new LeaderElector({
    namespace: 'ns',
    name: 'lease',
    identity: 'me',
    client: api,
    clock,
    random: () => 0,
    ...options,
  });
  const stopped: StopReason[] = [];
  const leaders: string[] = [];
  const started: AbortSignal[] = [];
  const abort = new AbortController();
  const leading = deferred<void>();
  const stoppedLeading = deferred<StopReason>();
  const callbacks: LeaderRunOptions = {
    signal: abort.signal,
    onStartedLeading: (signal) => {
      started.push(signal);
      leading.resolve();
      return options.work?.(signal);
    },
    onStoppedLeading: (reason) => {
      stopped.push(reason);
      stoppedLeading.resolve(reason);
    },
    onNewLeader: (id) => leaders.push(id),
  };
  let ended = false;
  const run = elector.run(callbacks).finally(() => (ended = true));
  return {
    clock,
    api,
    elector,
    stopped,
    leaders,
    started,
    run,
    abort,
    leading: leading.promise,
    stoppedLeading: stoppedLeading.promise,
    finished: () => ended,
  };
}

function heldBy(api: FakeLeaseApi, holder: string, renewTime = '2026-01-01T00:00:00.000000Z'): Lease {
  return api.put({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { namespace: 'ns', name: 'lease' },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: renewTime, renewTime, leaseTransitions: 2 },
  });
}

/**
 * Resolves once the elector can only move on when the clock does: it sleeps (a retry or renew
 * wait, or the deadline of a hanging request), or its run has ended. The fake API answers on
 * promise callbacks only, so this holds at the first macrotask boundary unless the elector is stuck.
 */
async function parked(h: Harness): Promise<void> {
  await waitUntil(() => h.clock.waiting > 0 || h.finished(), { what: 'the elector waits on the clock' });
}

/**
 * Moves the clock forward by `ms`, stopping at each deadline the elector sleeps until so that it
 * wakes exactly on time and reaches its next sleep before time moves on.
 */
async function advance(h: Harness, ms: number): Promise<void> {
  const end = h.clock.now() + ms;
  await parked(h);
  for (let next = h.clock.nextDeadline(); next !== undefined && next <= end; next = h.clock.nextDeadline()) {
    h.clock.advance(next - h.clock.now());
    await parked(h);
  }
  h.clock.advance(end - h.clock.now());
  await parked(h);
}

async function metricValue(name: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => v.labels.name === 'lease')?.value;
}

describe('LeaderElector', () => {
  it('creates the Lease when it is absent and starts leading', async () => {
    const h = startElector();
    await h.leading;
    assert.equal(h.elector.isLeader, true);
    assert.equal(h.started.length, 1);
    assert.equal(h.api.lease?.spec?.holderIdentity, 'me');
    assert.equal(h.api.lease?.spec?.leaseTransitions, 0);
    assert.match(h.api.lease?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(h.leaders, ['me']);
    assert.equal(await metricValue('leader_election_master_status'), 1);
    h.abort.abort();
    await h.run;
  });

  it('renews every retry period with a PUT on the Lease it last wrote, without reading it', async () => {
    const h = startElector();
    await h.leading;
    const firstRenew = h.api.lease?.spec?.renewTime;
    await advance(h, 6_000);
    assert.equal(h.api.count('update'), 3);
    assert.equal(h.api.count('get'), 1);
    assert.notEqual(h.api.lease?.spec?.renewTime, firstRenew);
    assert.equal(h.api.lease?.metadata.resourceVersion, '4');
    h.abort.abort();
    await h.run;
  });

  it('waits while another holder renews, and takes over leaseDuration after the record last changed', async () => {
    const api = new FakeLeaseApi();
    heldBy(api, 'other');
    const h = startElector({ api });
    await parked(h);
    // The holder renews for 20 s (every 2 s, just after each of the candidate's tries).
    for (let i = 1; i <= 10; i++) {
      await advance(h, 2_000);
      heldBy(api, 'other', formatMicroTime(h.clock.now()));
    }
    assert.equal(h.elector.isLeader, false);
    assert.equal(h.elector.leader, 'other');
    const lastChange = h.clock.now();
    // The candidate sees the last change on its next try (2 s), then waits 15 s more.
    await advance(h, 16_900);
    assert.equal(h.elector.isLeader, false);
    await advance(h, 2_200);
    assert.equal(h.elector.isLeader, true);
    assert.ok(h.clock.now() - lastChange <= 15_000 + 2 * 2_200);
    assert.equal(api.lease?.spec?.holderIdentity, 'me');
    assert.equal(api.lease?.spec?.leaseTransitions, 3);
    assert.deepEqual(h.leaders, ['other', 'me']);
    h.abort.abort();
    await h.run;
  });

  it('takes a released Lease (empty holder) on the next try', async () => {
    const api = new FakeLeaseApi();
    heldBy(api, 'other');
    const h = startElector({ api });
    await parked(h);
    assert.equal(h.elector.isLeader, false);
    api.put({ ...api.lease, metadata: api.lease?.metadata ?? {}, spec: { ...api.lease?.spec, holderIdentity: '', leaseDurationSeconds: 1 } });
    await advance(h, 2_000);
    assert.equal(h.elector.isLeader, true);
    assert.equal(api.lease?.spec?.leaseTransitions, 3);
    h.abort.abort();
    await h.run;
  });

  it('reports the loss at the renew deadline when renewals keep failing, and aborts the leading signal', async () => {
    const h = startElector();
    await h.leading;
    const acquiredAt = h.clock.now();
    h.api.fault = () => transportError();
    await advance(h, 9_900);
    assert.deepEqual(h.stopped, []);
    assert.equal(h.started[0]?.aborted, false);
    await advance(h, 100);
    assert.equal(h.clock.now() - acquiredAt, 10_000);
    assert.deepEqual(h.stopped, ['lost']);
    assert.equal(h.started[0]?.aborted, true);
    assert.equal(h.elector.isLeader, false);
    assert.equal(await metricValue('leader_election_master_status'), 0);
    await h.run;
  });

  it('aborts a renewal that hangs past the renew deadline and reports the loss then', async () => {
    const h = startElector();
    await h.leading;
    h.api.fault = () => 'hang';
    await advance(h, 9_900);
    assert.deepEqual(h.stopped, []);
    await advance(h, 100);
    assert.deepEqual(h.stopped, ['lost']);
    await h.run;
  });

  it('keeps leading through failures shorter than the renew deadline', async () => {
    const h = startElector();
    await h.leading;
    h.api.fault = () => transportError();
    await advance(h, 7_000);
    h.api.fault = () => undefined;
    await advance(h, 20_000);
    assert.deepEqual(h.stopped, []);
    assert.equal(h.elector.isLeader, true);
    h.abort.abort();
    await h.run;
  });

  it('stops leading at once when the Lease names another holder', async () => {
    const h = startElector();
    await h.leading;
    heldBy(h.api, 'thief');
    await advance(h, 2_000);
    assert.deepEqual(h.stopped, ['lost']);
    await h.run;
  });

  it('counts a renewal that had to read the Lease first as a slow path', async () => {
    const h = startElector();
    await h.leading;
    const before = (await metricValue('leader_election_slowpath_total')) ?? 0;
    // Someone else touches the Lease: our PUT carries a stale resourceVersion.
    h.api.put({ ...(h.api.lease ?? { metadata: {} }), metadata: { ...h.api.lease?.metadata, labels: { touched: 'yes' } } });
    await advance(h, 2_000);
    assert.equal(await metricValue('leader_election_slowpath_total'), before + 1);
    assert.equal(h.elector.isLeader, true);
    assert.equal(h.api.lease?.metadata.labels?.touched, 'yes');
    h.abort.abort();
    await h.run;
  });

  it('on release, waits for the leader work to finish, then writes an empty holder with a 1 s lease', async () => {
    let finishWork = (): void => undefined;
    const h = startElector({
      work: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => (finishWork = resolve));
        }),
    });
    await h.leading;
    const released = h.elector.release();
    assert.equal(await h.stoppedLeading, 'released');
    assert.deepEqual(h.stopped, ['released']);
    assert.equal(h.api.lease?.spec?.holderIdentity, 'me', 'not released before the work has stopped');
    finishWork();
    await released;
    await h.run;
    assert.equal(h.api.lease?.spec?.holderIdentity, '');
    assert.equal(h.api.lease?.spec?.leaseDurationSeconds, 1);
    assert.equal(h.api.lease?.spec?.leaseTransitions, 0);
  });

  it('stops without writing when its signal aborts, leaving the Lease to expire', async () => {
    const h = startElector();
    await h.leading;
    const writes = h.api.count('update') + h.api.count('create');
    h.abort.abort();
    await h.run;
    assert.deepEqual(h.stopped, ['stopped']);
    assert.equal(h.api.count('update') + h.api.count('create'), writes);
    assert.equal(h.api.lease?.spec?.holderIdentity, 'me');
  });

  it('does not call onStoppedLeading when it never led', async () => {
    const api = new FakeLeaseApi();
    heldBy(api, 'other');
    const h = startElector({ api });
    await parked(h);
    h.abort.abort();
    await h.run;
    assert.deepEqual(h.stopped, []);
  });

  it('retries after a conflict while acquiring', async () => {
    const api = new FakeLeaseApi();
    api.fault = (verb) => (verb === 'create' ? apiError(409, 'AlreadyExists') : undefined);
    const h = startElector({ api });
    await parked(h);
    assert.equal(h.elector.isLeader, false);
    api.fault = () => undefined;
    await advance(h, 2_000);
    assert.equal(h.elector.isLeader, true);
    h.abort.abort();
    await h.run;
  });
});

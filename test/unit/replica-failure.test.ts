import assert from 'node:assert/strict';
import type { WorkloadCondition } from '../../src/api/meta.ts';
import { CreateBackoff, createBackoffMaxMs } from '../../src/controllers/shared/create-backoff.ts';
import { failureCause, nextReplicaFailure } from '../../src/controllers/shared/replica-failure.ts';
import { FakeClock } from '../support/fake-clock.ts';

const quota = (pod: string): string => `pods "${pod}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0`;
const t0 = '2026-12-05T10:00:00Z';
const t1 = '2026-12-05T10:05:00Z';

describe('ReplicaFailure condition', () => {
  it('takes the refused object name out of the cause: generated pod names and ordinals share one cause', () => {
    assert.equal(failureCause(quota('agent-x7k2p')), failureCause(quota('agent-9fz4q')));
    assert.equal(failureCause(quota('web-0')), 'pods is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0');
    assert.notEqual(failureCause(quota('web-0')), failureCause('pods "web-0" is forbidden: maximum cpu usage per Container is 1, but limit is 2'));
    assert.equal(failureCause('Internal error occurred: etcdserver: request timed out'), 'Internal error occurred: etcdserver: request timed out');
  });

  it('is added on a refusal, with the API server message, and the cause is new', () => {
    const other: WorkloadCondition = { type: 'Other', status: 'False' };
    const update = nextReplicaFailure([other], { kind: 'failed', message: quota('web-0') }, t0);
    assert.deepEqual(update, {
      newCause: true,
      conditions: [other, { type: 'ReplicaFailure', status: 'True', lastTransitionTime: t0, reason: 'FailedCreate', message: quota('web-0') }],
    });
  });

  it('stays as it is on a refusal with the same cause (another name): nothing to write, no new cause', () => {
    const first = nextReplicaFailure(undefined, { kind: 'failed', message: quota('agent-aaaaa') }, t0).conditions;
    assert.deepEqual(nextReplicaFailure(first, { kind: 'failed', message: quota('agent-bbbbb') }, t1), { conditions: undefined, newCause: false });
  });

  it('takes the message of another cause, keeping lastTransitionTime and its place', () => {
    const first = nextReplicaFailure([], { kind: 'failed', message: quota('web-0') }, t0).conditions ?? [];
    const later = [...first, { type: 'Other', status: 'True' as const }];
    const update = nextReplicaFailure(later, { kind: 'failed', message: 'pods "web-0" is forbidden: violates PodSecurity' }, t1);
    assert.equal(update.newCause, true);
    assert.deepEqual(
      update.conditions?.map((c) => [c.type, c.lastTransitionTime, c.message]),
      [
        ['ReplicaFailure', t0, 'pods "web-0" is forbidden: violates PodSecurity'],
        ['Other', undefined, undefined],
      ],
    );
  });

  it('becomes True again (new transition time) when it was there with another status', () => {
    const stale: WorkloadCondition = { type: 'ReplicaFailure', status: 'False', lastTransitionTime: t0 };
    const update = nextReplicaFailure([stale], { kind: 'failed', message: quota('web-0') }, t1);
    assert.equal(update.newCause, true);
    assert.equal(update.conditions?.[0]?.lastTransitionTime, t1);
  });

  it('is removed once creates go through, and left alone while they are held back', () => {
    const set = nextReplicaFailure([], { kind: 'failed', message: quota('web-0') }, t0).conditions ?? [];
    assert.deepEqual(nextReplicaFailure(set, { kind: 'deferred' }, t1), { conditions: undefined, newCause: false });
    assert.deepEqual(nextReplicaFailure(set, { kind: 'succeeded' }, t1), { conditions: [], newCause: false });
    assert.deepEqual(nextReplicaFailure(undefined, { kind: 'succeeded' }, t1), { conditions: undefined, newCause: false });
  });
});

describe('CreateBackoff', () => {
  it('waits 1 s after the first refusal, doubling up to 5 minutes', () => {
    const clock = new FakeClock();
    const backoff = new CreateBackoff(clock);
    assert.equal(backoff.remainingMs('ns/a', 'u1'), 0);
    const delays: number[] = [];
    for (let i = 0; i < 11; i++) {
      delays.push(backoff.failed('ns/a', 'u1'));
      assert.equal(backoff.remainingMs('ns/a', 'u1'), delays.at(-1));
      clock.advance(delays.at(-1) ?? 0);
      assert.equal(backoff.remainingMs('ns/a', 'u1'), 0);
    }
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, createBackoffMaxMs, createBackoffMaxMs]);
  });

  it('starts afresh after a success, for a new object under the same key, and after 10 idle minutes', () => {
    const clock = new FakeClock();
    const backoff = new CreateBackoff(clock);
    backoff.failed('ns/a', 'u1');
    backoff.failed('ns/a', 'u1');
    assert.equal(backoff.remainingMs('ns/a', 'u1'), 2_000);
    assert.equal(backoff.remainingMs('ns/a', 'u2'), 0, 'another object of the same name');
    assert.equal(backoff.failed('ns/a', 'u2'), 1_000);
    backoff.succeeded('ns/a');
    assert.equal(backoff.remainingMs('ns/a', 'u2'), 0);
    assert.equal(backoff.size, 0);

    backoff.failed('ns/b', 'u3');
    assert.equal(backoff.failed('ns/b', 'u3'), 2_000);
    clock.advance(2 * createBackoffMaxMs + 1);
    assert.equal(backoff.failed('ns/b', 'u3'), 1_000);
  });

  it('drops entries of objects that went away while backing off', () => {
    const clock = new FakeClock();
    const backoff = new CreateBackoff(clock);
    backoff.failed('ns/gone', 'u1');
    clock.advance(2 * createBackoffMaxMs + 1);
    backoff.failed('ns/other', 'u2');
    assert.equal(backoff.size, 1);
    backoff.forget('ns/other');
    assert.equal(backoff.size, 0);
  });
});

import assert from 'node:assert/strict';
import { Expectations } from '../../src/runtime/expectations.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { metricValue, uniqueName } from '../support/metrics.ts';

const key = 'ns/ds';
const fiveMinutes = 5 * 60 * 1000;

function setup(): { expectations: Expectations; clock: FakeClock; controller: string } {
  const clock = new FakeClock();
  const controller = uniqueName('expectations');
  return { expectations: new Expectations({ controller, clock }), clock, controller };
}

describe('Expectations', () => {
  it('is satisfied for an owner without a record', () => {
    const { expectations } = setup();
    assert.equal(expectations.satisfied(key), true);
  });

  it('waits until every expected creation is observed', () => {
    const { expectations } = setup();
    expectations.expectCreations(key, 2);
    assert.equal(expectations.satisfied(key), false);
    expectations.creationObserved(key);
    assert.equal(expectations.satisfied(key), false);
    expectations.creationObserved(key);
    assert.equal(expectations.satisfied(key), true);
  });

  it('waits for the deletion of each expected UID and ignores other pods', () => {
    const { expectations } = setup();
    expectations.expectDeletions(key, ['uid-1', 'uid-2']);
    expectations.deletionObserved(key, 'uid-other');
    expectations.deletionObserved(key, 'uid-1');
    expectations.deletionObserved(key, 'uid-1');
    assert.equal(expectations.satisfied(key), false, 'uid-2 is still expected');
    assert.deepEqual(expectations.get(key)?.deletions, ['uid-2']);
    expectations.deletionObserved(key, 'uid-2');
    assert.equal(expectations.satisfied(key), true);
  });

  it('waits for creations and deletions expected for the same owner', () => {
    const { expectations } = setup();
    expectations.expectCreations(key, 1);
    expectations.expectDeletions(key, ['uid-1']);
    expectations.creationObserved(key);
    assert.equal(expectations.satisfied(key), false);
    expectations.deletionObserved(key, 'uid-1');
    assert.equal(expectations.satisfied(key), true);
  });

  it('lowers expectations for creates and deletes that failed', () => {
    const { expectations } = setup();
    expectations.expectCreations(key, 3);
    expectations.expectDeletions(key, ['uid-1', 'uid-2']);
    expectations.lowerExpectations(key, { creations: 2, deletions: ['uid-2'] });
    expectations.creationObserved(key);
    expectations.deletionObserved(key, 'uid-1');
    assert.equal(expectations.satisfied(key), true);
  });

  it('keeps owners apart', () => {
    const { expectations } = setup();
    expectations.expectCreations('ns/a', 1);
    expectations.creationObserved('ns/b');
    assert.equal(expectations.satisfied('ns/a'), false);
    assert.equal(expectations.satisfied('ns/b'), true);
  });

  it('ignores observations for an owner without a record', () => {
    const { expectations } = setup();
    expectations.creationObserved(key);
    expectations.expectCreations(key, 1);
    assert.equal(expectations.satisfied(key), false);
  });

  it('treats expectations set more than 5 minutes ago as satisfied and counts the timeout once', async () => {
    const { expectations, clock, controller } = setup();
    expectations.expectCreations(key, 1);
    clock.advance(fiveMinutes);
    assert.equal(expectations.satisfied(key), false, 'exactly 5 minutes is not yet expired');
    clock.advance(1);
    assert.equal(expectations.satisfied(key), true);
    assert.equal(expectations.satisfied(key), true);
    assert.equal(await metricValue('my_workload_expectation_timeouts_total', { controller }), 1);

    expectations.expectCreations(key, 1);
    assert.equal(expectations.satisfied(key), false, 'new expectations start a new TTL');
  });

  it('measures the TTL from the latest expectation set', () => {
    const { expectations, clock } = setup();
    expectations.expectCreations(key, 1);
    clock.advance(fiveMinutes - 1);
    expectations.expectDeletions(key, ['uid-1']);
    clock.advance(2);
    assert.equal(expectations.satisfied(key), false);
  });

  it('counts no timeout for fulfilled expectations, however old', async () => {
    const { expectations, clock, controller } = setup();
    expectations.expectCreations(key, 1);
    expectations.creationObserved(key);
    clock.advance(2 * fiveMinutes);
    assert.equal(expectations.satisfied(key), true);
    assert.equal(await metricValue('my_workload_expectation_timeouts_total', { controller }), 0);
  });

  it('forgets an owner on delete', () => {
    const { expectations } = setup();
    expectations.expectCreations(key, 1);
    expectations.delete(key);
    assert.equal(expectations.satisfied(key), true);
    assert.equal(expectations.get(key), undefined);
  });
});

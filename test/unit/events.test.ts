import assert from 'node:assert/strict';
import type { CoreEvent } from '../../src/api/core.ts';
import type { AggregateRecord, InvolvedObject } from '../../src/runtime/events.ts';
import {
  EventCorrelator,
  EventRecorder,
  aggregate,
  aggregateKeys,
  combinedMessagePrefix,
  correlationDefaults,
  eventKey,
  eventName,
  observeRepeat,
  spamKey,
} from '../../src/runtime/events.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';
import { formatMetaV1Time as formatTime } from '../../src/runtime/time.ts';
import type { TokenBucketState } from '../../src/runtime/token-bucket.ts';
import { tryAccept } from '../../src/runtime/token-bucket.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FakeEventApi } from '../support/fake-event-api.ts';
import { apiError, transportError } from '../support/fake-lease-api.ts';

const pod: InvolvedObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'ns', name: 'web-0', uid: 'u-1', resourceVersion: '7' },
};

function coreEvent(over: Partial<CoreEvent> = {}): CoreEvent {
  return {
    metadata: { name: 'web-0.1', namespace: 'ns' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'web-0', uid: 'u-1' },
    type: 'Normal',
    reason: 'Created',
    message: 'created pod',
    count: 1,
    firstTimestamp: '2026-01-01T00:00:00Z',
    lastTimestamp: '2026-01-01T00:00:00Z',
    source: { component: 'c', host: 'h' },
    ...over,
  };
}

describe('event keys', () => {
  it('treats the same object, type, reason and message as a repeat', () => {
    assert.equal(eventKey(coreEvent()), eventKey(coreEvent({ metadata: { name: 'other' }, count: 5 })));
  });
  it('tells events with another message apart', () => {
    assert.notEqual(eventKey(coreEvent()), eventKey(coreEvent({ message: 'other' })));
  });
  it('tells objects with another UID apart', () => {
    const other = coreEvent({ involvedObject: { ...coreEvent().involvedObject, uid: 'u-2' } });
    assert.notEqual(eventKey(coreEvent()), eventKey(other));
  });
  it('groups the spam filter by object and type, whatever the reason and message', () => {
    assert.equal(spamKey(coreEvent()), spamKey(coreEvent({ reason: 'Deleted', message: 'x' })));
    assert.notEqual(spamKey(coreEvent()), spamKey(coreEvent({ type: 'Warning' })));
  });
  it('aggregates by reason with the message as the local key', () => {
    const a = aggregateKeys(coreEvent({ message: 'a' }));
    const b = aggregateKeys(coreEvent({ message: 'b' }));
    assert.equal(a.aggregateKey, b.aggregateKey);
    assert.deepEqual([a.localKey, b.localKey], ['a', 'b']);
    assert.notEqual(a.aggregateKey, aggregateKeys(coreEvent({ reason: 'Other' })).aggregateKey);
  });
});

// The spam filter is token-bucket.ts tryAccept with the events_cache.go limits.
describe('event spam filter', () => {
  const limits = { burst: correlationDefaults.spamBurst, qps: correlationDefaults.spamQps };
  it('uses the upstream limits: burst 25, one token per 300 s', () => {
    assert.deepEqual(limits, { burst: 25, qps: 1 / 300 });
  });
  it('lets a burst of 25 through, then drops', () => {
    let state: TokenBucketState | undefined;
    const accepted: boolean[] = [];
    for (let i = 0; i < 26; i++) {
      const r = tryAccept(state, 0, limits);
      accepted.push(r.accepted);
      state = r.state;
    }
    assert.equal(accepted.filter(Boolean).length, 25);
    assert.equal(accepted[25], false);
  });
  it('refills one token per 300 s', () => {
    let state = { tokens: 0, updatedAt: 0 };
    const early = tryAccept(state, 299_000, limits);
    assert.equal(early.accepted, false);
    state = early.state;
    const onTime = tryAccept(state, 300_000, limits);
    assert.equal(onTime.accepted, true);
    assert.equal(tryAccept(onTime.state, 300_000, limits).accepted, false);
  });
  it('never holds more than the burst', () => {
    const r = tryAccept({ tokens: 25, updatedAt: 0 }, 1e9, limits);
    assert.ok(r.state.tokens <= 24);
  });
});

describe('event aggregation', () => {
  const limits = { maxEvents: 10, intervalMs: 600_000 };
  function feed(messages: readonly string[], times: readonly number[]): boolean[] {
    let record: AggregateRecord | undefined;
    const combined: boolean[] = [];
    messages.forEach((m, i) => {
      const r = aggregate(record, m, times[i] ?? 0, limits);
      combined.push(r.combine);
      record = r.record;
    });
    return combined;
  }
  const distinct = Array.from({ length: 12 }, (_, i) => `message ${i}`);

  it('writes the first 9 distinct messages on their own and combines from the 10th', () => {
    assert.deepEqual(feed(distinct, []), [...Array<boolean>(9).fill(false), true, true, true]);
  });
  it('does not count repeats of one message as distinct', () => {
    assert.deepEqual(feed(Array<string>(20).fill('same'), []), Array<boolean>(20).fill(false));
  });
  it('starts afresh after more than 600 s without an event', () => {
    const times = distinct.map((_, i) => (i < 9 ? i * 1000 : 9_000 + 600_001));
    assert.deepEqual(feed(distinct, times).slice(8, 11), [false, false, false]);
  });
  it('keeps aggregating while gaps stay under 600 s', () => {
    const times = distinct.map((_, i) => i * 599_000);
    assert.equal(feed(distinct, times)[9], true);
  });
});

describe('event repeats', () => {
  it('creates an event seen for the first time', () => {
    const r = observeRepeat(coreEvent(), undefined);
    assert.equal(r.patch, undefined);
    assert.equal(r.log.count, 1);
  });
  it('turns a repeat into a patch of count and lastTimestamp on the first event', () => {
    const r = observeRepeat(coreEvent({ metadata: { name: 'new', namespace: 'ns' }, lastTimestamp: '2026-01-01T00:01:00Z' }), {
      count: 2,
      firstTimestamp: '2026-01-01T00:00:00Z',
      name: 'first',
      resourceVersion: '9',
    });
    assert.deepEqual(r.patch, { count: 3, lastTimestamp: '2026-01-01T00:01:00Z', message: 'created pod' });
    assert.equal(r.event.metadata.name, 'first');
    assert.equal(r.event.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(r.log.count, 3);
  });
});

describe('event names and times', () => {
  it('names events <object>.<unix nanoseconds in hex>', () => {
    assert.equal(eventName('web-0', 1_700_000_000_000_000_000n), 'web-0.17979cfe362a0000');
  });
  it('falls back to a UUID when the name would be invalid', () => {
    assert.match(eventName('x'.repeat(260), 1n), /^[0-9a-f-]{36}$/);
  });
  it('formats timestamps in whole seconds', () => {
    assert.equal(formatTime(Date.UTC(2026, 10, 25, 17, 0, 0, 999)), '2026-11-25T17:00:00Z');
  });
});

describe('EventCorrelator', () => {
  let n = 0;
  const correlator = (): EventCorrelator => new EventCorrelator((ref) => `${ref}.combined${n++}`);

  it('creates, then patches repeats with a growing count', () => {
    const c = correlator();
    const first = c.correlate(coreEvent(), 0);
    assert.equal(first.kind, 'create');
    if (first.kind !== 'create') return;
    c.updateState(first.key, first.event);
    const second = c.correlate(coreEvent({ metadata: { name: 'web-0.2', namespace: 'ns' } }), 1_000);
    const third = c.correlate(coreEvent({ metadata: { name: 'web-0.3', namespace: 'ns' } }), 2_000);
    assert.equal(second.kind, 'patch');
    assert.equal(third.kind, 'patch');
    if (third.kind !== 'patch') return;
    assert.equal(third.patch.count, 3);
    assert.equal(third.event.metadata.name, 'web-0.1');
  });

  it('reuses one combined event from the 10th distinct message', () => {
    const c = correlator();
    const results = Array.from({ length: 12 }, (_, i) => c.correlate(coreEvent({ message: `m${i}` }), i));
    assert.deepEqual(
      results.map((r) => r.kind),
      [...Array<string>(10).fill('create'), 'patch', 'patch'],
    );
    const tenth = results[9];
    const last = results[11];
    assert.ok(tenth?.kind === 'create' && last?.kind === 'patch');
    assert.equal(tenth.event.message, `${combinedMessagePrefix}m9`);
    assert.equal(last.event.metadata.name, tenth.event.metadata.name);
    assert.deepEqual(last.patch, { count: 3, lastTimestamp: formatTime(11), message: `${combinedMessagePrefix}m11` });
  });

  it('skips events past the spam burst for one object', () => {
    const c = correlator();
    const kinds = Array.from({ length: 30 }, (_, i) => c.correlate(coreEvent({ reason: `R${i}` }), 0).kind);
    assert.equal(kinds.filter((k) => k !== 'skip').length, 25);
  });
});

// ---- the recorder --------------------------------------------------------------------------

function recorder(api: FakeEventApi, clock = new FakeClock(), over: { maxQueuedEvents?: number } = {}): EventRecorder {
  return new EventRecorder({ client: api, clock, host: 'op-1', random: () => 1, ...over });
}

async function dropped(reason: string): Promise<number> {
  const metric = await registry.getSingleMetric('event_recorder_dropped_events_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('EventRecorder', () => {
  it('returns before writing, then writes a core/v1 Event about the object', async () => {
    const api = new FakeEventApi();
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 17, 0, 0));
    const r = recorder(api, clock);
    r.event(pod, 'Warning', 'FailedCreate', 'quota exceeded');
    assert.equal(api.calls.length, 0);
    await r.flush();
    assert.equal(api.all.length, 1);
    const written = api.all[0];
    assert.ok(written);
    assert.match(written.metadata.name ?? '', /^web-0\.[0-9a-f]+$/);
    assert.equal(written.metadata.namespace, 'ns');
    assert.deepEqual(written.involvedObject, {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'ns',
      name: 'web-0',
      uid: 'u-1',
      resourceVersion: '7',
    });
    assert.equal(written.type, 'Warning');
    assert.equal(written.reason, 'FailedCreate');
    assert.equal(written.count, 1);
    assert.equal(written.firstTimestamp, '2026-11-25T17:00:00Z');
    assert.deepEqual(written.source, { component: 'my-workload-operator', host: 'op-1' });
    assert.equal(written.reportingComponent, 'my-workload-operator');
    assert.equal(written.reportingInstance, 'op-1');
  });

  it('patches count and lastTimestamp for repeats of one event', async () => {
    const api = new FakeEventApi();
    const clock = new FakeClock();
    const r = recorder(api, clock);
    for (let i = 0; i < 3; i++) {
      r.event(pod, 'Normal', 'Created', 'created pod');
      clock.advance(1_000);
    }
    await r.flush();
    assert.deepEqual(
      api.calls.map((c) => c.verb),
      ['create', 'patch', 'patch'],
    );
    assert.equal(api.all.length, 1);
    assert.equal(api.all[0]?.count, 3);
    assert.equal(api.calls[2]?.name, api.calls[0]?.name);
  });

  it('creates the event again when a repeat finds it gone', async () => {
    const api = new FakeEventApi();
    const r = recorder(api);
    r.event(pod, 'Normal', 'Created', 'created pod');
    await r.flush();
    api.stored.clear();
    r.event(pod, 'Normal', 'Created', 'created pod');
    await r.flush();
    assert.deepEqual(
      api.calls.map((c) => c.verb),
      ['create', 'patch', 'create'],
    );
    assert.equal(api.all[0]?.count, 2);
  });

  it('puts events of cluster-scoped objects in the default namespace', async () => {
    const api = new FakeEventApi();
    const r = recorder(api);
    r.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n' } }, 'Normal', 'Seen', 'x');
    await r.flush();
    assert.equal(api.all[0]?.metadata.namespace, 'default');
    assert.equal(api.all[0]?.involvedObject.namespace, undefined);
  });

  it('gives events in the same millisecond distinct names', async () => {
    const api = new FakeEventApi();
    const r = recorder(api);
    r.event(pod, 'Normal', 'A', 'a');
    r.event(pod, 'Normal', 'B', 'b');
    await r.flush();
    assert.equal(api.all.length, 2);
  });

  it('retries transport errors 10 s apart, without blocking callers', async () => {
    const api = new FakeEventApi();
    const clock = new FakeClock();
    const r = recorder(api, clock);
    api.failures.push(transportError(), transportError());
    r.event(pod, 'Normal', 'Created', 'created pod');
    // The writer's retry wait is registered only after the failed try has returned.
    await clock.untilWaiting();
    assert.equal(api.calls.length, 1);
    assert.equal(clock.nextDeadline(), clock.now() + 10_000);
    clock.advance(9_999);
    assert.equal(api.calls.length, 1);
    clock.advance(1);
    await clock.untilWaiting();
    assert.equal(api.calls.length, 2);
    clock.advance(10_000);
    await r.flush();
    assert.equal(api.calls.length, 3);
    assert.equal(api.all.length, 1);
  });

  it('gives up after 12 tries', async () => {
    const api = new FakeEventApi();
    const clock = new FakeClock();
    const r = recorder(api, clock);
    for (let i = 0; i < 20; i++) api.failures.push(transportError());
    const before = await dropped('retries_exhausted');
    r.event(pod, 'Normal', 'Created', 'created pod');
    // Eleven waits between twelve tries; flush() then resolves once the twelfth has failed.
    for (let i = 0; i < 11; i++) {
      await clock.untilWaiting();
      clock.advance(10_000);
    }
    await r.flush();
    assert.equal(clock.waiting, 0);
    assert.equal(api.calls.length, 12);
    assert.equal(await dropped('retries_exhausted'), before + 1);
  });

  it('does not retry an event the server refused', async () => {
    const api = new FakeEventApi();
    const r = recorder(api);
    api.failures.push(apiError(422, 'Invalid'));
    r.event(pod, 'Normal', 'Created', 'created pod');
    await r.flush();
    assert.equal(api.calls.length, 1);
    assert.equal(api.all.length, 0);
  });

  it('drops and counts events beyond the queue bound', async () => {
    const api = new FakeEventApi();
    const r = recorder(api, new FakeClock(), { maxQueuedEvents: 2 });
    const before = await dropped('queue_full');
    for (let i = 0; i < 5; i++) r.event(pod, 'Normal', `R${i}`, 'x');
    await r.flush();
    assert.equal(api.all.length, 2);
    assert.equal(await dropped('queue_full'), before + 3);
  });

  it('writes one combined event for many distinct messages of one reason', async () => {
    const api = new FakeEventApi();
    const r = recorder(api);
    for (let i = 0; i < 15; i++) r.event(pod, 'Warning', 'FailedCreate', `attempt ${i}`);
    await r.flush();
    const combined = api.all.filter((e) => e.message?.startsWith(combinedMessagePrefix));
    assert.equal(combined.length, 1);
    assert.equal(combined[0]?.count, 6);
    assert.equal(combined[0]?.message, `${combinedMessagePrefix}attempt 14`);
    assert.equal(api.all.length, 10);
  });

  it('stops accepting events after shutdown', async () => {
    const api = new FakeEventApi();
    const r = recorder(api);
    await r.shutdown();
    r.event(pod, 'Normal', 'Created', 'x');
    await r.flush();
    assert.equal(api.calls.length, 0);
  });
});

// Slow start carried across the syncs of one large create run (create-ramp.ts).
import assert from 'node:assert/strict';
import { CreateRamp } from '../../src/controllers/shared/create-ramp.ts';

describe('CreateRamp', () => {
  it('starts the next sync of a run at the batch size the last one reached, at most maxBatchSize', () => {
    const ramp = new CreateRamp();
    assert.equal(ramp.initialBatchSize('ns/a', 0), 1);
    ramp.record('ns/a', { allSucceeded: true, morePending: true, lastBatchSize: 64 }, 0);
    assert.equal(ramp.initialBatchSize('ns/a', 10), 64);
    assert.equal(ramp.initialBatchSize('ns/b', 10), 1, 'per key');
    ramp.record('ns/a', { allSucceeded: true, morePending: true, lastBatchSize: 256 }, 20);
    assert.equal(ramp.initialBatchSize('ns/a', 30), 128);
  });

  it('starts again at 1 after a failure, when the run ended, after a pause, or once forgotten', () => {
    const ramp = new CreateRamp({ freshForMs: 5000 });
    const reach = (): void => ramp.record('ns/a', { allSucceeded: true, morePending: true, lastBatchSize: 64 }, 0);
    reach();
    ramp.record('ns/a', { allSucceeded: false, morePending: true, lastBatchSize: 64 }, 0);
    assert.equal(ramp.initialBatchSize('ns/a', 0), 1, 'a quota error stops the run at its first failing batch');
    reach();
    ramp.record('ns/a', { allSucceeded: true, morePending: false, lastBatchSize: 64 }, 0);
    assert.equal(ramp.initialBatchSize('ns/a', 0), 1, 'the run ended');
    reach();
    assert.equal(ramp.initialBatchSize('ns/a', 5001), 1, 'stale');
    reach();
    ramp.forget('ns/a');
    assert.equal(ramp.initialBatchSize('ns/a', 0), 1);
  });
});

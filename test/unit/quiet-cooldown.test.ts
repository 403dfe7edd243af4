import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import { maxQuietCooldownMs, onOneRevision, QuietCooldown } from '../../src/controllers/shared/quiet-cooldown.ts';
import { daemonSet } from './daemonset-fixtures.ts';

const pod = (name: string, hash: string, deleting = false): Pod => ({
  metadata: {
    name,
    labels: { 'controller-revision-hash': hash },
    ...(deleting ? { deletionTimestamp: '2026-12-07T00:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'app', image: 'app:v1' }] },
});

describe('onOneRevision', () => {
  it('holds when every live pod carries the same revision, or there are none', () => {
    assert.equal(onOneRevision([]), true);
    assert.equal(onOneRevision([pod('a', 'h1'), pod('b', 'h1')]), true);
  });

  it('fails when a rollout is under way (two revisions among live pods)', () => {
    assert.equal(onOneRevision([pod('a', 'h1'), pod('b', 'h2')]), false);
  });

  it('leaves pods being deleted out', () => {
    assert.equal(onOneRevision([pod('a', 'h1'), pod('b', 'h2', true)]), true);
  });
});

describe('QuietCooldown', () => {
  it('pauses ten times the plan cost, at most the cap, and not after a plan under a millisecond', () => {
    const cooldown = new QuietCooldown();
    const ds = daemonSet();
    cooldown.quiet('ns/a', ds, 3, 1_000);
    assert.equal(cooldown.remainingMs('ns/a', ds, 1_000), 30);
    assert.equal(cooldown.remainingMs('ns/a', ds, 1_020), 10);
    assert.equal(cooldown.remainingMs('ns/a', ds, 1_030), 0);
    cooldown.quiet('ns/a', ds, 80, 2_000);
    assert.equal(cooldown.remainingMs('ns/a', ds, 2_000), maxQuietCooldownMs);
    cooldown.quiet('ns/a', ds, 0.5, 3_000);
    assert.equal(cooldown.remainingMs('ns/a', ds, 3_000), 0);
  });

  it('ends for another owner instance under the key', () => {
    const cooldown = new QuietCooldown();
    const ds = daemonSet();
    cooldown.quiet('ns/a', ds, 5, 0);
    assert.equal(cooldown.remainingMs('ns/a', { ...ds, metadata: { ...ds.metadata, uid: 'other' } }, 1), 0);
    assert.equal(cooldown.remainingMs('ns/a', ds, 1), 0, 'and stays ended');
  });
});

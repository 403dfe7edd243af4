// kubectl my rollout status and claim-template growth (docs/volume-growth.md): a MyStatefulSet
// whose claim template grew is done once every claim reports the new capacity (VolumeResizing
// False/Resized), fails when a StorageClass refuses (ResizeForbidden), and waits in between —
// after its pods are rolled out, and whatever a stale condition says. The metrics gauge agrees.
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, PodTemplateSpec } from '../../src/api/core.ts';
import type { MyStatefulSet, RolloutCondition, VolumeClaimTemplateStatus } from '../../src/api/workloads.ts';
import { claimGrowthStatus } from '../../src/cli/claim-growth-status.ts';
import { followRollout, RolloutStatusError, type RolloutSource } from '../../src/cli/follow-rollout.ts';
import { statefulSetStatus } from '../../src/cli/rollout-control-status.ts';
import { statefulSetRolloutInProgress } from '../../src/controllers/workload-metrics.ts';

const template: PodTemplateSpec = { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } };
const claimTemplate = (name: string, storage: string): PersistentVolumeClaim => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
});
const resizing = (status: RolloutCondition['status'], reason: string, message = ''): RolloutCondition => ({ type: 'VolumeResizing', status, reason, message });
const entry = (name: string, requestedStorage: string, updatedClaims: number, resizedClaims: number): VolumeClaimTemplateStatus => ({
  name,
  requestedStorage,
  updatedClaims,
  resizedClaims,
});

interface Options {
  readonly templates?: readonly PersistentVolumeClaim[];
  readonly paused?: boolean;
  /** The pods: all 3 Ready at one revision unless said otherwise. */
  readonly readyReplicas?: number;
}

/** The seeds' `web`: 3 replicas, its pods rolled out, a `www` claim template of 2Gi. */
function web(claims: Pick<NonNullable<MyStatefulSet['status']>, 'volumeClaimTemplates' | 'conditions'>, options: Options = {}): MyStatefulSet {
  return {
    metadata: { namespace: 'default', name: 'web', generation: 2 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template,
      volumeClaimTemplates: options.templates ?? [claimTemplate('www', '2Gi')],
      ...(options.paused === undefined ? {} : { paused: options.paused }),
    },
    status: {
      observedGeneration: 2,
      replicas: 3,
      readyReplicas: options.readyReplicas ?? 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: 'web-7d9f',
      updateRevision: 'web-7d9f',
      ...claims,
    },
  };
}

const done = 'statefulset rolling update complete 3 pods at revision web-7d9f...';

describe('kubectl my rollout status: MyStatefulSet claim-template growth', () => {
  it("keeps kubectl's answer for a set whose claims never grew (no condition, no status)", () => {
    assert.equal(claimGrowthStatus(web({})), undefined);
    assert.deepEqual(statefulSetStatus(web({})), { kind: 'done', message: done });
  });

  it('waits while claims lag, counting the claims at the new size', () => {
    const sts = web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 1)], conditions: [resizing('True', 'Resizing', '1 of 3 claims have reached their requested storage')] });
    assert.deepEqual(statefulSetStatus(sts), { kind: 'progressing', message: 'Waiting for statefulset "web" claims to grow: 1 of 3 claims resized to 2Gi...' });
  });

  it('is done on Resized once every replica has a claim at the size', () => {
    const sts = web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 3)], conditions: [resizing('False', 'Resized', 'all 3 claims have reached their requested storage (www: 2Gi)')] });
    assert.deepEqual(statefulSetStatus(sts), { kind: 'done', message: done });
  });

  it('is not done on the previous size\'s Resized while the counts, written first, lag for the new one', () => {
    const sts = web({ volumeClaimTemplates: [entry('www', '2Gi', 0, 0)], conditions: [resizing('False', 'Resized', 'all 3 claims have reached their requested storage (www: 1Gi)')] });
    assert.equal(statefulSetStatus(sts).kind, 'progressing');
  });

  it('is not done while status still reports the previous request (compared as quantities: 2048Mi is 2Gi)', () => {
    const stale = web({ volumeClaimTemplates: [entry('www', '1Gi', 3, 3)], conditions: [resizing('False', 'Resized')] });
    assert.deepEqual(statefulSetStatus(stale), { kind: 'progressing', message: 'Waiting for statefulset "web" claims to grow: 0 of 3 claims resized to 2Gi...' });
    const sameSize = web({ volumeClaimTemplates: [entry('www', '2048Mi', 3, 3)], conditions: [resizing('False', 'Resized')] });
    assert.equal(statefulSetStatus(sameSize).kind, 'done');
  });

  it('waits for the condition when only the counts are written', () => {
    assert.equal(statefulSetStatus(web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 3)] })).kind, 'progressing');
  });

  it('fails when a StorageClass refuses, with the condition\'s message', () => {
    const message = '1 claim cannot grow and keep their size: www-web-0 (StorageClass standard does not allow volume expansion); 0 of 3 claims have reached their requested storage';
    const sts = web({ volumeClaimTemplates: [entry('www', '2Gi', 0, 0)], conditions: [resizing('False', 'ResizeForbidden', message)] });
    assert.deepEqual(statefulSetStatus(sts), { kind: 'failed', message: `statefulset "web" cannot grow its claims: ${message}` });
  });

  it('fails on ResizeForbidden even while the pods still roll out: the set cannot finish as it stands', () => {
    const sts = web({ conditions: [resizing('False', 'ResizeForbidden', 'no')] }, { readyReplicas: 1 });
    assert.deepEqual(statefulSetStatus(sts), { kind: 'failed', message: 'statefulset "web" cannot grow its claims: no' });
  });

  it("says kubectl's line first while the pods roll out, then the claims'", () => {
    const claims = { volumeClaimTemplates: [entry('www', '2Gi', 3, 0)], conditions: [resizing('True', 'Resizing')] };
    assert.deepEqual(statefulSetStatus(web(claims, { readyReplicas: 2 })), { kind: 'progressing', message: 'Waiting for 1 pods to be ready...' });
    assert.match(statefulSetStatus(web(claims, { paused: true, readyReplicas: 2 })).message, /the rollout is paused/);
    assert.match(statefulSetStatus(web(claims, { paused: true })).message, /^Waiting for statefulset "web" claims to grow: 0 of 3/, 'claims grow on a paused set');
  });

  it('points at rollout restart when a claim waits for its file system to grow', () => {
    const message = '2 of 3 claims have reached their requested storage; FileSystemResizePending on www-web-2: their file systems grow when their pods restart (kubectl my rollout restart msts/web)';
    const sts = web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 2)], conditions: [resizing('True', 'Resizing', message)] });
    assert.deepEqual(statefulSetStatus(sts), {
      kind: 'progressing',
      message:
        'Waiting for statefulset "web" claims to grow: 2 of 3 claims resized to 2Gi (FileSystemResizePending: the file systems grow when their pods restart, kubectl my rollout restart msts/web)...',
    });
  });

  it('counts every template, naming their sizes', () => {
    const templates = [claimTemplate('www', '2Gi'), claimTemplate('logs', '10Gi')];
    const sts = web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 3), entry('logs', '10Gi', 3, 1)], conditions: [resizing('True', 'Resizing')] }, { templates });
    assert.deepEqual(statefulSetStatus(sts), {
      kind: 'progressing',
      message: 'Waiting for statefulset "web" claims to grow: 4 of 6 claims resized to their requested storage (www: 2Gi, logs: 10Gi)...',
    });
  });

  it('keeps the rollout in progress for the metrics gauge while claims grow, and not once refused or resized', () => {
    assert.equal(statefulSetRolloutInProgress(web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 1)], conditions: [resizing('True', 'Resizing')] })), true);
    assert.equal(statefulSetRolloutInProgress(web({ conditions: [resizing('False', 'ResizeForbidden')] })), false);
    assert.equal(statefulSetRolloutInProgress(web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 3)], conditions: [resizing('False', 'Resized')] })), false);
  });

  it('follows the set from Resizing to Resized, one line per change, then exits', async () => {
    const steps: MyStatefulSet[] = [
      web({ volumeClaimTemplates: [entry('www', '2Gi', 0, 0)], conditions: [resizing('True', 'Resizing')] }),
      web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 1)], conditions: [resizing('True', 'Resizing')] }),
      web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 3)], conditions: [resizing('True', 'Resizing')] }),
      web({ volumeClaimTemplates: [entry('www', '2Gi', 3, 3)], conditions: [resizing('False', 'Resized')] }),
    ].map((s, i) => ({ ...s, metadata: { ...s.metadata, resourceVersion: String(i + 1) } }));
    const [first, ...rest] = steps;
    assert.ok(first);
    const source: RolloutSource<MyStatefulSet> = {
      get: () => Promise.resolve(first),
      watch: async function* () {
        await Promise.resolve();
        for (const object of rest) yield { type: 'MODIFIED', object };
      },
    };
    const lines: string[] = [];
    await followRollout(source, statefulSetStatus, { watch: true, out: (l) => lines.push(l) });
    assert.deepEqual(lines, [
      'Waiting for statefulset "web" claims to grow: 0 of 3 claims resized to 2Gi...',
      'Waiting for statefulset "web" claims to grow: 1 of 3 claims resized to 2Gi...',
      'Waiting for statefulset "web" claims to grow: 3 of 3 claims resized to 2Gi...',
      done,
    ]);
  });

  it('exits 1 with the refusal when the class forbids the growth', async () => {
    const sts = web({ conditions: [resizing('False', 'ResizeForbidden', 'www-web-0 (StorageClass standard does not allow volume expansion)')] });
    const source: RolloutSource<MyStatefulSet> = {
      get: () => Promise.resolve(sts),
      watch: async function* () {
        await Promise.resolve();
        yield* [];
      },
    };
    await assert.rejects(
      followRollout(source, statefulSetStatus, { watch: true, out: () => undefined }),
      (err: unknown) => err instanceof RolloutStatusError && err.message === 'statefulset "web" cannot grow its claims: www-web-0 (StorageClass standard does not allow volume expansion)',
    );
  });
});

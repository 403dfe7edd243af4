import assert from 'node:assert/strict';
import type { OwnerReference } from '../../src/api/meta.ts';
import type { PersistentVolumeClaimRetentionPolicyType } from '../../src/api/workloads.ts';
import type { ClaimOwnerDecision } from '../../src/controllers/statefulset/pvc-retention.ts';
import { claimIsStale, claimOwnerDecision } from '../../src/controllers/statefulset/pvc-retention.ts';
import { makePvc, makeSet, podRef, setRef } from './statefulset-fixtures.ts';

type Policy = `${PersistentVolumeClaimRetentionPolicyType}/${PersistentVolumeClaimRetentionPolicyType}`;

const pod = { name: 'web-1', uid: 'uid-pod-1' };
const ourPod = podRef('web-1', 'uid-pod-1');
const ourSet = setRef();
const foreignController: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'uid-cm', controller: true };
const foreignOwner: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'uid-cm' };

function setWith(policy: Policy) {
  const [whenScaled, whenDeleted] = policy.split('/');
  return makeSet({
    persistentVolumeClaimRetentionPolicy: {
      whenScaled: whenScaled === 'Delete' ? 'Delete' : 'Retain',
      whenDeleted: whenDeleted === 'Delete' ? 'Delete' : 'Retain',
    },
  });
}

describe('MyStatefulSet PVC retention owner references', () => {
  // Policies are written whenScaled/whenDeleted.
  const rows: {
    name: string;
    policy: Policy;
    scaledDown: boolean;
    refs: readonly OwnerReference[];
    expected: ClaimOwnerDecision;
  }[] = [
    { name: 'Retain/Retain keeps a claim without our references', policy: 'Retain/Retain', scaledDown: false, refs: [], expected: { kind: 'upToDate', conflictingController: false } },
    { name: 'Retain/Retain removes our set reference', policy: 'Retain/Retain', scaledDown: false, refs: [ourSet], expected: { kind: 'update', conflictingController: false, ownerReferences: [] } },
    {
      name: 'Retain/Retain ignores a foreign controller but still removes our pod reference',
      policy: 'Retain/Retain',
      scaledDown: true,
      refs: [foreignController, ourPod],
      expected: { kind: 'update', conflictingController: false, ownerReferences: [foreignController] },
    },
    { name: 'Retain/Delete makes the set the owner', policy: 'Retain/Delete', scaledDown: false, refs: [], expected: { kind: 'update', conflictingController: false, ownerReferences: [ourSet] } },
    { name: 'Retain/Delete keeps the set as owner after scale-down', policy: 'Retain/Delete', scaledDown: true, refs: [ourSet], expected: { kind: 'upToDate', conflictingController: false } },
    {
      name: 'Retain/Delete turns a non-controller set reference into a controller one',
      policy: 'Retain/Delete',
      scaledDown: false,
      refs: [setRef(undefined, false)],
      expected: { kind: 'update', conflictingController: false, ownerReferences: [ourSet] },
    },
    {
      name: 'Retain/Delete keeps foreign non-controller owners',
      policy: 'Retain/Delete',
      scaledDown: false,
      refs: [foreignOwner],
      expected: { kind: 'update', conflictingController: false, ownerReferences: [foreignOwner, ourSet] },
    },
    { name: 'Delete/Retain leaves an in-range claim ownerless', policy: 'Delete/Retain', scaledDown: false, refs: [], expected: { kind: 'upToDate', conflictingController: false } },
    { name: 'Delete/Retain makes the pod the owner once scaled away', policy: 'Delete/Retain', scaledDown: true, refs: [], expected: { kind: 'update', conflictingController: false, ownerReferences: [ourPod] } },
    { name: 'Delete/Retain drops the pod reference when scaled back up', policy: 'Delete/Retain', scaledDown: false, refs: [ourPod], expected: { kind: 'update', conflictingController: false, ownerReferences: [] } },
    { name: 'Delete/Delete makes the set the owner in range', policy: 'Delete/Delete', scaledDown: false, refs: [], expected: { kind: 'update', conflictingController: false, ownerReferences: [ourSet] } },
    { name: 'Delete/Delete hands ownership from the set to the pod when scaled away', policy: 'Delete/Delete', scaledDown: true, refs: [ourSet], expected: { kind: 'update', conflictingController: false, ownerReferences: [ourPod] } },
    { name: 'Delete/Delete keeps the pod as owner while scaled away', policy: 'Delete/Delete', scaledDown: true, refs: [ourPod], expected: { kind: 'upToDate', conflictingController: false } },
    {
      name: 'ConflictingController: our references are removed and none added',
      policy: 'Delete/Delete',
      scaledDown: true,
      refs: [foreignController, ourSet],
      expected: { kind: 'update', conflictingController: true, ownerReferences: [foreignController] },
    },
    {
      name: 'ConflictingController without our references leaves the claim alone',
      policy: 'Retain/Delete',
      scaledDown: false,
      refs: [foreignController],
      expected: { kind: 'upToDate', conflictingController: true },
    },
    {
      name: 'a stale set reference (other UID) leaves the claim untouched',
      policy: 'Delete/Delete',
      scaledDown: false,
      refs: [setRef('uid-old-set')],
      expected: { kind: 'upToDate', conflictingController: true },
    },
    {
      name: 'a stale pod reference (other UID) leaves the claim untouched',
      policy: 'Delete/Retain',
      scaledDown: true,
      refs: [podRef('web-1', 'uid-old-pod')],
      expected: { kind: 'upToDate', conflictingController: true },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const set = setWith(row.policy);
      const claim = makePvc('www-web-1', row.refs);
      assert.deepEqual(claimOwnerDecision({ set, pod, claim, podScaledDown: row.scaledDown }), row.expected);
    });
  }

  const staleRows = [
    { name: 'blocks a pod whose claim is still owned by an earlier same-named pod', policy: 'Delete/Retain' as const, refs: [podRef('web-1', 'uid-old')], expected: true },
    { name: 'does not block on a claim owned by the set', policy: 'Delete/Delete' as const, refs: [ourSet], expected: false },
    { name: 'never blocks under whenScaled Retain', policy: 'Retain/Delete' as const, refs: [podRef('web-1', 'uid-old')], expected: false },
  ];
  for (const row of staleRows) {
    it(`PodClaimIsStale ${row.name}`, () => {
      const claim = makePvc('www-web-1', row.refs);
      assert.equal(claimIsStale(setWith(row.policy), { name: 'web-1', uid: undefined }, claim), row.expected);
    });
  }
});

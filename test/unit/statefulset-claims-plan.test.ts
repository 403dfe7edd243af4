// Claim growth in the MyStatefulSet planner (volume-growth.ts, docs/volume-growth.md): raising a
// claim template's storage request patches every existing claim of an ordinal in range, replaces
// no pod, and reports status.volumeClaimTemplates and the VolumeResizing condition.
import assert from 'node:assert/strict';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import { plan, planSync } from '../../src/controllers/statefulset/plan.ts';
import { templateToPlan } from '../../src/controllers/statefulset/rollback-template.ts';
import type { ClaimOptions } from './statefulset-claims-fixtures.ts';
import {
  claim,
  claims,
  claimsSnapshot,
  conditionLine,
  expandable,
  grownSet,
  onceEvents,
  patches,
  podAndRevisionWork,
  statusWritten,
  volumeResizing,
  withStatus,
  withTemplateStorage,
} from './statefulset-claims-fixtures.ts';
import { makePod, nameOf, now, revisionOf, steady, summarize } from './statefulset-fixtures.ts';

/** The condition as the set holds it after `set`'s sync, to plan the next sync from. */
function after(set: MyStatefulSet, pvcs: ReturnType<typeof claims>): MyStatefulSet {
  const actions = planSync(claimsSnapshot(set, pvcs), now);
  const condition = volumeResizing(set, actions);
  const status = statusWritten(actions);
  return withStatus(set, {
    ...(status?.volumeClaimTemplates !== undefined ? { volumeClaimTemplates: status.volumeClaimTemplates } : {}),
    conditions: [...(set.status?.conditions ?? []).filter((c) => c.type !== 'VolumeResizing'), ...(condition ? [condition] : [])],
  });
}

describe('MyStatefulSet claim growth: which claims are patched', () => {
  const rows: readonly { readonly name: string; readonly set: MyStatefulSet }[] = [
    { name: 'RollingUpdate', set: grownSet('2Gi') },
    { name: 'a partition holding every pod back', set: grownSet('2Gi', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 3 } } }) },
    { name: 'OnDelete', set: grownSet('2Gi', { updateStrategy: { type: 'OnDelete' } }) },
    { name: 'spec.paused', set: grownSet('2Gi', { paused: true }) },
    { name: 'Parallel', set: grownSet('2Gi', { podManagementPolicy: 'Parallel' }) },
  ];
  for (const { name, set } of rows) {
    it(`patches the request of every claim in range to the template's, and touches no pod (${name})`, () => {
      const actions = planSync(claimsSnapshot(set, claims([0, 1, 2])), now);
      assert.deepEqual(patches(actions), ['patchClaimStorage www-web-0 2Gi', 'patchClaimStorage www-web-1 2Gi', 'patchClaimStorage www-web-2 2Gi']);
      assert.deepEqual(podAndRevisionWork(actions), []);
    });
  }

  it('plans the patches after the pod work and before the conditions and status writes', () => {
    const actions = planSync(claimsSnapshot(grownSet('2Gi'), claims([0, 1, 2])), now);
    const kinds = actions.map((a) => a.kind);
    assert.ok(kinds.lastIndexOf('patchClaimStorage') < kinds.indexOf('rolloutConditions'));
    assert.ok(kinds.lastIndexOf('patchClaimStorage') < kinds.indexOf('writeStatus'));
  });

  it('leaves the patches out of plan(), which kubectl my rollout plan simulates', () => {
    const snapshot = claimsSnapshot(grownSet('2Gi'), claims([0, 1, 2]));
    assert.deepEqual(
      plan(snapshot, now).map((a) => a.kind),
      planSync(snapshot, now)
        .map((a) => a.kind)
        .filter((k) => k !== 'patchClaimStorage'),
    );
  });

  it('plans no growth at all without StorageClasses in the snapshot', () => {
    const { storageClasses: _, ...snapshot } = claimsSnapshot(grownSet('2Gi'), claims([0, 1, 2]));
    const actions = planSync(snapshot, now);
    assert.deepEqual(patches(actions), []);
    assert.equal(statusWritten(actions), undefined);
  });

  it('compares quantities, not text: 2048Mi is 2Gi', () => {
    const actions = planSync(claimsSnapshot(grownSet('2Gi'), claims([0, 1, 2], { request: '2048Mi', capacity: '2147483648' })), now);
    assert.deepEqual(patches(actions), []);
  });

  it('does not lower a claim that asks for more than its template', () => {
    const actions = planSync(claimsSnapshot(grownSet('1Gi'), claims([0, 1, 2], { request: '5Gi' })), now);
    assert.deepEqual(patches(actions), []);
    assert.equal(conditionLine(volumeResizing(grownSet('1Gi'), actions)), 'none');
  });

  it('patches a claim whose volume is already larger, so its request says what the template says', () => {
    const actions = planSync(claimsSnapshot(grownSet('2Gi'), [claim(0, { capacity: '5Gi' }), ...claims([1, 2], { request: '2Gi' })]), now);
    assert.deepEqual(patches(actions), ['patchClaimStorage www-web-0 2Gi']);
  });

  it('leaves claims being deleted and claims of other sets alone', () => {
    const other = { ...claim(0), metadata: { ...claim(0).metadata, name: 'www-webby-0', uid: 'uid-other' } };
    const actions = planSync(claimsSnapshot(grownSet('2Gi'), [claim(0, { deleting: true }), other, ...claims([1, 2], { request: '2Gi' })]), now);
    assert.deepEqual(patches(actions), []);
  });

  it('does not patch a retained claim beyond the replicas until its ordinal is back in range', () => {
    const two = grownSet('2Gi', { replicas: 2 });
    const retained = claims([0, 1, 2]);
    assert.deepEqual(patches(planSync(claimsSnapshot(two, retained), now)), ['patchClaimStorage www-web-0 2Gi', 'patchClaimStorage www-web-1 2Gi']);
    assert.deepEqual(statusWritten(planSync(claimsSnapshot(two, retained), now))?.volumeClaimTemplates, [
      { name: 'www', requestedStorage: '2Gi', updatedClaims: 0, resizedClaims: 0 },
    ]);

    // Scaled back to 3: web-2 comes back on its retained claim, which grows in the same sync.
    const three = { ...two, spec: { ...two.spec, replicas: 3 } };
    const grown = [...claims([0, 1], { request: '2Gi' }), claim(2)];
    const snapshot = { ...claimsSnapshot(two, grown), set: three };
    const actions = planSync(snapshot, now);
    assert.deepEqual(patches(actions), ['patchClaimStorage www-web-2 2Gi']);
    assert.ok(summarize(plan(snapshot, now)).includes(`createPod web-2 @${nameOf(revisionOf(three, 1))}`));
  });

  it('honours ordinals.start', () => {
    const set = grownSet('2Gi', { replicas: 2, ordinals: { start: 5 } });
    const actions = planSync(claimsSnapshot(set, claims([4, 5, 6, 7])), now);
    assert.deepEqual(patches(actions), ['patchClaimStorage www-web-5 2Gi', 'patchClaimStorage www-web-6 2Gi']);
  });

  it('creates the claim of a new replica at the template size and patches nothing for it', () => {
    const three = grownSet('2Gi');
    const four = { ...three, spec: { ...three.spec, replicas: 4 } };
    const snapshot = { ...claimsSnapshot(three, claims([0, 1, 2], { request: '2Gi' })), set: four };
    const actions = planSync(snapshot, now);
    assert.deepEqual(patches(actions), []);
    const created = actions.flatMap((a) =>
      a.kind === 'podStep' ? a.batches.flat().flatMap((u) => u.operations.flatMap((o) => o.actions)) : [],
    );
    const pvc = created.flatMap((a) => (a.kind === 'createClaims' ? a.claims : [])).find((c) => c.kind === 'createPvc');
    assert.ok(pvc?.kind === 'createPvc');
    assert.equal(nameOf(pvc.pvc), 'www-web-3');
    assert.deepEqual(pvc.pvc.spec.resources, { requests: { storage: '2Gi' } });
  });

  it('raising the request creates no revision and replaces no pod: claim templates are not in revisions', () => {
    const { set, rev, pods } = steady({ claims: ['www'] });
    const grown = withTemplateStorage(set, '3Gi');
    const nextGeneration = { ...grown, metadata: { ...grown.metadata, generation: 2 } };
    const actions = planSync({ set: nextGeneration, pods, revisions: [rev], pvcs: claims([0, 1, 2]), storageClasses: [expandable] }, now);
    assert.deepEqual(podAndRevisionWork(actions), []);
    assert.equal(patches(actions).length, 3);
  });

  it('takes the claim templates from the spec while an automatic rollback plans with an older pod template', () => {
    const stable = steady({ claims: ['www'], image: 'nginx:1' });
    const failing = grownSet('1Gi', { image: 'nginx:2' });
    const failedRev = revisionOf(failing, 2);
    // The spec holds nginx:2 and a 2Gi claim template; the rollback in force plans with revision 1's pod template.
    const spec = { ...stable.set.spec, template: failing.spec.template, autoRollback: true, progressDeadlineSeconds: 60 };
    const rollingBack = withStatus(withTemplateStorage({ ...stable.set, spec }, '2Gi'), {
      rollback: { generation: 1, revision: nameOf(stable.rev), revisionNumber: 1, failedRevision: nameOf(failedRev), failedRevisionNumber: 2 },
    });
    assert.equal(templateToPlan(rollingBack, [stable.rev, failedRev]).failedRevision, nameOf(failedRev), 'the rollback is in force');
    const pods = [0, 1, 2].map((i) => makePod(stable.set, i, nameOf(stable.rev)));
    const actions = planSync({ set: rollingBack, pods, revisions: [stable.rev, failedRev], pvcs: claims([0, 1, 2]), storageClasses: [expandable] }, now);
    assert.equal(patches(actions).length, 3);
    assert.ok(patches(actions).every((p) => p.endsWith(' 2Gi')));
  });

  it('plans nothing for a set being deleted', () => {
    const set = grownSet('2Gi', { deletionTimestamp: '2025-01-01T00:09:00Z' });
    const actions = planSync(claimsSnapshot(set, claims([0, 1, 2])), now);
    assert.deepEqual(patches(actions), []);
    assert.equal(statusWritten(actions)?.volumeClaimTemplates, undefined);
  });
});

describe('MyStatefulSet claim growth: claims that may not grow', () => {
  const refused: readonly { readonly name: string; readonly options: ClaimOptions; readonly why: string }[] = [
    { name: 'a class without allowVolumeExpansion', options: { className: 'fixed' }, why: 'StorageClass "fixed" does not allow volume expansion' },
    { name: 'a class that does not exist', options: { className: 'gone' }, why: 'StorageClass "gone" not found' },
    { name: 'no class', options: { className: null }, why: 'it has no StorageClass' },
  ];
  for (const { name, options, why } of refused) {
    it(`patches nothing, warns ClaimResizeForbidden once per claim and size, and says ResizeForbidden (${name})`, () => {
      const set = grownSet('2Gi');
      const actions = planSync(claimsSnapshot(set, claims([0, 1, 2], options)), now);
      assert.deepEqual(patches(actions), []);
      assert.deepEqual(onceEvents(actions), [0, 1, 2].map((i) => `Warning ClaimResizeForbidden: claim www-web-${i} cannot grow from 1Gi to 2Gi: ${why}; it keeps its size`));
      const notices = actions.flatMap((a) => (a.kind === 'eventOnce' ? [a.notice] : []));
      assert.deepEqual(notices, [0, 1, 2].map((i) => `ClaimResizeForbidden/uid-www-web-${i}/2Gi`));
      const condition = volumeResizing(set, actions);
      assert.equal(conditionLine(condition), 'False/ResizeForbidden');
      assert.equal(
        condition?.message,
        `3 claims cannot grow and keep their size: www-web-0 (${why}), www-web-1 (${why}), www-web-2 (${why}); 0 of 3 claims have reached their requested storage`,
      );
      assert.deepEqual(statusWritten(actions)?.volumeClaimTemplates, [{ name: 'www', requestedStorage: '2Gi', updatedClaims: 0, resizedClaims: 0 }]);
    });
  }

  it('grows the claims it may and reports the others', () => {
    const set = grownSet('2Gi');
    const actions = planSync(claimsSnapshot(set, [claim(0), claim(1, { className: 'fixed' }), claim(2)]), now);
    assert.deepEqual(patches(actions), ['patchClaimStorage www-web-0 2Gi', 'patchClaimStorage www-web-2 2Gi']);
    assert.equal(
      volumeResizing(set, actions)?.message,
      '1 claim cannot grow and keeps its size: www-web-1 (StorageClass "fixed" does not allow volume expansion); 0 of 3 claims have reached their requested storage; raising the storage request of www-web-0, www-web-2',
    );
  });

  it('waits for an unbound claim to be bound before growing it (admission refuses unbound claims)', () => {
    const set = grownSet('2Gi');
    const actions = planSync(claimsSnapshot(set, [...claims([0, 1], { request: '2Gi' }), claim(2, { phase: 'Pending' })]), now);
    assert.deepEqual(patches(actions), []);
    const condition = volumeResizing(set, actions);
    assert.equal(conditionLine(condition), 'True/Resizing');
    assert.equal(condition?.message, '2 of 3 claims have reached their requested storage; waiting for www-web-2 to be bound before they can grow');
  });
});

describe('MyStatefulSet claim growth: status.volumeClaimTemplates and VolumeResizing', () => {
  it('adds neither to a set whose claims never lagged', () => {
    const set = grownSet('1Gi');
    const actions = planSync(claimsSnapshot(set, [...claims([0, 1]), claim(2, { phase: 'Pending' })]), now);
    assert.equal(statusWritten(actions), undefined);
    assert.equal(volumeResizing(set, actions), undefined);
    assert.deepEqual(onceEvents(actions), []);
  });

  it('goes Resizing while requests are raised and volumes expand, then Resized, with ClaimResized per claim', () => {
    let set = grownSet('2Gi');
    const steps: readonly { readonly claims: ReturnType<typeof claims>; readonly counts: readonly [number, number]; readonly condition: string; readonly message: string }[] = [
      { claims: claims([0, 1, 2]), counts: [0, 0], condition: 'True/Resizing', message: '0 of 3 claims have reached their requested storage; raising the storage request of www-web-0, www-web-1, www-web-2' },
      {
        claims: claims([0, 1, 2], { request: '2Gi', capacity: '1Gi' }),
        counts: [3, 0],
        condition: 'True/Resizing',
        message: '0 of 3 claims have reached their requested storage; waiting for the volumes of www-web-0, www-web-1, www-web-2 to be expanded',
      },
      {
        claims: [claim(0, { request: '2Gi' }), ...claims([1, 2], { request: '2Gi', capacity: '1Gi' })],
        counts: [3, 1],
        condition: 'True/Resizing',
        message: '1 of 3 claims have reached their requested storage; waiting for the volumes of www-web-1, www-web-2 to be expanded',
      },
      { claims: claims([0, 1, 2], { request: '2Gi' }), counts: [3, 3], condition: 'False/Resized', message: 'all 3 claims have reached their requested storage (www: 2Gi)' },
    ];
    const resizedEvents: string[][] = [];
    for (const step of steps) {
      const actions = planSync(claimsSnapshot(set, step.claims), now);
      assert.deepEqual(statusWritten(actions)?.volumeClaimTemplates, [
        { name: 'www', requestedStorage: '2Gi', updatedClaims: step.counts[0], resizedClaims: step.counts[1] },
      ]);
      const condition = volumeResizing(set, actions);
      assert.equal(conditionLine(condition), step.condition);
      assert.equal(condition?.message, step.message);
      resizedEvents.push(onceEvents(actions));
      set = after(set, step.claims);
    }
    assert.deepEqual(resizedEvents, [
      [],
      [],
      ['Normal ClaimResized: claim www-web-0 has reached its requested storage 2Gi (capacity 2Gi)'],
      [0, 1, 2].map((i) => `Normal ClaimResized: claim www-web-${i} has reached its requested storage 2Gi (capacity 2Gi)`),
    ]);

    // Settled: nothing more to write or record, and the condition stays for `rollout status`.
    const settled = planSync(claimsSnapshot(set, claims([0, 1, 2], { request: '2Gi' })), now);
    assert.equal(statusWritten(settled), undefined);
    assert.ok(!settled.some((a) => a.kind === 'rolloutConditions'));
    assert.deepEqual(onceEvents(settled), []);
    assert.equal(conditionLine(volumeResizing(set, settled)), 'False/Resized');
  });

  it('keeps the Resized condition through a scale-up whose new claim is still being provisioned', () => {
    const resized = after(after(grownSet('2Gi'), claims([0, 1, 2])), claims([0, 1, 2], { request: '2Gi' }));
    assert.equal(conditionLine(resized.status?.conditions?.find((c) => c.type === 'VolumeResizing')), 'False/Resized');
    const withNewClaim = [...claims([0, 1, 2], { request: '2Gi' }), claim(3, { request: '2Gi', phase: 'Pending' })];
    const four = { ...resized, spec: { ...resized.spec, replicas: 4 } };
    const actions = planSync({ ...claimsSnapshot(resized, withNewClaim), set: four }, now);
    assert.equal(conditionLine(volumeResizing(four, actions)), 'False/Resized');
    assert.deepEqual(statusWritten(actions)?.volumeClaimTemplates, [{ name: 'www', requestedStorage: '2Gi', updatedClaims: 4, resizedClaims: 3 }]);
  });

  it('says FileSystemResizePending and how to finish an offline expansion, staying Resizing', () => {
    const set = grownSet('2Gi');
    const pvcs = [claim(0, { request: '2Gi', capacity: '1Gi', fileSystemResizePending: true }), ...claims([1, 2], { request: '2Gi' })];
    const condition = volumeResizing(set, planSync(claimsSnapshot(set, pvcs), now));
    assert.equal(conditionLine(condition), 'True/Resizing');
    assert.equal(
      condition?.message,
      '2 of 3 claims have reached their requested storage; FileSystemResizePending on www-web-0: their file systems grow when their pods restart (kubectl my rollout restart msts/web)',
    );
  });

  it('lists five claims, then how many more', () => {
    const set = grownSet('2Gi', { replicas: 8 });
    const condition = volumeResizing(set, planSync(claimsSnapshot(set, claims([0, 1, 2, 3, 4, 5, 6, 7])), now));
    assert.equal(
      condition?.message,
      '0 of 8 claims have reached their requested storage; raising the storage request of www-web-0, www-web-1, www-web-2, www-web-3, www-web-4 and 3 more',
    );
  });

  it('keeps lastTransitionTime while the status stays and takes the new message', () => {
    const set = after(grownSet('2Gi'), claims([0, 1, 2]));
    const before = set.status?.conditions?.find((c) => c.type === 'VolumeResizing');
    const later = now + 60_000;
    const actions = planSync(claimsSnapshot(set, claims([0, 1, 2], { request: '2Gi', capacity: '1Gi' })), later);
    const condition = volumeResizing(set, actions);
    assert.equal(condition?.lastTransitionTime, before?.lastTransitionTime);
    assert.notEqual(condition?.message, before?.message);
  });

  it('records no ClaimResized for claims that reached their size while the set was not Resizing', () => {
    const forbidden = after(grownSet('2Gi'), claims([0, 1, 2], { className: 'fixed' }));
    assert.equal(conditionLine(forbidden.status?.conditions?.find((c) => c.type === 'VolumeResizing')), 'False/ResizeForbidden');
    const actions = planSync(claimsSnapshot(forbidden, claims([0, 1, 2], { request: '2Gi' })), now);
    assert.deepEqual(onceEvents(actions), []);
    assert.equal(conditionLine(volumeResizing(forbidden, actions)), 'False/Resized');
  });
});

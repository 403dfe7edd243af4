import assert from 'node:assert/strict';
import type { ControllerRevision, PersistentVolumeClaim, Pod, PodTemplateSpec } from '../../src/api/core.ts';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import { podClaimDecision } from '../../src/controllers/statefulset/identity.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import { identityMatches, storageMatches } from '../../src/controllers/statefulset/pod-template.ts';
import { claimOwnerDecision } from '../../src/controllers/statefulset/pvc-retention.ts';
import { isListedRevision, newStatefulSetRevision, orphanRevisionsToAdopt, resolveStatefulSetRevisions } from '../../src/controllers/statefulset/revisions.ts';
import { summarize, writtenStatus } from './statefulset-fixtures.ts';
import { adoptedBy, migratedStatefulSet, orphaned, upstreamStatefulSetRevision, upstreamWeb0 } from './migration-fixtures.ts';

const set = migratedStatefulSet;
const revisionName = 'web-847b47bbbc';
const adopted = adoptedBy(upstreamStatefulSetRevision, set);
const web0 = adoptedBy(upstreamWeb0, set);
/** web-0 once its volume is bound and it runs (the fixture's is Pending: kwok has no storage). */
const readyWeb0: Pod = { ...web0, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-06T04:12:05Z' }] } };
/** The claim upstream made for web-0 under Retain/Retain: no owner references. */
const claim: PersistentVolumeClaim = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'www-web-0', namespace: 'mig', uid: 'uid-www-web-0', labels: { app: 'nginx' } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
};
const now = Date.parse('2026-12-06T05:00:10Z');

function withImage(template: PodTemplateSpec, image: string): PodTemplateSpec {
  return { ...template, spec: { ...template.spec, containers: template.spec.containers.map((c) => ({ ...c, image })) } };
}

function withTemplate(base: MyStatefulSet, template: PodTemplateSpec): MyStatefulSet {
  return { ...base, spec: { ...base.spec, template } };
}

function ours(base: MyStatefulSet, revision: number): ControllerRevision {
  return newStatefulSetRevision(base, revision, 0);
}

describe('MyStatefulSet taking over a StatefulSet’s revision, pods and claims (migration)', () => {
  it('lists and adopts the orphaned upstream revision (its labels match the selector)', () => {
    const orphan = orphaned(upstreamStatefulSetRevision);
    assert.ok(isListedRevision(set, orphan));
    assert.deepEqual(orphanRevisionsToAdopt(set, [orphan]), [orphan]);
  });

  it('adopts the orphaned pod, whose identity and storage are accepted as they are', () => {
    assert.equal(podClaimDecision(set, orphaned(upstreamWeb0)), 'adopt');
    assert.ok(identityMatches(set, web0));
    assert.ok(storageMatches(set, web0));
    assert.equal(claimOwnerDecision({ set, pod: { name: 'web-0', uid: web0.metadata.uid }, claim, podScaledDown: false }).kind, 'upToDate');
  });

  it('makes the equivalent upstream revision both current and update revision without writing one', () => {
    const resolution = resolveStatefulSetRevisions(set, [adopted]);
    assert.deepEqual(resolution.write, { kind: 'none' });
    assert.equal(resolution.updateRevision.metadata.name, revisionName);
    assert.equal(resolution.currentRevision.metadata.name, revisionName);
    assert.equal(resolution.updateRevision.metadata.labels?.['controller.kubernetes.io/hash'], '847b47bbbc');
  });

  it('counts the adopted pod as current and updated, and leaves it alone', () => {
    const actions = plan({ set, pods: [web0], revisions: [adopted], pvcs: [claim] }, now);
    assert.deepEqual(summarize(actions), ['rolloutConditions', 'writeStatus']);
    assert.deepEqual(writtenStatus(actions), {
      observedGeneration: 1,
      replicas: 1,
      readyReplicas: 0,
      availableReplicas: 0,
      currentReplicas: 1,
      updatedReplicas: 1,
      currentRevision: revisionName,
      updateRevision: revisionName,
      collisionCount: 0,
      selector: 'app=nginx',
    });
  });

  it('creates the missing replicas at the adopted revision once the adopted pod is Ready', () => {
    const actions = plan({ set, pods: [readyWeb0], revisions: [adopted], pvcs: [claim] }, now);
    assert.deepEqual(summarize(actions), ['createPvc www-web-1', `createPod web-1 @${revisionName}`, 'rolloutConditions', 'writeStatus']);
  });

  it('rolls out a template change after the migration: a new revision, the adopted pod replaced', () => {
    const changed = withTemplate(set, withImage(set.spec.template, 'registry.k8s.io/nginx-slim:0.9'));
    // One replica, so that the update, not the scale-up to web-1, is this sync's pod work.
    const migrated: MyStatefulSet = { ...changed, spec: { ...changed.spec, replicas: 1 }, status: { currentRevision: revisionName, updateRevision: revisionName } };
    const resolution = resolveStatefulSetRevisions(migrated, [adopted]);
    assert.equal(resolution.write.kind, 'create');
    assert.equal(resolution.updateRevision.revision, 2);
    assert.equal(resolution.currentRevision.metadata.name, revisionName);
    const actions = plan({ set: migrated, pods: [readyWeb0], revisions: [adopted], pvcs: [claim] }, now);
    assert.ok(summarize(actions).includes('deletePod web-0 (update)'), summarize(actions).join('\n'));
  });

  it('renumbers the upstream revision when the manifest comes back after a change', () => {
    const v2 = withTemplate(set, withImage(set.spec.template, 'registry.k8s.io/nginx-slim:0.9'));
    const resolution = resolveStatefulSetRevisions(set, [adopted, ours(v2, 2)]);
    assert.deepEqual(resolution.write, { kind: 'renumber', revision: adopted, revisionNumber: 3 });
    assert.equal(resolution.updateRevision.metadata.name, revisionName);
  });

  it('prefers a revision equal to the template outright over a newer equivalent one (upstream order)', () => {
    const exact = ours(set, 1);
    const resolution = resolveStatefulSetRevisions(set, [exact, { ...adopted, revision: 2 }]);
    assert.deepEqual(resolution.write, { kind: 'renumber', revision: exact, revisionNumber: 3 });
  });

  it('still creates the first revision of a new set', () => {
    const resolution = resolveStatefulSetRevisions(set, []);
    assert.equal(resolution.write.kind, 'create');
    assert.equal(resolution.currentRevision, resolution.updateRevision);
  });
});

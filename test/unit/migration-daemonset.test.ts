import assert from 'node:assert/strict';
import type { ControllerRevision, PodTemplateSpec } from '../../src/api/core.ts';
import type { MyDaemonSet } from '../../src/api/workloads.ts';
import { constructHistory } from '../../src/controllers/daemonset/history.ts';
import type { DaemonSetAction } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import { templateFromRevision } from '../../src/controllers/history/revisions.ts';
import { describeAction, node, revisionOf, snapshot } from './daemonset-fixtures.ts';
import { adoptedBy, migratedDaemonSet, upstreamDaemonPods, upstreamDaemonSetRevision } from './migration-fixtures.ts';

const ds = migratedDaemonSet;
const upstreamHash = '6c7cfd896f';
const adopted = adoptedBy(upstreamDaemonSetRevision, ds);
const pods = upstreamDaemonPods.map((pod) => adoptedBy(pod, ds));
const nodes = ['control-plane', 'kwok-node-0000', 'kwok-node-0001', 'kwok-node-0002'].map((name) => node(name));
const now = Date.parse('2026-12-06T05:00:10Z');

const historyKinds = new Set(['labelRevision', 'createRevision', 'relabelPod', 'deleteRevision', 'updateRevisionNumber']);
const podKinds = new Set(['createPod', 'deletePod']);
const kinds = (actions: readonly DaemonSetAction[], wanted: ReadonlySet<string>): string[] => actions.filter((a) => wanted.has(a.kind)).map(describeAction);

function withImage(template: PodTemplateSpec, image: string): PodTemplateSpec {
  return { ...template, spec: { ...template.spec, containers: template.spec.containers.map((c) => ({ ...c, image })) } };
}

function withTemplate(set: MyDaemonSet, template: PodTemplateSpec): MyDaemonSet {
  return { ...set, spec: { ...set.spec, template } };
}

/** Another revision of ours, in upstream's namespace. */
function ours(number: number, template: PodTemplateSpec): ControllerRevision {
  const revision = revisionOf(ds, number, template);
  return { ...revision, metadata: { ...revision.metadata, namespace: 'mig' } };
}

describe('MyDaemonSet taking over a DaemonSet’s revision and pods (migration)', () => {
  it('makes the equivalent upstream revision current: its name and hash kept, nothing created or relabelled', () => {
    const history = constructHistory(ds, [adopted], pods);
    assert.deepEqual(history.actions, []);
    assert.equal(history.hash, upstreamHash);
    assert.equal(history.current.metadata.name, 'fluentd-6c7cfd896f');
    assert.equal(history.current.revision, 1);
    assert.deepEqual(history.old, []);
    assert.equal(history.pods, pods);
  });

  it('counts every adopted pod as updated and reports the rollout complete, replacing none', () => {
    const actions = plan(snapshot({ ds, nodes, revisions: [adopted], pods }), now);
    assert.deepEqual(kinds(actions, historyKinds), []);
    assert.deepEqual(kinds(actions, podKinds), []);
    const status = actions.find((a) => a.kind === 'writeStatus');
    assert.ok(status?.kind === 'writeStatus');
    assert.equal(status.status.desiredNumberScheduled, 4);
    assert.equal(status.status.updatedNumberScheduled, 4);
    assert.equal(status.status.numberAvailable, 4);
    assert.equal(status.status.stableRevision, 'fluentd-6c7cfd896f');
    const conditions = actions.find((a) => a.kind === 'writeRolloutConditions');
    assert.ok(conditions?.kind === 'writeRolloutConditions');
    assert.equal(conditions.update.observation.complete, true);
    assert.equal(conditions.update.observation.revision, 'fluentd-6c7cfd896f');
  });

  it('rolls out a template change after the migration: a new revision numbered 2, the old pods replaced', () => {
    const changed = withTemplate(ds, withImage(ds.spec.template, 'quay.io/fluentd_elasticsearch/fluentd:v5.0.2'));
    const actions = plan(snapshot({ ds: changed, nodes, revisions: [adopted], pods }), now);
    assert.deepEqual(kinds(actions, historyKinds), ['createRevision #2']);
    assert.ok(kinds(actions, podKinds).some((line) => line.startsWith('deletePod')));
    const history = constructHistory(changed, [adopted], pods);
    assert.deepEqual(history.old, [adopted]);
  });

  it('goes back to the upstream revision by renumbering it when the manifest is applied again', () => {
    const v2 = withImage(ds.spec.template, 'quay.io/fluentd_elasticsearch/fluentd:v5.0.2');
    const history = constructHistory(ds, [adopted, ours(2, v2)], pods);
    assert.deepEqual(history.actions.map(describeAction), ['updateRevisionNumber fluentd-6c7cfd896f #3']);
    assert.equal(history.hash, upstreamHash);
  });

  it('prefers a revision equal to the template outright, and keeps the equivalent upstream one as old history', () => {
    const exact = ours(2, ds.spec.template);
    const history = constructHistory(ds, [adopted, exact], pods);
    assert.deepEqual(history.actions, []);
    assert.equal(history.current.metadata.name, exact.metadata.name);
    assert.deepEqual(history.old, [adopted]);
  });

  it('treats the manifest with the upstream defaults spelled out as equal outright', () => {
    const stored = templateFromRevision(adopted);
    assert.ok(stored !== undefined);
    const history = constructHistory(withTemplate(ds, stored), [adopted], pods);
    assert.deepEqual(history.actions, []);
    assert.equal(history.hash, upstreamHash);
  });

  it('with several equivalent revisions takes the newest and deletes none of them', () => {
    const spelledOut = ours(2, { ...ds.spec.template, spec: { ...ds.spec.template.spec, enableServiceLinks: true } });
    const history = constructHistory(ds, [adopted, spelledOut], pods);
    assert.deepEqual(history.actions, []);
    assert.equal(history.current.metadata.name, spelledOut.metadata.name);
    assert.deepEqual(history.old, [adopted]);
  });

  it('still creates a revision for a template nothing is equivalent to', () => {
    const history = constructHistory(ds, [], pods);
    assert.deepEqual(history.actions.map(describeAction), ['createRevision #1']);
  });
});

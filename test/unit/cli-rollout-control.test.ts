// kubectl my rollout with rollout control (docs/rollout-control.md): pause and resume on every
// kind, restart and undo of a paused workload, and what `status` says about automatic rollbacks,
// progress deadlines, paused rollouts and MyDaemonSet canaries — as pure decisions, through the
// status loop, and over HTTP against a local stand-in for the API server.
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import type { AutomaticRollback, MyDaemonSet, MyDeployment, MyStatefulSet, RolloutCondition } from '../../src/api/workloads.ts';
import { deploymentRollback } from '../../src/cli/deployment-rollout.ts';
import { followRollout, RolloutStatusError, type FollowedStatus, type RolloutSource } from '../../src/cli/follow-rollout.ts';
import { buildCli } from '../../src/cli/main.ts';
import { daemonSetStatus, deploymentStatus, statefulSetStatus } from '../../src/cli/rollout-control-status.ts';
import { pausedRollbackRefusal, pausePatch, restartPatch, resumePatch } from '../../src/cli/rollout-patches.ts';
import type { Target } from '../../src/cli/target.ts';
import { startRecordingApiServer, type Answer, type ReceivedRequest, type RecordingApiServer } from '../support/recording-api-server.ts';

const template: PodTemplateSpec = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent:2' }] } };

const progressing = (status: RolloutCondition['status'], reason: string): RolloutCondition => ({ type: 'Progressing', status, reason, message: '' });
const complete = progressing('True', 'RolloutComplete');
const exceeded = progressing('False', 'ProgressDeadlineExceeded');
const rolledBackMessage = 'rolled back from revision 4 (agent-7c9b) to revision 3 (agent-5d8f): no progress for 60 s';
const rolledBackCondition: RolloutCondition = { type: 'RolledBack', status: 'True', reason: 'ProgressDeadlineExceeded', message: rolledBackMessage };
const rollback = (generation: number): AutomaticRollback => ({
  generation,
  revision: 'agent-5d8f',
  revisionNumber: 3,
  failedRevision: 'agent-7c9b',
  failedRevisionNumber: 4,
});

type DaemonSetOptions = Partial<Pick<MyDaemonSet['spec'], 'paused' | 'updateStrategy'>> & { readonly generation?: number };

/** A MyDaemonSet at generation 2 (by default), its status observed, on 4 nodes. */
function ds(status: MyDaemonSet['status'], options: DaemonSetOptions = {}): MyDaemonSet {
  const { generation = 2, ...spec } = options;
  return {
    metadata: { namespace: 'ns', name: 'agent', generation },
    spec: { selector: { matchLabels: { app: 'agent' } }, template, ...spec },
    status: { observedGeneration: 2, desiredNumberScheduled: 4, currentNumberScheduled: 4, ...status },
  };
}

function sts(status: MyStatefulSet['status'], options: { paused?: boolean; generation?: number } = {}): MyStatefulSet {
  return {
    metadata: { namespace: 'ns', name: 'web', generation: options.generation ?? 2 },
    spec: { replicas: 3, selector: { matchLabels: { app: 'agent' } }, template, paused: options.paused },
    status: { observedGeneration: 2, replicas: 3, ...status },
  };
}

function deploy(status: MyDeployment['status']): MyDeployment {
  return {
    metadata: { namespace: 'ns', name: 'web', generation: 2, annotations: { 'deployment.kubernetes.io/revision': '5' } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'agent' } }, template },
    status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3, ...status },
  };
}

const rollingUpdate = (value: { partition?: number; selector?: MyDaemonSet['spec']['selector'] }): DaemonSetOptions => ({
  updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, ...value } },
});

describe('kubectl my rollout with rollout control', () => {
  describe('pause, resume, restart and undo of every kind', () => {
    const kinds: { target: Target; resource: string; noun: string }[] = [
      { target: { kind: 'MyDaemonSet', name: 'agent' }, resource: 'mydaemonsets.apps.my.dev "agent"', noun: 'daemon set' },
      { target: { kind: 'MyStatefulSet', name: 'web' }, resource: 'mystatefulsets.apps.my.dev "web"', noun: 'statefulset' },
    ];
    for (const { target, resource, noun } of kinds) {
      it(`${target.kind}: pause sets spec.paused, and refuses a paused one`, () => {
        assert.deepEqual(pausePatch(target, { template }), { kind: 'patch', body: { spec: { paused: true } } });
        assert.deepEqual(pausePatch(target, { template, paused: false }), { kind: 'patch', body: { spec: { paused: true } } });
        assert.deepEqual(pausePatch(target, { template, paused: true }), { kind: 'refused', message: `${resource} is already paused` });
      });

      it(`${target.kind}: resume writes paused: false, and refuses one that is not paused`, () => {
        assert.deepEqual(resumePatch(target, { template, paused: true }), { kind: 'patch', body: { spec: { paused: false } } });
        assert.deepEqual(resumePatch(target, { template }), { kind: 'refused', message: `${resource} is not paused` });
      });

      it(`${target.kind}: restart refuses a paused one, whose pods would not roll`, () => {
        assert.deepEqual(restartPatch(target, { template, paused: true }, Date.parse('2026-03-01T12:00:00Z')), {
          kind: 'refused',
          message: `${resource} can't restart paused ${noun} (run rollout resume first)`,
        });
        assert.equal(restartPatch(target, { template, paused: false }, Date.parse('2026-03-01T12:00:00Z')).kind, 'patch');
      });

      it(`${target.kind}: undo of a paused one is refused in kubectl's words for a paused Deployment`, () => {
        assert.equal(pausedRollbackRefusal(target), `you cannot rollback a paused ${noun}; resume it first with 'kubectl rollout resume' and try again`);
      });
    }

    it("words the paused-undo refusal of a MyDeployment as deployment-rollout.ts does", () => {
      const d = { ...deploy({}), spec: { ...deploy({}).spec, paused: true } };
      const rs = { metadata: { name: 'web-1', annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [] }, spec: { selector: {}, template } };
      assert.deepEqual(deploymentRollback(d, [rs], 1n), { kind: 'refused', message: pausedRollbackRefusal({ kind: 'MyDeployment', name: 'web' }) });
    });
  });

  describe('status: automatic rollback', () => {
    it('fails a MyDaemonSet whose rollback is in force, with the RolledBack message as detail', () => {
      const obj = ds({ rollback: rollback(2), conditions: [complete, rolledBackCondition], updatedNumberScheduled: 4, numberAvailable: 4 });
      assert.deepEqual(daemonSetStatus(obj), { kind: 'failed', message: 'daemon set "agent" rolled back to revision 3', detail: rolledBackMessage });
    });

    it('fails a MyStatefulSet and a MyDeployment alike, naming them as kubectl does', () => {
      const set = sts({ rollback: rollback(2), conditions: [rolledBackCondition] });
      assert.deepEqual(statefulSetStatus(set), { kind: 'failed', message: 'statefulset "web" rolled back to revision 3', detail: rolledBackMessage });
      const d = deploy({ rollback: rollback(2), conditions: [rolledBackCondition] });
      assert.deepEqual(deploymentStatus(d, 0n), { kind: 'failed', message: 'deployment "web" rolled back to revision 3', detail: rolledBackMessage });
    });

    it('says rolled back before checking --revision', () => {
      const d = deploy({ rollback: rollback(2), conditions: [rolledBackCondition] });
      assert.equal(deploymentStatus(d, 9n).message, 'deployment "web" rolled back to revision 3');
    });

    it('says the rollback is under way while its RolledBack condition is not written yet, past the deadline condition', () => {
      assert.deepEqual(daemonSetStatus(ds({ rollback: rollback(2), conditions: [exceeded] })), {
        kind: 'progressing',
        message: 'Waiting for daemon set "agent" rollout to finish: rolling back to revision 3...',
      });
      assert.equal(statefulSetStatus(sts({ rollback: rollback(2) })).message, 'Waiting for statefulset "web" rollout to finish: rolling back to revision 3...');
    });

    it('says the rollback is under way while its condition is written and status.rollback not yet', () => {
      assert.deepEqual(statefulSetStatus(sts({ conditions: [exceeded, rolledBackCondition], readyReplicas: 2 })), {
        kind: 'progressing',
        message: 'Waiting for statefulset "web" rollout to finish: rolling back...',
      });
      assert.deepEqual(statefulSetStatus(sts({ rollback: rollback(1), conditions: [exceeded, rolledBackCondition] })), {
        kind: 'progressing',
        message: 'Waiting for statefulset "web" rollout to finish: rolling back...',
      });
    });

    it('words the detail from status.rollback when the condition has no message', () => {
      const obj = ds({ rollback: rollback(2), conditions: [{ ...rolledBackCondition, message: '' }] });
      assert.equal(daemonSetStatus(obj).detail, 'rolled back from revision 4 (agent-7c9b) to revision 3 (agent-5d8f)');
    });

    it('ignores a rollback of an older generation (a new spec ends it), even with its condition still there', () => {
      const stale = ds({ rollback: rollback(1), conditions: [rolledBackCondition], updatedNumberScheduled: 4, numberAvailable: 4 });
      assert.deepEqual(daemonSetStatus(stale), { kind: 'done', message: 'daemon set "agent" successfully rolled out' });
      const unobserved = ds({ rollback: rollback(1), conditions: [rolledBackCondition] }, { generation: 3 });
      assert.equal(daemonSetStatus(unobserved).message, 'Waiting for daemon set spec update to be observed...');
      assert.equal(deploymentStatus(deploy({ rollback: rollback(1), conditions: [rolledBackCondition] }), 0n).kind, 'done');
    });
  });

  describe('status: progress deadline', () => {
    it('fails a MyDaemonSet and a MyStatefulSet whose Progressing says ProgressDeadlineExceeded', () => {
      assert.deepEqual(daemonSetStatus(ds({ conditions: [exceeded], updatedNumberScheduled: 1 })), {
        kind: 'failed',
        message: 'daemon set "agent" exceeded its progress deadline',
      });
      assert.deepEqual(statefulSetStatus(sts({ conditions: [exceeded], readyReplicas: 3, updatedReplicas: 1 })), {
        kind: 'failed',
        message: 'statefulset "web" exceeded its progress deadline',
      });
    });

    it('waits for a new spec to be observed before reading the condition again', () => {
      assert.deepEqual(daemonSetStatus(ds({ conditions: [exceeded] }, { generation: 3 })), {
        kind: 'progressing',
        message: 'Waiting for daemon set spec update to be observed...',
      });
      assert.deepEqual(statefulSetStatus(sts({ conditions: [exceeded] }, { generation: 3 })), {
        kind: 'progressing',
        message: 'Waiting for statefulset spec update to be observed...',
      });
    });

    it("keeps kubectl's rules while Progressing is True", () => {
      const obj = ds({ conditions: [progressing('True', 'RolloutProgressing')], updatedNumberScheduled: 2, numberAvailable: 4 });
      assert.equal(daemonSetStatus(obj).message, 'Waiting for daemon set "agent" rollout to finish: 2 out of 4 new pods have been updated...');
    });

    it('still refuses OnDelete, which has no rollout to follow', () => {
      assert.equal(daemonSetStatus(ds({ conditions: [exceeded] }, { updateStrategy: { type: 'OnDelete' } })).kind, 'unsupported');
    });
  });

  describe('status: paused', () => {
    it('waits on a paused MyDaemonSet or MyStatefulSet with one line saying how to resume', () => {
      const paused = progressing('Unknown', 'RolloutPaused');
      assert.deepEqual(daemonSetStatus(ds({ conditions: [paused], updatedNumberScheduled: 1, numberAvailable: 4 }, { paused: true })), {
        kind: 'progressing',
        message: 'Waiting for daemon set "agent" rollout to finish: the rollout is paused (kubectl my rollout resume mds/agent)...',
      });
      assert.deepEqual(statefulSetStatus(sts({ conditions: [paused], readyReplicas: 2 }, { paused: true })), {
        kind: 'progressing',
        message: 'Waiting for statefulset "web" rollout to finish: the rollout is paused (kubectl my rollout resume msts/web)...',
      });
    });

    it('is done when every pod is updated anyway, as kubectl is for a paused Deployment', () => {
      assert.equal(daemonSetStatus(ds({ updatedNumberScheduled: 4, numberAvailable: 4 }, { paused: true })).kind, 'done');
      const set = sts({ readyReplicas: 3, updatedReplicas: 3, currentReplicas: 3, currentRevision: 'a', updateRevision: 'a' }, { paused: true });
      assert.equal(statefulSetStatus(set).kind, 'done');
    });
  });

  describe('status: MyDaemonSet canaries', () => {
    it('counts a partition against the desired nodes and says how many are updated', () => {
      assert.deepEqual(daemonSetStatus(ds({ updatedNumberScheduled: 1, numberAvailable: 4 }, rollingUpdate({ partition: 1 }))), {
        kind: 'progressing',
        message: 'Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...',
      });
    });

    it('then waits for every pod to be available', () => {
      assert.deepEqual(daemonSetStatus(ds({ updatedNumberScheduled: 3, numberAvailable: 3 }, rollingUpdate({ partition: 1 }))), {
        kind: 'progressing',
        message: 'Waiting for partitioned roll out to finish: 3 of 4 pods are available...',
      });
    });

    it('is done once the controller says RolloutComplete and the counts agree', () => {
      const obj = ds({ conditions: [complete], updatedNumberScheduled: 3, numberAvailable: 4 }, rollingUpdate({ partition: 1 }));
      assert.deepEqual(daemonSetStatus(obj), { kind: 'done', message: 'partitioned roll out complete: 3 new pods have been updated...' });
    });

    it('is not done on a RolloutComplete the counts contradict (a condition not yet rewritten for this generation)', () => {
      const obj = ds({ conditions: [complete], updatedNumberScheduled: 0, numberAvailable: 4 }, rollingUpdate({ partition: 1 }));
      assert.equal(daemonSetStatus(obj).kind, 'progressing');
    });

    it('counts nodes already updated past a raised partition as updated', () => {
      const obj = ds({ conditions: [complete], updatedNumberScheduled: 3, numberAvailable: 4 }, rollingUpdate({ partition: 3 }));
      assert.equal(daemonSetStatus(obj).message, 'partitioned roll out complete: 3 new pods have been updated...');
    });

    it('with a node selector, is not done on a RolloutComplete while no pod is updated (the previous rollout\'s condition)', () => {
      const obj = ds({ conditions: [complete], updatedNumberScheduled: 0, numberAvailable: 4 }, rollingUpdate({ selector: { matchLabels: { pool: 'canary' } } }));
      assert.deepEqual(daemonSetStatus(obj), { kind: 'progressing', message: 'Waiting for partitioned roll out to finish: 0 new pods have been updated...' });
    });

    it('with a node selector, shows no target count (it would need the Node list) and trusts RolloutComplete', () => {
      const selector = { matchLabels: { pool: 'canary' } };
      assert.deepEqual(daemonSetStatus(ds({ updatedNumberScheduled: 1, numberAvailable: 4 }, rollingUpdate({ selector }))), {
        kind: 'progressing',
        message: 'Waiting for partitioned roll out to finish: 1 new pods have been updated...',
      });
      const done = ds({ conditions: [complete], updatedNumberScheduled: 2, numberAvailable: 4 }, rollingUpdate({ selector, partition: 1 }));
      assert.deepEqual(daemonSetStatus(done), { kind: 'done', message: 'partitioned roll out complete: 2 new pods have been updated...' });
      const unavailable = ds({ conditions: [complete], updatedNumberScheduled: 2, numberAvailable: 3 }, rollingUpdate({ selector }));
      assert.equal(daemonSetStatus(unavailable).kind, 'progressing');
    });

    it("keeps kubectl's rules for a partition of 0 without a selector", () => {
      const obj = ds({ updatedNumberScheduled: 4, numberAvailable: 4 }, rollingUpdate({ partition: 0 }));
      assert.deepEqual(daemonSetStatus(obj), { kind: 'done', message: 'daemon set "agent" successfully rolled out' });
    });

    it('says a paused canary is paused', () => {
      const obj = ds({ conditions: [progressing('Unknown', 'RolloutPaused')], updatedNumberScheduled: 1 }, { ...rollingUpdate({ partition: 1 }), paused: true });
      assert.match(daemonSetStatus(obj).message, /the rollout is paused \(kubectl my rollout resume mds\/agent\)/);
    });

    it('fails a canary past its deadline', () => {
      const obj = ds({ conditions: [exceeded], updatedNumberScheduled: 1 }, rollingUpdate({ partition: 1 }));
      assert.equal(daemonSetStatus(obj).message, 'daemon set "agent" exceeded its progress deadline');
    });
  });

  describe('the status loop', () => {
    it('prints the detail of a failure before failing with its message', async () => {
      const lines: string[] = [];
      const at = (resourceVersion: string, status: FollowedStatus): { rv: string; status: FollowedStatus } => ({ rv: resourceVersion, status });
      const steps = [
        at('1', { kind: 'progressing', message: 'waiting' }),
        at('2', { kind: 'failed', message: 'daemon set "agent" rolled back to revision 3', detail: rolledBackMessage }),
      ];
      const object = (rv: string): MyDaemonSet => ({ ...ds({}), metadata: { name: 'agent', resourceVersion: rv } });
      const source: RolloutSource<MyDaemonSet> = {
        get: () => Promise.resolve(object('1')),
        watch: async function* () {
          await Promise.resolve();
          yield { type: 'MODIFIED', object: object('2') };
        },
      };
      const judge = (obj: MyDaemonSet): FollowedStatus => steps.find((s) => s.rv === obj.metadata.resourceVersion)?.status ?? { kind: 'progressing', message: '?' };
      await assert.rejects(followRollout(source, judge, { watch: true, out: (l) => lines.push(l) }), (err: unknown) => {
        return err instanceof RolloutStatusError && err.message === 'daemon set "agent" rolled back to revision 3';
      });
      assert.deepEqual(lines, ['waiting', rolledBackMessage]);
    });
  });

  describe('over HTTP', () => {
    const daemonSetPath = '/apis/apps.my.dev/v1alpha1/namespaces/ns/mydaemonsets/agent';
    const statefulSetPath = '/apis/apps.my.dev/v1alpha1/namespaces/ns/mystatefulsets/web';
    const revisionsPath = '/apis/apps/v1/namespaces/ns/controllerrevisions';
    /** Revisions 1 and 2 of the MyStatefulSet, 2 being its template. */
    const revision = (n: number, image: string): unknown => ({
      metadata: { name: `web-${n}`, ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyStatefulSet', name: 'web', uid: 'uid-web', controller: true }] },
      revision: n,
      data: { spec: { template: { ...template, spec: { containers: [{ name: 'c', image }] }, $patch: 'replace' } } },
    });
    let server: RecordingApiServer;
    let daemonSet: MyDaemonSet;
    let statefulSet: MyStatefulSet;

    function answer(request: ReceivedRequest): Answer {
      const path = request.url.split('?')[0];
      if (path === daemonSetPath) return { status: 200, body: daemonSet };
      if (path === statefulSetPath) return { status: 200, body: statefulSet };
      if (path === revisionsPath) return { status: 200, body: { metadata: {}, items: [revision(1, 'agent:1'), revision(2, 'agent:2')] } };
      return { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: `${path} not found` } };
    }

    before(async () => {
      server = await startRecordingApiServer((request) => answer(request));
    });
    after(() => server.close());
    beforeEach(() => {
      daemonSet = { ...ds({ updatedNumberScheduled: 4, numberAvailable: 4 }), metadata: { namespace: 'ns', name: 'agent', generation: 2, uid: 'uid-agent', resourceVersion: '7' } };
      statefulSet = { ...sts({}), metadata: { namespace: 'ns', name: 'web', generation: 2, uid: 'uid-web', resourceVersion: '8' } };
      server.received.length = 0;
    });

    async function kubectlMy(...args: string[]): Promise<string[]> {
      const lines: string[] = [];
      await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' })).parseAsync(args, { from: 'user' });
      return lines;
    }
    const patches = (): ReceivedRequest[] => server.received.filter((r) => r.method === 'PATCH');

    it('pauses a MyDaemonSet with a merge patch of spec.paused, named as kubectl names it', async () => {
      assert.deepEqual(await kubectlMy('rollout', 'pause', 'mds/agent'), ['mydaemonset.apps.my.dev/agent paused']);
      const [patch, ...more] = patches();
      assert.ok(patch && more.length === 0);
      assert.equal(patch.url, daemonSetPath);
      assert.equal(patch.contentType, 'application/merge-patch+json');
      assert.deepEqual(JSON.parse(patch.body), { spec: { paused: true } });
    });

    it('resumes a paused MyStatefulSet by its long kind name, and refuses to resume it again', async () => {
      statefulSet = { ...statefulSet, spec: { ...statefulSet.spec, paused: true } };
      assert.deepEqual(await kubectlMy('rollout', 'resume', 'mystatefulsets.apps.my.dev/web'), ['mystatefulset.apps.my.dev/web resumed']);
      assert.deepEqual(JSON.parse(patches()[0]?.body ?? ''), { spec: { paused: false } });
      statefulSet = { ...statefulSet, spec: { ...statefulSet.spec, paused: false } };
      await assert.rejects(kubectlMy('rollout', 'resume', 'msts', 'web'), /^Error: mystatefulsets.apps.my.dev "web" is not paused$/);
      assert.equal(patches().length, 1);
    });

    it('refuses to pause a paused MyDaemonSet without a write', async () => {
      daemonSet = { ...daemonSet, spec: { ...daemonSet.spec, paused: true } };
      await assert.rejects(kubectlMy('rollout', 'pause', 'mydaemonset/agent'), /^Error: mydaemonsets.apps.my.dev "agent" is already paused$/);
      assert.deepEqual(patches(), []);
    });

    it('refuses to undo a paused MyStatefulSet without a write', async () => {
      statefulSet = { ...statefulSet, spec: { ...statefulSet.spec, paused: true } };
      await assert.rejects(
        kubectlMy('rollout', 'undo', 'msts/web'),
        /^Error: you cannot rollback a paused statefulset; resume it first with 'kubectl rollout resume' and try again$/,
      );
      assert.ok(server.received.some((r) => r.url.startsWith(revisionsPath)), 'the history was read');
      assert.deepEqual(patches(), []);
    });

    it('prints the RolledBack message, then fails naming the revision rolled back to', async () => {
      daemonSet = { ...daemonSet, status: { ...daemonSet.status, rollback: rollback(2), conditions: [complete, rolledBackCondition] } };
      const lines: string[] = [];
      await assert.rejects(
        buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' })).parseAsync(['rollout', 'status', 'mds/agent'], { from: 'user' }),
        /^RolloutStatusError: daemon set "agent" rolled back to revision 3$/,
      );
      assert.deepEqual(lines, [rolledBackMessage]);
    });
  });
});

// kubectl my rollout for MyDeployments: the pure decisions (status with --revision, history,
// undo, pause, resume, restart) and the status loop on a fake watch.
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import type { RolloutStatus } from '../../src/api/rollout-status.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet } from '../../src/api/workloads.ts';
import { controlledReplicaSets, deploymentHistory, deploymentRollback, deploymentRolloutStatusAt } from '../../src/cli/deployment-rollout.ts';
import { followRollout, RolloutStatusError, type RolloutSource } from '../../src/cli/follow-rollout.ts';
import { pausePatch, restartPatch, resumePatch } from '../../src/cli/rollout-patches.ts';
import type { Target } from '../../src/cli/target.ts';
import { ApiError } from '../../src/runtime/client/errors.ts';
import { parseWatchEvent, type WatchEvent } from '../../src/runtime/client/watch-decoder.ts';

function podTemplate(image: string, labels: Record<string, string> = { app: 'web' }): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } };
}

function deployment(image: string, extra: { annotations?: Record<string, string>; paused?: boolean; revision?: string } = {}): MyDeployment {
  const annotations = { ...extra.annotations, ...(extra.revision === undefined ? {} : { 'deployment.kubernetes.io/revision': extra.revision }) };
  return {
    metadata: { namespace: 'ns', name: 'web', uid: 'uid-web', resourceVersion: '42', generation: 3, annotations },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: podTemplate(image), paused: extra.paused },
    status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
  };
}

/** The MyReplicaSet of revision `revision`, controlled by `owner` (default: the MyDeployment above). */
function replicaSet(revision: string | undefined, image: string, annotations: Record<string, string> = {}, owner = 'uid-web'): MyReplicaSet {
  const hash = `h${image.replace(/\W/g, '')}`;
  return {
    metadata: {
      namespace: 'ns',
      name: `web-${hash}`,
      uid: `uid-${hash}`,
      annotations: { ...annotations, ...(revision === undefined ? {} : { 'deployment.kubernetes.io/revision': revision }) },
      ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'web', uid: owner, controller: true }],
    },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: podTemplate(image, { app: 'web', 'pod-template-hash': hash }) },
  };
}

const webTarget: Target = { kind: 'MyDeployment', name: 'web' };

describe('kubectl my rollout for MyDeployments', () => {
  describe('status --revision', () => {
    it('fails while the MyDeployment is at another revision, naming both', () => {
      assert.deepEqual(deploymentRolloutStatusAt(deployment('web:2', { revision: '2' }), 3n), {
        kind: 'failed',
        message: 'desired revision (3) is different from the running revision (2)',
      });
    });
    it('follows the rollout once at the revision asked for, and ignores the revision when 0', () => {
      assert.equal(deploymentRolloutStatusAt(deployment('web:2', { revision: '2' }), 2n).kind, 'done');
      assert.equal(deploymentRolloutStatusAt(deployment('web:2', { revision: 'x' }), 0n).kind, 'done');
    });
    it('compares revisions past 2^53 exactly', () => {
      const d = deployment('web:2', { revision: '3546343826724305832' });
      assert.equal(deploymentRolloutStatusAt(d, 3546343826724305832n).kind, 'done');
      assert.equal(deploymentRolloutStatusAt(d, 3546343826724305833n).kind, 'failed');
    });
    it('fails on a revision annotation that is no int64, with Go\'s parse error', () => {
      assert.deepEqual(deploymentRolloutStatusAt(deployment('web:2', { revision: 'two' }), 1n), {
        kind: 'failed',
        message: 'cannot get the revision of deployment "web": strconv.ParseInt: parsing "two": invalid syntax',
      });
    });
  });

  describe('history', () => {
    it('keeps only the MyReplicaSets the MyDeployment controls', () => {
      const mine = replicaSet('1', 'web:1');
      const other = replicaSet('1', 'web:9', {}, 'uid-other');
      assert.deepEqual(controlledReplicaSets(deployment('web:1'), [mine, other]), [mine]);
    });
    it('gives each revision its change-cause and template, the change-cause shown in the template annotations', () => {
      const history = deploymentHistory([
        replicaSet('2', 'web:2', { 'kubernetes.io/change-cause': 'kubectl set image mdeploy/web app=web:2' }),
        replicaSet('1', 'web:1'),
        replicaSet('bogus', 'web:0'),
      ]);
      assert.deepEqual(
        history.map((h) => [h.revision, h.changeCause, h.template?.metadata?.annotations?.['kubernetes.io/change-cause'], h.template?.spec.containers[0]?.image]),
        [
          [2n, 'kubectl set image mdeploy/web app=web:2', 'kubectl set image mdeploy/web app=web:2', 'web:2'],
          [1n, undefined, undefined, 'web:1'],
        ],
      );
    });
  });

  describe('undo', () => {
    const rss = [
      replicaSet('1', 'web:1', { 'kubernetes.io/change-cause': 'first', team: 'a' }),
      replicaSet('2', 'web:2', { 'kubernetes.io/change-cause': 'second' }),
      replicaSet('3', 'web:3', { 'kubernetes.io/change-cause': 'third' }),
    ];
    const current = deployment('web:3', {
      revision: '3',
      annotations: { 'kubernetes.io/change-cause': 'third', 'kubectl.kubernetes.io/last-applied-configuration': '{}', owner: 'me' },
    });

    it('rolls back to the previous revision with a resourceVersion test, the template without its hash and the annotations of that revision', () => {
      assert.deepEqual(deploymentRollback(current, rss, 0n), {
        kind: 'patch',
        operations: [
          { op: 'replace', path: '/metadata/resourceVersion', value: '42' },
          { op: 'replace', path: '/spec/template', value: podTemplate('web:2') },
          {
            op: 'replace',
            path: '/metadata/annotations',
            // The skip list (revision, last-applied) stays the MyDeployment's; the rest is the revision's.
            value: { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kubernetes.io/change-cause': 'second' },
          },
        ],
      });
    });

    it('rolls back to the revision asked for', () => {
      const plan = deploymentRollback(current, rss, 1n);
      assert.equal(plan.kind, 'patch');
      assert.deepEqual(plan.kind === 'patch' ? plan.operations[1] : undefined, { op: 'replace', path: '/spec/template', value: podTemplate('web:1') });
      assert.deepEqual(plan.kind === 'patch' ? plan.operations[2]?.value : undefined, {
        'deployment.kubernetes.io/revision': '3',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        'kubernetes.io/change-cause': 'first',
        team: 'a',
      });
    });

    const refusals: { name: string; d: MyDeployment; rss: MyReplicaSet[]; to: bigint; message: string }[] = [
      { name: 'a revision not in the history', d: current, rss, to: 7n, message: 'unable to find specified revision 7 in history' },
      { name: 'undo with one revision only', d: current, rss: rss.slice(2), to: 0n, message: 'no rollout history found for deployment "web"' },
      {
        name: 'a paused MyDeployment',
        d: deployment('web:3', { paused: true }),
        rss,
        to: 0n,
        message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
      },
      {
        name: 'a paused MyDeployment, even when the template already matches',
        d: deployment('web:2', { paused: true }),
        rss,
        to: 2n,
        message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
      },
    ];
    for (const row of refusals) {
      it(`refuses ${row.name}`, () => assert.deepEqual(deploymentRollback(row.d, row.rss, row.to), { kind: 'refused', message: row.message }));
    }

    it('skips a revision whose template is the current one, printing the revision asked for (0 for the previous one)', () => {
      const back = deployment('web:2', { revision: '4' });
      const renumbered = [replicaSet('3', 'web:3'), replicaSet('4', 'web:2')];
      assert.deepEqual(deploymentRollback(back, [...renumbered, replicaSet('2', 'web:2')], 2n), {
        kind: 'skipped',
        message: 'skipped rollback (current template already matches revision 2)',
      });
      assert.deepEqual(deploymentRollback(deployment('web:3'), renumbered, 0n), {
        kind: 'skipped',
        message: 'skipped rollback (current template already matches revision 0)',
      });
    });
  });

  describe('pause, resume and restart', () => {
    const now = Date.parse('2026-03-01T12:34:56.789Z');

    it('pause sets spec.paused, and refuses a paused MyDeployment', () => {
      assert.deepEqual(pausePatch(webTarget, deployment('web:1').spec), { kind: 'patch', body: { spec: { paused: true } } });
      assert.deepEqual(pausePatch(webTarget, deployment('web:1', { paused: true }).spec), {
        kind: 'refused',
        message: 'mydeployments.apps.my.dev "web" is already paused',
      });
    });

    it('resume clears spec.paused, and refuses a MyDeployment that is not paused', () => {
      assert.deepEqual(resumePatch(webTarget, deployment('web:1', { paused: true }).spec), { kind: 'patch', body: { spec: { paused: false } } });
      assert.deepEqual(resumePatch(webTarget, deployment('web:1').spec), { kind: 'refused', message: 'mydeployments.apps.my.dev "web" is not paused' });
    });

    it('pause and resume work on a MyDaemonSet as on a MyDeployment (spec.paused, docs/rollout-control.md)', () => {
      const ds: MyDaemonSet = { metadata: { name: 'agent' }, spec: { selector: {}, template: podTemplate('agent:1') } };
      const target: Target = { kind: 'MyDaemonSet', name: 'agent' };
      assert.deepEqual(pausePatch(target, ds.spec), { kind: 'patch', body: { spec: { paused: true } } });
      assert.deepEqual(resumePatch(target, ds.spec), { kind: 'refused', message: 'mydaemonsets.apps.my.dev "agent" is not paused' });
    });

    it('restart stamps the template with restartedAt in RFC 3339 whole seconds', () => {
      assert.deepEqual(restartPatch(webTarget, deployment('web:1').spec, now), {
        kind: 'patch',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-03-01T12:34:56Z' } } } } },
      });
    });

    it('restart refuses a paused MyDeployment, and a second restart within the same second', () => {
      assert.deepEqual(restartPatch(webTarget, deployment('web:1', { paused: true }).spec, now), {
        kind: 'refused',
        message: 'mydeployments.apps.my.dev "web" can\'t restart paused deployment (run rollout resume first)',
      });
      const restarted = deployment('web:1');
      const spec = {
        ...restarted.spec,
        template: { ...restarted.spec.template, metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-03-01T12:34:56Z' } } },
      };
      assert.equal(restartPatch(webTarget, spec, now).kind, 'refused');
      assert.equal(restartPatch(webTarget, spec, now + 1000).kind, 'patch');
    });
  });

  describe('status loop', () => {
    const progressing = (message: string): RolloutStatus => ({ kind: 'progressing', message });

    /** A source whose get answers `gets` in turn and whose watches replay `watches` in turn (then end). */
    function fakeSource(gets: MyDeployment[], watches: (WatchEvent<MyDeployment>[] | Error)[]): RolloutSource<MyDeployment> & { readonly calls: string[] } {
      const calls: string[] = [];
      return {
        calls,
        get: () => {
          calls.push('get');
          const next = gets.shift();
          return next ? Promise.resolve(next) : Promise.reject(new Error('no more gets'));
        },
        watch: async function* (resourceVersion) {
          calls.push(`watch@${resourceVersion}`);
          const next = watches.shift();
          if (next === undefined) throw new Error('no more watches');
          if (next instanceof Error) throw next;
          await Promise.resolve();
          yield* next;
        },
      };
    }

    /** A MyDeployment whose status judge() below reads from its `step` annotation. */
    function at(step: string, resourceVersion: string): MyDeployment {
      const d = deployment('web:1');
      return { ...d, metadata: { ...d.metadata, resourceVersion, annotations: { step } } };
    }
    const judge = (d: MyDeployment): RolloutStatus => {
      const step = d.metadata.annotations?.step ?? '';
      if (step === 'done') return { kind: 'done', message: 'deployment "web" successfully rolled out' };
      if (step === 'late') return { kind: 'failed', message: 'deployment "web" exceeded its progress deadline' };
      return progressing(`waiting ${step}`);
    };

    it('prints each new message from the object and its watch until the rollout is done', async () => {
      const lines: string[] = [];
      const source = fakeSource(
        [at('1', '10')],
        [
          [
            { type: 'MODIFIED', object: at('1', '11') },
            { type: 'BOOKMARK', object: at('', '12') },
          ],
          [
            { type: 'MODIFIED', object: at('2', '13') },
            { type: 'MODIFIED', object: at('done', '14') },
            { type: 'MODIFIED', object: at('never seen', '15') },
          ],
        ],
      );
      await followRollout(source, judge, { watch: true, out: (l) => lines.push(l) });
      assert.deepEqual(lines, ['waiting 1', 'waiting 2', 'deployment "web" successfully rolled out']);
      assert.deepEqual(source.calls, ['get', 'watch@10', 'watch@12']);
    });

    it('prints once without --watch', async () => {
      const lines: string[] = [];
      const source = fakeSource([at('1', '10')], []);
      await followRollout(source, judge, { watch: false, out: (l) => lines.push(l) });
      assert.deepEqual(lines, ['waiting 1']);
    });

    it('fails with the status message once the rollout exceeded its progress deadline', async () => {
      const source = fakeSource([at('1', '10')], [[{ type: 'MODIFIED', object: at('late', '11') }]]);
      await assert.rejects(followRollout(source, judge, { watch: true, out: () => undefined }), (err: unknown) => {
        return err instanceof RolloutStatusError && err.message === 'deployment "web" exceeded its progress deadline';
      });
    });

    it('fails when the object is deleted', async () => {
      const source = fakeSource([at('1', '10')], [[{ type: 'DELETED', object: at('1', '11') }]]);
      await assert.rejects(followRollout(source, judge, { watch: true, out: () => undefined }), /object has been deleted/);
    });

    it('reads the object again when the watch expired (410), as an answer or as an ERROR event', async () => {
      const lines: string[] = [];
      const gone = new ApiError({ method: 'WATCH', path: '/x', code: 410, status: { code: 410, reason: 'Expired' }, retryAfterSeconds: undefined });
      const expired = parseWatchEvent<MyDeployment>('{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}}');
      assert.ok(expired);
      const source = fakeSource([at('1', '10'), at('2', '20'), at('3', '30')], [gone, [expired], [{ type: 'MODIFIED', object: at('done', '31') }]]);
      await followRollout(source, judge, { watch: true, out: (l) => lines.push(l) });
      assert.deepEqual(lines, ['waiting 1', 'waiting 2', 'waiting 3', 'deployment "web" successfully rolled out']);
      assert.deepEqual(source.calls, ['get', 'watch@10', 'get', 'watch@20', 'get', 'watch@30']);
    });

    it('gives up with kubectl\'s timeout message once the timeout aborts', async () => {
      const timeout = new AbortController();
      const source: RolloutSource<MyDeployment> = {
        get: () => Promise.resolve(at('1', '10')),
        // A watch that ends quietly when aborted, as the REST client's does.
        watch: async function* (_rv, signal) {
          await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
          yield* [];
        },
      };
      const following = followRollout(source, judge, { watch: true, timeout: timeout.signal, out: () => undefined });
      timeout.abort();
      await assert.rejects(following, /^RolloutStatusError: timed out waiting for the condition$/);
    });
  });
});

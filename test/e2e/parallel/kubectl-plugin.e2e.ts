// `kubectl my rollout …` through kubectl's plugin mechanism (bin/kubectl-my on PATH), on a real
// MyDaemonSet: status waits for the rollout, history lists the ControllerRevisions, undo brings
// back revision 1 as revision 3 without a new ControllerRevision object; and on a real
// MyDeployment, with kubectl's messages for Deployments: history with change-cause, pause, resume,
// restart and undo (the old MyReplicaSet renumbered, its pods kept), and status failing on the
// progress deadline.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../../hack/cluster.ts';
import { changeCauseAnnotation, podTemplateHashLabel, revisionAnnotation } from '../../../src/api/deployment-annotations.ts';
import { controllerRevisions, pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet, MyDeployment } from '../../../src/api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import { binDir, createNamespace, kubeconfigPath, testClient, waitFor } from '../support/env.ts';

const run = promisify(execFile);

async function kubectlMy(ns: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(path.join(binDir(), 'kubectl'), ['my', ...args, '-n', ns, '--kubeconfig', kubeconfigPath()], {
    env: { ...process.env, PATH: `${path.join(repoRoot, 'bin')}:${process.env.PATH ?? ''}` },
  });
  return stdout;
}

/** A plugin call that must fail: its exit code and stderr. */
async function kubectlMyFails(ns: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const out = await kubectlMy(ns, ...args);
    assert.fail(`kubectl my ${args.join(' ')} succeeded: ${out}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    const { code, stderr } = err as { code?: unknown; stderr?: unknown };
    return { code: typeof code === 'number' ? code : -1, stderr: typeof stderr === 'string' ? stderr : '' };
  }
}

describe('kubectl my (plugin)', function () {
  this.timeout(120_000);
  let ns: { name: string; remove: () => Promise<void> };
  before(async () => (ns = await createNamespace('plugin')));
  after(async () => ns.remove());

  it('follows a rollout, lists history and rolls back to revision 1 by renumbering it', async () => {
    const client = await testClient();
    const ds = (image: string): MyDaemonSet => ({
      apiVersion: 'apps.my.dev/v1alpha1',
      kind: 'MyDaemonSet',
      metadata: { name: 'agent', namespace: ns.name },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } },
      },
    });
    await client.create(myDaemonSets, ds('agent:v1'));
    assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'mds/agent', '--timeout', '60s'), /successfully rolled out/);
    await client.patch(myDaemonSets, ns.name, 'agent', 'json', [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'agent:v2' },
    ]);
    assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'mds/agent', '--timeout', '60s'), /successfully rolled out/);

    const history = await kubectlMy(ns.name, 'rollout', 'history', 'mds/agent');
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+<none>$/m);
    assert.match(await kubectlMy(ns.name, 'rollout', 'history', 'mds/agent', '--revision', '1'), /^ {4}Image:\tagent:v1$/m);

    const before = (await client.list(controllerRevisions, { namespace: ns.name })).items;
    const v1 = before.find((r) => r.revision === 1);
    assert.ok(v1);
    assert.match(await kubectlMy(ns.name, 'rollout', 'undo', 'mds/agent', '--to-revision', '1'), /rolled back/);
    const after = await waitFor(
      'revision 1 to become revision 3',
      async () => (await client.list(controllerRevisions, { namespace: ns.name })).items,
      (rs) => rs.some((r) => r.metadata.uid === v1.metadata.uid && r.revision === 3),
    );
    assert.equal(after.length, before.length, 'a rollback creates no ControllerRevision');
    assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'mds/agent', '--timeout', '60s'), /successfully rolled out/);
    assert.match(await kubectlMy(ns.name, 'rollout', 'undo', 'mds/agent', '--to-revision', '3'), /skipped rollback/);
  });

  it('drives a MyDeployment: history with change-cause, pause, resume, restart, undo by renumbering, and the progress deadline', async function () {
    this.timeout(240_000);
    const client = await testClient();
    const deployment: MyDeployment = {
      apiVersion: 'apps.my.dev/v1alpha1',
      kind: 'MyDeployment',
      metadata: { name: 'web', namespace: ns.name, annotations: { [changeCauseAnnotation]: 'create web:v1' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:v1' }] } },
      },
    };
    const status = (): Promise<string> => kubectlMy(ns.name, 'rollout', 'status', 'mdeploy/web', '--timeout', '90s');
    const setImage = (image: string, cause: string, extra: Record<string, unknown> = {}): Promise<MyDeployment> =>
      client.patch(myDeployments, ns.name, 'web', 'merge', {
        metadata: { annotations: { [changeCauseAnnotation]: cause } },
        spec: { ...extra, template: { spec: { containers: [{ name: 'web', image }] } } },
      });
    await client.create(myDeployments, deployment);
    assert.match(await status(), /deployment "web" successfully rolled out/);
    await setImage('web:v2', 'image web:v2');
    assert.match(await status(), /deployment "web" successfully rolled out/);

    const history = await kubectlMy(ns.name, 'rollout', 'history', 'mdeploy/web');
    assert.match(history, /^mydeployment\.apps\.my\.dev\/web/m);
    assert.match(history, /^1\s+create web:v1$/m);
    assert.match(history, /^2\s+image web:v2$/m);
    assert.match(await kubectlMy(ns.name, 'rollout', 'history', 'mdeploy/web', '--revision', '1'), /^ {4}Image:\tweb:v1$/m);

    assert.match(await kubectlMy(ns.name, 'rollout', 'pause', 'mdeploy/web'), /^mydeployment\.apps\.my\.dev\/web paused$/m);
    assert.match((await kubectlMyFails(ns.name, 'rollout', 'pause', 'mdeploy/web')).stderr, /"web" is already paused/);
    assert.match((await kubectlMyFails(ns.name, 'rollout', 'undo', 'mdeploy/web')).stderr, /you cannot rollback a paused deployment; resume it first/);
    assert.match((await kubectlMyFails(ns.name, 'rollout', 'restart', 'mdeploy/web')).stderr, /can't restart paused deployment \(run rollout resume first\)/);
    assert.match(await kubectlMy(ns.name, 'rollout', 'resume', 'mdeploy/web'), /^mydeployment\.apps\.my\.dev\/web resumed$/m);
    assert.match((await kubectlMyFails(ns.name, 'rollout', 'resume', 'mdeploy/web')).stderr, /"web" is not paused/);

    // Undo to the previous revision: the revision-1 MyReplicaSet comes back as revision 3, its
    // pods (none: it was scaled to 0) not replaced by a new replica set.
    const replicaSets = async () => (await client.list(myReplicaSets, { namespace: ns.name })).items;
    const first = (await replicaSets()).find((rs) => rs.metadata.annotations?.[revisionAnnotation] === '1');
    assert.ok(first, 'the revision-1 MyReplicaSet');
    assert.match(await kubectlMy(ns.name, 'rollout', 'undo', 'mdeploy/web'), /^mydeployment\.apps\.my\.dev\/web rolled back$/m);
    assert.match(await status(), /successfully rolled out/);
    const renumbered = await waitFor('revision 1 renumbered 3', replicaSets, (rss) =>
      rss.some((rs) => rs.metadata.uid === first.metadata.uid && rs.metadata.annotations?.[revisionAnnotation] === '3'),
    );
    assert.equal(renumbered.length, 2, 'an undo creates no MyReplicaSet');
    const hash = first.metadata.labels?.[podTemplateHashLabel] ?? '';
    const ready = await waitFor('3 pods of the revision-1 template', async () => (await client.list(pods, { namespace: ns.name, labelSelector: `${podTemplateHashLabel}=${hash}` })).items, (ps) => ps.length === 3);
    assert.ok(ready.every((p) => p.spec.containers[0]?.image === 'web:v1'));
    assert.match(await kubectlMy(ns.name, 'rollout', 'undo', 'mdeploy/web', '--to-revision', '3'), /skipped rollback \(current template already matches revision 3\)/);
    assert.match((await kubectlMyFails(ns.name, 'rollout', 'undo', 'mdeploy/web', '--to-revision', '9')).stderr, /unable to find specified revision 9 in history/);

    assert.match(await kubectlMy(ns.name, 'rollout', 'restart', 'mdeploy/web'), /^mydeployment\.apps\.my\.dev\/web restarted$/m);
    assert.match(await status(), /successfully rolled out/);
    assert.equal((await replicaSets()).length, 3, 'a restart rolls out a new MyReplicaSet');

    // A never-Ready image and a 5 s deadline: status exits 1 with kubectl's message.
    await setImage('web:v3-notready', 'image web:v3-notready', { progressDeadlineSeconds: 5 });
    const failed = await kubectlMyFails(ns.name, 'rollout', 'status', 'mdeploy/web', '--timeout', '90s');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /deployment "web" exceeded its progress deadline/);
  });
});

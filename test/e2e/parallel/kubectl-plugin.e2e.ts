// `kubectl my rollout …` through kubectl's plugin mechanism (bin/kubectl-my on PATH), on a real
// MyDaemonSet: status waits for the rollout, history lists the ControllerRevisions, undo brings
// back revision 1 as revision 3 without a new ControllerRevision object.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../../hack/cluster.ts';
import { controllerRevisions } from '../../../src/api/resources.ts';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import { binDir, createNamespace, kubeconfigPath, testClient, waitFor } from '../support/env.ts';

const run = promisify(execFile);

async function kubectlMy(ns: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(path.join(binDir(), 'kubectl'), ['my', ...args, '-n', ns, '--kubeconfig', kubeconfigPath()], {
    env: { ...process.env, PATH: `${path.join(repoRoot, 'bin')}:${process.env.PATH ?? ''}` },
  });
  return stdout;
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
    assert.match(await kubectlMy(ns.name, 'rollout', 'history', 'mds/agent', '--revision', '1'), /image: agent:v1/);

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
});

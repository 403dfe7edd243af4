// The seeds' command line, word for word, on the custom kinds (issue 22): `kubectl my set image |
// resources | env` with `--record`, `kubectl my rollout history [--revision N] | undo
// [--to-revision N] | pause | resume | status`, and kubectl's own `scale` and `autoscale` on the scale
// subresource. Where kubectl can do the same on an apps/v1 twin in the same namespace, the two
// outputs are compared line for line, with only the kind and the name told apart: kubectl v1.36.3 is
// the reference for every message, change-cause and history rendering.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '../../../hack/cluster.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { controllerRevisions, pods } from '../../../src/api/resources.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../../src/api/workloads.ts';
import { binDir, createNamespace, kubeconfigPath, kubectl, testClient, waitFor } from '../support/env.ts';
import { changeCauseAnnotation, horizontalPodAutoscalers, listRs, revisionOf, waitForDeployment, deploymentComplete } from '../support/deployment.ts';
import { runPlugin, type PluginRun } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';

const execute = promisify(execFile);

/** Real kubectl with the same trailing flags the plugin helper adds, so change-causes compare. */
async function runKubectl(namespace: string, ...args: string[]): Promise<PluginRun> {
  try {
    const { stdout, stderr } = await execute(path.join(binDir(), 'kubectl'), [...args, '-n', namespace, '--kubeconfig', kubeconfigPath()]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (!isRecord(err) || typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: typeof err.stdout === 'string' ? err.stdout : '', stderr: typeof err.stderr === 'string' ? err.stderr : '' };
  }
}

async function kubectlOk(namespace: string, ...args: string[]): Promise<PluginRun> {
  const result = await runKubectl(namespace, ...args);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  return result;
}

async function pluginOk(namespace: string, ...args: string[]): Promise<PluginRun> {
  const result = await runPlugin(namespace, ...args);
  assert.equal(result.code, 0, `kubectl my ${args.join(' ')}: ${result.stderr}`);
  return result;
}

/** One example manifest's document of `kind`, renamed into the test's namespace. */
function exampleDoc(file: string, kind: string): Record<string, unknown> {
  const docs: unknown[] = parseAllDocuments(readFileSync(path.join(repoRoot, 'examples', file), 'utf8')).map((d) => d.toJSON() as unknown);
  const doc = docs.find((d) => isRecord(d) && d.kind === kind);
  assert.ok(isRecord(doc), `examples/${file} holds no ${kind}`);
  return doc;
}

/**
 * The same workload as an apps/v1 twin: apiVersion and kind changed back, a new name, and its
 * selector and template labels moved to that name so the two never select each other's pods.
 */
function twinOf(doc: Record<string, unknown>, kind: string, name: string, namespace: string, labelKey: string): string {
  const copy = JSON.parse(JSON.stringify(doc)) as { spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } } };
  copy.spec.selector.matchLabels[labelKey] = name;
  copy.spec.template.metadata.labels[labelKey] = name;
  return stringify({ ...copy, apiVersion: 'apps/v1', kind, metadata: { name, namespace } });
}

function ours(doc: Record<string, unknown>, namespace: string): string {
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  return stringify({ ...doc, metadata: { ...metadata, namespace } });
}

/** The twin's output rewritten into ours: kind, resource and name swapped, nothing else. */
function asOurs(text: string, swaps: readonly (readonly [string, string])[]): string {
  return swaps.reduce((t, [from, to]) => t.replaceAll(from, to), text);
}

describe('the seeds’ command line on the custom kinds (kubectl my set, rollout, scale, autoscale)', function () {
  this.timeout(300_000);
  // A namespace per test: the seeds' StatefulSet and Deployment both select app=nginx.
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => (ns = await createNamespace('seeds-cli')));
  afterEach(async () => ns.remove());

  it('MyDaemonSet: set image --record, history with the change-cause and --revision, undo --to-revision=1 renumbers — as kubectl does for a DaemonSet', async () => {
    const client = await testClient();
    const doc = exampleDoc('fluentd-elasticsearch.yaml', 'MyDaemonSet');
    const name = 'fluentd-elasticsearch';
    const twin = 'fluentd-twin';
    await kubectl(['apply', '-f', '-'], ours(doc, ns.name));
    await kubectl(['apply', '-f', '-'], twinOf(doc, 'DaemonSet', twin, ns.name, 'name'));
    const swaps = [
      [`kubectl set image ds/${twin}`, `kubectl my set image mds/${name}`],
      [`kubectl rollout undo ds/${twin}`, `kubectl my rollout undo mds/${name}`],
      [`daemonset.apps/${twin}`, `mydaemonset.apps.my.dev/${name}`],
      [`daemon set "${twin}"`, `daemon set "${name}"`],
      [twin, name],
    ] as const;
    await pluginOk(ns.name, 'rollout', 'status', `mds/${name}`, '--timeout', '90s');
    await kubectlOk(ns.name, 'rollout', 'status', `ds/${twin}`, '--timeout', '90s');

    const image = 'fluentd-elasticsearch=registry.k8s.io/fluentd-elasticsearch:v2.2.0';
    const set = await pluginOk(ns.name, 'set', 'image', `mds/${name}`, image, '--record');
    const twinSet = await kubectlOk(ns.name, 'set', 'image', `ds/${twin}`, image, '--record');
    assert.equal(set.stdout, `mydaemonset.apps.my.dev/${name} image updated\n`);
    assert.equal(set.stdout, asOurs(twinSet.stdout, swaps));
    assert.equal(set.stderr, twinSet.stderr, 'the --record deprecation warning');
    const cause = `kubectl my set image mds/${name} ${image} --record=true --namespace=${ns.name} --kubeconfig=${kubeconfigPath()}`;
    const stored = await client.get(myDaemonSets, ns.name, name);
    assert.equal(stored.metadata.annotations?.[changeCauseAnnotation], cause);

    assert.match((await pluginOk(ns.name, 'rollout', 'status', `mds/${name}`, '--timeout', '90s')).stdout, /daemon set "fluentd-elasticsearch" successfully rolled out/);
    await kubectlOk(ns.name, 'rollout', 'status', `ds/${twin}`, '--timeout', '90s');

    const history = await pluginOk(ns.name, 'rollout', 'history', `mds/${name}`);
    assert.equal(history.stdout, asOurs((await kubectlOk(ns.name, 'rollout', 'history', `ds/${twin}`)).stdout, swaps));
    assert.match(history.stdout, new RegExp(`^2\\s+${cause.replaceAll(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    for (const revision of ['1', '2']) {
      const shown = await pluginOk(ns.name, 'rollout', 'history', `mds/${name}`, `--revision=${revision}`);
      const twinShown = await kubectlOk(ns.name, 'rollout', 'history', `ds/${twin}`, `--revision=${revision}`);
      assert.equal(shown.stdout, asOurs(twinShown.stdout, swaps), `history --revision=${revision}`);
    }

    const before = (await client.list(controllerRevisions, { namespace: ns.name })).items.filter((r) => r.metadata.name?.startsWith(name));
    const undo = await pluginOk(ns.name, 'rollout', 'undo', `mds/${name}`, '--to-revision=1');
    assert.equal(undo.stdout, asOurs((await kubectlOk(ns.name, 'rollout', 'undo', `ds/${twin}`, '--to-revision=1')).stdout, swaps));
    const revision1 = before.find((r) => r.revision === 1);
    await waitFor(
      'revision 1 renumbered 3',
      async () => (await client.list(controllerRevisions, { namespace: ns.name })).items.filter((r) => r.metadata.name?.startsWith(name)),
      (rs) => rs.length === before.length && rs.some((r) => r.metadata.uid === revision1?.metadata.uid && r.revision === 3),
    );
    await pluginOk(ns.name, 'rollout', 'status', `mds/${name}`, '--timeout', '90s');
    await kubectlOk(ns.name, 'rollout', 'status', `ds/${twin}`, '--timeout', '90s');
    assert.equal(
      (await pluginOk(ns.name, 'rollout', 'history', `mds/${name}`)).stdout,
      asOurs((await kubectlOk(ns.name, 'rollout', 'history', `ds/${twin}`)).stdout, swaps),
    );
  });

  it('MyStatefulSet: set resources and set env roll every pod (as kubectl does for a StatefulSet), set env --list, and kubectl autoscale targets the scale subresource', async () => {
    const client = await testClient();
    const name = 'web';
    const twin = 'web-twin';
    const doc = exampleDoc('web-statefulset.yaml', 'MyStatefulSet');
    // The seeds' web StatefulSet without its claims (the volume chapters are tested elsewhere).
    const spec = isRecord(doc.spec) ? doc.spec : {};
    const { volumeClaimTemplates: _claims, ...specWithoutClaims } = spec;
    const template = JSON.parse(JSON.stringify(specWithoutClaims.template)) as { spec: { containers: { volumeMounts?: unknown }[] } };
    for (const c of template.spec.containers) delete c.volumeMounts;
    const web = { ...doc, spec: { ...specWithoutClaims, replicas: 2, template } };
    await kubectl(['apply', '-f', '-'], ours(web, ns.name));
    await kubectl(['apply', '-f', '-'], twinOf(web, 'StatefulSet', twin, ns.name, 'app'));
    const swaps = [
      [`statefulset.apps/${twin}`, `mystatefulset.apps.my.dev/${name}`],
      [`# StatefulSet ${twin},`, `# MyStatefulSet ${name},`],
    ] as const;
    await pluginOk(ns.name, 'rollout', 'status', `msts/${name}`, '--timeout', '90s');

    const limits = ['-c=nginx', '--limits=cpu=200m,memory=512Mi'];
    const resources = await pluginOk(ns.name, 'set', 'resources', `msts/${name}`, ...limits);
    assert.equal(resources.stdout, asOurs((await kubectlOk(ns.name, 'set', 'resources', `sts/${twin}`, ...limits)).stdout, swaps));
    assert.equal(resources.stdout, `mystatefulset.apps.my.dev/${name} resource requirements updated\n`);
    assert.match((await pluginOk(ns.name, 'rollout', 'status', `msts/${name}`, '--timeout', '120s')).stdout, /partitioned roll out complete|rolling update complete/);
    const limited = (await client.list(pods, { namespace: ns.name, labelSelector: 'app=nginx' })).items;
    assert.equal(limited.length, 2);
    for (const pod of limited) assert.deepEqual(limitsOf(pod.spec?.containers[0]?.resources), { cpu: '200m', memory: '512Mi' }, pod.metadata.name);

    const env = await pluginOk(ns.name, 'set', 'env', `msts/${name}`, 'GREETING=hello', 'MODE=seed');
    assert.equal(env.stdout, asOurs((await kubectlOk(ns.name, 'set', 'env', `sts/${twin}`, 'GREETING=hello', 'MODE=seed')).stdout, swaps));
    await pluginOk(ns.name, 'rollout', 'status', `msts/${name}`, '--timeout', '120s');
    const withEnv = (await client.list(pods, { namespace: ns.name, labelSelector: 'app=nginx' })).items;
    for (const pod of withEnv) {
      assert.deepEqual(pod.spec?.containers[0]?.env, [{ name: 'GREETING', value: 'hello' }, { name: 'MODE', value: 'seed' }], pod.metadata.name);
    }
    const list = await pluginOk(ns.name, 'set', 'env', `msts/${name}`, '--list');
    assert.equal(list.stdout, asOurs((await kubectlOk(ns.name, 'set', 'env', `sts/${twin}`, '--list')).stdout, swaps));
    assert.match(list.stdout, /^GREETING=hello$/m);
    const removed = await pluginOk(ns.name, 'set', 'env', `msts/${name}`, 'MODE-');
    assert.equal(removed.stdout, `mystatefulset.apps.my.dev/${name} env updated\n`);
    const afterRemove = await client.get(myStatefulSets, ns.name, name);
    assert.deepEqual(afterRemove.spec.template.spec.containers[0]?.env, [{ name: 'GREETING', value: 'hello' }]);

    assert.match(await kubectl(['autoscale', `msts/${name}`, '-n', ns.name, '--min=2', '--max=5', '--cpu-percent=80']), /autoscaled/);
    const hpa = await waitFor(
      'the HorizontalPodAutoscaler to read the MyStatefulSet’s scale',
      () => client.get(horizontalPodAutoscalers, ns.name, name),
      (h) => h.status?.conditions?.some((c) => c.type === 'AbleToScale' && c.status === 'True') === true,
      { timeoutMs: 90_000 },
    );
    assert.deepEqual(hpa.spec?.scaleTargetRef, { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyStatefulSet', name });
  });

  it('MyDeployment: set image --record twice (the second never Ready), history with both causes and --revision, undo, undo --to-revision=1, scale, autoscale, pause + set image + set resources + resume as one rollout', async () => {
    const client = await testClient();
    const name = 'nginx-deployment';
    const twin = 'nginx-twin';
    const doc = exampleDoc('nginx-deployment.yaml', 'MyDeployment');
    await kubectl(['apply', '--record', '-n', ns.name, '-f', '-'], ours(doc, ns.name));
    await kubectl(['apply', '--record', '-n', ns.name, '-f', '-'], twinOf(doc, 'Deployment', twin, ns.name, 'app'));
    const swaps = [
      [`app=${twin}`, 'app=nginx'],
      [`kubectl set image deployment.apps/${twin}`, `kubectl my set image mydeployment.apps.my.dev/${name}`],
      [`deployment.apps/${twin}`, `mydeployment.apps.my.dev/${name}`],
      [`deployment "${twin}"`, `deployment "${name}"`],
      [twin, name],
    ] as const;
    /** The pod-template-hash differs by design (the twin's labels differ): hide it in both. */
    const noHash = (text: string): string => text.replaceAll(/pod-template-hash=[a-z0-9]+/g, 'pod-template-hash=HASH');
    /**
     * kubectl cuts an annotation longer than 140 characters and adds `...`; our change-cause is longer
     * than the twin's (`kubectl my …mydeployment.apps.my.dev…`), so the cut falls elsewhere. The cut
     * itself is checked against kubectl's own code (test/unit/cli-history-describe.test.ts).
     */
    const uncut = (text: string): string => text.replaceAll(/^(\t {2}kubectl .*? --namespace=\S+).*$/gm, '$1 …');
    const status = async (): Promise<string> => (await pluginOk(ns.name, 'rollout', 'status', `mydeployment.apps.my.dev/${name}`, '--timeout', '120s')).stdout;
    await status();
    await kubectlOk(ns.name, 'rollout', 'status', `deployment.apps/${twin}`, '--timeout', '120s');

    for (const image of ['nginx=nginx:1.9.1', 'nginx=nginx:1.91-notready']) {
      const set = await pluginOk(ns.name, 'set', 'image', `mydeployment.apps.my.dev/${name}`, image, '--record=true');
      const twinSet = await kubectlOk(ns.name, 'set', 'image', `deployment.apps/${twin}`, image, '--record=true');
      assert.equal(set.stdout, asOurs(twinSet.stdout, swaps));
      if (image === 'nginx=nginx:1.9.1') {
        assert.match(await status(), /deployment "nginx-deployment" successfully rolled out/);
        await kubectlOk(ns.name, 'rollout', 'status', `deployment.apps/${twin}`, '--timeout', '120s');
      }
    }
    // The second image never turns Ready: both rollouts stall with their third replica set in place.
    const stalled = async (kind: 'ours' | 'twin'): Promise<void> => {
      await waitFor(
        `${kind}: revision 3 created`,
        async () => (kind === 'ours' ? (await listRs(ns.name)).map(revisionOf) : (await kubectl(['get', 'rs', '-n', ns.name, '-o', 'jsonpath={.items[*].metadata.annotations.deployment\\.kubernetes\\.io/revision}'])).split(' ')),
        (revisions) => revisions.includes('3'),
      );
    };
    await stalled('ours');
    await stalled('twin');

    const history = await pluginOk(ns.name, 'rollout', 'history', `mydeployment.apps.my.dev/${name}`);
    const twinHistory = await kubectlOk(ns.name, 'rollout', 'history', `deployment.apps/${twin}`);
    assert.equal(history.stdout, asOurs(twinHistory.stdout, swaps));
    assert.match(history.stdout, /^2\s+kubectl my set image mydeployment\.apps\.my\.dev\/nginx-deployment nginx=nginx:1\.9\.1 --record=true /m);
    assert.match(history.stdout, /^3\s+kubectl my set image mydeployment\.apps\.my\.dev\/nginx-deployment nginx=nginx:1\.91-notready --record=true /m);
    for (const revision of ['1', '2', '3']) {
      const shown = await pluginOk(ns.name, 'rollout', 'history', `mydeployment.apps.my.dev/${name}`, `--revision=${revision}`);
      const twinShown = await kubectlOk(ns.name, 'rollout', 'history', `deployment.apps/${twin}`, `--revision=${revision}`);
      assert.equal(uncut(noHash(shown.stdout)), uncut(noHash(asOurs(twinShown.stdout, swaps))), `history --revision=${revision}`);
    }

    // undo: back to revision 2's template as revision 4; undo --to-revision=1: the original as 5.
    const undo = await pluginOk(ns.name, 'rollout', 'undo', `mydeployment.apps.my.dev/${name}`);
    assert.equal(undo.stdout, asOurs((await kubectlOk(ns.name, 'rollout', 'undo', `deployment.apps/${twin}`)).stdout, swaps));
    assert.match(await status(), /successfully rolled out/);
    const undone = await waitForDeployment(ns.name, name, 'revision 4 on nginx:1.9.1', (d) => revisionOf(d) === '4' && deploymentComplete(d));
    assert.equal(undone.spec.template.spec.containers[0]?.image, 'nginx:1.9.1');
    await pluginOk(ns.name, 'rollout', 'undo', `mydeployment.apps.my.dev/${name}`, '--to-revision=1');
    assert.match(await status(), /successfully rolled out/);
    const original = await waitForDeployment(ns.name, name, 'revision 5', (d) => revisionOf(d) === '5' && deploymentComplete(d));
    assert.equal(original.spec.template.spec.containers[0]?.image, isRecord(doc.spec) ? imageOf(doc.spec) : undefined);

    assert.equal(await kubectl(['scale', `mydeployment.apps.my.dev/${name}`, '-n', ns.name, '--replicas=10']), `mydeployment.apps.my.dev/${name} scaled\n`);
    await waitForDeployment(ns.name, name, '10 replicas', (d) => d.spec.replicas === 10 && deploymentComplete(d));
    assert.match(await kubectl(['autoscale', `mydeployment.apps.my.dev/${name}`, '-n', ns.name, '--min=10', '--max=15', '--cpu-percent=80']), /autoscaled/);
    const hpa = await waitFor(
      'the HorizontalPodAutoscaler to read the MyDeployment’s scale',
      () => client.get(horizontalPodAutoscalers, ns.name, name),
      (h) => h.status?.conditions?.some((c) => c.type === 'AbleToScale' && c.status === 'True') === true,
      { timeoutMs: 90_000 },
    );
    assert.deepEqual(hpa.spec?.scaleTargetRef, { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name });
    await kubectl(['delete', 'hpa', name, '-n', ns.name]);

    // The seeds' pause / set image / set resources / resume: one new replica set, one rollout.
    const replicaSets = await Recorder.start(myReplicaSets, ns.name);
    try {
      assert.equal((await pluginOk(ns.name, 'rollout', 'pause', `mydeployment.apps.my.dev/${name}`)).stdout, `mydeployment.apps.my.dev/${name} paused\n`);
      await pluginOk(ns.name, 'set', 'image', `mydeployment.apps.my.dev/${name}`, 'nginx=nginx:1.16.1');
      await pluginOk(ns.name, 'set', 'resources', `mydeployment.apps.my.dev/${name}`, '-c=nginx', '--limits=cpu=200m,memory=512Mi');
      const paused = await client.get(myDeployments, ns.name, name);
      await waitForDeployment(ns.name, name, 'the paused edits observed', (d) => (d.status?.observedGeneration ?? 0) >= (paused.metadata.generation ?? 0));
      assert.equal(replicaSets.events.filter((e) => e.type === 'ADDED').length, 0, 'a replica set was created while paused');
      await pluginOk(ns.name, 'rollout', 'resume', `mydeployment.apps.my.dev/${name}`);
      assert.match(await status(), /^deployment "nginx-deployment" successfully rolled out$/m);
      await replicaSets.caughtUp();
      const added = replicaSets.events.filter((e) => e.type === 'ADDED').map((e) => e.object);
      assert.equal(added.length, 1, `replica sets created: ${added.map((r) => r.metadata.name ?? '').join(', ')}`);
      const container = added[0]?.spec.template?.spec.containers[0];
      assert.equal(container?.image, 'nginx:1.16.1');
      assert.deepEqual(limitsOf(container?.resources), { cpu: '200m', memory: '512Mi' });
    } finally {
      await replicaSets.stop();
    }
  });
});

function limitsOf(resources: unknown): unknown {
  return isRecord(resources) ? resources.limits : undefined;
}

function imageOf(spec: Record<string, unknown>): unknown {
  const template = spec.template;
  if (!isRecord(template) || !isRecord(template.spec) || !Array.isArray(template.spec.containers)) return undefined;
  const first: unknown = template.spec.containers[0];
  return isRecord(first) ? first.image : undefined;
}

// The local control plane is a real Kubernetes: scheduler, controller manager (ReplicaSet,
// garbage collector, namespace lifecycle) and kwok's pod stages, including the fault images.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { namespaces, nodes, pods, resource } from '../../../src/api/resources.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';

const deployments = resource<KubeObject & { spec: unknown }>('apps', 'v1', 'deployments', 'Deployment', true);

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function bare(name: string, ns: string, image: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image }] } };
}

describe('local control plane', function () {
  this.timeout(120_000);
  let ns: { name: string; remove: () => Promise<void> };
  before(async () => (ns = await createNamespace('smoke')));
  after(async () => ns.remove());

  it('runs an apps/v1 Deployment on kwok workers, replaces a deleted pod, and garbage-collects on delete', async () => {
    const client = await testClient();
    await client.create(deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns.name },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
    });
    const list = () => client.list(pods, { namespace: ns.name, labelSelector: 'app=web' }).then((l) => l.items);
    const ready = await waitFor('3 Running+Ready pods', list, (ps) => ps.length === 3 && ps.every((p) => p.status?.phase === 'Running' && isReady(p)));
    const workers = new Set(
      (await client.list(nodes, { labelSelector: 'node-role.kubernetes.io/worker' })).items.map((n) => n.metadata.name),
    );
    for (const p of ready) {
      assert.ok(workers.has(p.spec.nodeName), `${p.metadata.name ?? ''} runs on ${p.spec.nodeName ?? '?'}, not a kwok worker`);
      assert.notEqual(p.spec.nodeName, 'control-plane');
    }

    const victim = ready[0];
    assert.ok(victim?.metadata.name);
    await client.delete(pods, ns.name, victim.metadata.name);
    await waitFor(
      'a replacement pod',
      list,
      (ps) => ps.length === 3 && ps.every((p) => p.metadata.uid !== victim.metadata.uid && isReady(p)),
    );

    await client.delete(deployments, ns.name, 'web', { propagationPolicy: 'Background' });
    await waitFor('the garbage collector to remove every pod', list, (ps) => ps.length === 0);
  });

  it('keeps a pod whose image contains "notready" Running but never Ready', async () => {
    const client = await testClient();
    await client.create(pods, bare('nr', ns.name, 'example.com/app:notready'));
    const running = await waitFor(
      'the pod to run',
      () => client.get(pods, ns.name, 'nr'),
      (p) => p.status?.phase === 'Running',
    );
    assert.equal(isReady(running), false);
    // Watch for two seconds: no event may make it Ready.
    const abort = AbortSignal.timeout(2000);
    try {
      for await (const ev of client.watch(pods, {
        namespace: ns.name,
        fieldSelector: 'metadata.name=nr',
        resourceVersion: running.metadata.resourceVersion,
        signal: abort,
      })) {
        if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') assert.equal(isReady(ev.object), false, 'the notready pod turned Ready');
      }
    } catch (err) {
      if (!abort.aborted) throw err;
    }
  });

  it('fails a pod whose image contains "crash" with a terminated container', async () => {
    const client = await testClient();
    await client.create(pods, bare('cr', ns.name, 'example.com/crash:1'));
    const failed = await waitFor('phase Failed', () => client.get(pods, ns.name, 'cr'), (p) => p.status?.phase === 'Failed', {
      timeoutMs: 20_000,
    });
    const statuses = failed.status?.containerStatuses;
    assert.ok(Array.isArray(statuses));
    assert.match(JSON.stringify(statuses), /"terminated":\{"exitCode":1/);
  });

  it('completes a namespace deletion', async () => {
    const client = await testClient();
    const scratch = await createNamespace('scratch');
    await client.create(pods, bare('p', scratch.name, 'nginx'));
    await waitFor('pod running', () => client.get(pods, scratch.name, 'p'), (p) => p.status?.phase === 'Running');
    await scratch.remove();
    await waitFor(
      'the namespace to disappear',
      async () => {
        try {
          await client.get(namespaces, undefined, scratch.name);
          return false;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      (gone) => gone,
      { timeoutMs: 90_000 },
    );
  });
});

import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod } from '../../src/api/core.ts';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import { KubeClient } from '../../src/runtime/client/rest.ts';
import type { PodChange } from '../../bench/pod-watch.ts';
import { PodWatch } from '../../bench/pod-watch.ts';
import { StatusWatch } from '../../bench/status-watch.ts';
import { statefulSetManifest, statefulSetResource, statusReadyReplicas } from '../../bench/workloads.ts';

/**
 * An API server for one namespace's pods and StatefulSets: lists answer with what the test put in,
 * watches stay open and get the events the test sends.
 */
async function fakeApiServer(lists: { readonly pods: readonly Pod[]; readonly statefulsets: readonly MyStatefulSet[] }) {
  const streams = new Map<string, ServerResponse>();
  const urls: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    urls.push(url.pathname + url.search);
    const kind = url.pathname.endsWith('/pods') ? 'pods' : 'statefulsets';
    res.writeHead(200, { 'content-type': 'application/json' });
    if (url.searchParams.get('watch') === 'true') {
      res.flushHeaders();
      streams.set(kind, res);
      return;
    }
    res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: lists[kind] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    client: new KubeClient({ server: `http://127.0.0.1:${port}`, headers: () => Promise.resolve({}), dispatcher: undefined }),
    urls,
    /** Sends one event on the open watch of `kind` (waits until the watch is open). */
    async send(kind: 'pods' | 'statefulsets', type: string, object: unknown): Promise<void> {
      for (let i = 0; i < 200 && !streams.has(kind); i++) await new Promise((r) => setTimeout(r, 5));
      const stream = streams.get(kind);
      if (!stream) throw new Error(`no ${kind} watch`);
      stream.write(`${JSON.stringify({ type, object })}\n`);
    },
    close: async (): Promise<void> => {
      for (const s of streams.values()) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function pod(name: string, ready: boolean, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '2', ...extra },
    spec: { containers: [{ name: 'app', image: 'img' }] },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), 'condition not reached in 2 s');
}

describe('PodWatch listeners (bench/pod-watch.ts)', () => {
  it('reports each first appearance, each turn to Ready and the Ready count after the event', async () => {
    const api = await fakeApiServer({ pods: [pod('a', true)], statefulsets: [] });
    const watch = new PodWatch(api.client, 'ns');
    try {
      await watch.start();
      assert.equal(watch.readyCount(), 1);
      const seen: Omit<PodChange, 'at'>[] = [];
      const unsubscribe = watch.subscribe(({ at: _at, ...rest }) => seen.push(rest));
      await api.send('pods', 'ADDED', pod('b', false));
      await api.send('pods', 'MODIFIED', pod('b', true));
      // Terminating: no longer counted Ready.
      await api.send('pods', 'MODIFIED', pod('a', true, { deletionTimestamp: '2026-01-01T00:00:00Z' }));
      await until(() => seen.length === 3);
      unsubscribe();
      await api.send('pods', 'DELETED', pod('a', true));
      await until(() => watch.counts().total === 1);
      assert.deepEqual(seen, [
        { name: 'b', added: true, becameReady: false, ready: 1 },
        { name: 'b', added: false, becameReady: true, ready: 2 },
        { name: 'a', added: false, becameReady: false, ready: 1 },
      ]);
    } finally {
      await api.close();
      await watch.close();
    }
  });
});

describe('StatusWatch (bench/status-watch.ts)', () => {
  it('watches the one object by name and records its status count at each event, nothing once deleted', async () => {
    const sts = statefulSetManifest('builtin', 'ns', 'web', 'Parallel', 3);
    const withReady = (n: number): MyStatefulSet => ({ ...sts, metadata: { ...sts.metadata, resourceVersion: String(10 + n) }, status: { replicas: 3, readyReplicas: n } });
    const api = await fakeApiServer({ pods: [], statefulsets: [withReady(1)] });
    const watch = new StatusWatch(api.client, statefulSetResource('builtin'), 'ns', 'web', statusReadyReplicas);
    try {
      await watch.start();
      await api.send('statefulsets', 'MODIFIED', withReady(2));
      await api.send('statefulsets', 'MODIFIED', { ...sts, metadata: { ...sts.metadata, resourceVersion: '20' } });
      await api.send('statefulsets', 'DELETED', withReady(3));
      await api.send('statefulsets', 'BOOKMARK', { metadata: { resourceVersion: '30' } });
      await until(() => watch.points.length === 3);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        watch.points.map((p) => p.count),
        [1, 2, 0],
      );
      assert.ok(watch.points.every((p, i) => i === 0 || p.at >= (watch.points[i - 1]?.at ?? 0)));
      assert.ok(api.urls.every((u) => u.startsWith('/apis/apps/v1/namespaces/ns/statefulsets?') && u.includes('fieldSelector=metadata.name%3Dweb')), api.urls.join(' '));
    } finally {
      await api.close();
      await watch.close();
    }
  });
});

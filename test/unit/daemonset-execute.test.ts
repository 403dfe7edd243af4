// The executor against a local HTTP endpoint standing in for the API server: what goes over the
// wire when it writes a ControllerRevision.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { executeDaemonSetPlan } from '../../src/controllers/daemonset/execute.ts';
import { daemonSetOwner } from '../../src/controllers/daemonset/spec-defaults.ts';
import { marshalLikeGo } from '../../src/controllers/history/go-json.ts';
import { buildRevision, controllerRevisionHashLabel } from '../../src/controllers/history/revisions.ts';
import { KubeClient } from '../../src/runtime/client/rest.ts';
import { EventRecorder } from '../../src/runtime/events.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { FakeEventApi } from '../support/fake-event-api.ts';
import { daemonSet, template } from './daemonset-fixtures.ts';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

describe('executeDaemonSetPlan on the wire', () => {
  let server: Server;
  let client: KubeClient;
  const received: Received[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new KubeClient({ server: `http://127.0.0.1:${port}`, headers: () => Promise.resolve({}), dispatcher: undefined });
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => received.splice(0));

  it("writes a new ControllerRevision's data as Go's json.Marshal would (sorted keys, HTML escapes), so later patches of it are accepted", async () => {
    // With JSON.stringify the API server would store `data` in our key order and unescaped; its
    // garbage collector's --cascade=orphan patch, adoption and renumbering then fail with
    // "data: field is immutable" (it re-encodes data the Go way and compares the bytes).
    const ds = daemonSet({
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: template('agent:1', { containers: [{ name: 'agent', image: 'agent:1', args: ['sh', '-c', 'a && b > /dev/null'] }] }),
      },
    });
    const revision = buildRevision({
      owner: daemonSetOwner(ds),
      namespace: 'ns',
      ownerAnnotations: undefined,
      template: ds.spec.template,
      revision: 1,
      collisionCount: undefined,
      hashLabel: controllerRevisionHashLabel,
    });
    const recorder = new EventRecorder({ client: new FakeEventApi() });
    try {
      await executeDaemonSetPlan(
        { client, expectations: new Expectations({ controller: 'test' }), recorder, failedPodBackoff: new Map() },
        ds,
        'ns/agent',
        [{ kind: 'createRevision', revision }],
        silentLogger(),
        new AbortController().signal,
      );
    } finally {
      await recorder.shutdown();
    }
    const post = received.find((r) => r.method === 'POST' && r.url === '/apis/apps/v1/namespaces/ns/controllerrevisions');
    assert.ok(post, JSON.stringify(received));
    assert.equal(post.body, marshalLikeGo(revision));
    assert.match(post.body, /"data":\{"spec":\{"template":\{"\$patch":"replace","metadata":/);
    assert.match(post.body, /a \\u0026\\u0026 b \\u003e \/dev\/null/);
  });
});

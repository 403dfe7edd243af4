// The executor against a local HTTP endpoint standing in for the API server: what goes over the
// wire when it writes a ControllerRevision.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkloadCondition } from '../../src/api/meta.ts';
import type { ExecutorDeps } from '../../src/controllers/daemonset/execute.ts';
import { executeDaemonSetPlan } from '../../src/controllers/daemonset/execute.ts';
import { CreateBackoff } from '../../src/controllers/shared/create-backoff.ts';
import { daemonSetOwner } from '../../src/controllers/daemonset/spec-defaults.ts';
import { marshalLikeGo } from '../../src/controllers/history/go-json.ts';
import { buildRevision, controllerRevisionHashLabel } from '../../src/controllers/history/revisions.ts';
import { KubeClient } from '../../src/runtime/client/rest.ts';
import { EventRecorder } from '../../src/runtime/events.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FakeEventApi } from '../support/fake-event-api.ts';
import { daemonSet, template } from './daemonset-fixtures.ts';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

/** The answer to one request: a status code and a JSON body. */
type Responder = (request: Received) => { readonly code: number; readonly body: string };

/** Echoes every write back, as a create or patch that went through. */
const echo: Responder = (request) => ({ code: 201, body: request.body });

describe('executeDaemonSetPlan on the wire', () => {
  let server: Server;
  let client: KubeClient;
  const received: Received[] = [];
  let respond: Responder = echo;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const request = { method: req.method ?? '', url: req.url ?? '', body };
        received.push(request);
        const answer = respond(request);
        res.writeHead(answer.code, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new KubeClient({ server: `http://127.0.0.1:${port}`, headers: () => Promise.resolve({}), dispatcher: undefined });
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.splice(0);
    respond = echo;
  });

  function deps(clock = new FakeClock()): ExecutorDeps & { readonly recorder: EventRecorder } {
    return {
      client,
      expectations: new Expectations({ controller: 'test', clock }),
      recorder: new EventRecorder({ client: new FakeEventApi(), clock }),
      failedPodBackoff: new Map(),
      createBackoff: new CreateBackoff(clock),
      clock,
    };
  }

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
    const { recorder, ...rest } = deps();
    try {
      await executeDaemonSetPlan(
        { recorder, ...rest },
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
  it('refused pod creates: ReplicaFailure written with a precondition, one Warning per cause, creates held back with a growing wait', async () => {
    const events = new FakeEventApi();
    const clock = new FakeClock();
    const recorder = new EventRecorder({ client: events, clock });
    const d = { ...deps(clock), recorder };
    let refusals = 0;
    respond = (request) => {
      if (request.method === 'POST' && request.url.endsWith('/pods')) {
        refusals++;
        const message = `pods "agent-${'abcde'.slice(refusals % 5)}${refusals}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0`;
        return { code: 403, body: JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message }) };
      }
      return echo(request);
    };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'agent-', namespace: 'ns' }, spec: { containers: [] } };
    const actions = [{ kind: 'createPod', nodeName: 'node-1', pod } as const];
    let ds = daemonSet({ status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0 } });
    ds = { ...ds, metadata: { ...ds.metadata, resourceVersion: '7' } };
    const run = async (): Promise<unknown> => {
      try {
        return await executeDaemonSetPlan(d, ds, 'ns/agent', actions, silentLogger(), new AbortController().signal);
      } catch (err) {
        return err;
      } finally {
        await recorder.flush();
      }
    };
    const posts = (): Received[] => received.filter((r) => r.method === 'POST' && r.url.endsWith('/pods'));
    const conditionPatches = (): unknown[] =>
      received.filter((r) => r.method === 'PATCH' && r.url.endsWith('/mydaemonsets/agent/status')).map((r) => JSON.parse(r.body) as unknown);

    assert.match(String(await run()), /exceeded quota/);
    assert.equal(posts().length, 1);
    const [written] = conditionPatches() as [{ metadata: { resourceVersion: string }; status: { conditions: WorkloadCondition[] } }];
    assert.equal(written.metadata.resourceVersion, '7', 'the list is written with the resourceVersion it was computed from');
    assert.deepEqual(
      written.status.conditions.map((c) => [c.type, c.status, c.reason]),
      [['ReplicaFailure', 'True', 'FailedCreate']],
    );
    ds = { ...ds, status: { ...ds.status, conditions: written.status.conditions } };

    // Retried at once: held back, no request, requeued for the rest of the wait.
    assert.deepEqual(await run(), { requeueAfterMs: 1_000 });
    assert.equal(posts().length, 1);
    for (const wait of [1_000, 2_000, 4_000]) {
      clock.advance(wait);
      assert.match(String(await run()), /exceeded quota/);
    }
    assert.equal(posts().length, 4);
    assert.equal(conditionPatches().length, 1, 'the same cause under another pod name leaves the condition alone');
    const warnings = [...events.stored.values()].filter((e) => e.reason === 'FailedCreate');
    assert.deepEqual(
      warnings.map((e) => [e.type, e.count]),
      [['Warning', 1]],
    );
    assert.match(warnings[0]?.message ?? '', /^Error creating: pods "agent-\w+" is forbidden: exceeded quota: q/);

    // Lifted: the next try goes through and the condition goes.
    respond = echo;
    clock.advance(8_000);
    assert.deepEqual(await run(), { requeueAfterMs: undefined });
    assert.equal(posts().length, 5);
    assert.deepEqual((conditionPatches()[1] as { status: { conditions: unknown[] } }).status.conditions, []);
  });
});

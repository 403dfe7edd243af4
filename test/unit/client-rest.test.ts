// The REST client against a local HTTP server: retries, typed errors and watch streams on the wire.
// Waits the client takes are on a FakeClock; the test moves it once the client is seen sleeping.
import assert from 'node:assert/strict';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../src/api/meta.ts';
import { resource } from '../../src/api/resources.ts';
import { ApiError, TransportError, WatchIdleError, isConflict, isGone } from '../../src/runtime/client/errors.ts';
import type { WatchEvent } from '../../src/runtime/client/rest.ts';
import { KubeClient } from '../../src/runtime/client/rest.ts';
import { FakeClock } from '../support/fake-clock.ts';

const widgets = resource<KubeObject>('example.com', 'v1', 'widgets', 'Widget', true);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

describe('KubeClient on the wire', () => {
  let server: Server;
  let base: string;
  let handlers: Handler[] = [];
  const seen: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const handler = handlers.shift();
      if (handler) handler(req, res);
      else json(res, 500, { kind: 'Status', message: 'no handler' });
    });
    base = await listen(server);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    handlers = [];
    seen.splice(0);
  });

  function client(clock = new FakeClock()): KubeClient {
    return new KubeClient({ server: base, headers: () => Promise.resolve({}), dispatcher: undefined }, { clock });
  }

  it('waits the Retry-After seconds of a 429 on its clock, then sends again', async () => {
    const clock = new FakeClock();
    handlers.push(
      (_req, res) => json(res, 429, { kind: 'Status', reason: 'TooManyRequests', code: 429 }, { 'retry-after': '2' }),
      (_req, res) => json(res, 200, { metadata: { name: 'w', resourceVersion: '3' } }),
    );
    const got = client(clock).get(widgets, 'ns', 'w');
    await clock.untilWaiting();
    assert.equal(clock.nextDeadline(), clock.now() + 2_000);
    assert.equal(seen.length, 1);
    clock.advance(2_000);
    assert.equal((await got).metadata.resourceVersion, '3');
    assert.deepEqual(seen, ['GET /apis/example.com/v1/namespaces/ns/widgets/w', 'GET /apis/example.com/v1/namespaces/ns/widgets/w']);
  });

  it('throws a 503 without Retry-After at once, as an ApiError with the Status', async () => {
    handlers.push((_req, res) => json(res, 503, { kind: 'Status', reason: 'ServiceUnavailable', message: 'etcd down', code: 503 }));
    await assert.rejects(client().get(widgets, 'ns', 'w'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 503);
      assert.equal(err.status?.message, 'etcd down');
      return true;
    });
    assert.equal(seen.length, 1);
  });

  it('does not retry a conflict', async () => {
    handlers.push((_req, res) => json(res, 409, { kind: 'Status', reason: 'Conflict', code: 409 }, { 'retry-after': '1' }));
    await assert.rejects(client().update(widgets, { metadata: { namespace: 'ns', name: 'w' } }), (err: unknown) => isConflict(err));
    assert.equal(seen.length, 1);
  });

  it('retries a GET refused by a closed port 3 times, 0.5 s apart, then throws a TransportError', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const clock = new FakeClock();
    const refused = new KubeClient({ server: url, headers: () => Promise.resolve({}), dispatcher: undefined }, { clock });
    const got = refused.get(widgets, 'ns', 'w');
    for (let i = 0; i < 3; i++) {
      await clock.untilWaiting();
      assert.equal(clock.nextDeadline(), clock.now() + 500);
      clock.advance(500);
    }
    await assert.rejects(got, (err: unknown) => err instanceof TransportError && /ECONNREFUSED/.test(err.message));
    assert.equal(clock.waiting, 0);
  });

  it('gives up on an answer that does not come within the request deadline, with a TransportError naming the timeout', async () => {
    handlers.push(() => undefined); // never answers
    const slow = new KubeClient({ server: base, headers: () => Promise.resolve({}), dispatcher: undefined }, { clock: new FakeClock(), timeoutMs: 50 });
    await assert.rejects(slow.create(widgets, { metadata: { namespace: 'ns', name: 'w' } }), (err: unknown) => err instanceof TransportError && /timeout/i.test(err.message));
  });

  it('rejects with the caller\'s reason once the caller aborts, without retrying', async () => {
    handlers.push(() => undefined);
    const caller = new AbortController();
    const got = client().get(widgets, 'ns', 'w', caller.signal);
    while (seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
    caller.abort(new Error('sync cancelled'));
    await assert.rejects(got, /sync cancelled/);
    assert.equal(seen.length, 1);
  });

  it('reads answer headers whatever their case (Content-Type, Retry-After)', async () => {
    handlers.push((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ metadata: { name: 'w', resourceVersion: '9' } }));
    });
    assert.equal((await client().get(widgets, 'ns', 'w')).metadata.resourceVersion, '9');
  });

  it('watches: sends the watch query and yields events split across writes, ERROR included', async () => {
    handlers.push((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const text =
        `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '11' } } })}\n` +
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })}\n`;
      res.write(text.slice(0, 17));
      res.end(text.slice(17));
    });
    const events: WatchEvent<KubeObject>[] = [];
    for await (const event of client().watch(widgets, { namespace: 'ns', resourceVersion: '10', allowWatchBookmarks: true, timeoutSeconds: 300 })) {
      events.push(event);
    }
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'ERROR'],
    );
    assert.deepEqual(seen, [
      'GET /apis/example.com/v1/namespaces/ns/widgets?watch=true&allowWatchBookmarks=true&resourceVersion=10&timeoutSeconds=300',
    ]);
  });

  it('throws 410 Gone when the watch is refused', async () => {
    handlers.push((_req, res) => json(res, 410, { kind: 'Status', reason: 'Expired', code: 410 }));
    const stream = client().watch(widgets, { resourceVersion: '1' });
    await assert.rejects(stream.next(), (err: unknown) => isGone(err));
  });

  it('cuts a silent watch with a WatchIdleError', async () => {
    // The server answers and then sends nothing; the client's idle timer (a real one, as it guards
    // a real socket) ends the stream.
    handlers.push((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    const stream = client().watch(widgets, { idleTimeoutMs: 20 });
    await assert.rejects(stream.next(), (err: unknown) => {
      assert.ok(err instanceof WatchIdleError);
      assert.ok(err instanceof TransportError, 'still a TransportError for callers that only tell answered from unanswered');
      assert.equal(err.idleMs, 20);
      assert.match(err.message, /watch idle for 20 ms/);
      return true;
    });
  });
});

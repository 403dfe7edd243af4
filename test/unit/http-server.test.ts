import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import type { BindAddress, HealthCheck, RunningServer } from '../../src/runtime/http-server.ts';
import { BindAddressError, parseBindAddress, probeResponse, runChecks, startHttpServer } from '../../src/runtime/http-server.ts';
import '../../src/runtime/leader-election.ts';
import { enableProcessMetrics } from '../../src/runtime/metrics/process.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';

describe('parseBindAddress', () => {
  const rows: { input: string; expected: BindAddress }[] = [
    { input: '0', expected: { kind: 'disabled' } },
    { input: ':8080', expected: { kind: 'listen', host: undefined, port: 8080 } },
    { input: '127.0.0.1:8080', expected: { kind: 'listen', host: '127.0.0.1', port: 8080 } },
    { input: 'localhost:9440', expected: { kind: 'listen', host: 'localhost', port: 9440 } },
    { input: '[::1]:8081', expected: { kind: 'listen', host: '::1', port: 8081 } },
    { input: '8443', expected: { kind: 'listen', host: undefined, port: 8443 } },
    { input: ':0', expected: { kind: 'listen', host: undefined, port: 0 } },
  ];
  for (const row of rows) it(`reads ${JSON.stringify(row.input)}`, () => assert.deepEqual(parseBindAddress(row.input), row.expected));
  for (const bad of ['', 'localhost', ':http', '1.2.3.4:70000', '::1:8080']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseBindAddress(bad), BindAddressError));
  }
});

describe('probe responses', () => {
  it('answers a plain ok when every check passes', () => {
    assert.deepEqual(probeResponse('readyz', [{ name: 'a', failure: undefined }], false), { status: 200, body: 'ok' });
  });
  it('lists every check with 500 when one fails', () => {
    const r = probeResponse(
      'readyz',
      [
        { name: 'a', failure: undefined },
        { name: 'informers', failure: 'pods not synced' },
      ],
      false,
    );
    assert.equal(r.status, 500);
    assert.equal(r.body, '[+]a ok\n[-]informers failed: pods not synced\nreadyz check failed\n');
  });
  it('lists passing checks when asked to be verbose', () => {
    assert.deepEqual(probeResponse('healthz', [{ name: 'ping', failure: undefined }], true), {
      status: 200,
      body: '[+]ping ok\nhealthz check passed\n',
    });
  });
});

describe('runChecks', () => {
  it('runs checks in name order and turns throws into failures', async () => {
    const statuses = await runChecks([
      { name: 'b', check: () => undefined },
      { name: 'a', check: () => Promise.reject(new Error('boom')) },
    ]);
    assert.deepEqual(statuses, [
      { name: 'a', failure: 'boom' },
      { name: 'b', failure: undefined },
    ]);
  });
  it('reports ping when no check is registered', async () => {
    assert.deepEqual(await runChecks([]), [{ name: 'ping', failure: undefined }]);
  });
});

describe('startHttpServer', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('returns nothing when the address is 0', async () => {
    assert.equal(await startHttpServer({ bindAddress: '0', metrics: true }), undefined);
  });

  it('serves a registry on /metrics with its content type', async () => {
    const own = new Registry();
    new Counter({ name: 'test_things_total', help: 'things', registers: [own] }).inc(3);
    server = await startHttpServer({ bindAddress: '127.0.0.1:0', metrics: own });
    assert.ok(server);
    assert.equal(server.address, `127.0.0.1:${server.port}`);
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), own.contentType);
    assert.match(await res.text(), /^test_things_total 3$/m);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 404, 'no probes unless configured');
  });

  it('serves the shared registry for metrics: true', async () => {
    server = await startHttpServer({ bindAddress: '127.0.0.1:0', metrics: true });
    assert.ok(server);
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.headers.get('content-type'), registry.contentType);
    assert.match(await res.text(), /^# TYPE leader_election_master_status gauge$/m);
  });

  it('serves /healthz and /readyz from their checks, and a single check by name', async () => {
    let synced = false;
    const readyz: HealthCheck[] = [{ name: 'informers', check: () => (synced ? undefined : 'pods not synced') }];
    server = await startHttpServer({ bindAddress: '127.0.0.1:0', healthz: [], readyz });
    assert.ok(server);
    const live = await fetch(`${server.url}/healthz`);
    assert.deepEqual([live.status, await live.text()], [200, 'ok']);
    const notReady = await fetch(`${server.url}/readyz`);
    assert.equal(notReady.status, 500);
    assert.match(await notReady.text(), /\[-\]informers failed: pods not synced/);
    synced = true;
    const ready = await fetch(`${server.url}/readyz/informers`);
    assert.deepEqual([ready.status, await ready.text()], [200, 'ok']);
    readyz.push({ name: 'late', check: () => 'not yet' });
    assert.equal((await fetch(`${server.url}/readyz`)).status, 500, 'checks added later count');
    assert.equal((await fetch(`${server.url}/readyz/unknown`)).status, 404);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'no metrics unless configured');
    assert.equal((await fetch(`${server.url}/healthz`, { method: 'POST' })).status, 405);
  });

  it('fails to start on an address in use', async () => {
    server = await startHttpServer({ bindAddress: '127.0.0.1:0', healthz: [] });
    assert.ok(server);
    await assert.rejects(startHttpServer({ bindAddress: `127.0.0.1:${server.port}`, healthz: [] }));
  });
});

describe('process metrics', () => {
  it('registers the Node.js collectors on the shared registry once', async () => {
    enableProcessMetrics();
    enableProcessMetrics();
    const text = await registry.metrics();
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_used_bytes /m);
  });
});

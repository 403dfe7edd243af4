// The operator's webhook flags as the command line reads them.
import assert from 'node:assert/strict';
import { parseOperatorFlags } from './operator-flags-fixtures.ts';

const parse = parseOperatorFlags;

describe('webhook flags', () => {
  it('serves on :9443 and registers in my-workload-operator by default, at a URL derived from the port', () => {
    const opts = parse([]);
    assert.equal(opts.webhookBindAddress, ':9443');
    assert.equal(opts.webhookConfigurationName, 'my-workload-operator');
    assert.equal(opts.webhookUrl, undefined);
    assert.equal(opts.webhookService, undefined);
  });

  it('turns the webhook off with 0, also from the environment', () => {
    assert.equal(parse(['--webhook-bind-address', '0']).webhookBindAddress, '0');
    assert.equal(parse([], { MWO_WEBHOOK_BIND_ADDRESS: '0' }).webhookBindAddress, '0');
  });

  it('reads a Service as namespace/name with port 443, or namespace/name:port', () => {
    assert.deepEqual(parse(['--webhook-service', 'ops/mwo-webhook']).webhookService, { namespace: 'ops', name: 'mwo-webhook', port: 443 });
    assert.deepEqual(parse(['--webhook-service', 'ops/mwo-webhook:8443']).webhookService, { namespace: 'ops', name: 'mwo-webhook', port: 8443 });
  });

  it('takes an https URL without a trailing slash', () => {
    assert.equal(parse(['--webhook-url', 'https://10.0.0.5:9443/']).webhookUrl, 'https://10.0.0.5:9443');
  });

  const bad: { name: string; args: string[]; message: RegExp }[] = [
    { name: 'a Service without namespace', args: ['--webhook-service', 'mwo-webhook'], message: /namespace\/name/ },
    { name: 'a Service port out of range', args: ['--webhook-service', 'ops/mwo:70000'], message: /port/ },
    { name: 'a plain http URL', args: ['--webhook-url', 'http://127.0.0.1:9443'], message: /https/ },
    { name: 'a URL with a query', args: ['--webhook-url', 'https://127.0.0.1:9443?x=1'], message: /query/ },
    { name: 'both a URL and a Service', args: ['--webhook-url', 'https://127.0.0.1:9443', '--webhook-service', 'ops/mwo'], message: /cannot be used with/ },
    { name: 'a bind address without port', args: ['--webhook-bind-address', 'localhost'], message: /host:port/ },
  ];
  for (const row of bad) it(`refuses ${row.name}`, () => assert.throws(() => parse(row.args), row.message));
});

// Invalid MyDaemonSet manifests are refused by the API server with a message a user can act on,
// and nothing is created. (test/e2e/crd-validation.e2e.ts covers the schema more broadly; these
// are the cases upstream's ValidateDaemonSet names.)
import assert from 'node:assert/strict';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { newMyDaemonSet } from '../support/daemonset.ts';
import { createNamespace, kubectl, kubectlFails } from '../support/env.ts';

function manifest(ns: string, name: string, change: (ds: MyDaemonSet) => unknown): string {
  return JSON.stringify(change(newMyDaemonSet(ns, name)));
}

describe('MyDaemonSet validation', function () {
  this.timeout(60_000);
  let ns: { name: string; remove: () => Promise<void> };
  before(async () => (ns = await createNamespace('ds-invalid')));
  after(async () => ns.remove());

  const cases: readonly { what: string; change: (ds: MyDaemonSet) => unknown; message: RegExp }[] = [
    {
      what: 'an empty selector',
      change: (ds) => ({ ...ds, spec: { ...ds.spec, selector: {} } }),
      message: /spec\.selector: [\w ]+: .*selector must not be empty/,
    },
    {
      what: 'template labels that do not match the selector',
      change: (ds) => ({ ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, metadata: { labels: { app: 'other' } } } } }),
      message: /spec[\w.]*: [\w ]+: .*selector does not match template labels/,
    },
    {
      what: 'restartPolicy Never',
      change: (ds) => ({ ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, restartPolicy: 'Never' } } } }),
      message: /spec\.template\.spec\.restartPolicy: Unsupported value: "Never": supported values: "Always"/,
    },
    {
      what: 'maxUnavailable 0 with maxSurge 0',
      change: (ds) => ({ ...ds, spec: { ...ds.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } }),
      message: /spec\.updateStrategy[\w.]*: [\w ]+: .*rollingUpdate\.maxUnavailable cannot be 0 when rollingUpdate\.maxSurge is 0/,
    },
    {
      what: 'a negative maxUnavailable',
      change: (ds) => ({ ...ds, spec: { ...ds.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: -1 } } } }),
      message: /spec\.updateStrategy[\w.]*: [\w ]+: .*rollingUpdate\.maxUnavailable must be a non-negative integer or a percentage/,
    },
  ];

  it('refuses invalid manifests with a message naming the field and the rule', async () => {
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      const stderr = await kubectlFails(['create', '-f', '-'], manifest(ns.name, `bad-${i}`, c.change));
      if (!c.message.test(stderr)) failures.push(`${c.what}: ${stderr.trim()}`);
      if (!stderr.includes(`The MyDaemonSet "bad-${i}" is invalid`)) failures.push(`${c.what}: no object name in: ${stderr.trim()}`);
    }
    assert.deepEqual(failures, []);
    assert.equal((await kubectl(['get', 'mds', '-n', ns.name, '-o', 'name'])).trim(), '', 'an invalid MyDaemonSet was stored');
  });

  it('refuses a selector change on an existing MyDaemonSet', async () => {
    await kubectl(['create', '-f', '-'], manifest(ns.name, 'good', (ds) => ds));
    const stderr = await kubectlFails(
      ['patch', 'mds', 'good', '-n', ns.name, '--type', 'merge', '-p', JSON.stringify({ spec: { selector: { matchLabels: { other: 'x' } }, template: { metadata: { labels: { other: 'x' } } } } })],
    );
    assert.match(stderr, /spec\.selector: [\w ]+: .*selector is immutable/);
  });
});

// The admission decision for templated workloads, behind a fake dry runner: which probes it sends,
// how the API server's field errors come back on the custom resource's paths, and what it admits.
import assert from 'node:assert/strict';
import type { StatusCause } from '../../src/api/meta.ts';
import { outcomeOf } from '../../src/admission/dry-run.ts';
import { claimFieldOf, podOnlyRule, requestDefaultedFromLimit, templateCauses, templateFieldOf } from '../../src/admission/field-errors.ts';
import { isRevisionNumber, revisionAnnotationCauses } from '../../src/admission/annotations.ts';
import { templateKinds } from '../../src/admission/kinds.ts';
import type { ProbeObject, VolumeOrigin } from '../../src/admission/probe.ts';
import { claimProbe, podProbe } from '../../src/admission/probe.ts';
import type { DryRunOutcome, DryRunner } from '../../src/admission/review.ts';
import { TemplateReview, jsonEqual } from '../../src/admission/review.ts';
import { templateWebhookSpec } from '../../src/admission/setup.ts';
import { ApiError, TransportError } from '../../src/runtime/client/errors.ts';
import type { AdmissionRequest } from '../../src/runtime/webhook/admission-review.ts';
import { FakeClock } from '../support/fake-clock.ts';

const [daemonSetKind, statefulSetKind] = templateKinds;
if (!daemonSetKind || !statefulSetKind) throw new Error('the template table lost a kind');

describe('templateFieldOf: Pod field errors on the custom resource', () => {
  const volumes: VolumeOrigin[] = [
    { kind: 'template', index: 0 },
    { kind: 'template', index: 1 },
    { kind: 'claim', index: 0 },
  ];
  const rows: { pod: string; expected: string | undefined }[] = [
    { pod: 'spec.containers[0].resources.limits', expected: 'spec.template.spec.containers[0].resources.limits' },
    { pod: 'spec.containers[0].resources.limits[cpu]', expected: 'spec.template.spec.containers[0].resources.limits[cpu]' },
    { pod: 'spec.nodeSelector', expected: 'spec.template.spec.nodeSelector' },
    { pod: 'metadata.labels', expected: 'spec.template.metadata.labels' },
    { pod: 'metadata.annotations[example.com/x]', expected: 'spec.template.metadata.annotations[example.com/x]' },
    { pod: 'spec.volumes[1].hostPath.path', expected: 'spec.template.spec.volumes[1].hostPath.path' },
    { pod: 'spec.volumes[2].name', expected: 'spec.volumeClaimTemplates[0].metadata.name' },
    { pod: 'spec.volumes[7].name', expected: undefined },
    { pod: 'metadata.name', expected: undefined },
    { pod: 'metadata.generateName', expected: undefined },
    { pod: 'metadata.namespace', expected: undefined },
  ];
  for (const row of rows) {
    it(`maps ${row.pod} to ${String(row.expected)}`, () => {
      assert.equal(templateFieldOf(row.pod, 'spec.template', volumes, 'spec.volumeClaimTemplates'), row.expected);
    });
  }

  it('maps PersistentVolumeClaim spec errors under the claim template', () => {
    assert.equal(claimFieldOf('spec.resources[storage]', 'spec.volumeClaimTemplates', 2), 'spec.volumeClaimTemplates[2].spec.resources[storage]');
    assert.equal(claimFieldOf('metadata.generateName', 'spec.volumeClaimTemplates', 2), undefined);
  });
});

describe('pod-only rules', () => {
  const rows: { name: string; cause: { field: string; reason: string; message: string }; podOnly: boolean }[] = [
    {
      name: 'image whitespace',
      cause: { field: 'spec.initContainers[1].image', reason: 'FieldValueInvalid', message: 'Invalid value: " x": must not have leading or trailing whitespace' },
      podOnly: true,
    },
    {
      name: 'nodeName with scheduling gates',
      cause: { field: 'spec.nodeName', reason: 'FieldValueForbidden', message: 'Forbidden: cannot be set until all schedulingGates have been cleared' },
      podOnly: true,
    },
    { name: 'image volume reference', cause: { field: 'spec.volumes[0].image.reference', reason: 'FieldValueRequired', message: 'Required value' }, podOnly: true },
    {
      name: 'token projection without service account',
      cause: {
        field: 'spec.volumes[0].projected.sources[2].serviceAccountToken',
        reason: 'FieldValueForbidden',
        message: 'Forbidden: must not be specified when serviceAccountName is not set',
      },
      podOnly: true,
    },
    { name: 'an empty image', cause: { field: 'spec.containers[0].image', reason: 'FieldValueRequired', message: 'Required value' }, podOnly: false },
    { name: 'an invalid nodeName', cause: { field: 'spec.nodeName', reason: 'FieldValueInvalid', message: 'Invalid value: "A_B"' }, podOnly: false },
  ];
  for (const row of rows) it(`${row.podOnly ? 'drops' : 'keeps'} ${row.name}`, () => assert.equal(podOnlyRule(row.cause), row.podOnly));

  it('drops an error on a request the Pod copied from a limit, keeps one the template sets', () => {
    const template = { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '-1' }, requests: { memory: '-1' } } }] } };
    const at = (field: string): { field: string; reason: string; message: string } => ({ field, reason: 'FieldValueInvalid', message: 'x' });
    assert.equal(requestDefaultedFromLimit(at('spec.containers[0].resources.requests[cpu]'), template), true);
    assert.equal(requestDefaultedFromLimit(at('spec.containers[0].resources.requests[memory]'), template), false);
    assert.equal(requestDefaultedFromLimit(at('spec.containers[0].resources.limits[cpu]'), template), false);
  });

  it('maps, filters and keeps the order of a Pod refusal', () => {
    const causes: StatusCause[] = [
      { reason: 'FieldValueInvalid', message: 'Invalid value: "-1": must be greater than or equal to 0', field: 'spec.containers[0].resources.limits[cpu]' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "-1": must be greater than or equal to 0', field: 'spec.containers[0].resources.requests[cpu]' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "x ": must not have leading or trailing whitespace', field: 'spec.containers[0].image' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "a b"', field: 'spec.nodeSelector' },
    ];
    const template = { spec: { containers: [{ name: 'c', image: 'x ', resources: { limits: { cpu: '-1' } } }] } };
    assert.deepEqual(
      templateCauses(causes, template, 'spec.template', [], undefined).map((c) => c.field),
      ['spec.template.spec.containers[0].resources.limits[cpu]', 'spec.template.spec.nodeSelector'],
    );
  });
});

describe('probes', () => {
  const template = {
    metadata: { name: 'ignored', labels: { app: 'a' }, annotations: { note: 'n' }, finalizers: ['x/y'] },
    spec: {
      hostname: 'h',
      subdomain: 's',
      priorityClassName: 'high',
      containers: [{ name: 'c', image: ' busybox ', volumeMounts: [{ name: 'www', mountPath: '/w' }] }],
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'www', emptyDir: {} },
        { name: 'img', image: {} },
      ],
    },
  };
  const claims = [{ metadata: { name: 'www' } }, { metadata: { name: 'logs' } }];

  it('sends a DaemonSet template as a Pod with its labels, annotations and spec only', () => {
    const { pod, volumes } = podProbe(template, { namespace: 'ns', kind: daemonSetKind, claimTemplates: [], withoutResolvedFields: false });
    assert.deepEqual(pod.metadata, { generateName: 'admission-check-', namespace: 'ns', labels: { app: 'a' }, annotations: { note: 'n' } });
    assert.equal(pod.spec.hostname, 'h');
    assert.equal(pod.spec.priorityClassName, 'high');
    assert.deepEqual(volumes, [
      { kind: 'template', index: 0 },
      { kind: 'template', index: 1 },
      { kind: 'template', index: 2 },
    ]);
  });

  it('keeps pod-only rules from firing: trims images, fills an image volume reference', () => {
    const { pod } = podProbe(template, { namespace: 'ns', kind: daemonSetKind, claimTemplates: [], withoutResolvedFields: false });
    assert.deepEqual(pod.spec.containers, [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'www', mountPath: '/w' }] }]);
    assert.deepEqual(Array.isArray(pod.spec.volumes) ? pod.spec.volumes[2] : undefined, { name: 'img', image: { reference: 'image' } });
  });

  it('amends a StatefulSet template as upstream validates it: no hostname or subdomain, claim volumes in place or appended', () => {
    const { pod, volumes } = podProbe(template, { namespace: 'ns', kind: statefulSetKind, claimTemplates: claims, withoutResolvedFields: false });
    assert.equal(pod.spec.hostname, undefined);
    assert.equal(pod.spec.subdomain, undefined);
    assert.deepEqual(pod.spec.volumes, [
      { name: 'data', emptyDir: {} },
      { name: 'www', persistentVolumeClaim: { claimName: 'www' } },
      { name: 'img', image: { reference: 'image' } },
      { name: 'logs', persistentVolumeClaim: { claimName: 'logs' } },
    ]);
    assert.deepEqual(volumes.at(-1), { kind: 'claim', index: 1 });
  });

  it('leaves out what admission resolves against other objects, when asked', () => {
    const { pod } = podProbe(template, { namespace: 'ns', kind: daemonSetKind, claimTemplates: [], withoutResolvedFields: true });
    assert.equal(pod.spec.priorityClassName, undefined);
  });

  it('sends a claim template as a claim with its spec only', () => {
    const probe = claimProbe({ metadata: { name: 'www', labels: { bad: 'a b' } }, spec: { accessModes: ['ReadWriteOnce'] } }, 'ns');
    assert.deepEqual(probe, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { generateName: 'admission-check-', namespace: 'ns' },
      spec: { accessModes: ['ReadWriteOnce'] },
    });
  });
});

describe('outcomeOf: reading a failed dry run', () => {
  const apiError = (code: number, status: object): ApiError =>
    new ApiError({ method: 'POST', path: '/api/v1/namespaces/ns/pods', code, status: { kind: 'Status', ...status }, retryAfterSeconds: undefined });
  it('reads 422 as field errors', () => {
    const causes = [{ reason: 'FieldValueInvalid', message: 'Invalid value', field: 'spec.nodeSelector' }];
    assert.deepEqual(outcomeOf(apiError(422, { message: 'Pod is invalid', details: { causes } })), { kind: 'invalid', causes, message: 'Pod is invalid' });
  });
  it('reads a 400 decode error as undecodable, keeping what the decoder said', () => {
    const message = `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^x$'`;
    assert.deepEqual(outcomeOf(apiError(400, { message })), { kind: 'undecodable', message: "quantities must match the regular expression '^x$'" });
  });
  it('reads 403 as forbidden, other answers and transport errors as inconclusive', () => {
    assert.equal(outcomeOf(apiError(403, { message: 'exceeded quota' })).kind, 'forbidden');
    assert.equal(outcomeOf(apiError(400, { message: 'admission webhook "x" does not support dry run' })).kind, 'inconclusive');
    assert.equal(outcomeOf(apiError(500, { message: 'etcd' })).kind, 'inconclusive');
    assert.equal(outcomeOf(new TransportError('POST', '/x', new Error('reset'))).kind, 'inconclusive');
  });
  it('throws anything else', () => assert.throws(() => outcomeOf(new Error('boom')), /boom/));
});

/** Answers probes from a script: each call takes the next answer for its kind. */
class FakeRunner implements DryRunner {
  readonly sent: ProbeObject[] = [];
  private readonly answers: Record<'Pod' | 'PersistentVolumeClaim', DryRunOutcome[]>;

  constructor(answers: Partial<Record<'Pod' | 'PersistentVolumeClaim', DryRunOutcome[]>>) {
    this.answers = { Pod: answers.Pod ?? [], PersistentVolumeClaim: answers.PersistentVolumeClaim ?? [] };
  }

  create(probe: ProbeObject): Promise<DryRunOutcome> {
    this.sent.push(probe);
    return Promise.resolve(this.answers[probe.kind].shift() ?? { kind: 'accepted' });
  }
}

function request(overrides: Partial<AdmissionRequest>): AdmissionRequest {
  return {
    uid: 'u1',
    resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'mydaemonsets' },
    kind: 'MyDaemonSet',
    subResource: '',
    name: 'agent',
    namespace: 'ns',
    operation: 'CREATE',
    object: daemonSet('busybox'),
    oldObject: undefined,
    dryRun: false,
    ...overrides,
  };
}

function daemonSet(image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image }], ...extra } } },
  };
}

const invalid = (field: string, message = 'Invalid value'): DryRunOutcome => ({
  kind: 'invalid',
  message: 'Pod "x" is invalid',
  causes: [{ reason: 'FieldValueInvalid', message, field }],
});

describe('TemplateReview', () => {
  const signal = new AbortController().signal;

  it('admits a template the API server accepts, after one probe', async () => {
    const runner = new FakeRunner({});
    assert.deepEqual(await new TemplateReview({ runner }).review(request({}), signal), { kind: 'allow' });
    assert.equal(runner.sent.length, 1);
    assert.equal(runner.sent[0]?.kind, 'Pod');
  });

  it('refuses with the field errors on the custom resource, as an Invalid status', async () => {
    const runner = new FakeRunner({ Pod: [invalid('spec.nodeSelector', 'Invalid value: "bad key"')] });
    assert.deepEqual(await new TemplateReview({ runner }).review(request({}), signal), {
      kind: 'deny-invalid',
      group: 'apps.my.dev',
      resourceKind: 'MyDaemonSet',
      name: 'agent',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "bad key"', field: 'spec.template.spec.nodeSelector' }],
    });
  });

  it('refuses a value the API server cannot decode on the template', async () => {
    const runner = new FakeRunner({ Pod: [{ kind: 'undecodable', message: 'quantities must match' }] });
    const verdict = await new TemplateReview({ runner }).review(request({}), signal);
    assert.equal(verdict.kind, 'deny-invalid');
    assert.deepEqual(verdict.kind === 'deny-invalid' ? verdict.causes.map((c) => c.field) : [], ['spec.template']);
  });

  it('admits what admission forbids (quota, Pod Security), as apps/v1 does', async () => {
    const runner = new FakeRunner({ Pod: [{ kind: 'forbidden', message: 'exceeded quota: pods' }] });
    assert.deepEqual(await new TemplateReview({ runner }).review(request({}), signal), { kind: 'allow' });
    assert.equal(runner.sent.length, 1, 'no second probe: the template names nothing admission resolves');
  });

  it('probes again without names admission resolves, and refuses what that probe finds', async () => {
    const runner = new FakeRunner({ Pod: [{ kind: 'forbidden', message: 'no PriorityClass with name high was found' }, invalid('spec.hostAliases[0].ip')] });
    const review = new TemplateReview({ runner });
    const verdict = await review.review(request({ object: daemonSet('busybox', { priorityClassName: 'high' }) }), signal);
    assert.equal(verdict.kind, 'deny-invalid');
    assert.equal(runner.sent[1]?.spec.priorityClassName, undefined);
    assert.equal(runner.sent[0]?.spec.priorityClassName, 'high');
  });

  it("waits for a new namespace's default ServiceAccount, then judges", async () => {
    const clock = new FakeClock();
    const missing: DryRunOutcome = { kind: 'forbidden', message: 'pods "x" is forbidden: error looking up service account ns/default: serviceaccount "default" not found' };
    const runner = new FakeRunner({ Pod: [missing, missing, invalid('spec.nodeSelector')] });
    const pending = new TemplateReview({ runner, clock, serviceAccountRetryMs: 100 }).review(request({}), signal);
    for (let i = 0; i < 2; i++) {
      while (clock.waiting === 0) await new Promise((r) => setImmediate(r));
      clock.advance(100);
    }
    assert.equal((await pending).kind, 'deny-invalid');
    assert.equal(runner.sent.length, 3);
  });

  it('admits with a warning when the probe cannot be judged', async () => {
    const runner = new FakeRunner({ Pod: [{ kind: 'inconclusive', message: '500 InternalError: etcd' }] });
    const verdict = await new TemplateReview({ runner }).review(request({}), signal);
    assert.equal(verdict.kind, 'allow');
    assert.match(verdict.kind === 'allow' ? (verdict.warnings?.[0] ?? '') : '', /spec\.template was not checked/);
  });

  it('probes each claim template of a new StatefulSet, and refuses on their spec paths', async () => {
    const object = {
      metadata: { name: 'web' },
      spec: {
        template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'a' }, spec: {} }, { metadata: { name: 'b' }, spec: {} }],
      },
    };
    const runner = new FakeRunner({ PersistentVolumeClaim: [{ kind: 'accepted' }, invalid('spec.resources[storage]', 'must be greater than zero')] });
    const verdict = await new TemplateReview({ runner }).review(
      request({ resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'mystatefulsets' }, name: 'web', object }),
      signal,
    );
    assert.deepEqual(verdict.kind === 'deny-invalid' ? verdict.causes.map((c) => c.field) : verdict, ['spec.volumeClaimTemplates[1].spec.resources[storage]']);
    assert.equal(runner.sent.filter((p) => p.kind === 'PersistentVolumeClaim').length, 2);
  });

  it('judges nothing on an UPDATE that leaves the template alone', async () => {
    const runner = new FakeRunner({});
    const verdict = await new TemplateReview({ runner }).review(request({ operation: 'UPDATE', oldObject: daemonSet('busybox') }), signal);
    assert.deepEqual(verdict, { kind: 'allow' });
    assert.equal(runner.sent.length, 0);
  });

  it('refuses only new errors when a DaemonSet\'s stored template is already invalid', async () => {
    const runner = new FakeRunner({
      Pod: [
        { kind: 'invalid', message: 'x', causes: [{ reason: 'FieldValueInvalid', message: 'old', field: 'spec.nodeSelector' }, { reason: 'FieldValueInvalid', message: 'new', field: 'spec.hostAliases[0].ip' }] },
        invalid('spec.nodeSelector', 'old'),
      ],
    });
    const verdict = await new TemplateReview({ runner }).review(request({ operation: 'UPDATE', object: daemonSet('busybox:2'), oldObject: daemonSet('busybox') }), signal);
    assert.deepEqual(verdict.kind === 'deny-invalid' ? verdict.causes.map((c) => c.field) : verdict, ['spec.template.spec.hostAliases[0].ip']);
  });

  it("accepts a StatefulSet update whatever the template when the stored one is invalid, as upstream's ValidateStatefulSetUpdate", async () => {
    const runner = new FakeRunner({ Pod: [invalid('spec.hostAliases[0].ip'), invalid('spec.nodeSelector')] });
    const sts = (image: string): Record<string, unknown> => ({ metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'c', image }] } } } });
    const verdict = await new TemplateReview({ runner }).review(
      request({ resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'mystatefulsets' }, operation: 'UPDATE', object: sts('b'), oldObject: sts('a') }),
      signal,
    );
    assert.deepEqual(verdict, { kind: 'allow' });
    assert.equal(runner.sent.filter((p) => p.kind === 'PersistentVolumeClaim').length, 0, 'unchanged claim templates are not judged again');
  });

  it('ignores subresources, deletes and kinds outside the table', async () => {
    const runner = new FakeRunner({ Pod: [invalid('spec.nodeSelector')] });
    const review = new TemplateReview({ runner });
    assert.equal((await review.review(request({ subResource: 'status' }), signal)).kind, 'allow');
    assert.equal((await review.review(request({ operation: 'DELETE' }), signal)).kind, 'allow');
    assert.equal((await review.review(request({ resource: { group: 'apps', version: 'v1', resource: 'deployments' } }), signal)).kind, 'allow');
    assert.equal(runner.sent.length, 0);
  });

  it('compares JSON regardless of key order', () => {
    assert.ok(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
    assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: undefined }));
    assert.ok(!jsonEqual([1, 2], [2, 1]));
  });
});

describe('TemplateReview of a MyStatefulSet whose claim templates change (docs/volume-growth.md)', () => {
  const signal = new AbortController().signal;
  const claim = (name: string, storage: string): Record<string, unknown> => ({
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  const statefulSet = (...claims: Record<string, unknown>[]): Record<string, unknown> => ({
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } }, volumeClaimTemplates: claims },
  });
  const update = (object: Record<string, unknown>, oldObject: Record<string, unknown>): AdmissionRequest =>
    request({ resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'mystatefulsets' }, kind: 'MyStatefulSet', name: 'web', operation: 'UPDATE', object, oldObject });

  it('admits a grown storage request after judging that claim template alone, not the unchanged pod template', async () => {
    const runner = new FakeRunner({});
    const verdict = await new TemplateReview({ runner }).review(update(statefulSet(claim('www', '2Gi'), claim('logs', '1Gi')), statefulSet(claim('www', '1Gi'), claim('logs', '1Gi'))), signal);
    assert.deepEqual(verdict, { kind: 'allow' });
    assert.deepEqual(
      runner.sent.map((p) => [p.kind, p.spec.resources]),
      [['PersistentVolumeClaim', { requests: { storage: '2Gi' } }]],
    );
  });

  it('refuses a lowered storage request on its own path', async () => {
    const verdict = await new TemplateReview({ runner: new FakeRunner({}) }).review(update(statefulSet(claim('www', '1Gi')), statefulSet(claim('www', '2Gi'))), signal);
    assert.deepEqual(verdict.kind === 'deny-invalid' ? verdict.causes.map((c) => c.field) : verdict, ['spec.volumeClaimTemplates[0].spec.resources.requests.storage']);
  });

  it('refuses what the claim validation says of a grown request, on the claim template', async () => {
    const runner = new FakeRunner({ PersistentVolumeClaim: [invalid('spec.resources[storage]')] });
    const verdict = await new TemplateReview({ runner }).review(update(statefulSet(claim('www', '1Gi'), claim('logs', '3Gi')), statefulSet(claim('www', '1Gi'), claim('logs', '2Gi'))), signal);
    assert.deepEqual(verdict.kind === 'deny-invalid' ? verdict.causes.map((c) => c.field) : verdict, ['spec.volumeClaimTemplates[1].spec.resources[storage]']);
  });

  it('lets a grown request through when the stored template already had the error (it got in while the webhook was down)', async () => {
    const runner = new FakeRunner({ PersistentVolumeClaim: [invalid('spec.selector.matchLabels'), invalid('spec.selector.matchLabels')] });
    const verdict = await new TemplateReview({ runner }).review(update(statefulSet(claim('www', '2Gi')), statefulSet(claim('www', '1Gi'))), signal);
    assert.deepEqual(verdict, { kind: 'allow' });
    assert.equal(runner.sent.length, 2, 'the stored template was judged too');
  });

  it('judges the pod template again when a claim template is renamed (its volumes change)', async () => {
    const runner = new FakeRunner({});
    await new TemplateReview({ runner }).review(update(statefulSet(claim('data', '1Gi')), statefulSet(claim('www', '1Gi'))), signal);
    assert.deepEqual(runner.sent.map((p) => p.kind).sort(), ['PersistentVolumeClaim', 'Pod']);
  });
});

describe('the template table', () => {
  it('judges the pod template of every workload kind, and only the StatefulSet has claim templates and a stateful identity', () => {
    const rows = templateKinds.map((k) => ({
      kind: k.kind,
      resource: k.resource,
      podTemplate: k.podTemplate.join('.'),
      claimTemplates: k.claimTemplates?.join('.'),
      statefulIdentity: k.statefulIdentity,
      invalidStoredTemplate: k.invalidStoredTemplate,
    }));
    assert.deepEqual(rows, [
      { kind: 'MyDaemonSet', resource: 'mydaemonsets', podTemplate: 'spec.template', claimTemplates: undefined, statefulIdentity: false, invalidStoredTemplate: 'new-errors-only' },
      { kind: 'MyStatefulSet', resource: 'mystatefulsets', podTemplate: 'spec.template', claimTemplates: 'spec.volumeClaimTemplates', statefulIdentity: true, invalidStoredTemplate: 'skip' },
      { kind: 'MyDeployment', resource: 'mydeployments', podTemplate: 'spec.template', claimTemplates: undefined, statefulIdentity: false, invalidStoredTemplate: 'new-errors-only' },
      { kind: 'MyReplicaSet', resource: 'myreplicasets', podTemplate: 'spec.template', claimTemplates: undefined, statefulIdentity: false, invalidStoredTemplate: 'new-errors-only' },
    ]);
  });

  it('registers the webhook for CREATE and UPDATE of every kind in the table', () => {
    const review = new TemplateReview({ runner: new FakeRunner({}) });
    assert.deepEqual(templateWebhookSpec(review.resources()).rules, [
      {
        apiGroups: ['apps.my.dev'],
        apiVersions: ['v1alpha1'],
        resources: ['mydaemonsets', 'mystatefulsets', 'mydeployments', 'myreplicasets'],
        operations: ['CREATE', 'UPDATE'],
      },
    ]);
  });
});

describe('revision annotations (deprecated.deployment.rollback.to)', () => {
  const signal = new AbortController().signal;
  const name = 'deprecated.deployment.rollback.to';
  const withRollback = (value: string): Record<string, unknown> => ({ ...deployment('nginx'), metadata: { name: 'web', annotations: { [name]: value } } });

  const rows: { value: string; revision: boolean }[] = [
    { value: '0', revision: true },
    { value: '3', revision: true },
    { value: '+3', revision: true },
    { value: '-0', revision: true },
    { value: '007', revision: true },
    { value: '9223372036854775807', revision: true },
    { value: '9223372036854775808', revision: false },
    { value: '-1', revision: false },
    { value: '1.5', revision: false },
    { value: ' 1', revision: false },
    { value: '0x10', revision: false },
    { value: 'latest', revision: false },
  ];
  for (const row of rows) {
    it(`${row.revision ? 'reads' : 'refuses'} ${JSON.stringify(row.value)} as strconv.ParseInt would, then ValidateRollback`, () => {
      assert.equal(isRevisionNumber(row.value), row.revision);
    });
  }

  it('names the annotation, lets an empty value (no rollback) through, and keeps a value the stored object already has', () => {
    assert.deepEqual(revisionAnnotationCauses([name], withRollback('-1'), undefined), [
      { reason: 'FieldValueInvalid', field: `metadata.annotations[${name}]`, message: 'Invalid value: "-1": must be a revision number: an integer greater than or equal to 0' },
    ]);
    assert.deepEqual(revisionAnnotationCauses([name], withRollback(''), undefined), []);
    assert.deepEqual(revisionAnnotationCauses([name], withRollback('x'), withRollback('x')), []);
    assert.equal(revisionAnnotationCauses([name], withRollback('y'), withRollback('x')).length, 1);
  });

  it('refuses a MyDeployment whose rollback annotation is not a revision, beside its template errors', async () => {
    const runner = new FakeRunner({ Pod: [invalid('spec.nodeSelector')] });
    const verdict = await new TemplateReview({ runner }).review(
      request({ resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'mydeployments' }, kind: 'MyDeployment', name: 'web', object: withRollback('two') }),
      signal,
    );
    assert.deepEqual(verdict.kind === 'deny-invalid' ? [verdict.resourceKind, ...verdict.causes.map((c) => c.field)] : verdict, [
      'MyDeployment',
      `metadata.annotations[${name}]`,
      'spec.template.spec.nodeSelector',
    ]);
  });

  it('reads the annotation on MyDeployment only', async () => {
    const object = withRollback('two');
    const verdict = await new TemplateReview({ runner: new FakeRunner({}) }).review(
      request({ resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'myreplicasets' }, kind: 'MyReplicaSet', name: 'web-5d8f', object }),
      signal,
    );
    assert.deepEqual(verdict, { kind: 'allow' });
  });
});

describe('TemplateReview of MyDeployment and MyReplicaSet', () => {
  const signal = new AbortController().signal;
  const rows = [
    { resource: 'mydeployments', kind: 'MyDeployment' },
    { resource: 'myreplicasets', kind: 'MyReplicaSet' },
  ];
  for (const row of rows) {
    it(`probes a ${row.kind} template as a Pod and refuses its errors on spec.template`, async () => {
      const runner = new FakeRunner({ Pod: [invalid('spec.containers[0].image', 'Required value')] });
      const verdict = await new TemplateReview({ runner }).review(
        request({ resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: row.resource }, kind: row.kind, name: 'web', object: deployment('') }),
        signal,
      );
      assert.deepEqual(verdict.kind === 'deny-invalid' ? [verdict.resourceKind, ...verdict.causes.map((c) => c.field)] : verdict, [
        row.kind,
        'spec.template.spec.containers[0].image',
      ]);
      assert.equal(runner.sent[0]?.spec.hostname, undefined, 'no stateful identity');
    });

    it(`refuses only new errors when a ${row.kind}'s stored template is already invalid, as upstream revalidates it`, async () => {
      const runner = new FakeRunner({
        Pod: [
          { kind: 'invalid', message: 'x', causes: [{ reason: 'FieldValueInvalid', message: 'old', field: 'spec.nodeSelector' }, { reason: 'FieldValueInvalid', message: 'new', field: 'spec.hostAliases[0].ip' }] },
          invalid('spec.nodeSelector', 'old'),
        ],
      });
      const verdict = await new TemplateReview({ runner }).review(
        request({
          resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: row.resource },
          kind: row.kind,
          operation: 'UPDATE',
          object: deployment('nginx:2'),
          oldObject: deployment('nginx'),
        }),
        signal,
      );
      assert.deepEqual(verdict.kind === 'deny-invalid' ? verdict.causes.map((c) => c.field) : verdict, ['spec.template.spec.hostAliases[0].ip']);
    });
  }
});

/** A MyDeployment or MyReplicaSet: the same spec shape as far as the webhook reads it. */
function deployment(image: string): Record<string, unknown> {
  return {
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } },
  };
}

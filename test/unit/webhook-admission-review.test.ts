// AdmissionReview in and out: what the API server sends, and the answer it reads back.
import assert from 'node:assert/strict';
import type { AdmissionVerdict } from '../../src/runtime/webhook/admission-review.ts';
import { admissionResponse, parseAdmissionReview } from '../../src/runtime/webhook/admission-review.ts';
import { timeoutOf } from '../../src/runtime/webhook/server.ts';

const review = (request: unknown): unknown => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });

describe('parseAdmissionReview', () => {
  it('reads a CREATE request', () => {
    const parsed = parseAdmissionReview(
      review({
        uid: 'abc',
        kind: { group: 'apps.my.dev', version: 'v1alpha1', kind: 'MyDaemonSet' },
        resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'mydaemonsets' },
        namespace: 'ns',
        operation: 'CREATE',
        object: { metadata: { generateName: 'agent-' } },
        dryRun: true,
      }),
    );
    assert.deepEqual(parsed, {
      kind: 'request',
      request: {
        uid: 'abc',
        operation: 'CREATE',
        resource: { group: 'apps.my.dev', version: 'v1alpha1', resource: 'mydaemonsets' },
        kind: 'MyDaemonSet',
        subResource: '',
        name: '',
        namespace: 'ns',
        object: { metadata: { generateName: 'agent-' } },
        oldObject: undefined,
        dryRun: true,
      },
    });
  });

  const malformed: { name: string; body: unknown; message: RegExp }[] = [
    { name: 'a non-object', body: [1], message: /not a JSON object/ },
    { name: 'another API version', body: { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }, message: /want apiVersion/ },
    { name: 'no request', body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, message: /no request/ },
    { name: 'no uid', body: review({ operation: 'CREATE', resource: { resource: 'x' } }), message: /uid/ },
    { name: 'an unknown operation', body: review({ uid: 'u', operation: 'PATCH', resource: { resource: 'x' } }), message: /unknown operation/ },
    { name: 'no resource', body: review({ uid: 'u', operation: 'CREATE' }), message: /resource/ },
  ];
  for (const row of malformed) {
    it(`reports ${row.name} as malformed`, () => {
      const parsed = parseAdmissionReview(row.body);
      assert.equal(parsed.kind, 'malformed');
      assert.match(parsed.kind === 'malformed' ? parsed.message : '', row.message);
    });
  }
});

describe('admissionResponse', () => {
  it('allows with the request uid', () => {
    assert.deepEqual(admissionResponse('u1', { kind: 'allow' }), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u1', allowed: true },
    });
  });

  it('passes warnings on', () => {
    assert.deepEqual(admissionResponse('u1', { kind: 'allow', warnings: ['w'] }), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u1', allowed: true, warnings: ['w'] },
    });
  });

  const deny = (fields: string[]): AdmissionVerdict => ({
    kind: 'deny-invalid',
    group: 'apps.my.dev',
    resourceKind: 'MyDaemonSet',
    name: 'agent',
    causes: fields.map((field) => ({ reason: 'FieldValueInvalid', message: 'Invalid value: "x"', field })),
  });

  it('refuses with an Invalid status worded as the API server words its own, one cause per field', () => {
    assert.deepEqual(admissionResponse('u2', deny(['spec.template.spec.nodeSelector'])), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'u2',
        allowed: false,
        status: {
          status: 'Failure',
          code: 422,
          reason: 'Invalid',
          message: 'MyDaemonSet.apps.my.dev "agent" is invalid: spec.template.spec.nodeSelector: Invalid value: "x"',
          details: {
            name: 'agent',
            group: 'apps.my.dev',
            kind: 'MyDaemonSet',
            causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "x"', field: 'spec.template.spec.nodeSelector' }],
          },
        },
      },
    });
  });

  it('brackets several errors, as an aggregate', () => {
    const response = admissionResponse('u3', deny(['a', 'b'])).response;
    const status = typeof response === 'object' && response !== null && 'status' in response ? response.status : undefined;
    assert.equal(
      typeof status === 'object' && status !== null && 'message' in status ? status.message : '',
      'MyDaemonSet.apps.my.dev "agent" is invalid: [a: Invalid value: "x", b: Invalid value: "x"]',
    );
  });
});

describe('the API server deadline', () => {
  const rows: { query: string; ms: number }[] = [
    { query: '?timeout=10s', ms: 10_000 },
    { query: '?timeout=1.5s', ms: 1500 },
    { query: '?timeout=500ms', ms: 500 },
    { query: '?timeout=1m', ms: 60_000 },
    { query: '', ms: 7000 },
    { query: '?timeout=soon', ms: 7000 },
  ];
  for (const row of rows) {
    it(`reads ${JSON.stringify(row.query)} as ${row.ms} ms`, () => assert.equal(timeoutOf(new URL(`https://h/p${row.query}`), 7000), row.ms));
  }
});

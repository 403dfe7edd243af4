import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import { templateFromRevision } from '../../src/controllers/history/revisions.ts';
import { defaultImagePullPolicy, parseImageName } from '../../src/controllers/shared/image-reference.ts';
import { templatesEquivalent, withPodTemplateDefaults } from '../../src/controllers/shared/pod-template-defaults.ts';
import {
  migratedDaemonSet,
  migratedDeployment,
  migratedStatefulSet,
  upstreamDaemonSet,
  upstreamDaemonSetRevision,
  upstreamDeployment,
  upstreamStatefulSet,
  upstreamStatefulSetRevision,
} from './migration-fixtures.ts';

function stored(revision: Parameters<typeof templateFromRevision>[0]): PodTemplateSpec {
  const template = templateFromRevision(revision);
  assert.ok(template !== undefined);
  return template;
}

function podTemplate(spec: Partial<PodTemplateSpec['spec']>, container: Record<string, unknown> = {}): PodTemplateSpec {
  return { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', ...container }], ...spec } };
}

function defaultedSpec(template: PodTemplateSpec): Record<string, unknown> {
  return { ...withPodTemplateDefaults(template).spec };
}

function defaultedContainer(template: PodTemplateSpec): Record<string, unknown> {
  return { ...withPodTemplateDefaults(template).spec.containers[0] };
}

describe('apps/v1 pod template defaulting (migration)', () => {
  describe('imagePullPolicy from the image reference', () => {
    const rows: ReadonlyArray<readonly [string, 'Always' | 'IfNotPresent']> = [
      ['nginx', 'Always'],
      ['nginx:latest', 'Always'],
      ['nginx:1.14.2', 'IfNotPresent'],
      ['registry.k8s.io/nginx-slim:0.8', 'IfNotPresent'],
      ['localhost:5000/app', 'Always'],
      ['localhost:5000/app:v1', 'IfNotPresent'],
      [`nginx@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
      [`nginx:latest@sha256:${'a'.repeat(64)}`, 'Always'],
      // Unparsable references have no tag: IfNotPresent although no tag is written.
      ['Nginx', 'IfNotPresent'],
      [`nginx@sha256:${'a'.repeat(10)}`, 'IfNotPresent'],
      ['a'.repeat(64), 'IfNotPresent'],
      ['', 'IfNotPresent'],
    ];
    for (const [image, policy] of rows) {
      it(`defaults ${JSON.stringify(image)} to ${policy}`, () => {
        assert.equal(defaultImagePullPolicy(image), policy);
        assert.equal(defaultedContainer(podTemplate({}, { image })).imagePullPolicy, policy);
      });
    }

    it('reads tag and digest as ParseImageName does', () => {
      assert.deepEqual(parseImageName('quay.io/fluentd_elasticsearch/fluentd:v5.0.1'), { tag: 'v5.0.1', digest: '' });
      assert.deepEqual(parseImageName('example.com:443/team/app'), { tag: 'latest', digest: '' });
      // An uppercase first component is a registry host; uppercase in the repository path is an error.
      assert.deepEqual(parseImageName('REGISTRY/app'), { tag: 'latest', digest: '' });
      assert.equal(parseImageName('team/App'), undefined);
    });

    it('keeps an explicit imagePullPolicy', () => {
      assert.equal(defaultedContainer(podTemplate({}, { image: 'nginx', imagePullPolicy: 'Never' })).imagePullPolicy, 'Never');
    });
  });

  it('fills the pod spec defaults of SetDefaults_PodSpec and the Pod-only enableServiceLinks', () => {
    const spec = defaultedSpec(podTemplate({}));
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.restartPolicy, 'Always');
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.enableServiceLinks, true);
    const container = defaultedContainer(podTemplate({}));
    assert.equal(container.terminationMessagePath, '/dev/termination-log');
    assert.equal(container.terminationMessagePolicy, 'File');
  });

  it('keeps values that are set, zero-like ones included where Go has a pointer', () => {
    const spec = defaultedSpec(podTemplate({ terminationGracePeriodSeconds: 0, enableServiceLinks: false, dnsPolicy: 'Default' }));
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal(spec.enableServiceLinks, false);
    assert.equal(spec.dnsPolicy, 'Default');
  });

  it('defaults probes, their HTTP and gRPC actions, and lifecycle hooks', () => {
    const container = defaultedContainer(
      podTemplate(
        {},
        {
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80, path: '/stop' } } },
        },
      ),
    );
    assert.deepEqual(container.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(container.readinessProbe, { grpc: { port: 9000, service: '' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(container.lifecycle, { preStop: { httpGet: { port: 80, path: '/stop', scheme: 'HTTP' } } });
  });

  it('defaults ports, env field references and file key references', () => {
    const container = defaultedContainer(
      podTemplate(
        {},
        {
          ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
          env: [
            { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'F', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k' } } },
          ],
        },
      ),
    );
    assert.deepEqual(container.ports, [
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
    ]);
    assert.deepEqual(container.env, [
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace', apiVersion: 'v1' } } },
      { name: 'F', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k', optional: false } } },
    ]);
  });

  it('sets host ports to the container ports under hostNetwork, as a Pod gets them', () => {
    const hostNetwork = defaultedContainer(podTemplate({ hostNetwork: true }, { ports: [{ containerPort: 8080 }] }));
    assert.deepEqual(hostNetwork.ports, [{ containerPort: 8080, protocol: 'TCP', hostPort: 8080 }]);
    const podNetwork = defaultedContainer(podTemplate({}, { ports: [{ containerPort: 8080 }] }));
    assert.deepEqual(podNetwork.ports, [{ containerPort: 8080, protocol: 'TCP' }]);
  });

  it('mirrors serviceAccountName into the deprecated serviceAccount and back', () => {
    assert.equal(defaultedSpec(podTemplate({ serviceAccountName: 'builder' })).serviceAccount, 'builder');
    assert.equal(defaultedSpec(podTemplate({ serviceAccount: 'builder' })).serviceAccountName, 'builder');
    assert.equal(defaultedSpec(podTemplate({ serviceAccount: 'old', serviceAccountName: 'new' })).serviceAccount, 'new');
    assert.equal(defaultedSpec(podTemplate({})).serviceAccountName, undefined);
  });

  it('defaults volume sources and their modes', () => {
    const spec = defaultedSpec(
      podTemplate({
        volumes: [
          { name: 'scratch' },
          { name: 'logs', hostPath: { path: '/var/log' } },
          { name: 'cfg', configMap: { name: 'c' } },
          { name: 'sec', secret: { secretName: 's' } },
          { name: 'info', downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } },
          { name: 'img', image: { reference: 'tools:latest' } },
          { name: 'claim', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } },
        ],
      }),
    );
    assert.deepEqual(spec.volumes, [
      { name: 'scratch', emptyDir: {} },
      { name: 'logs', hostPath: { path: '/var/log', type: '' } },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'info', downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace', apiVersion: 'v1' } }], defaultMode: 420 } },
      { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }], defaultMode: 420 } },
      { name: 'img', image: { reference: 'tools:latest', pullPolicy: 'Always' } },
      { name: 'claim', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' } } } },
    ]);
  });

  it('rounds quantities up to the milli scale and fills requests from limits (Pod defaulting)', () => {
    const container = defaultedContainer(podTemplate({}, { resources: { limits: { cpu: '0.0001', memory: '1Gi' }, requests: { cpu: '0.5' } } }));
    assert.deepEqual(container.resources, { limits: { cpu: '1m', memory: '1Gi' }, requests: { cpu: '0.5', memory: '1Gi' } });
  });

  it('is idempotent', () => {
    for (const template of [migratedDaemonSet.spec.template, migratedStatefulSet.spec.template, podTemplate({ hostNetwork: true, volumes: [{ name: 'x' }] })]) {
      const once = withPodTemplateDefaults(template);
      assert.deepEqual(withPodTemplateDefaults(once), once);
    }
  });

  it('does not modify its input', () => {
    const template = podTemplate({}, { ports: [{ containerPort: 80 }] });
    const copy = structuredClone(template);
    withPodTemplateDefaults(template);
    assert.deepEqual(template, copy);
  });

  describe('equivalence on the fixtures (kube-controller-manager v1.36.3 and ours, same manifests)', () => {
    it("finds the DaemonSet's revision equivalent to the MyDaemonSet's template", () => {
      assert.ok(templatesEquivalent(stored(upstreamDaemonSetRevision), migratedDaemonSet.spec.template));
    });

    it("finds the StatefulSet's revision equivalent to the MyStatefulSet's template", () => {
      assert.ok(templatesEquivalent(stored(upstreamStatefulSetRevision), migratedStatefulSet.spec.template));
    });

    it("finds the apps/v1 objects' defaulted templates equivalent to ours", () => {
      assert.ok(templatesEquivalent(upstreamDaemonSet.spec.template, migratedDaemonSet.spec.template));
      assert.ok(templatesEquivalent(upstreamStatefulSet.spec.template, migratedStatefulSet.spec.template));
      assert.ok(templatesEquivalent(upstreamDeployment.spec.template, migratedDeployment.spec.template));
    });

    it('tells the two workloads apart', () => {
      assert.ok(!templatesEquivalent(stored(upstreamDaemonSetRevision), migratedStatefulSet.spec.template));
    });

    const ours = migratedStatefulSet.spec.template;
    const [container] = ours.spec.containers;
    assert.ok(container !== undefined);
    const changed = (change: Record<string, unknown>): PodTemplateSpec => ({ ...ours, spec: { ...ours.spec, containers: [{ ...container, ...change }] } });
    const notEquivalent: ReadonlyArray<readonly [string, PodTemplateSpec]> = [
      ['another image', changed({ image: 'registry.k8s.io/nginx-slim:0.9' })],
      ['another explicit imagePullPolicy', changed({ imagePullPolicy: 'Always' })],
      ['another port', changed({ ports: [{ containerPort: 8080, name: 'web', protocol: 'TCP' }] })],
      ['another port protocol', changed({ ports: [{ containerPort: 80, name: 'web', protocol: 'UDP' }] })],
      ['a resource request', changed({ resources: { requests: { cpu: '100m' } } })],
      ['another label', { ...ours, metadata: { labels: { app: 'nginx', tier: 'web' } } }],
      ['another grace period', { ...ours, spec: { ...ours.spec, terminationGracePeriodSeconds: 10 } }],
    ];
    for (const [name, template] of notEquivalent) {
      it(`does not find the StatefulSet's revision equivalent to a template with ${name}`, () => {
        assert.ok(!templatesEquivalent(stored(upstreamStatefulSetRevision), template));
      });
    }

    it('finds the explicit default imagePullPolicy equivalent to leaving it out', () => {
      assert.ok(templatesEquivalent(stored(upstreamStatefulSetRevision), changed({ imagePullPolicy: 'IfNotPresent' })));
    });
  });
});

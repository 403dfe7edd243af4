import assert from 'node:assert/strict';
import type { Pod, PodTemplateSpec } from '../../src/api/core.ts';
import { podMatchesTemplate, templateFromPod } from '../../src/controllers/shared/template-from-pod.ts';
import { migratedDeployment, orphaned, upstreamDeploymentHash, upstreamDeploymentPods } from './migration-fixtures.ts';

const [pod] = upstreamDeploymentPods.map(orphaned);
assert.ok(pod !== undefined);
const template = migratedDeployment.spec.template;

function withSpec(base: Pod, change: Partial<Pod['spec']>): Pod {
  return { ...base, spec: { ...base.spec, ...change } };
}

function withContainer(base: PodTemplateSpec, change: Record<string, unknown>): PodTemplateSpec {
  const [first] = base.spec.containers;
  assert.ok(first !== undefined);
  return { ...base, spec: { ...base.spec, containers: [{ ...first, ...change }] } };
}

describe('the template a ReplicaSet pod was made from (migration)', () => {
  describe('templateFromPod on an apps/v1 Deployment pod (fixture)', () => {
    const rebuilt = templateFromPod(pod);

    it('keeps labels but pod-template-hash, other controllers’ included, and no other metadata', () => {
      assert.deepEqual(rebuilt.metadata, { labels: { app: 'nginx-d', 'topology.kubernetes.io/zone': 'zone-a' } });
      assert.equal(pod.metadata.labels?.['pod-template-hash'], upstreamDeploymentHash);
    });

    it('drops what the scheduler and admission added', () => {
      const spec: Record<string, unknown> = { ...rebuilt.spec };
      for (const field of ['nodeName', 'serviceAccount', 'serviceAccountName', 'priority', 'preemptionPolicy', 'enableServiceLinks', 'tolerations', 'volumes']) {
        assert.equal(spec[field], undefined, field);
      }
      assert.equal(rebuilt.spec.containers[0]?.volumeMounts, undefined);
      assert.equal('status' in rebuilt, false);
    });

    it('keeps what the template had, defaults included', () => {
      assert.deepEqual(rebuilt.spec.containers, [
        {
          image: 'nginx:1.14.2',
          imagePullPolicy: 'IfNotPresent',
          name: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ]);
      assert.equal(rebuilt.spec.terminationGracePeriodSeconds, 30);
      assert.equal(rebuilt.spec.dnsPolicy, 'ClusterFirst');
    });

    it('keeps a service account other than default, tolerations of its own, and volumes of its own', () => {
      const own = withSpec(pod, {
        serviceAccountName: 'builder',
        serviceAccount: 'builder',
        tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, ...(pod.spec.tolerations ?? [])],
        volumes: [{ name: 'cache', emptyDir: {} }, ...(pod.spec.volumes ?? [])],
      });
      const spec = templateFromPod(own).spec;
      assert.equal(spec.serviceAccountName, 'builder');
      assert.deepEqual(spec.tolerations, [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }]);
      assert.deepEqual(spec.volumes, [{ name: 'cache', emptyDir: {} }]);
    });

    it('keeps a not-ready toleration with another time than the admission default', () => {
      const own = withSpec(pod, { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] });
      assert.equal(templateFromPod(own).spec.tolerations?.length, 1);
    });
  });

  describe('podMatchesTemplate', () => {
    it("matches the fixture pod with the MyDeployment's template of the same manifest", () => {
      for (const each of upstreamDeploymentPods) assert.ok(podMatchesTemplate(each, template), each.metadata.name);
    });

    const rows: ReadonlyArray<readonly [string, Pod, PodTemplateSpec, boolean]> = [
      ['another image', pod, withContainer(template, { image: 'nginx:1.16.1' }), false],
      ['another explicit imagePullPolicy', pod, withContainer(template, { imagePullPolicy: 'Always' }), false],
      ['the default imagePullPolicy spelled out', pod, withContainer(template, { imagePullPolicy: 'IfNotPresent' }), true],
      ['another port', pod, withContainer(template, { ports: [{ containerPort: 8080, protocol: 'TCP' }] }), false],
      ['a label the pod lacks', pod, { ...template, metadata: { labels: { app: 'nginx-d', tier: 'web' } } }, false],
      ['a label value the pod does not have', pod, { ...template, metadata: { labels: { app: 'nginx-e' } } }, false],
      ['an annotation the pod lacks', pod, { ...template, metadata: { ...template.metadata, annotations: { a: 'b' } } }, false],
      ['serviceAccountName default spelled out', pod, { ...template, spec: { ...template.spec, serviceAccountName: 'default' } }, true],
      ['another service account', pod, { ...template, spec: { ...template.spec, serviceAccountName: 'builder' } }, false],
      ['the default tolerations spelled out', pod, { ...template, spec: { ...template.spec, tolerations: pod.spec.tolerations } }, true],
      ['automountServiceAccountToken off (the pod has the token)', pod, { ...template, spec: { ...template.spec, automountServiceAccountToken: false } }, false],
      ['no imagePullSecrets while the service account added some', withSpec(pod, { imagePullSecrets: [{ name: 'registry' }] }), template, true],
      ['imagePullSecrets other than the pod’s', withSpec(pod, { imagePullSecrets: [{ name: 'registry' }] }), { ...template, spec: { ...template.spec, imagePullSecrets: [{ name: 'other' }] } }, false],
      ['no priorityClassName while the global default was set', withSpec(pod, { priorityClassName: 'normal', priority: 1000 }), template, true],
      ['another priorityClassName', withSpec(pod, { priorityClassName: 'normal', priority: 1000 }), { ...template, spec: { ...template.spec, priorityClassName: 'high' } }, false],
      ['hostNetwork with host ports defaulted on the pod', withSpec(withHostPort(pod), { hostNetwork: true }), { ...template, spec: { ...template.spec, hostNetwork: true } }, true],
      ['limits only, the pod got requests from them', withRequests(pod), withContainer(template, { resources: { limits: { cpu: '1' } } }), true],
    ];
    for (const [name, candidate, wanted, expected] of rows) {
      it(`${expected ? 'matches' : 'does not match'} a template with ${name}`, () => {
        assert.equal(podMatchesTemplate(candidate, wanted), expected);
      });
    }
  });
});

function withHostPort(base: Pod): Pod {
  return { ...base, spec: { ...base.spec, containers: base.spec.containers.map((c) => ({ ...c, ports: [{ containerPort: 80, hostPort: 80, protocol: 'TCP' }] })) } };
}

function withRequests(base: Pod): Pod {
  return { ...base, spec: { ...base.spec, containers: base.spec.containers.map((c) => ({ ...c, resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } })) } };
}

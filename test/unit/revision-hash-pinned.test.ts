// Pins the revision names and hashes the operator computes, byte for byte. A ControllerRevision is
// named `<owner>-<hash>`, DaemonSet pods carry the hash in `controller-revision-hash` and
// StatefulSet pods the revision name: if an upgraded operator hashed an unchanged template
// differently, it would create a new revision and roll every pod. These values must never change;
// a failure here means the hash input changed, not that the expectation is stale.
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import type { MyDaemonSet, MyStatefulSet } from '../../src/api/workloads.ts';
import { constructHistory } from '../../src/controllers/daemonset/history.ts';
import { revisionDataKey, templatePatch } from '../../src/controllers/history/revisions.ts';
import { newStatefulSetRevision, resolveStatefulSetRevisions } from '../../src/controllers/statefulset/revisions.ts';

interface Case {
  readonly name: string;
  readonly template: PodTemplateSpec;
  readonly collisionCount?: number;
  /** The hash both builders compute: DaemonSet revision `agent-<hash>`, StatefulSet revision `web-<hash>`. */
  readonly hash: string;
  /** The exact text hashed (with the collision probe appended), when worth pinning too. */
  readonly hashInput?: string;
}

const plain: PodTemplateSpec = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };

const cases: readonly Case[] = [
  { name: 'a plain template', template: plain, hash: '7c745d874d' },
  { name: 'the same template after one collision', template: plain, collisionCount: 1, hash: '55d77758dc' },
  { name: 'the same template after two collisions', template: plain, collisionCount: 2, hash: '564454f54b' },
  {
    name: 'a shell command with <, > and & (not escaped in the hash input)',
    template: {
      metadata: { labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'a && b > /x <y'] }] },
    },
    hash: '5d76ff6db6',
    hashInput:
      '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"x"}},' +
      '"spec":{"containers":[{"command":["sh","-c","a && b > /x <y"],"image":"busybox","name":"c"}]}}}}',
  },
  {
    name: 'non-ASCII text and U+2028 (written raw in the hash input)',
    template: {
      metadata: { labels: { app: 'x' }, annotations: { note: 'café ✓', emoji: '\u{1F600}', sep: 'a\u2028b' } },
      spec: { containers: [{ name: 'c', image: 'nginx:1', env: [{ name: 'GREETING', value: 'grüß dich ✓' }] }] },
    },
    hash: 'dfd85f954',
    hashInput:
      '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"emoji":"\u{1F600}","note":"café ✓","sep":"a\u2028b"},' +
      '"labels":{"app":"x"}},"spec":{"containers":[{"env":[{"name":"GREETING","value":"grüß dich ✓"}],"image":"nginx:1","name":"c"}]}}}}',
  },
  {
    name: 'nested objects whose keys need sorting, integer-like keys first in numeric order',
    template: {
      spec: {
        nodeSelector: { zone: 'a', 'kubernetes.io/os': 'linux', Zeta: 'z', '10': 'ten', '9': 'nine', _x: 'u' },
        containers: [{ resources: { requests: { memory: '1Gi', cpu: '1' }, limits: { cpu: '2' } }, image: 'nginx:1', name: 'c' }],
      },
      metadata: { labels: { tier: 'web', app: 'x' }, annotations: { '10': '2', '9': '3', b: '1', a: '4' } },
    },
    hash: '66bbf8949',
    hashInput:
      '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"9":"3","10":"2","a":"4","b":"1"},"labels":{"app":"x","tier":"web"}},' +
      '"spec":{"containers":[{"image":"nginx:1","name":"c","resources":{"limits":{"cpu":"2"},"requests":{"cpu":"1","memory":"1Gi"}}}],' +
      '"nodeSelector":{"9":"nine","10":"ten","Zeta":"z","_x":"u","kubernetes.io/os":"linux","zone":"a"}}}}}',
  },
  {
    name: 'empty and undefined fields (empty kept, undefined left out)',
    template: {
      metadata: { labels: { app: 'x' }, annotations: {} },
      spec: { containers: [{ name: 'c', image: 'nginx:1', args: [], env: undefined }], volumes: [], nodeSelector: undefined },
    },
    hash: '57ddf4cfcb',
    hashInput:
      '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{},"labels":{"app":"x"}},' +
      '"spec":{"containers":[{"args":[],"image":"nginx:1","name":"c"}],"volumes":[]}}}}',
  },
  { name: 'a template with no metadata and an empty pod spec', template: { spec: { containers: [] } }, hash: '56fd5cb47c' },
];

function daemonSet(template: PodTemplateSpec, collisionCount: number | undefined): MyDaemonSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDaemonSet',
    metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid' },
    spec: { selector: { matchLabels: { app: 'x' } }, template },
    ...(collisionCount === undefined ? {} : { status: { collisionCount } }),
  };
}

function statefulSet(template: PodTemplateSpec, collisionCount: number | undefined): MyStatefulSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyStatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid' },
    spec: { replicas: 1, serviceName: 'web', selector: { matchLabels: { app: 'x' } }, template },
    ...(collisionCount === undefined ? {} : { status: { collisionCount } }),
  };
}

describe('pinned revision hashes (must not change across operator upgrades)', () => {
  for (const c of cases) {
    it(`DaemonSet: ${c.name}`, () => {
      const { current, hash } = constructHistory(daemonSet(c.template, c.collisionCount), [], []);
      assert.equal(hash, c.hash);
      assert.equal(current.metadata.name, `agent-${c.hash}`);
      assert.equal(current.metadata.labels?.['controller-revision-hash'], c.hash);
    });

    it(`StatefulSet: ${c.name}`, () => {
      const set = statefulSet(c.template, c.collisionCount);
      const built = newStatefulSetRevision(set, 1, c.collisionCount ?? 0);
      assert.equal(built.metadata.name, `web-${c.hash}`);
      assert.equal(built.metadata.labels?.['controller.kubernetes.io/hash'], c.hash);
      const { write } = resolveStatefulSetRevisions(set, []);
      assert.equal(write.kind === 'create' ? write.revision.metadata.name : undefined, `web-${c.hash}`);
    });

    const { hashInput } = c;
    if (hashInput !== undefined) {
      it(`hash input: ${c.name}`, () => {
        assert.equal(revisionDataKey(templatePatch(c.template)), hashInput);
      });
    }
  }
});

// kubectl my migrate: the pure decisions (targets, refusals, conversions, what is reported as
// orphaned), then the command against a local stand-in for the API server that plays the garbage
// collector: which requests it sends in which order (DELETE with propagationPolicy Orphan and a UID
// precondition, the waits, strict creates), that --dry-run writes nothing, and the refusals.
import assert from 'node:assert/strict';
import type { ControllerRevision, PersistentVolumeClaim, Pod, PodTemplateSpec } from '../../src/api/core.ts';
import type { KubeObject } from '../../src/api/meta.ts';
import { isRecord } from '../../src/api/meta.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../../src/api/workloads.ts';
import { buildCli } from '../../src/cli/main.ts';
import { checkDirection } from '../../src/cli/migrate/command.ts';
import { convertWorkload, extensionFieldsInUse, refusal, replicaSetFromMine } from '../../src/cli/migrate/convert.ts';
import { claimGroup, claimsKept, dependentsDetail, dependentsSummary, podGroup, revisionGroup } from '../../src/cli/migrate/dependents.ts';
import { daemonSets, deployments, parseMigrateTarget, replicaSets, type Workload } from '../../src/cli/migrate/kinds.ts';
import { migrate } from '../../src/cli/migrate/migrate.ts';
import { myDaemonSets, myDeployments } from '../../src/api/workloads.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startRecordingApiServer, type Answer, type ReceivedRequest, type RecordingApiServer } from '../support/recording-api-server.ts';

const template = (image: string, labels: Record<string, string> = { app: 'agent' }): PodTemplateSpec => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image, imagePullPolicy: 'IfNotPresent' }] },
});

function daemonSet(extra: Partial<MyDaemonSet['spec']> = {}, meta: Partial<MyDaemonSet['metadata']> = {}): MyDaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { namespace: 'ns', name: 'agent', uid: 'uid-ds', resourceVersion: '10', generation: 2, ...meta },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent:2'), revisionHistoryLimit: 10, ...extra },
    status: { observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2 },
  };
}

function pod(name: string, owner: string, labels: Record<string, string> = { app: 'agent' }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: 'ns',
      name,
      uid: `uid-${name}`,
      labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: owner, controller: true }],
    },
    spec: { containers: [{ name: 'c', image: 'agent:2' }] },
  };
}

function revision(name: string, number: number, owner: string): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { namespace: 'ns', name, uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: owner, controller: true }] },
    revision: number,
    data: {},
  };
}

describe('kubectl my migrate', () => {
  describe('targets', () => {
    it('takes kubectl\'s spellings of the apps/v1 kinds and our short names', () => {
      assert.deepEqual(parseMigrateTarget(['ds/agent']), { kind: 'DaemonSet', from: 'apps/v1', name: 'agent' });
      assert.deepEqual(parseMigrateTarget(['statefulsets.apps', 'web']), { kind: 'StatefulSet', from: 'apps/v1', name: 'web' });
      assert.deepEqual(parseMigrateTarget(['deploy/web']), { kind: 'Deployment', from: 'apps/v1', name: 'web' });
      assert.deepEqual(parseMigrateTarget(['mds/agent']), { kind: 'DaemonSet', from: 'apps.my.dev/v1alpha1', name: 'agent' });
      assert.deepEqual(parseMigrateTarget(['mydeployments.apps.my.dev/web']), { kind: 'Deployment', from: 'apps.my.dev/v1alpha1', name: 'web' });
    });

    it('names every kind it takes when the type is unknown, and asks for a missing name', () => {
      assert.throws(() => parseMigrateTarget(['rs/web']), /unsupported resource type "rs": use ds, sts or deploy \(apps\/v1\), or mds, msts or mdeploy \(with --to apps\/v1\)/);
      assert.throws(() => parseMigrateTarget(['ds/']), /missing the name of the DaemonSet/);
      assert.throws(() => parseMigrateTarget(['ds/a', 'b', 'c']), /expected one resource/);
    });

    it('moves our kinds back only with an explicit --to apps/v1, and nothing to where it already is', () => {
      const ours = parseMigrateTarget(['mds/agent']);
      assert.throws(() => checkDirection(ours, undefined), /^MigrationRefused: mydaemonset.apps.my.dev\/agent is not apps\/v1: to move it back to apps\/v1, pass --to apps\/v1/);
      assert.deepEqual(checkDirection(ours, 'apps/v1'), ours);
      const theirs = parseMigrateTarget(['ds/agent']);
      assert.throws(() => checkDirection(theirs, 'apps/v1'), /daemonset.apps\/agent is already apps\/v1/);
      assert.deepEqual(checkDirection(theirs, undefined), theirs);
      assert.throws(() => checkDirection(ours, 'apps.my.dev/v1alpha1'), /is already apps.my.dev\/v1alpha1/);
    });
  });

  describe('refusals', () => {
    const ds = (spec: Partial<MyDaemonSet['spec']>, meta: Partial<MyDaemonSet['metadata']> = {}): Workload => ({ kind: 'DaemonSet', obj: daemonSet(spec, meta) });

    it('refuses an object being deleted and one another controller owns', () => {
      assert.equal(refusal(ds({}, { deletionTimestamp: '2026-12-06T00:00:00Z' }), daemonSets, 'apps.my.dev/v1alpha1'), 'daemonset.apps/agent is being deleted');
      const owned = ds({}, { ownerReferences: [{ apiVersion: 'x/v1', kind: 'Agent', name: 'a', uid: 'u', controller: true }] });
      assert.equal(refusal(owned, daemonSets, 'apps.my.dev/v1alpha1'), 'daemonset.apps/agent is controlled by Agent/a: migrate its owner instead');
      assert.equal(refusal(ds({}), daemonSets, 'apps.my.dev/v1alpha1'), undefined);
    });

    it('refuses a paused Deployment going to MyDeployment, not a paused MyDeployment going back', () => {
      const d: MyDeployment = { metadata: { name: 'web' }, spec: { selector: {}, template: template('w'), paused: true } };
      assert.match(refusal({ kind: 'Deployment', obj: d }, deployments, 'apps.my.dev/v1alpha1') ?? '', /^deployment.apps\/web is paused: resume it \(kubectl rollout resume deployment\/web\)/);
      assert.equal(refusal({ kind: 'Deployment', obj: d }, myDeployments, 'apps/v1'), undefined);
    });

    it('lists the extension fields in use going back to apps/v1, and ignores those set to their no-op value', () => {
      const used = ds({ paused: true, progressDeadlineSeconds: 60, autoRollback: true, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, selector: { matchLabels: { pool: 'canary' } } } } });
      assert.deepEqual(extensionFieldsInUse(used), [
        'spec.paused',
        'spec.progressDeadlineSeconds',
        'spec.autoRollback',
        'spec.updateStrategy.rollingUpdate.partition',
        'spec.updateStrategy.rollingUpdate.selector',
      ]);
      assert.equal(
        refusal({ kind: 'DaemonSet', obj: { ...used.obj, metadata: { name: 'agent' } } }, myDaemonSets, 'apps/v1'),
        'mydaemonset.apps.my.dev/agent uses fields apps/v1 DaemonSet lacks: spec.paused, spec.progressDeadlineSeconds, spec.autoRollback, ' +
          'spec.updateStrategy.rollingUpdate.partition, spec.updateStrategy.rollingUpdate.selector; remove them from its spec before migrating to apps/v1',
      );
      assert.deepEqual(extensionFieldsInUse(ds({ paused: false, autoRollback: false, updateStrategy: { rollingUpdate: { partition: 0 } } })), []);
      const deployment: MyDeployment = { metadata: { name: 'web' }, spec: { selector: {}, template: template('w'), paused: true, progressDeadlineSeconds: 60, autoRollback: true } };
      assert.deepEqual(extensionFieldsInUse({ kind: 'Deployment', obj: deployment }), ['spec.autoRollback'], 'paused and progressDeadlineSeconds are apps/v1 Deployment fields');
      const set: MyStatefulSet = { metadata: { name: 'web' }, spec: { selector: {}, template: template('w'), updateStrategy: { rollingUpdate: { partition: 2 } } } };
      assert.deepEqual(extensionFieldsInUse({ kind: 'StatefulSet', obj: set }), [], 'a StatefulSet partition is apps/v1');
    });
  });

  describe('conversions', () => {
    it('copies the live spec under our apiVersion and kind, and only the metadata a user owns', () => {
      const lastApplied = '{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},"spec":{}}\n';
      const source = daemonSet(
        {},
        {
          labels: { team: 'a' },
          annotations: { note: 'n', 'deprecated.daemonset.template.generation': '2', 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
          ownerReferences: [{ apiVersion: 'x/v1', kind: 'Bundle', name: 'b', uid: 'u' }],
          finalizers: ['example.com/keep'],
          creationTimestamp: '2026-12-06T00:00:00Z',
          managedFields: [{}],
        },
      );
      assert.deepEqual(convertWorkload({ kind: 'DaemonSet', obj: source }, myDaemonSets, 'apps.my.dev/v1alpha1'), {
        apiVersion: 'apps.my.dev/v1alpha1',
        kind: 'MyDaemonSet',
        metadata: {
          name: 'agent',
          namespace: 'ns',
          labels: { team: 'a' },
          annotations: {
            note: 'n',
            'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps.my.dev/v1alpha1","kind":"MyDaemonSet","metadata":{"name":"agent"},"spec":{}}\n',
          },
          ownerReferences: [{ apiVersion: 'x/v1', kind: 'Bundle', name: 'b', uid: 'u' }],
        },
        spec: source.spec,
      });
    });

    it('drops the Deployment revision annotation (the controller writes it) and a last-applied record that is no JSON object', () => {
      const d: MyDeployment = {
        metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '4', 'kubectl.kubernetes.io/last-applied-configuration': '[]' } },
        spec: { selector: {}, template: template('w') },
      };
      assert.deepEqual(convertWorkload({ kind: 'Deployment', obj: d }, myDeployments, 'apps.my.dev/v1alpha1').metadata, { name: 'web', namespace: undefined });
    });

    it('leaves out the extension fields set to their no-op value going back to apps/v1', () => {
      const ours: MyDaemonSet = {
        ...daemonSet({ paused: false, autoRollback: false, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, partition: 0 } } }),
        apiVersion: 'apps.my.dev/v1alpha1',
        kind: 'MyDaemonSet',
      };
      const converted = convertWorkload({ kind: 'DaemonSet', obj: ours }, daemonSets, 'apps/v1');
      assert.equal(converted.kind, 'DaemonSet');
      assert.deepEqual(converted.spec, { ...daemonSet().spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } });
      const deployment: MyDeployment = { metadata: { name: 'web' }, spec: { selector: {}, template: template('w'), paused: false, autoRollback: false, progressDeadlineSeconds: 600 } };
      assert.deepEqual(convertWorkload({ kind: 'Deployment', obj: deployment }, deployments, 'apps/v1').spec, { selector: {}, template: template('w'), paused: false, progressDeadlineSeconds: 600 });
    });

    it('makes a MyReplicaSet an apps/v1 ReplicaSet of the same name, labels, annotations and spec, without its dead owner', () => {
      const rs: MyReplicaSet = {
        metadata: {
          namespace: 'ns',
          name: 'web-5d8f',
          uid: 'uid-rs',
          labels: { app: 'web', 'pod-template-hash': '5d8f' },
          annotations: { 'deployment.kubernetes.io/revision': '2' },
          ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'web', uid: 'uid-web', controller: true }],
        },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } }, template: template('w', { app: 'web', 'pod-template-hash': '5d8f' }) },
      };
      assert.deepEqual(replicaSetFromMine(rs, replicaSets), {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { namespace: 'ns', name: 'web-5d8f', labels: rs.metadata.labels, annotations: { 'deployment.kubernetes.io/revision': '2' } },
        spec: rs.spec,
      });
    });
  });

  describe('what is reported as orphaned', () => {
    it('counts each kind of dependent, pods always, and the claims kept by name', () => {
      const dependents = {
        orphaned: [podGroup([pod('web-0', 'u'), pod('web-1', 'u')]), revisionGroup([revision('web-b', 2, 'u'), revision('web-a', 1, 'u')]), claimGroup([])],
        claimsKept: ['www-web-0', 'www-web-1'],
      };
      assert.equal(dependentsSummary(dependents), 'orphaned 2 pods, 2 ControllerRevisions; 2 claims kept');
      assert.deepEqual(dependentsDetail(dependents), ['  pods: web-0, web-1', '  ControllerRevisions: web-a (revision 1), web-b (revision 2)', '  claims kept: www-web-0, www-web-1']);
      assert.equal(dependentsSummary({ orphaned: [podGroup([])], claimsKept: [] }), 'orphaned 0 pods');
      assert.equal(dependentsSummary({ orphaned: [podGroup([pod('a', 'u')]), revisionGroup([revision('r', 1, 'u')])], claimsKept: [] }), 'orphaned 1 pod, 1 ControllerRevision');
    });

    it('finds a StatefulSet\'s claims by template and pod name, leaving out those it owns and those missing', () => {
      const claim = (name: string): PersistentVolumeClaim => ({ metadata: { name }, spec: {} });
      const spec = { volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: {} }, { metadata: { name: 'logs' }, spec: {} }] };
      const claims = [claim('www-web-0'), claim('www-web-1'), claim('logs-web-0'), claim('other')];
      assert.deepEqual(claimsKept(spec, [pod('web-0', 'u'), pod('web-1', 'u')], claims, [claim('logs-web-0')]), ['www-web-0', 'www-web-1']);
    });
  });
});

// ---- the command over HTTP ----------------------------------------------------------------------

interface PathParts {
  readonly collection: string;
  readonly plural: string;
  readonly group: string;
  readonly name: string | undefined;
}

/** `/apis/apps/v1/namespaces/ns/daemonsets/agent` → its collection, plural, group and name. */
function parsePath(path: string): PathParts {
  const parts = path.split('/');
  const at = parts.indexOf('namespaces');
  const plural = parts[at + 2] ?? '';
  return { collection: parts.slice(0, at + 3).join('/'), plural, group: parts[1] === 'api' ? '' : (parts[2] ?? ''), name: parts[at + 3] };
}

function status(code: number, reason: string, message: string): Answer {
  return { status: code, body: { kind: 'Status', status: 'Failure', code, reason, message } };
}

/**
 * Objects by path, and a garbage collector: an orphaning DELETE marks the object, which stays
 * (with the `orphan` finalizer) for `gcPolls` GETs, then goes; its dependents keep naming it for
 * `orphanLag` more lists. POST honours dryRun, refuses existing names, and asks `refuseCreate`.
 */
class FakeCluster {
  readonly objects = new Map<string, KubeObject>();
  gcPolls = 0;
  orphanLag = 0;
  refuseCreate: (path: string, body: KubeObject) => Answer | undefined = () => undefined;
  private deleting = new Map<string, number>();
  private lagging: { uid: string; lists: number } | undefined;
  private nextUid = 0;

  add(collection: string, ...objs: KubeObject[]): void {
    for (const obj of objs) this.objects.set(`${collection}/${obj.metadata.name ?? ''}`, obj);
  }

  get(collection: string, name: string): KubeObject | undefined {
    return this.objects.get(`${collection}/${name}`);
  }

  answer(request: ReceivedRequest): Answer {
    const [path = '', query = ''] = request.url.split('?');
    const params = new URLSearchParams(query);
    const parts = parsePath(path);
    const notFound = (): Answer => status(404, 'NotFound', `${parts.plural}${parts.group ? `.${parts.group}` : ''} "${parts.name ?? ''}" not found`);
    switch (request.method) {
      case 'GET':
        if (parts.name === undefined) return { status: 200, body: { metadata: { resourceVersion: '1' }, items: this.list(parts.collection) } };
        this.collect(path);
        return this.objects.has(path) ? { status: 200, body: this.objects.get(path) } : notFound();
      case 'DELETE':
        return this.delete(path, JSON.parse(request.body) as unknown, notFound);
      case 'POST': {
        const body = JSON.parse(request.body) as KubeObject;
        const item = `${path}/${body.metadata.name ?? ''}`;
        const refused = this.refuseCreate(path, body);
        if (refused) return refused;
        if (this.objects.has(item)) return status(409, 'AlreadyExists', `${parts.plural}.${parts.group} "${body.metadata.name ?? ''}" already exists`);
        const created = { ...body, metadata: { ...body.metadata, uid: `new-${this.nextUid++}` } };
        if (params.get('dryRun') !== 'All') this.objects.set(item, created);
        return { status: 201, body: created };
      }
      default:
        return status(405, 'MethodNotAllowed', request.method);
    }
  }

  private list(collection: string): KubeObject[] {
    const items = [...this.objects].filter(([key]) => key.startsWith(`${collection}/`)).map(([, obj]) => obj);
    if (this.lagging && this.lagging.lists-- <= 0) {
      this.orphan(this.lagging.uid);
      this.lagging = undefined;
      return [...this.objects].filter(([key]) => key.startsWith(`${collection}/`)).map(([, obj]) => obj);
    }
    return items;
  }

  private delete(path: string, options: unknown, notFound: () => Answer): Answer {
    const obj = this.objects.get(path);
    if (!obj || this.deleting.has(path)) return notFound();
    const preconditions = isRecord(options) && isRecord(options.preconditions) ? options.preconditions : {};
    if (preconditions.uid !== obj.metadata.uid) return status(409, 'Conflict', 'Precondition failed: UID in precondition does not match');
    if (isRecord(options) && Array.isArray(options.dryRun)) return { status: 200, body: obj };
    const marked = { ...obj, metadata: { ...obj.metadata, deletionTimestamp: '2026-12-06T00:00:00Z', finalizers: ['orphan'] } };
    this.objects.set(path, marked);
    this.deleting.set(path, this.gcPolls);
    this.collect(path);
    return { status: 200, body: marked };
  }

  /** The garbage collector's turn on `path`, once per GET of it. */
  private collect(path: string): void {
    const polls = this.deleting.get(path);
    if (polls === undefined) return;
    if (polls > 0) {
      this.deleting.set(path, polls - 1);
      return;
    }
    const uid = this.objects.get(path)?.metadata.uid ?? '';
    this.objects.delete(path);
    this.deleting.delete(path);
    if (this.orphanLag > 0) this.lagging = { uid, lists: this.orphanLag };
    else this.orphan(uid);
  }

  private orphan(uid: string): void {
    for (const [key, obj] of this.objects) {
      const refs = obj.metadata.ownerReferences;
      if (!refs?.some((r) => r.uid === uid)) continue;
      this.objects.set(key, { ...obj, metadata: { ...obj.metadata, ownerReferences: refs.filter((r) => r.uid !== uid) } });
    }
  }
}

const ns = '/namespaces/ns';
const paths = {
  daemonSets: `/apis/apps/v1${ns}/daemonsets`,
  myDaemonSets: `/apis/apps.my.dev/v1alpha1${ns}/mydaemonsets`,
  statefulSets: `/apis/apps/v1${ns}/statefulsets`,
  deployments: `/apis/apps/v1${ns}/deployments`,
  replicaSets: `/apis/apps/v1${ns}/replicasets`,
  myDeployments: `/apis/apps.my.dev/v1alpha1${ns}/mydeployments`,
  myReplicaSets: `/apis/apps.my.dev/v1alpha1${ns}/myreplicasets`,
  pods: `/api/v1${ns}/pods`,
  revisions: `/apis/apps/v1${ns}/controllerrevisions`,
  claims: `/api/v1${ns}/persistentvolumeclaims`,
};

/** `METHOD path?query` with the query keys that matter here, for asserting request order. */
function line(r: ReceivedRequest): string {
  const [path = '', query = ''] = r.url.split('?');
  const params = new URLSearchParams(query);
  const kept = ['dryRun', 'fieldValidation'].filter((k) => params.has(k)).map((k) => `${k}=${params.get(k) ?? ''}`);
  let dry = '';
  if (r.method === 'DELETE') {
    const body: unknown = JSON.parse(r.body);
    if (isRecord(body) && Array.isArray(body.dryRun)) dry = ' (dry run)';
  }
  return `${r.method} ${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}${dry}`;
}

function myDeployment(): MyDeployment {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDeployment',
    metadata: { namespace: 'ns', name: 'web', uid: 'uid-web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('web:2', { app: 'web' }), autoRollback: false },
  };
}

function ownedReplicaSet(name: string, hash: string, owner: { kind: string; uid: string }, replicas: number): MyReplicaSet {
  const labels = { app: 'web', 'pod-template-hash': hash };
  return {
    metadata: {
      namespace: 'ns',
      name,
      uid: `uid-${name}`,
      labels,
      annotations: { 'deployment.kubernetes.io/revision': hash === 'new' ? '2' : '1' },
      ownerReferences: [{ apiVersion: 'x', kind: owner.kind, name: 'web', uid: owner.uid, controller: true }],
    },
    spec: { replicas, selector: { matchLabels: labels }, template: template('web', labels) },
  };
}

describe('kubectl my migrate, over HTTP', () => {
  let server: RecordingApiServer;
  let cluster: FakeCluster;

  before(async () => {
    server = await startRecordingApiServer((request) => cluster.answer(request));
  });
  after(() => server.close());
  beforeEach(() => {
    cluster = new FakeCluster();
    server.received.length = 0;
  });

  async function kubectlMy(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' })).parseAsync(args, { from: 'user' });
    return lines;
  }

  const requests = (): string[] => server.received.map(line);
  const writes = (): ReceivedRequest[] => server.received.filter((r) => r.method !== 'GET');

  function withDaemonSet(): void {
    cluster.add(paths.daemonSets, daemonSet());
    cluster.add(paths.pods, pod('agent-a', 'uid-ds'), pod('agent-b', 'uid-ds'), pod('other', 'uid-other'));
    cluster.add(paths.revisions, revision('agent-1', 1, 'uid-ds'), revision('agent-2', 2, 'uid-ds'));
  }

  it('orphan-deletes a DaemonSet, waits for its pods and revisions to be orphaned, and says what to apply', async () => {
    withDaemonSet();
    assert.deepEqual(await kubectlMy('migrate', 'ds/agent'), [
      'daemonset.apps/agent deleted (orphaned 2 pods, 2 ControllerRevisions)',
      'now apply the manifest with apiVersion: apps.my.dev/v1alpha1 and kind: MyDaemonSet',
    ]);
    assert.deepEqual(requests(), [
      `GET ${paths.daemonSets}/agent`,
      `POST ${paths.myDaemonSets}?dryRun=All&fieldValidation=Strict`,
      `GET ${paths.pods}`,
      `GET ${paths.revisions}`,
      `DELETE ${paths.daemonSets}/agent`,
      `GET ${paths.daemonSets}/agent`,
      `GET ${paths.pods}`,
      `GET ${paths.revisions}`,
    ]);
    const deletion = server.received.find((r) => r.method === 'DELETE');
    assert.deepEqual(JSON.parse(deletion?.body ?? ''), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Orphan', preconditions: { uid: 'uid-ds' } });
    assert.equal(cluster.get(paths.daemonSets, 'agent'), undefined);
    assert.deepEqual(cluster.get(paths.pods, 'agent-a')?.metadata.ownerReferences, []);
    assert.equal(cluster.get(paths.myDaemonSets, 'agent'), undefined, 'nothing is created without --apply');
  });

  it('--apply creates the MyDaemonSet from the DaemonSet\'s spec, strictly validated, once the pods are orphaned', async () => {
    withDaemonSet();
    assert.deepEqual(await kubectlMy('migrate', 'daemonset', 'agent', '--apply'), [
      'daemonset.apps/agent deleted (orphaned 2 pods, 2 ControllerRevisions)',
      'mydaemonset.apps.my.dev/agent created',
    ]);
    assert.equal(requests().at(-1), `POST ${paths.myDaemonSets}?fieldValidation=Strict`);
    const created = server.received.at(-1);
    assert.match(created?.url ?? '', /fieldManager=kubectl-my-migrate/);
    const body = JSON.parse(created?.body ?? '') as MyDaemonSet;
    assert.equal(body.apiVersion, 'apps.my.dev/v1alpha1');
    assert.equal(body.kind, 'MyDaemonSet');
    assert.deepEqual(body.spec, daemonSet().spec);
    assert.equal(body.status, undefined);
    assert.ok(cluster.get(paths.myDaemonSets, 'agent'));
  });

  it('--dry-run lists what would be orphaned and created, checked by server dry runs, and writes nothing', async () => {
    withDaemonSet();
    assert.deepEqual(await kubectlMy('migrate', 'ds/agent', '--dry-run', '--apply'), [
      'daemonset.apps/agent deleted (orphaned 2 pods, 2 ControllerRevisions) (dry run)',
      '  pods: agent-a, agent-b',
      '  ControllerRevisions: agent-1 (revision 1), agent-2 (revision 2)',
      'mydaemonset.apps.my.dev/agent created (dry run)',
    ]);
    assert.deepEqual(
      writes().map(line),
      [`POST ${paths.myDaemonSets}?dryRun=All&fieldValidation=Strict`, `DELETE ${paths.daemonSets}/agent (dry run)`],
      'every write is a server dry run',
    );
    assert.equal(cluster.get(paths.daemonSets, 'agent')?.metadata.deletionTimestamp, undefined);
    assert.equal(cluster.get(paths.pods, 'agent-a')?.metadata.ownerReferences?.[0]?.uid, 'uid-ds');
    assert.equal(cluster.get(paths.myDaemonSets, 'agent'), undefined);
  });

  it('lists a Deployment\'s ReplicaSets by its UID before deleting it, then orphan-deletes each', async () => {
    const d: MyDeployment = { ...myDeployment(), apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'ns', name: 'web', uid: 'uid-d' } };
    cluster.add(paths.deployments, d);
    const owner = { kind: 'Deployment', uid: 'uid-d' };
    cluster.add(paths.replicaSets, ownedReplicaSet('web-new', 'new', owner, 2), ownedReplicaSet('web-old', 'old', owner, 1), ownedReplicaSet('else', 'x', { kind: 'Deployment', uid: 'uid-else' }, 1));
    cluster.add(paths.pods, pod('web-new-1', 'uid-web-new'), pod('web-new-2', 'uid-web-new'), pod('web-old-1', 'uid-web-old'));
    assert.deepEqual(await kubectlMy('migrate', 'deploy/web', '--apply'), [
      'deployment.apps/web deleted (orphaned 2 ReplicaSets)',
      'replicaset.apps/web-new deleted (orphaned 2 pods)',
      'replicaset.apps/web-old deleted (orphaned 1 pod)',
      'mydeployment.apps.my.dev/web created',
    ]);
    const order = requests();
    assert.ok(order.indexOf(`GET ${paths.replicaSets}`) < order.indexOf(`DELETE ${paths.deployments}/web`));
    assert.deepEqual(
      writes().map(line),
      [
        `POST ${paths.myDeployments}?dryRun=All&fieldValidation=Strict`,
        `DELETE ${paths.deployments}/web`,
        `DELETE ${paths.replicaSets}/web-new`,
        `DELETE ${paths.replicaSets}/web-old`,
        `POST ${paths.myDeployments}?fieldValidation=Strict`,
      ],
    );
    const rsDeletion = server.received.find((r) => r.method === 'DELETE' && r.url.endsWith('/web-old'));
    assert.deepEqual(JSON.parse(rsDeletion?.body ?? ''), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Orphan', preconditions: { uid: 'uid-web-old' } });
    assert.ok(cluster.get(paths.replicaSets, 'else'), 'another Deployment\'s ReplicaSet is left alone');
    assert.deepEqual(cluster.get(paths.pods, 'web-old-1')?.metadata.ownerReferences, []);
  });

  it('takes a MyDeployment back to apps/v1: each MyReplicaSet orphaned, then recreated as a ReplicaSet, then the Deployment', async () => {
    cluster.add(paths.myDeployments, myDeployment());
    const owner = { kind: 'MyDeployment', uid: 'uid-web' };
    cluster.add(paths.myReplicaSets, ownedReplicaSet('web-new', 'new', owner, 2), ownedReplicaSet('web-old', 'old', owner, 0));
    cluster.add(paths.pods, pod('web-new-1', 'uid-web-new'), pod('web-new-2', 'uid-web-new'));
    assert.deepEqual(await kubectlMy('migrate', 'mdeploy/web', '--to', 'apps/v1', '--apply'), [
      'mydeployment.apps.my.dev/web deleted (orphaned 2 MyReplicaSets)',
      'myreplicaset.apps.my.dev/web-new deleted (orphaned 2 pods)',
      'replicaset.apps/web-new created',
      'myreplicaset.apps.my.dev/web-old deleted (orphaned 0 pods)',
      'replicaset.apps/web-old created',
      'deployment.apps/web created',
    ]);
    assert.deepEqual(writes().map(line), [
      `POST ${paths.deployments}?dryRun=All&fieldValidation=Strict`,
      `POST ${paths.replicaSets}?dryRun=All&fieldValidation=Strict`,
      `POST ${paths.replicaSets}?dryRun=All&fieldValidation=Strict`,
      `DELETE ${paths.myDeployments}/web`,
      `DELETE ${paths.myReplicaSets}/web-new`,
      `POST ${paths.replicaSets}?fieldValidation=Strict`,
      `DELETE ${paths.myReplicaSets}/web-old`,
      `POST ${paths.replicaSets}?fieldValidation=Strict`,
      `POST ${paths.deployments}?fieldValidation=Strict`,
    ]);
    const rs = cluster.get(paths.replicaSets, 'web-new') as MyReplicaSet | undefined;
    assert.equal(rs?.metadata.ownerReferences, undefined);
    assert.equal(rs?.metadata.labels?.['pod-template-hash'], 'new');
    assert.equal(rs?.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const deployment = cluster.get(paths.deployments, 'web') as MyDeployment | undefined;
    assert.equal(deployment?.spec.autoRollback, undefined, 'autoRollback: false is left out');
    assert.equal(deployment?.metadata.annotations, undefined, 'the revision annotation is the controller\'s');
  });

  it('refuses, writing nothing, a missing object, an existing target, a field the other kind lacks, and extension fields', async () => {
    await assert.rejects(kubectlMy('migrate', 'ds/agent'), /daemonsets.apps "agent" not found/);

    withDaemonSet();
    cluster.add(paths.myDaemonSets, { ...daemonSet(), kind: 'MyDaemonSet' });
    await assert.rejects(kubectlMy('migrate', 'ds/agent'), /^MigrationRefused: mydaemonset.apps.my.dev\/agent already exists$/);
    cluster.objects.delete(`${paths.myDaemonSets}/agent`);

    cluster.refuseCreate = () => status(400, 'BadRequest', 'MyDaemonSet in version "v1alpha1" cannot be handled as a MyDaemonSet: strict decoding error: unknown field "spec.future"');
    await assert.rejects(
      kubectlMy('migrate', 'ds/agent'),
      /^MigrationRefused: daemonset.apps\/agent cannot become mydaemonset.apps.my.dev\/agent: .*strict decoding error: unknown field "spec.future"$/,
    );
    cluster.refuseCreate = () => status(404, 'NotFound', 'the server could not find the requested resource');
    await assert.rejects(kubectlMy('migrate', 'ds/agent'), /the server does not serve mydaemonsets.apps.my.dev: install the CRDs/);

    const ours: MyDaemonSet = { ...daemonSet({ paused: true }), apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet' };
    cluster.add(paths.myDaemonSets, ours);
    await assert.rejects(kubectlMy('migrate', 'mds/agent', '--to', 'apps/v1'), /uses fields apps\/v1 DaemonSet lacks: spec.paused/);
    await assert.rejects(kubectlMy('migrate', 'mds/agent'), /pass --to apps\/v1/);

    assert.deepEqual(
      writes().filter((w) => !w.url.includes('dryRun=All')),
      [],
      'only dry runs were sent',
    );
    assert.equal(cluster.get(paths.daemonSets, 'agent')?.metadata.deletionTimestamp, undefined);
  });

  it('prints a note going back from a MyDaemonSet, whose pods upstream may replace', async () => {
    cluster.add(paths.myDaemonSets, { ...daemonSet(), apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet' });
    const out = await kubectlMy('migrate', 'mds/agent', '--to', 'apps/v1', '--dry-run');
    assert.deepEqual(out, [
      'mydaemonset.apps.my.dev/agent deleted (orphaned 0 pods) (dry run)',
      'now apply the manifest with apiVersion: apps/v1 and kind: DaemonSet',
      'note: the DaemonSet controller may replace the pods: see "Back to apps/v1" in docs/migrate.md',
    ]);
  });

  it('reports the claims a StatefulSet keeps by name and those it orphans', async () => {
    const set: MyStatefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { namespace: 'ns', name: 'web', uid: 'uid-sts' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('w', { app: 'web' }), volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: {} }] },
    };
    cluster.add(paths.statefulSets, set);
    cluster.add(paths.pods, pod('web-0', 'uid-sts'), pod('web-1', 'uid-sts'));
    const claim = (name: string, owner?: string): PersistentVolumeClaim => ({
      metadata: { namespace: 'ns', name, uid: `uid-${name}`, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: owner }] } : {}) },
      spec: {},
    });
    cluster.add(paths.claims, claim('www-web-0'), claim('www-web-1', 'uid-sts'));
    assert.deepEqual(await kubectlMy('migrate', 'sts/web', '--dry-run'), [
      'statefulset.apps/web deleted (orphaned 2 pods, 1 claim; 1 claim kept) (dry run)',
      '  pods: web-0, web-1',
      '  claims: www-web-1',
      '  claims kept: www-web-0',
      'now apply the manifest with apiVersion: apps.my.dev/v1alpha1 and kind: MyStatefulSet',
    ]);
    assert.ok(server.received.some((r) => r.url.startsWith(paths.claims)));
  });

  describe('waiting for the garbage collector', () => {
    beforeEach(() => {
      cluster.add(paths.daemonSets, daemonSet());
      cluster.add(paths.pods, pod('agent-a', 'uid-ds'));
    });

    it('polls until the object is gone and no dependent names it, before reporting and creating', async () => {
      cluster.gcPolls = 2;
      cluster.orphanLag = 1;
      const clock = new FakeClock();
      const lines: string[] = [];
      const done = migrate(
        { kind: 'DaemonSet', from: 'apps/v1', name: 'agent' },
        { dryRun: false, apply: true },
        { client: server.client, namespace: 'ns', out: (l) => lines.push(l), clock, pollMs: 500, timeoutMs: 60_000 },
      );
      // Two looks find work left: the object still there (finalizer orphan), then a pod naming it.
      for (let i = 0; i < 2; i++) {
        await clock.untilWaiting();
        assert.deepEqual(lines, [], 'nothing is reported while the garbage collector works');
        assert.equal(cluster.get(paths.myDaemonSets, 'agent'), undefined, 'nothing is created before the pods are orphaned');
        await clock.advanceAndRun(500);
      }
      await done;
      assert.deepEqual(lines, ['daemonset.apps/agent deleted (orphaned 1 pod)', 'mydaemonset.apps.my.dev/agent created']);
      assert.deepEqual(cluster.get(paths.pods, 'agent-a')?.metadata.ownerReferences, []);
      assert.ok(cluster.get(paths.myDaemonSets, 'agent'));
    });

    it('gives up after the timeout, naming what it waited for, and creates nothing', async () => {
      cluster.gcPolls = 1_000;
      const clock = new FakeClock();
      const done = migrate(
        { kind: 'DaemonSet', from: 'apps/v1', name: 'agent' },
        { dryRun: false, apply: true },
        { client: server.client, namespace: 'ns', out: () => undefined, clock, pollMs: 500, timeoutMs: 2_000 },
      );
      const failed = assert.rejects(
        done,
        /^OrphaningTimeout: timed out after 2s waiting for daemonset.apps\/agent to be deleted and its dependents orphaned: it still exists \(finalizers: orphan\) \(is kube-controller-manager's garbage collector running\?\)$/,
      );
      for (let i = 0; i < 4; i++) {
        await clock.untilWaiting();
        await clock.advanceAndRun(500);
      }
      await failed;
      assert.equal(cluster.get(paths.myDaemonSets, 'agent'), undefined);
    });
  });
});

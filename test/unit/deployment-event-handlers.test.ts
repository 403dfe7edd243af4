// Which MyDeployments a MyReplicaSet or pod event wakes (upstream deployment_controller.go
// addReplicaSet, updateReplicaSet, deleteReplicaSet, deletePod).
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyDeployment, MyReplicaSet } from '../../src/api/workloads.ts';
import { podEventHandler, replicaSetEventHandler } from '../../src/controllers/deployment/event-handlers.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { RecordingQueue } from '../support/recording-queue.ts';
import { deployment, ownedReplicaSet, replicaSet } from './deployment-plan-fixtures.ts';

const web = deployment({ replicas: 2 });
/** Another Deployment whose selector matches the same labels. */
const webby: MyDeployment = { ...deployment({ name: 'webby' }), metadata: { ...deployment({ name: 'webby' }).metadata, uid: 'webby-uid' } };
const recreate: MyDeployment = { ...web, spec: { ...web.spec, strategy: { type: 'Recreate' } } };

function stores<T extends MyDeployment | MyReplicaSet | Pod>(...objects: T[]): Store<T> {
  const store = new Store<T>();
  for (const obj of objects) store.upsert(obj);
  return store;
}

function orphan(name = 'orphan', labels: Record<string, string> = { app: 'web' }): MyReplicaSet {
  const rs = replicaSet(name, { replicas: 1 });
  return { ...rs, metadata: { ...rs.metadata, labels, resourceVersion: '1' } };
}

function bump(rs: MyReplicaSet, metadata: Partial<MyReplicaSet['metadata']> = {}, status: MyReplicaSet['status'] = rs.status): MyReplicaSet {
  return { ...rs, metadata: { ...rs.metadata, ...metadata, resourceVersion: `${Number(rs.metadata.resourceVersion ?? '0') + 1}` }, status };
}

function podOf(rs: MyReplicaSet, name: string): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '', controller: true }],
    },
    spec: { containers: [] },
  };
}

describe('MyDeployment event handlers: MyReplicaSets', () => {
  it('an owned RS wakes its Deployment on add, on every update with a new resourceVersion (status too), and on delete', () => {
    const queue = new RecordingQueue();
    const handler = replicaSetEventHandler({ deployments: stores(web, webby), queue });
    const rs = { ...ownedReplicaSet(web, 'web-1', { replicas: 2 }), metadata: { ...ownedReplicaSet(web, 'web-1', { replicas: 2 }).metadata, resourceVersion: '5' } };
    handler.onAdd?.(rs);
    handler.onUpdate?.(rs, bump(rs, {}, { replicas: 1 }));
    handler.onUpdate?.(rs, rs); // a resync: same resourceVersion
    handler.onDelete?.(rs);
    assert.deepEqual(queue.added, ['default/web', 'default/web', 'default/web']);
  });

  it('a reference to a Deployment of another UID (deleted and recreated) wakes nobody', () => {
    const queue = new RecordingQueue();
    const handler = replicaSetEventHandler({ deployments: stores(web), queue });
    const rs = ownedReplicaSet({ ...web, metadata: { ...web.metadata, uid: 'gone' } }, 'web-1', { replicas: 1 });
    handler.onAdd?.(rs);
    handler.onDelete?.(rs);
    assert.deepEqual(queue.added, []);
  });

  it('an orphan wakes every Deployment whose selector matches its labels, on add and on a label change', () => {
    const queue = new RecordingQueue();
    const handler = replicaSetEventHandler({ deployments: stores(web, webby), queue });
    handler.onAdd?.(orphan());
    const other = orphan('other', { app: 'other' });
    handler.onAdd?.(other);
    handler.onUpdate?.(other, bump(other, { labels: { app: 'web' } }));
    handler.onUpdate?.(orphan(), bump(orphan(), {}, { replicas: 3 })); // status only: no new adopter
    assert.deepEqual(queue.added, ['default/web', 'default/webby', 'default/web', 'default/webby']);
  });

  it('a released RS wakes its former owner, and the Deployments that may adopt it', () => {
    const queue = new RecordingQueue();
    const handler = replicaSetEventHandler({ deployments: stores(web, webby), queue });
    const owned = { ...ownedReplicaSet(web, 'web-1', { replicas: 1 }), metadata: { ...ownedReplicaSet(web, 'web-1', { replicas: 1 }).metadata, resourceVersion: '1' } };
    handler.onUpdate?.(owned, bump(owned, { ownerReferences: [] }));
    assert.deepEqual(queue.added, ['default/web', 'default/web', 'default/webby']);
  });

  it('an RS added while being deleted wakes its owner', () => {
    const queue = new RecordingQueue();
    const handler = replicaSetEventHandler({ deployments: stores(web), queue });
    const rs = ownedReplicaSet(web, 'web-1', { replicas: 1 });
    handler.onAdd?.({ ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
    assert.deepEqual(queue.added, ['default/web']);
  });
});

describe('MyDeployment event handlers: pods', () => {
  it("wakes a Recreate Deployment when the last pod of its RSes is deleted, not before", () => {
    const rs1 = ownedReplicaSet(recreate, 'web-1', { replicas: 0 });
    const rs2 = ownedReplicaSet(recreate, 'web-2', { replicas: 0 });
    const a = podOf(rs1, 'a');
    const b = podOf(rs2, 'b');
    const queue = new RecordingQueue();
    const pods = stores<Pod>(b);
    const handler = podEventHandler({ deployments: stores(recreate), replicaSets: stores(rs1, rs2), pods, queue });
    handler.onDelete?.(a); // b is still there
    assert.deepEqual(queue.added, []);
    pods.remove('default/b');
    handler.onDelete?.(b);
    assert.deepEqual(queue.added, ['default/web']);
  });

  it('ignores pod deletes of RollingUpdate Deployments, orphans, adds and updates', () => {
    const rs = ownedReplicaSet(web, 'web-1', { replicas: 0 });
    const queue = new RecordingQueue();
    const handler = podEventHandler({ deployments: stores(web), replicaSets: stores(rs), pods: stores<Pod>(), queue });
    const pod = podOf(rs, 'a');
    handler.onDelete?.(pod);
    handler.onDelete?.({ ...pod, metadata: { ...pod.metadata, ownerReferences: [] } });
    assert.deepEqual(Object.keys(handler), ['onDelete'], 'no add or update handler');
    assert.deepEqual(queue.added, []);
  });
});

// The shared informer factory's lookup that never creates an informer: what consumers use that
// only read what controllers already watch (the per-object metrics of src/controllers/workload-metrics.ts).
import assert from 'node:assert/strict';
import { myDeployments, myReplicaSets } from '../../src/api/workloads.ts';
import { KubeClient } from '../../src/runtime/client/rest.ts';
import { InformerFactory } from '../../src/runtime/informer/informer.ts';
import { silentLogger } from '../../src/runtime/logging.ts';

describe('InformerFactory.existingInformerFor', () => {
  const client = new KubeClient({ server: 'http://127.0.0.1:1', headers: () => Promise.resolve({}), dispatcher: undefined });

  it('returns the informer someone asked for, and creates none for a resource nobody asked for', () => {
    const factory = new InformerFactory({ client, logger: silentLogger() });
    const deployments = factory.informerFor(myDeployments);
    assert.equal(factory.existingInformerFor(myDeployments), deployments);
    assert.equal(factory.existingInformerFor(myReplicaSets), undefined);
    // Nothing was created by the lookup: only the one informer waits for its first list.
    assert.deepEqual(factory.unsynced(), ['mydeployments']);
  });
});

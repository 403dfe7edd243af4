// Claiming children (upstream ControllerRefManager): which objects are owned, adopted, released or
// ignored, the owner's live re-check before the first adoption, UID-guarded patches, and which
// patch errors mean "nothing to claim" rather than a failed sync. A fake client, no HTTP.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { KubeObject } from '../../src/api/meta.ts';
import type { Resource } from '../../src/api/resources.ts';
import { pods } from '../../src/api/resources.ts';
import type { ClaimClient, OwnerReader } from '../../src/controllers/shared/claim.ts';
import { claimCandidates, ClaimError, claimObjects, ownerIsLiveAndActive } from '../../src/controllers/shared/claim.ts';
import type { OwnerIdentity } from '../../src/controllers/shared/ownership.ts';
import { adoptPatch, claimDecision, controllerRef, releasePatch } from '../../src/controllers/shared/ownership.ts';
import { ApiError } from '../../src/runtime/client/errors.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { apiError } from '../support/fake-lease-api.ts';

const owner: OwnerIdentity = { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet', name: 'agent', uid: 'ds-uid' };
const other: OwnerIdentity = { ...owner, name: 'other', uid: 'other-uid' };
const selector = { matchLabels: { app: 'agent' } };

function makePod(name: string, options: { labels?: Record<string, string>; controller?: OwnerIdentity; deleting?: boolean; namespace?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace ?? 'ns',
      uid: `uid-${name}`,
      labels: options.labels ?? { app: 'agent' },
      ...(options.controller === undefined ? {} : { ownerReferences: [controllerRef(options.controller)] }),
      ...(options.deleting === true ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [] },
  };
}

/** Records each patch as `<type> <name>`, answers it with the object patched (or `fail`'s error). */
class FakeClaimClient implements ClaimClient {
  readonly log: string[] = [];
  readonly bodies = new Map<string, unknown>();
  readonly failures = new Map<string, Error>();

  async patch<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, name: string, type: 'strategic' | 'merge', body: unknown): Promise<T> {
    this.log.push(`patch ${type} ${res.plural} ${namespace ?? ''}/${name}`);
    this.bodies.set(name, body);
    await Promise.resolve();
    const failure = this.failures.get(name);
    if (failure) throw failure;
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `uid-${name}`, ownerReferences: [controllerRef(owner)] } } as unknown as T;
  }
}

interface Claim {
  readonly client: FakeClaimClient;
  /** The log of patches and owner re-checks, in order. */
  readonly log: string[];
  run(candidates: readonly Pod[]): Promise<Pod[]>;
}

function claim(ownerStillAdopting: () => Promise<boolean> = () => Promise.resolve(true)): Claim {
  const client = new FakeClaimClient();
  return {
    client,
    log: client.log,
    run: (candidates) =>
      claimObjects<Pod>({
        client,
        resource: pods,
        owner,
        namespace: 'ns',
        candidates,
        decide: (obj) => claimDecision(obj, owner, selector),
        ownerStillAdopting: async () => {
          client.log.push('recheck owner');
          return ownerStillAdopting();
        },
      }),
  };
}

const names = (objs: readonly KubeObject[]): string[] => objs.map((o) => o.metadata.name ?? '');

describe('claimObjects', () => {
  it('keeps what it owns and ignores what another controller owns or it does not select, without a call', async () => {
    const c = claim();
    const claimed = await c.run([
      makePod('mine', { controller: owner }),
      makePod('theirs', { controller: other }),
      makePod('unselected', { labels: { app: 'web' } }),
      makePod('orphan-deleting', { deleting: true }),
    ]);
    assert.deepEqual(names(claimed), ['mine']);
    assert.deepEqual(c.log, []);
  });

  it('re-reads the owner once, before the first adoption, then adopts each orphan with a UID-guarded patch', async () => {
    const c = claim();
    const claimed = await c.run([makePod('mine', { controller: owner }), makePod('orphan-1'), makePod('orphan-2')]);
    assert.deepEqual(c.log, ['recheck owner', 'patch strategic pods ns/orphan-1', 'patch strategic pods ns/orphan-2']);
    assert.deepEqual(names(claimed), ['mine', 'orphan-1', 'orphan-2']);
    assert.deepEqual(c.client.bodies.get('orphan-1'), adoptPatch(makePod('orphan-1'), owner));
    assert.deepEqual(c.client.bodies.get('orphan-1'), { metadata: { uid: 'uid-orphan-1', ownerReferences: [controllerRef(owner)] } });
  });

  it('returns the adopted object as the API server answered it', async () => {
    const c = claim();
    const [adopted] = await c.run([makePod('orphan')]);
    assert.deepEqual(adopted?.metadata.ownerReferences, [controllerRef(owner)]);
  });

  it('adopts nothing, and fails nothing, when the re-read owner is gone, replaced or being deleted', async () => {
    const c = claim(() => Promise.resolve(false));
    const claimed = await c.run([makePod('orphan-1'), makePod('mine', { controller: owner }), makePod('orphan-2')]);
    assert.deepEqual(names(claimed), ['mine']);
    assert.deepEqual(c.log, ['recheck owner'], 'asked once, no patch');
  });

  it('fails the claim when the owner cannot be re-read', async () => {
    const c = claim(() => Promise.reject(apiError(500, 'InternalError')));
    await assert.rejects(c.run([makePod('orphan')]), ClaimError);
  });

  it('releases what it owns but no longer selects, with a UID-guarded patch deleting only its reference', async () => {
    const c = claim();
    const claimed = await c.run([makePod('drifted', { controller: owner, labels: { app: 'web' } })]);
    assert.deepEqual(claimed, []);
    assert.deepEqual(c.log, ['patch strategic pods ns/drifted']);
    assert.deepEqual(c.client.bodies.get('drifted'), releasePatch(makePod('drifted'), owner));
    assert.deepEqual(c.client.bodies.get('drifted'), { metadata: { uid: 'uid-drifted', ownerReferences: [{ $patch: 'delete', uid: 'ds-uid' }] } });
  });

  it('leaves a drifted object that is being deleted alone', async () => {
    const c = claim();
    assert.deepEqual(await c.run([makePod('drifted', { controller: owner, labels: { app: 'web' }, deleting: true })]), []);
    assert.deepEqual(c.log, []);
  });

  it('takes an object gone (NotFound) or replaced under its name (UID refused: 422 or 409) as nothing to claim', async () => {
    const c = claim();
    c.client.failures.set('gone', apiError(404, 'NotFound'));
    c.client.failures.set('replaced-422', apiError(422, 'Invalid', 'Pod "replaced-422" is invalid: metadata.uid: Invalid value: "uid-x": field is immutable'));
    c.client.failures.set('replaced-409', apiError(409, 'Conflict', 'Precondition failed: UID in precondition: uid-x, UID in object meta: uid-y'));
    c.client.failures.set('released-gone', apiError(404, 'NotFound'));
    const claimed = await c.run([
      makePod('gone'),
      makePod('replaced-422'),
      makePod('replaced-409'),
      makePod('released-gone', { controller: owner, labels: {} }),
      makePod('kept'),
    ]);
    assert.deepEqual(names(claimed), ['kept']);
  });

  it('fails the claim on any other error, after trying every candidate', async () => {
    const c = claim();
    const conflict = apiError(409, 'Conflict', 'Operation cannot be fulfilled on pods "a": the object has been modified');
    c.client.failures.set('a', conflict);
    c.client.failures.set('b', apiError(500, 'InternalError', 'uid index unavailable'));
    await assert.rejects(c.run([makePod('a'), makePod('b'), makePod('c')]), (err) => {
      assert.ok(err instanceof ClaimError);
      assert.equal(err.message, 'claiming pods for agent: 2 failed');
      assert.equal(err.cause, conflict);
      return true;
    });
    assert.deepEqual(c.log.slice(1), ['patch strategic pods ns/a', 'patch strategic pods ns/b', 'patch strategic pods ns/c']);
  });

  it('never reads "uid" in the request path as a UID refusal (an object named fluid-0)', async () => {
    const c = claim();
    const failure = new ApiError({
      method: 'PATCH',
      path: '/api/v1/namespaces/ns/pods/fluid-0',
      code: 422,
      status: { reason: 'Invalid', message: 'Pod "fluid-0" is invalid: spec: Forbidden' },
      retryAfterSeconds: undefined,
    });
    c.client.failures.set('fluid-0', failure);
    await assert.rejects(c.run([makePod('fluid-0')]), ClaimError);
  });
});

describe('ownerIsLiveAndActive', () => {
  const reader = (answer: () => Promise<KubeObject>): OwnerReader => ({
    get: <T extends KubeObject>() => answer() as Promise<T>,
  });
  const live = (meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', ...meta } });
  const check = (answer: () => Promise<KubeObject>): Promise<boolean> => ownerIsLiveAndActive(reader(answer), pods, 'ns', owner);

  it('is true for the same owner, not being deleted', async () => {
    assert.equal(await check(() => Promise.resolve(live())), true);
  });

  it('is false when the name now holds another object, when it is being deleted, or when it is gone', async () => {
    assert.equal(await check(() => Promise.resolve(live({ uid: 'new-uid' }))), false);
    assert.equal(await check(() => Promise.resolve(live({ deletionTimestamp: '2026-01-01T00:00:00Z' }))), false);
    assert.equal(await check(() => Promise.reject(apiError(404, 'NotFound'))), false);
  });

  it('throws any other error', async () => {
    await assert.rejects(
      check(() => Promise.reject(apiError(500, 'InternalError'))),
      (err) => err instanceof ApiError && err.code === 500,
    );
  });
});

describe('claimCandidates', () => {
  it('lists what the owner controls, then the orphans of its namespace that its selector matches', () => {
    const store = new Store<Pod>();
    for (const p of [
      makePod('mine', { controller: owner }),
      makePod('mine-drifted', { controller: owner, labels: {} }),
      makePod('theirs', { controller: other }),
      makePod('orphan'),
      makePod('orphan-unselected', { labels: { app: 'web' } }),
      makePod('orphan-elsewhere', { namespace: 'other' }),
    ]) {
      store.upsert(p);
    }
    assert.deepEqual(names(claimCandidates(store, owner, 'ns', selector)).sort(), ['mine', 'mine-drifted', 'orphan']);
  });
});

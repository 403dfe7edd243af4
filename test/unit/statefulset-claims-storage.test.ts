// The pieces claim growth reads a claim with: quantities compared as upstream's Quantity.Cmp, and
// the StorageClass rule of the PersistentVolumeClaimResize admission plugin.
import assert from 'node:assert/strict';
import { compareQuantities, hasFileSystemResizePending, storageCapacity } from '../../src/controllers/statefulset/claim-storage.ts';
import { parseQuantity } from '../../src/controllers/shared/quantity.ts';
import { claimStorageClassName, storageClassesByName, volumeExpansionAllowed } from '../../src/controllers/statefulset/storage-class.ts';
import { claim, classes } from './statefulset-claims-fixtures.ts';

function cmp(a: string, b: string): number {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  assert.ok(qa && qb, `${a} and ${b} parse`);
  return compareQuantities(qa, qb);
}

describe('compareQuantities (upstream Quantity.Cmp)', () => {
  const rows: readonly (readonly [string, string, number])[] = [
    ['1Gi', '2Gi', -1],
    ['2Gi', '2048Mi', 0],
    ['2Gi', '2147483648', 0],
    ['2G', '2Gi', -1],
    ['1.5Gi', '1536Mi', 0],
    ['1500m', '1.5', 0],
    ['10Gi', '9Gi', 1],
    ['0', '1Ki', -1],
    ['0', '0Gi', 0],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['1e3', '999', 1],
    ['1e2000000000', '1Ei', 1],
    ['999', '1k', -1],
    ['100Mi', '0.1Gi', -1],
  ];
  for (const [a, b, expected] of rows) {
    it(`${a} against ${b} is ${expected}`, () => {
      assert.equal(cmp(a, b), expected);
      assert.equal(cmp(b, a), -expected || 0);
    });
  }
});

describe('claim storage readers', () => {
  it('reads status.capacity.storage and the FileSystemResizePending condition', () => {
    assert.equal(storageCapacity(claim(0, { capacity: '3Gi' }))?.text, '3Gi');
    assert.equal(storageCapacity(claim(0, { phase: 'Pending' })), undefined);
    assert.equal(hasFileSystemResizePending(claim(0, { fileSystemResizePending: true })), true);
    assert.equal(hasFileSystemResizePending(claim(0)), false);
  });
});

describe('volumeExpansionAllowed (upstream PersistentVolumeClaimResize allowResize)', () => {
  const byName = storageClassesByName(classes);

  it('allows a claim whose class says allowVolumeExpansion: true', () => {
    assert.deepEqual(volumeExpansionAllowed(claim(0), byName), { allowed: true });
  });

  it('refuses a class without it, a class that is gone, and a claim without a class (no default is assumed)', () => {
    assert.deepEqual(volumeExpansionAllowed(claim(0, { className: 'fixed' }), byName), {
      allowed: false,
      why: 'StorageClass "fixed" does not allow volume expansion',
    });
    assert.deepEqual(volumeExpansionAllowed(claim(0, { className: 'gone' }), byName), { allowed: false, why: 'StorageClass "gone" not found' });
    assert.deepEqual(volumeExpansionAllowed(claim(0, { className: null }), byName), { allowed: false, why: 'it has no StorageClass' });
  });

  it('reads the beta annotation before spec.storageClassName, as the API server does', () => {
    const annotated = claim(0, { className: 'fixed' });
    const withAnnotation = { ...annotated, metadata: { ...annotated.metadata, annotations: { 'volume.beta.kubernetes.io/storage-class': 'fast' } } };
    assert.equal(claimStorageClassName(withAnnotation), 'fast');
    assert.deepEqual(volumeExpansionAllowed(withAnnotation, byName), { allowed: true });
  });
});

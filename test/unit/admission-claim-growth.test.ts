// Claim-template growth in the webhook (docs/volume-growth.md): which storage requests went down,
// and which templates changed. How TemplateReview uses them: admission-templates.test.ts.
import assert from 'node:assert/strict';
import { changedClaimTemplates, claimShrinkCauses } from '../../src/admission/claim-growth.ts';
import { jsonEqual } from '../../src/admission/review.ts';

const path = ['spec', 'volumeClaimTemplates'];
const claim = (name: string, storage: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...extra },
});
const rule = 'volumeClaimTemplates: only spec.resources.requests.storage may change, and only grow';

describe('claimShrinkCauses: a claim template whose storage request goes down', () => {
  it('names the storage request of the template that shrinks, with both sizes', () => {
    assert.deepEqual(claimShrinkCauses(path, [claim('www', '2Gi'), claim('logs', '1Gi')], [claim('www', '1Gi'), claim('logs', '5Gi')]), [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.volumeClaimTemplates[1].spec.resources.requests.storage',
        message: `Invalid value: "1Gi": may not be less than 5Gi, the storage request it had: claims cannot shrink (${rule})`,
      },
    ]);
  });

  it('compares quantities, not their text: 1024Mi is 1Gi, a byte less is less, numbers are bytes', () => {
    assert.deepEqual(claimShrinkCauses(path, [claim('www', '1024Mi')], [claim('www', '1Gi')]), []);
    assert.deepEqual(claimShrinkCauses(path, [claim('www', '2Gi')], [claim('www', 1073741824)]), []);
    const [cause] = claimShrinkCauses(path, [claim('www', 1073741823)], [claim('www', '1Gi')]);
    assert.equal(cause?.message.startsWith('Invalid value: "1073741823": may not be less than 1Gi'), true);
    assert.equal(claimShrinkCauses(path, [claim('www', ' 999Mi ')], [claim('www', '1Gi')]).length, 1, 'spaces around a quantity are ignored, as UnmarshalJSON does');
  });

  it('leaves renamed, moved, added and unreadable templates to the CRD', () => {
    assert.deepEqual(claimShrinkCauses(path, [claim('data', '1Mi')], [claim('www', '1Gi')]), []);
    assert.deepEqual(claimShrinkCauses(path, [claim('logs', '1Mi'), claim('www', '1Mi')], [claim('www', '1Gi'), claim('logs', '1Gi')]), []);
    assert.deepEqual(claimShrinkCauses(path, [claim('www', '1Gi'), claim('logs', '1Mi')], [claim('www', '1Gi')]), []);
    assert.deepEqual(claimShrinkCauses(path, [claim('www', 'lots')], [claim('www', '1Gi')]), []);
    assert.deepEqual(claimShrinkCauses(path, [claim('www', undefined)], [claim('www', '1Gi')]), []);
  });
});

describe('changedClaimTemplates', () => {
  it('lists the indexes that differ from the stored templates, added ones included', () => {
    assert.deepEqual(changedClaimTemplates([claim('www', '2Gi'), claim('logs', '1Gi'), claim('new', '1Gi')], [claim('www', '1Gi'), claim('logs', '1Gi')], jsonEqual), [0, 2]);
    assert.deepEqual(changedClaimTemplates([claim('www', '1Gi')], [claim('www', '1Gi')], jsonEqual), []);
  });
});

import assert from 'node:assert/strict';
import type { QuantityValue } from '../../src/controllers/shared/quantity.ts';
import { parseQuantity, quantityFromJson, quantityValuesEqual } from '../../src/controllers/shared/quantity.ts';

function value(text: string): QuantityValue {
  const parsed = parseQuantity(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
}

function same(a: string, b: string): boolean {
  return quantityValuesEqual(value(a), value(b));
}

describe('resource quantities (exact parse)', () => {
  const equalPairs: ReadonlyArray<readonly [string, string]> = [
    ['1', '1000m'],
    ['0.5Gi', '512Mi'],
    ['1Gi', '1024Mi'],
    ['1Ki', '1024'],
    ['1k', '1000'],
    ['1.5', '1500m'],
    ['1e3', '1k'],
    ['1E3', '1000'],
    ['1e-3', '1m'],
    ['100m', '0.1'],
    ['0', '0m'],
    ['-0', '0'],
    ['+5', '5'],
    ['007', '7'],
    ['1.', '1'],
    ['1M', '1000k'],
    ['1T', '1000G'],
    ['1P', '1000T'],
    ['1E', '1000P'],
    ['1Ei', '1024Pi'],
    ['1u', '1000n'],
    ['1n', '0.000000001'],
    ['3546343826724305832', '3546343826724305832000m'],
  ];
  for (const [a, b] of equalPairs) {
    it(`reads "${a}" and "${b}" as the same amount`, () => assert.ok(same(a, b)));
  }

  const differentPairs: ReadonlyArray<readonly [string, string]> = [
    ['1', '1001m'],
    ['1Gi', '1G'],
    ['1Ki', '1k'],
    ['-1', '1'],
    ['3546343826724305832', '3546343826724305833'],
  ];
  for (const [a, b] of differentPairs) {
    it(`tells "${a}" from "${b}"`, () => assert.ok(!same(a, b)));
  }

  it('rounds values below a nano unit up to 1n, as ParseQuantity does', () => {
    assert.ok(same('0.1n', '1n'));
    assert.ok(same('1e-20', '1n'));
    assert.ok(same('1.0000000001', '1000000001n'));
    assert.ok(same('-0.1n', '-1n'));
  });

  it('keeps huge decimal exponents symbolic instead of expanding them', () => {
    assert.ok(same('1e2000000000', '10e1999999999'));
    assert.ok(!same('1e2000000000', '1e1999999999'));
  });

  it('caps binary-suffixed values at 2^63-1, as upstream does', () => {
    assert.ok(same('9Ei', '9223372036854775807'));
    assert.ok(same('9223372036854775807Ki', '9223372036854775807'));
  });

  it('refuses what ParseQuantity refuses', () => {
    for (const bad of ['', 'abc', '1e', '1Mi3', '1.5.5', '1 Gi', '1x', '1ki', 'Gi1', '1e99999999999999999999']) {
      assert.equal(parseQuantity(bad), undefined, bad);
    }
  });

  it('reads Go-lenient spellings as Go does (a lone sign or "." is 0)', () => {
    assert.ok(same('.', '0'));
    assert.ok(same('+', '0'));
    assert.ok(same('-', '0'));
  });

  it('accepts JSON numbers and surrounding spaces', () => {
    const one = quantityFromJson(1);
    const half = quantityFromJson(0.5);
    assert.ok(one && quantityValuesEqual(one, value('1000m')));
    assert.ok(half && quantityValuesEqual(half, value('500m')));
    const spaced = quantityFromJson(' 1Gi ');
    assert.ok(spaced && quantityValuesEqual(spaced, value('1Gi')));
    assert.equal(quantityFromJson(true), undefined);
    assert.equal(quantityFromJson(Number.NaN), undefined);
  });
});

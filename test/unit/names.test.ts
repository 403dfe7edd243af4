import assert from 'node:assert/strict';
import { isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../../src/api/names.ts';

describe('object name and label syntax', () => {
  describe('isDns1123Subdomain', () => {
    const valid = ['a', 'web-0', 'web-0.17979cfe362a0000', 'a.b.c', '0abc', 'x'.repeat(253)];
    const invalid = ['', 'Web', 'web_0', '-web', 'web-', 'a..b', '.a', 'a.', 'a.-b', 'x'.repeat(254)];
    for (const name of valid) it(`accepts ${name.slice(0, 30)}`, () => assert.equal(isDns1123Subdomain(name), true));
    for (const name of invalid) it(`refuses "${name.slice(0, 30)}"`, () => assert.equal(isDns1123Subdomain(name), false));
  });

  describe('isQualifiedName', () => {
    const valid = ['app', 'App_Name.v1', 'example.com/app', 'kubernetes.io/hostname', 'a'.repeat(63)];
    const invalid = ['', '/app', 'example.com/', 'a/b/c', 'Example.com/app', '-app', 'app-', 'a'.repeat(64)];
    for (const key of valid) it(`accepts ${key.slice(0, 30)}`, () => assert.equal(isQualifiedName(key), true));
    for (const key of invalid) it(`refuses "${key.slice(0, 30)}"`, () => assert.equal(isQualifiedName(key), false));
  });

  describe('isValidLabelValue', () => {
    it('accepts the empty value', () => assert.equal(isValidLabelValue(''), true));
    it('accepts mixed case, dots, dashes and underscores inside', () => assert.equal(isValidLabelValue('V1.2_rc-3'), true));
    it('refuses a value ending in a dash', () => assert.equal(isValidLabelValue('v1-'), false));
    it('refuses a value with a slash', () => assert.equal(isValidLabelValue('a/b'), false));
    it('refuses 64 characters', () => assert.equal(isValidLabelValue('a'.repeat(64)), false));
  });
});

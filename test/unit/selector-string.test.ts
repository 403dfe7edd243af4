// The selector string written to status.selector (the scale subresource's labelSelectorPath, read by
// `kubectl scale` and the HorizontalPodAutoscaler) must print as upstream prints it.
import assert from 'node:assert/strict';
import type { LabelSelector } from '../../src/api/meta.ts';
import { selectorMatches, selectorToString } from '../../src/api/selector.ts';

describe('selectorToString', () => {
  it('prints matchLabels sorted by key', () => {
    assert.equal(selectorToString({ matchLabels: { tier: 'web', app: 'nginx' } }), 'app=nginx,tier=web');
  });

  it('orders matchLabels and matchExpressions together by key, as labels.Selector.String does', () => {
    const selector: LabelSelector = {
      matchLabels: { tier: 'web' },
      matchExpressions: [
        { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
        { key: 'app', operator: 'In', values: ['nginx', 'apache'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'canary', operator: 'Exists' },
      ],
    };
    assert.equal(selectorToString(selector), 'app in (apache,nginx),canary,!legacy,tier=web,zone notin (a,b)');
  });

  it('compares keys by bytes, not by locale (upper case sorts before lower case)', () => {
    assert.equal(selectorToString({ matchLabels: { b: '1', B: '2', a: '3' } }), 'B=2,a=3,b=1');
  });

  it('prints a string that selects what the selector matches', () => {
    const selector: LabelSelector = { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'track', operator: 'In', values: ['stable'] }] };
    assert.equal(selectorToString(selector), 'app=nginx,track in (stable)');
    assert.equal(selectorMatches(selector, { app: 'nginx', track: 'stable' }), true);
    assert.equal(selectorMatches(selector, { app: 'nginx', track: 'canary' }), false);
  });
});

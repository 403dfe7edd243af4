// deploy/prometheus/rules.yaml and its promtool tests read as data: shared by the pure checks
// (test/unit/prometheus-rules.test.ts) and the ones that run promtool and helm (test/artifacts/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { isRecord } from '../../src/api/meta.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
export const rulesFile = path.join(root, 'deploy', 'prometheus', 'rules.yaml');
export const rulesTestFile = path.join(root, 'deploy', 'prometheus', 'rules.test.yaml');

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** The alerting rules of a rule file's `groups`. */
export function alertRules(groups: unknown): AlertRule[] {
  assert.ok(Array.isArray(groups), 'groups is not a list');
  const out: AlertRule[] = [];
  for (const group of groups) {
    assert.ok(isRecord(group) && Array.isArray(group.rules), 'group without rules');
    for (const rule of group.rules) {
      assert.ok(isRecord(rule) && typeof rule.alert === 'string' && typeof rule.expr === 'string', 'rule without alert or expr');
      out.push({
        alert: rule.alert,
        expr: rule.expr,
        for: typeof rule.for === 'string' ? rule.for : undefined,
        labels: stringRecord(rule.labels),
        annotations: stringRecord(rule.annotations),
      });
    }
  }
  return out;
}

/** The alerting rules of deploy/prometheus/rules.yaml. */
export function fileRules(): AlertRule[] {
  const doc: unknown = parse(readFileSync(rulesFile, 'utf8'));
  assert.ok(isRecord(doc));
  return alertRules(doc.groups);
}

// The Grafana dashboard (deploy/grafana/my-workload-operator.json) read as JSON: shared by the
// structural checks (test/unit/dashboard.test.ts) and the schema check (test/artifacts/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '../../src/api/meta.ts';

export const dashboardFile = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'grafana', 'my-workload-operator.json');

export type Json = Record<string, unknown>;

/** `value` as a list of objects; fails naming `what` otherwise. */
export function records(value: unknown, what: string): Json[] {
  assert.ok(Array.isArray(value), `${what} is not a list`);
  return value.map((item, i) => {
    assert.ok(isRecord(item), `${what}[${i}] is not an object`);
    return item;
  });
}

/** A fresh parse of the dashboard, safe to modify. */
export function loadDashboard(): Json {
  const dashboard: unknown = JSON.parse(readFileSync(dashboardFile, 'utf8'));
  assert.ok(isRecord(dashboard));
  return dashboard;
}

// The Prometheus rules (deploy/prometheus/rules.yaml), their runbooks and promtool tests, read as
// data: every alert is documented and tested both ways, every metric a rule or the dashboard reads
// is one the operator exports, and the chart's copies are in step. promtool's own checks and the
// chart's rendering of the rules run with the tools, in test/artifacts/ (npm run test:artifacts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { staleCopies } from '../../hack/sync-chart-files.ts';
import { isRecord } from '../../src/api/meta.ts';
// Every module that registers collectors on the shared registry, so its metric names resolve.
import '../../src/controllers/workload-metrics.ts';
import '../../src/runtime/client/metrics.ts';
import '../../src/runtime/controller.ts';
import '../../src/runtime/expectations.ts';
import '../../src/runtime/informer/reflector.ts';
import '../../src/runtime/leader-election.ts';
import '../../src/runtime/workqueue/metrics.ts';
import { enableProcessMetrics } from '../../src/runtime/metrics/process.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';
import { dashboardFile } from '../support/dashboard.ts';
import { fileRules, rulesTestFile } from '../support/prometheus-rules.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const runbooks = readFileSync(path.join(root, 'docs', 'runbooks.md'), 'utf8');

/** Metric names selected in a PromQL expression (every selector here has a `{…}` matcher). */
function selectedMetrics(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1] ?? '');
}

/** The dashboard's PromQL expressions. */
function dashboardExprs(): string[] {
  const dashboard: unknown = JSON.parse(readFileSync(dashboardFile, 'utf8'));
  const exprs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (isRecord(node)) {
      if (typeof node.expr === 'string') exprs.push(node.expr);
      for (const value of Object.values(node)) walk(value);
    }
  };
  walk(dashboard);
  return exprs;
}

/** Series Prometheus makes itself, not the operator. */
const prometheusMade = new Set(['up']);

/** Whether the operator's registry exports `name` (histogram series by their base name). */
function exported(name: string): boolean {
  if (registry.getSingleMetric(name) !== undefined) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && registry.getSingleMetric(base) !== undefined;
}

describe('Prometheus rules', () => {
  const rules = fileRules();

  it('has the alerts the runbooks describe', () => {
    assert.deepEqual(
      rules.map((r) => r.alert),
      [
        'MyWorkloadRolloutStuck',
        'MyDeploymentProgressDeadlineExceeded',
        'MyWorkloadProgressDeadlineExceeded',
        'MyWorkloadRolledBack',
        'MyWorkloadReconcileErrors',
        'MyWorkloadWorkQueueDepthHigh',
        'MyWorkloadLongRunningReconcile',
        'MyWorkloadNoLeader',
        'MyWorkloadWatchRestartStorm',
        'MyWorkloadOperatorDown',
      ],
    );
  });

  it('gives every alert a severity, summary, description and a runbook section that exists', () => {
    for (const rule of rules) {
      assert.match(rule.labels?.severity ?? '', /^(warning|critical)$/, `${rule.alert}: severity`);
      assert.ok(rule.annotations?.summary, `${rule.alert}: summary`);
      assert.ok(rule.annotations.description, `${rule.alert}: description`);
      const anchor = rule.alert.toLowerCase();
      assert.equal(rule.annotations.runbook_url, `docs/runbooks.md#${anchor}`, `${rule.alert}: runbook_url`);
      assert.match(runbooks, new RegExp(`^## ${rule.alert}$`, 'm'), `${rule.alert}: no section in docs/runbooks.md`);
      for (const part of ['**Meaning.**', '**Impact.**', '**Diagnosis.**', '**Mitigation.**']) {
        const section = runbooks.split(`## ${rule.alert}\n`)[1]?.split(/^## /m)[0] ?? '';
        assert.ok(section.includes(part), `${rule.alert}: runbook lacks ${part}`);
      }
    }
  });

  it('scopes every selector to the operator job', () => {
    for (const rule of rules) {
      const selectors = [...rule.expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/g)];
      assert.ok(selectors.length > 0, rule.alert);
      for (const [selector, matchers] of selectors) assert.ok(matchers?.includes('job="my-workload-operator"'), `${rule.alert}: ${selector}`);
    }
  });

  it('reads only metrics the operator exports, as does the dashboard', () => {
    enableProcessMetrics();
    const used = new Set([...rules.flatMap((r) => selectedMetrics(r.expr)), ...dashboardExprs().flatMap(selectedMetrics)]);
    assert.ok(used.size > 20, [...used].join(', '));
    const unknown = [...used].filter((name) => !prometheusMade.has(name) && !exported(name));
    assert.deepEqual(unknown, [], 'metrics not registered by the operator');
  });

  it('has a promtool test where each alert fires and one where it stays silent', () => {
    const doc: unknown = parse(readFileSync(rulesTestFile, 'utf8'));
    assert.ok(isRecord(doc) && Array.isArray(doc.tests));
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const test of doc.tests) {
      assert.ok(isRecord(test) && Array.isArray(test.alert_rule_test));
      for (const check of test.alert_rule_test) {
        assert.ok(isRecord(check) && typeof check.alertname === 'string');
        const expected = Array.isArray(check.exp_alerts) ? check.exp_alerts.length : 0;
        (expected > 0 ? firing : silent).add(check.alertname);
      }
    }
    for (const rule of rules) {
      assert.ok(firing.has(rule.alert), `${rule.alert}: no firing test`);
      assert.ok(silent.has(rule.alert), `${rule.alert}: no silent test`);
    }
  });

  it('keeps the chart copies of the rules and the dashboard in step (node hack/sync-chart-files.ts)', () => {
    assert.deepEqual(staleCopies(), [], 'stale: run node hack/sync-chart-files.ts');
  });
});

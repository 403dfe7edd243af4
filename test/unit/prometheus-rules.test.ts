// The Prometheus rules (deploy/prometheus/rules.yaml), their runbooks and promtool tests, and the
// chart's PrometheusRule and Grafana dashboard ConfigMap rendered from the same files. promtool's
// own checks run in `npm run test:rules`; here: every alert is documented and tested both ways,
// every metric a rule or the dashboard reads is one the operator exports, and the chart's copies
// and rendering keep the rules' meaning.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { helmTemplate, splitDocuments, toolsBin, toolsUnavailable } from '../../hack/render-manifests.ts';
import { staleCopies } from '../../hack/sync-chart-files.ts';
import type { MyDaemonSet, MyStatefulSet } from '../../src/api/workloads.ts';
// Every module that registers collectors on the shared registry, so its metric names resolve.
import { collectWorkloadMetrics } from '../../src/controllers/workload-metrics.ts';
import '../../src/runtime/client/metrics.ts';
import '../../src/runtime/controller.ts';
import '../../src/runtime/expectations.ts';
import '../../src/runtime/informer/reflector.ts';
import '../../src/runtime/leader-election.ts';
import '../../src/runtime/workqueue/metrics.ts';
import { enableProcessMetrics } from '../../src/runtime/metrics/process.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const rulesFile = path.join(root, 'deploy', 'prometheus', 'rules.yaml');
const rulesTestFile = path.join(root, 'deploy', 'prometheus', 'rules.test.yaml');
const dashboardFile = path.join(root, 'deploy', 'grafana', 'my-workload-operator.json');
const runbooks = readFileSync(path.join(root, 'docs', 'runbooks.md'), 'utf8');

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** The alerting rules of a rule file's `groups`. */
function alertRules(groups: unknown): AlertRule[] {
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

function fileRules(): AlertRule[] {
  const doc: unknown = parse(readFileSync(rulesFile, 'utf8'));
  assert.ok(isRecord(doc));
  return alertRules(doc.groups);
}

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

  it('reads metrics that pass promtool check metrics, per-object series included', async function () {
    if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0) {
      console.warn('      skipped: promtool not found (hack/install-prometheus.sh)');
      this.skip();
    }
    enableProcessMetrics();
    const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const ds: MyDaemonSet = {
      metadata: { namespace: 'ns', name: 'agent', uid: 'u1', generation: 1 },
      spec: { selector: { matchLabels: { app: 'a' } }, template },
      status: { desiredNumberScheduled: 2, observedGeneration: 1 },
    };
    const sts: MyStatefulSet = {
      metadata: { namespace: 'ns', name: 'web', uid: 'u2', generation: 1 },
      spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template },
      status: { replicas: 1, currentRevision: 'web-1', updateRevision: 'web-1', observedGeneration: 1 },
    };
    const informer = <T extends MyDaemonSet | MyStatefulSet>(obj: T) => ({ store: { list: () => [obj] }, addEventHandler: () => undefined });
    const unregister = collectWorkloadMetrics({ daemonSets: informer(ds), statefulSets: informer(sts) });
    try {
      const scrape = await registry.metrics();
      assert.match(scrape, /^my_workload_statefulset_status_current_revision\{namespace="ns",statefulset="web",revision="web-1"\} 1$/m);
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
      assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'promtool check metrics found problems');
      assert.equal(lint.status, 0);
    } finally {
      unregister();
    }
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

describe('Helm chart: PrometheusRule and Grafana dashboard', function () {
  this.timeout(60_000);
  let helm = '';

  before(function () {
    const why = toolsUnavailable();
    if (why) {
      console.warn(`      skipped: ${why}`);
      this.skip();
    }
    this.timeout(20 * 60_000); // a cold build of helm takes minutes
    helm = path.join(toolsBin({ quiet: true }), 'helm');
  });

  /** The chart's documents of `kind` with `values` set; values.schema.json validates them too. */
  function render(kind: string, values: readonly string[]): Record<string, unknown>[] {
    const args = values.flatMap((v) => ['--set', v]);
    return splitDocuments(helmTemplate(helm, args))
      .map((text): unknown => parse(text))
      .filter(isRecord)
      .filter((d) => d.kind === kind);
  }

  function renderedRules(values: readonly string[]): AlertRule[] {
    const [rule, ...more] = render('PrometheusRule', ['prometheusRule.enabled=true', ...values]);
    assert.ok(rule && more.length === 0, 'expected one PrometheusRule');
    assert.ok(isRecord(rule.spec));
    return alertRules(rule.spec.groups);
  }

  it('renders neither object by default', () => {
    assert.deepEqual(render('PrometheusRule', []), []);
    assert.deepEqual(
      render('ConfigMap', []).filter((c) => isRecord(c.metadata) && isRecord(c.metadata.labels) && 'grafana_dashboard' in c.metadata.labels),
      [],
    );
  });

  it('renders the rule file unchanged but for the job, which defaults to the metrics Service', () => {
    const rendered = renderedRules([]);
    const job = 'job="my-workload-operator-metrics"';
    assert.deepEqual(
      rendered,
      rules().map((r) => ({ ...r, expr: r.expr.replaceAll('job="my-workload-operator"', job) })),
    );
  });

  it('applies the stuck time, thresholds, extra labels, disabled alerts and runbook base URL', () => {
    const rendered = renderedRules([
      'prometheusRule.rolloutStuckFor=45m',
      'prometheusRule.reconcileErrorRatio=0.25',
      'prometheusRule.workQueueDepth=500',
      'prometheusRule.longRunningReconcileSeconds=300',
      'prometheusRule.watchRestartsPerMinute=2',
      'prometheusRule.alertLabels.team=platform',
      'prometheusRule.disabledAlerts={MyWorkloadOperatorDown}',
      'prometheusRule.runbookBaseUrl=https://runbooks.example/mwo.md/',
      'prometheusRule.job=mwo',
      'prometheusRule.labels.release=kube-prometheus-stack',
    ]);
    const byName = new Map(rendered.map((r) => [r.alert, r]));
    assert.equal(byName.has('MyWorkloadOperatorDown'), false);
    assert.equal(byName.get('MyWorkloadRolloutStuck')?.for, '45m');
    assert.match(byName.get('MyWorkloadReconcileErrors')?.expr ?? '', /> 0\.25\n$/);
    assert.match(byName.get('MyWorkloadWorkQueueDepthHigh')?.expr ?? '', /> 500\n$/);
    assert.match(byName.get('MyWorkloadLongRunningReconcile')?.expr ?? '', /> 300\n$/);
    assert.match(byName.get('MyWorkloadWatchRestartStorm')?.expr ?? '', /> 2\n$/);
    for (const rule of rendered) {
      assert.equal(rule.labels?.team, 'platform', rule.alert);
      assert.ok(rule.labels?.severity, rule.alert);
      assert.equal(rule.annotations?.runbook_url, `https://runbooks.example/mwo.md#${rule.alert.toLowerCase()}`);
      assert.ok(!rule.expr.includes('my-workload-operator'), rule.alert);
    }
    const [object] = render('PrometheusRule', ['prometheusRule.enabled=true', 'prometheusRule.labels.release=kube-prometheus-stack']);
    assert.ok(isRecord(object?.metadata) && isRecord(object.metadata.labels));
    assert.equal(object.metadata.labels.release, 'kube-prometheus-stack');
  });

  it('renders rules that still pass the promtool tests', function () {
    if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0) {
      console.warn('      skipped: promtool not found (hack/install-prometheus.sh)');
      this.skip();
    }
    const rendered = render('PrometheusRule', ['prometheusRule.enabled=true', 'prometheusRule.job=my-workload-operator']);
    const spec = rendered[0]?.spec;
    assert.ok(isRecord(spec));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mwo-rules-'));
    try {
      writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: spec.groups }));
      copyFileSync(rulesTestFile, path.join(dir, 'rules.test.yaml'));
      execFileSync('promtool', ['test', 'rules', path.join(dir, 'rules.test.yaml')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts the dashboard JSON in a ConfigMap the Grafana sidecar picks up', () => {
    const maps = render('ConfigMap', ['grafanaDashboard.enabled=true', 'grafanaDashboard.labels.extra=x']).filter(
      (c) => isRecord(c.metadata) && isRecord(c.metadata.labels) && c.metadata.labels.grafana_dashboard === '1',
    );
    assert.equal(maps.length, 1);
    const [map] = maps;
    assert.ok(isRecord(map?.data) && isRecord(map.metadata) && isRecord(map.metadata.labels));
    assert.equal(map.metadata.labels.extra, 'x');
    const json = map.data['my-workload-operator.json'];
    assert.equal(typeof json, 'string');
    assert.deepEqual(JSON.parse(String(json)), JSON.parse(readFileSync(dashboardFile, 'utf8')));
  });

  function rules(): AlertRule[] {
    return fileRules();
  }
});

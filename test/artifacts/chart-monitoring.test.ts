// The Helm chart's PrometheusRule and Grafana dashboard ConfigMap, rendered by helm from the same
// files as deploy/prometheus/ and deploy/grafana/: off by default, the rules' meaning kept (and
// their promtool tests still passing), the values applied. helm and promtool come from PATH
// (test/artifacts/run.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { helmTemplate, splitDocuments } from '../../hack/render-manifests.ts';
import { isRecord } from '../../src/api/meta.ts';
import { dashboardFile } from '../support/dashboard.ts';
import { alertRules, fileRules, rulesTestFile, type AlertRule } from '../support/prometheus-rules.ts';
import { onPath } from './tools.ts';

describe('Helm chart: PrometheusRule and Grafana dashboard', () => {
  let helm = '';
  let promtool = '';

  before(() => {
    helm = onPath('helm');
    promtool = onPath('promtool');
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
      fileRules().map((r) => ({ ...r, expr: r.expr.replaceAll('job="my-workload-operator"', job) })),
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

  it('renders rules that still pass the promtool tests', () => {
    const rendered = render('PrometheusRule', ['prometheusRule.enabled=true', 'prometheusRule.job=my-workload-operator']);
    const spec = rendered[0]?.spec;
    assert.ok(isRecord(spec));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mwo-rules-'));
    try {
      writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: spec.groups }));
      copyFileSync(rulesTestFile, path.join(dir, 'rules.test.yaml'));
      execFileSync(promtool, ['test', 'rules', path.join(dir, 'rules.test.yaml')], { stdio: 'pipe' });
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
});

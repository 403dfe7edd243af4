// The Grafana dashboard (deploy/grafana/my-workload-operator.json), by the structural rules an
// importable, portable dashboard follows: unique panel ids on a 24-column grid, Prometheus targets
// with an expression and a refId each, and the data source always the templated ${datasource}, so
// it imports into any Grafana. Grafana's own dashboard schema checks it in test/artifacts/.
import assert from 'node:assert/strict';
import { isRecord } from '../../src/api/meta.ts';
import { loadDashboard, records, type Json } from '../support/dashboard.ts';

/** Every panel, rows' nested panels included. */
function allPanels(dashboard: Json): Json[] {
  const top = records(dashboard.panels, 'panels');
  return top.flatMap((p) => (p.type === 'row' && Array.isArray(p.panels) ? [p, ...records(p.panels, 'row panels')] : [p]));
}

interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

function gridPos(panel: Json): GridPos {
  const g = panel.gridPos;
  assert.ok(isRecord(g), `panel ${String(panel.id)}: no gridPos`);
  const { x, y, w, h } = g;
  assert.ok(typeof x === 'number' && typeof y === 'number' && typeof w === 'number' && typeof h === 'number', `panel ${String(panel.id)}: gridPos`);
  return { x, y, w, h };
}

const templatedDatasource = { type: 'prometheus', uid: '${datasource}' };

describe('Grafana dashboard', () => {
  const dashboard = loadDashboard();
  const panels = allPanels(dashboard);
  const dataPanels = panels.filter((p) => p.type !== 'row');

  it('has the fields Grafana needs to import it, at schema version 39', () => {
    assert.equal(dashboard.schemaVersion, 39);
    assert.equal(dashboard.uid, 'my-workload-operator');
    assert.equal(typeof dashboard.title, 'string');
    assert.ok(isRecord(dashboard.time) && dashboard.time.from && dashboard.time.to);
    assert.ok(Array.isArray(dashboard.tags));
    assert.equal(dashboard.id, null, 'id must be null so an import creates the dashboard');
    assert.ok(isRecord(dashboard.templating));
  });

  it('gives every panel a unique id, a title and a place inside the 24-column grid without overlaps', () => {
    const ids = panels.map((p) => p.id);
    assert.ok(ids.every((id) => typeof id === 'number' && Number.isInteger(id) && id > 0));
    assert.equal(new Set(ids).size, ids.length, 'duplicate panel ids');
    const placed = panels.map((p) => ({ id: String(p.id), ...gridPos(p) }));
    for (const p of placed) {
      assert.ok(p.x >= 0 && p.w > 0 && p.x + p.w <= 24, `panel ${p.id} leaves the grid`);
      assert.ok(p.y >= 0 && p.h > 0, `panel ${p.id}`);
    }
    for (const a of placed) {
      for (const b of placed) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `panels ${a.id} and ${b.id} overlap`);
      }
    }
    for (const p of panels) assert.ok(typeof p.title === 'string' && p.title !== '', `panel ${String(p.id)}: title`);
  });

  it('gives every target an expression and a refId unique in its panel', () => {
    for (const panel of dataPanels) {
      const targets = records(panel.targets, `panel ${String(panel.id)} targets`);
      assert.ok(targets.length > 0, `panel ${String(panel.id)}: no targets`);
      const refIds = targets.map((t) => t.refId);
      assert.ok(refIds.every((r) => typeof r === 'string' && r !== ''), `panel ${String(panel.id)}: refId`);
      assert.equal(new Set(refIds).size, refIds.length, `panel ${String(panel.id)}: duplicate refId`);
      for (const t of targets) assert.ok(typeof t.expr === 'string' && t.expr.trim() !== '', `panel ${String(panel.id)} ${String(t.refId)}: expr`);
    }
  });

  it('queries through the templated data source and the job variable only', () => {
    const variables = records(isRecord(dashboard.templating) ? dashboard.templating.list : undefined, 'templating.list');
    const ds = variables.find((v) => v.name === 'datasource');
    assert.ok(ds, 'no datasource variable');
    assert.equal(ds.type, 'datasource');
    assert.equal(ds.query, 'prometheus');
    for (const v of variables.filter((v) => v.type === 'query')) assert.deepEqual(v.datasource, templatedDatasource, `variable ${String(v.name)}`);
    for (const panel of dataPanels) {
      assert.deepEqual(panel.datasource, templatedDatasource, `panel ${String(panel.id)}`);
      for (const t of records(panel.targets, 'targets')) {
        assert.deepEqual(t.datasource, templatedDatasource, `panel ${String(panel.id)} ${String(t.refId)}`);
        const selectors = [...String(t.expr).matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/g)];
        assert.ok(selectors.length > 0, `panel ${String(panel.id)}: no selector`);
        for (const [selector, matchers] of selectors) assert.ok(matchers?.includes('job=~"$job"'), `panel ${String(panel.id)}: ${selector}`);
      }
    }
  });

  it('shows what the operator is judged by', () => {
    const exprs = dataPanels.flatMap((p) => records(p.targets, 'targets').map((t) => String(t.expr)));
    const shows = (re: RegExp): boolean => exprs.some((e) => re.test(e));
    assert.ok(shows(/sum by \(controller, result\) \(rate\(controller_runtime_reconcile_total/), 'reconcile rate by controller and result');
    assert.ok(shows(/controller_runtime_reconcile_errors_total/), 'errors');
    for (const q of ['0.5', '0.9', '0.99']) {
      assert.ok(shows(new RegExp(`histogram_quantile\\(${q.replace('.', '\\.')}, .*controller_runtime_reconcile_time_seconds_bucket`)), `p${q}`);
    }
    assert.ok(shows(/workqueue_depth/) && shows(/workqueue_longest_running_processor_seconds/), 'work queues');
    assert.ok(shows(/sum by \(method, code\) \(rate\(rest_client_requests_total/), 'API requests by code and method');
    assert.ok(shows(/my_workload_daemonset_status_updated_number_scheduled[^\n]*\)\n\/\n[^\n]*desired_number_scheduled/), 'DaemonSet progress');
    assert.ok(shows(/my_workload_statefulset_status_replicas_updated[^\n]*\)\n\/\n[^\n]*my_workload_statefulset_replicas/), 'StatefulSet progress');
    assert.ok(dataPanels.some((p) => p.type === 'table' && /in-progress rollouts/i.test(String(p.title))), 'in-progress rollouts table');
    for (const gauge of ['spec_replicas', 'status_replicas_updated', 'status_replicas_available']) {
      assert.ok(shows(new RegExp(`max by \\(namespace, deployment\\) \\(my_workload_deployment_${gauge}\\{`)), `MyDeployment ${gauge} per deployment`);
    }
    assert.ok(shows(/my_workload_deployment_status_condition\{[^}]*condition="Progressing"/), 'MyDeployment Progressing condition');
    assert.ok(shows(/my_workload_replicaset_status_ready_replicas/) && shows(/my_workload_replicaset_spec_replicas/), 'MyReplicaSet replicas');
  });
});

// The Grafana dashboard (deploy/grafana/my-workload-operator.json): checked against Grafana's own
// dashboard schema (hack/dashboard-schema: the schema as generated into the Grafana Foundation
// SDK, a Go module) and by the structural rules an importable, portable dashboard follows: unique
// panel ids on a 24-column grid, Prometheus targets with an expression and a refId each, and the
// data source always the templated ${datasource}, so it imports into any Grafana.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const dashboardFile = path.join(root, 'deploy', 'grafana', 'my-workload-operator.json');
const validatorDir = path.join(root, 'hack', 'dashboard-schema');

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown, what: string): Json[] {
  assert.ok(Array.isArray(value), `${what} is not a list`);
  return value.map((item, i) => {
    assert.ok(isRecord(item), `${what}[${i}] is not an object`);
    return item;
  });
}

function load(): Json {
  const dashboard: unknown = JSON.parse(readFileSync(dashboardFile, 'utf8'));
  assert.ok(isRecord(dashboard));
  return dashboard;
}

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
  const dashboard = load();
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
  });

  describe("Grafana's dashboard schema", function () {
    let validator = '';

    before(function () {
      if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
        if (process.env.CI) assert.fail("'go' is not on PATH: the dashboard schema check needs it");
        console.warn("      skipped: 'go' is not on PATH (needed to build hack/dashboard-schema)");
        this.skip();
      }
      this.timeout(10 * 60_000); // a cold build downloads the SDK and compiles it: about 2 minutes
      validator = buildValidator();
    });

    it('accepts the dashboard', async function () {
      this.timeout(60_000);
      const { stdout } = await run(validator, [dashboardFile]);
      assert.match(stdout, /: valid$/m);
    });

    it('rejects a dashboard with an unknown target field or a panel off the grid (the check is not vacuous)', async function () {
      this.timeout(60_000);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mwo-dashboard-'));
      try {
        const broken = load();
        const [, firstData] = records(broken.panels, 'panels');
        assert.ok(firstData);
        const [target] = records(firstData.targets, 'targets');
        assert.ok(target);
        target.exprr = target.expr;
        const bad = path.join(dir, 'unknown-field.json');
        writeFileSync(bad, JSON.stringify(broken));
        await assert.rejects(run(validator, [bad]), (err: unknown) => err instanceof Error && /unexpected field 'exprr'/.test(String(Reflect.get(err, 'stderr'))));

        const offGrid = load();
        const [, panel] = records(offGrid.panels, 'panels');
        assert.ok(panel && isRecord(panel.gridPos));
        panel.gridPos.w = 30;
        const wide = path.join(dir, 'off-grid.json');
        writeFileSync(wide, JSON.stringify(offGrid));
        await assert.rejects(run(validator, [wide]), (err: unknown) => err instanceof Error && /gridPos\.w: must be <= 24/.test(String(Reflect.get(err, 'stderr'))));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/**
 * Builds hack/dashboard-schema into the project's tool cache, keyed by its sources, and returns
 * the binary. The Go build cache makes rebuilds after a source change quick.
 */
function buildValidator(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(validatorDir, file)));
  const cacheRoot = process.env.MWO_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'my-workload-operator');
  const dir = path.join(cacheRoot, `dashboard-schema-${hash.digest('hex').slice(0, 16)}`);
  const binary = path.join(dir, 'dashboard-schema');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const built = spawnSync('go', ['build', '-trimpath', '-o', `${binary}.tmp`, '.'], {
    cwd: validatorDir,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
  });
  if (built.status !== 0) throw new Error(`go build of hack/dashboard-schema failed:\n${built.stderr}`);
  // Rename last, so an interrupted build never leaves a binary that looks complete.
  renameSync(`${binary}.tmp`, binary);
  return binary;
}

// The Grafana dashboard against Grafana's own dashboard schema: hack/dashboard-schema, the schema
// as generated into the Grafana Foundation SDK (a Go module), built by test/artifacts/run.ts and
// found on PATH as `dashboard-schema`. The structural checks are in test/unit/dashboard.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isRecord } from '../../src/api/meta.ts';
import { dashboardFile, loadDashboard, records } from '../support/dashboard.ts';
import { onPath } from './tools.ts';

const run = promisify(execFile);

describe("Grafana's dashboard schema", () => {
  let validator = '';

  before(() => {
    validator = onPath('dashboard-schema');
  });

  it('accepts the dashboard', async () => {
    const { stdout } = await run(validator, [dashboardFile]);
    assert.match(stdout, /: valid$/m);
  });

  it('rejects a dashboard with an unknown target field or a panel off the grid (the check is not vacuous)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mwo-dashboard-'));
    try {
      const broken = loadDashboard();
      const [, firstData] = records(broken.panels, 'panels');
      assert.ok(firstData);
      const [target] = records(firstData.targets, 'targets');
      assert.ok(target);
      target.exprr = target.expr;
      const bad = path.join(dir, 'unknown-field.json');
      writeFileSync(bad, JSON.stringify(broken));
      await assert.rejects(run(validator, [bad]), (err: unknown) => err instanceof Error && /unexpected field 'exprr'/.test(String(Reflect.get(err, 'stderr'))));

      const offGrid = loadDashboard();
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

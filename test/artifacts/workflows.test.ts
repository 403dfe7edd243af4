// The GitHub Actions workflows (.github/workflows/) linted by actionlint, from PATH
// (test/artifacts/run.ts). Its shellcheck and pyflakes passes are turned off: they use whatever
// shellcheck or pyflakes the machine happens to have, and this tier runs only pinned tools.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { onPath } from './tools.ts';

const workflowDir = path.resolve(import.meta.dirname, '..', '..', '.github', 'workflows');

describe('GitHub workflows', () => {
  it('pass actionlint', () => {
    const files = existsSync(workflowDir) ? readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)) : [];
    assert.ok(files.length > 0, `no workflow in ${workflowDir}`);
    const result = spawnSync(onPath('actionlint'), ['-shellcheck=', '-pyflakes=', ...files.map((f) => path.join(workflowDir, f))], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `actionlint found problems:\n${result.stdout}${result.stderr}`);
  });
});

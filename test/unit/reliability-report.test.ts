// docs/reliability.md's table of fault-injection runs is the one its records give
// (hack/reliability-report.ts renders it from docs/reliability/runs/), and a run that found
// violations says what became of them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { docFile, renderedDoc } from '../../hack/reliability-report.ts';

const runsDir = path.join(path.dirname(docFile), 'reliability', 'runs');

describe('docs/reliability.md', () => {
  it('shows the runs recorded in docs/reliability/runs/ (node hack/reliability-report.ts renders them)', () => {
    const doc = readFileSync(docFile, 'utf8');
    assert.equal(doc, renderedDoc(doc));
  });

  it('keeps no record of a run with violations without a note on what became of them', () => {
    for (const file of readdirSync(runsDir).filter((f) => f.endsWith('.json'))) {
      const record: unknown = JSON.parse(readFileSync(path.join(runsDir, file), 'utf8'));
      if (typeof record !== 'object' || record === null || !('violations' in record) || record.violations === 0) continue;
      assert.ok('note' in record && typeof record.note === 'string' && record.note.length > 0, `${file}: violations without a note`);
    }
  });
});

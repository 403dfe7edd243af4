// docs/reliability.md's table of fault-injection runs is the one its records give
// (hack/reliability-report.ts renders it from docs/reliability/runs/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { docFile, renderedDoc } from '../../hack/reliability-report.ts';

describe('docs/reliability.md', () => {
  it('shows the runs recorded in docs/reliability/runs/ (node hack/reliability-report.ts renders them)', () => {
    const doc = readFileSync(docFile, 'utf8');
    assert.equal(doc, renderedDoc(doc));
  });

  it('records no run with invariant violations without a note saying what became of them', () => {
    const rows = doc().split('\n').filter((l) => l.startsWith('| [') && l.includes('| **'));
    for (const row of rows) assert.match(row, /fixed since|not ours/, row);
  });
});

function doc(): string {
  return readFileSync(docFile, 'utf8');
}

// Copies the Prometheus rules and the Grafana dashboard into the Helm chart's files/, which the
// chart's prometheusrule.yaml and grafana-dashboard.yaml templates read with .Files.Get (a chart
// cannot read outside its folder). deploy/prometheus/ and deploy/grafana/ are the sources; edit
// those, then run this. test/unit/prometheus-rules.test.ts fails while the copies differ.
//
//   node hack/sync-chart-files.ts           copy
//   node hack/sync-chart-files.ts --check   exit 1 if a copy differs
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const chartFiles = path.join(root, 'deploy', 'helm', 'my-workload-operator', 'files');

/** Source → copy in the chart, relative to the repository root. */
export const chartCopies: readonly { readonly source: string; readonly copy: string }[] = [
  { source: 'deploy/prometheus/rules.yaml', copy: path.relative(root, path.join(chartFiles, 'prometheus-rules.yaml')) },
  { source: 'deploy/grafana/my-workload-operator.json', copy: path.relative(root, path.join(chartFiles, 'grafana-dashboard.json')) },
];

/** The copies whose content differs from their source (a missing copy differs). */
export function staleCopies(): string[] {
  return chartCopies
    .filter(({ source, copy }) => {
      try {
        return !readFileSync(path.join(root, source)).equals(readFileSync(path.join(root, copy)));
      } catch {
        return true;
      }
    })
    .map(({ copy }) => copy);
}

if (import.meta.main) {
  if (process.argv.includes('--check')) {
    const stale = staleCopies();
    for (const copy of stale) console.error(`${copy} differs from its source: run node hack/sync-chart-files.ts`);
    process.exit(stale.length === 0 ? 0 : 1);
  }
  for (const { source, copy } of chartCopies) {
    copyFileSync(path.join(root, source), path.join(root, copy));
    console.log(`${source} → ${copy}`);
  }
}

// `npm run test:artifacts [-- files… | mocha options…]`: tests of the repository's artifacts by the
// tools that consume them — the Helm chart by helm, the alerts by promtool, the dashboard by
// Grafana's schema, the CRDs' OpenAPI source against the Kubernetes module it was copied from, the
// GitHub workflows by actionlint, the CRDs by the API server's custom resource validation, the
// kubectl plugin's npm package by npm and kubectl, its krew archives by krew.
//
// First the runner prepares what the chosen files need (`needs` below), all from the Go module
// proxy and cached under ~/.cache/my-workload-operator/: helm, prometheus/promtool, actionlint and
// krew (hack/build-tools.sh), kubectl (hack/build-control-plane.sh, the local cluster's), the
// dashboard validator (hack/dashboard-schema), the CRD validator (hack/crd-validate),
// k8s.io/kubernetes in the module cache. The tools go first on PATH, and tests find them there. Nothing is skipped: a
// preparation that fails ends the run saying what to install, and mocha forbids pending tests.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDefinitions } from '../../hack/gen-crds.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const testDir = path.join(repoRoot, 'test', 'artifacts');
const cacheRoot =
  process.env.MWO_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'my-workload-operator');

type Need = 'helm' | 'prometheus' | 'actionlint' | 'krew' | 'kubectl' | 'dashboard-schema' | 'crd-validate' | 'kubernetes-module';

/** What each test file needs prepared. A new file must say: the runner refuses files not listed. */
const needs: Readonly<Record<string, readonly Need[]>> = {
  'chart.test.ts': ['helm'],
  'chart-monitoring.test.ts': ['helm', 'prometheus'],
  'prometheus-rules.test.ts': ['prometheus'],
  'dashboard-schema.test.ts': ['dashboard-schema'],
  'crds-openapi.test.ts': ['kubernetes-module'],
  'crd-validation.test.ts': ['crd-validate'],
  'workflows.test.ts': ['actionlint'],
  'workflow.test.ts': [],
  'npm-install.test.ts': ['kubectl'],
  'krew.test.ts': ['krew', 'kubectl'],
};

const needsGo = 'this needs Go >= 1.26 (install: https://go.dev/doc/install) and the Go module proxy';

class PrepareError extends Error {}

/** Runs a preparation step with its log on stderr and returns its stdout; throws `failed` if it fails. */
function step(command: string, args: readonly string[], failed: string, cwd = repoRoot): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new PrepareError(`${failed}: ${command}: ${result.error.message}; ${needsGo}`);
  if (result.status !== 0) throw new PrepareError(`${failed} (exit ${result.status ?? 'signal'}; see above); ${needsGo}`);
  return result.stdout;
}

/** Builds (or finds cached) the named hack/build-tools.sh tools; returns the bin folder it prints last. */
function buildTools(tools: readonly string[]): string {
  return builtBin('build-tools.sh', tools, `building ${tools.join(', ')} failed`);
}

/** Runs hack/SCRIPT (a build-or-reuse script) and returns the bin folder it prints last. */
function builtBin(script: string, args: readonly string[], failed: string): string {
  const out = step('bash', [path.join(repoRoot, 'hack', script), ...args], failed);
  const bin = out.trim().split('\n').pop() ?? '';
  if (!existsSync(bin)) throw new PrepareError(`hack/${script} printed no bin folder: ${out}`);
  return bin;
}

/**
 * Builds the Go command hack/<name> (go.mod, go.sum, main.go) into a cache folder keyed by its
 * sources and returns that folder, which holds the binary `name`. Renamed into place last, so an
 * interrupted build never leaves a binary that looks complete.
 */
function buildHackCommand(name: string, what: string): string {
  const sources = path.join(repoRoot, 'hack', name);
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(sources, file)));
  const dir = path.join(cacheRoot, `${name}-${hash.digest('hex').slice(0, 16)}`);
  const binary = path.join(dir, name);
  if (existsSync(binary)) return dir;
  console.error(`[artifacts] building hack/${name} (${what})`);
  mkdirSync(dir, { recursive: true });
  step('go', ['build', '-trimpath', '-o', `${binary}.tmp`, '.'], `go build of hack/${name} failed`, sources);
  renameSync(`${binary}.tmp`, binary);
  return dir;
}

/** Puts k8s.io/kubernetes at definitions.json's version in the module cache (a no-op when it is there). */
function downloadKubernetesModule(): void {
  const { kubernetesVersion } = loadDefinitions();
  // Outside any module: only the module cache is touched.
  step('go', ['mod', 'download', `k8s.io/kubernetes@${kubernetesVersion}`], `go mod download k8s.io/kubernetes@${kubernetesVersion} failed`, os.tmpdir());
}

/** The tool folders to put on PATH, after preparing everything `wanted` names. */
function prepare(wanted: ReadonlySet<Need>): string[] {
  const bins: string[] = [];
  const tools = (['helm', 'prometheus', 'actionlint', 'krew'] as const).filter((t) => wanted.has(t));
  if (tools.length > 0) bins.push(buildTools(tools));
  // The control plane's kubectl: reused in seconds once `npm run demo` or the e2e tests built it.
  if (wanted.has('kubectl')) bins.push(builtBin('build-control-plane.sh', [], 'building the control plane (for kubectl) failed'));
  if (wanted.has('dashboard-schema')) bins.push(buildHackCommand('dashboard-schema', 'Grafana Foundation SDK; about 2 minutes cold'));
  // k8s.io/apiextensions-apiserver at the control plane's version, so mostly in the Go build cache
  if (wanted.has('crd-validate')) bins.push(buildHackCommand('crd-validate', 'k8s.io/apiextensions-apiserver; about 7 minutes with an empty Go build cache'));
  if (wanted.has('kubernetes-module')) downloadKubernetesModule();
  return bins;
}

function main(argv: readonly string[]): number {
  const chosen = argv.filter((a) => a.endsWith('.ts')).map((f) => path.resolve(f));
  const mochaOptions = argv.filter((a) => !a.endsWith('.ts'));
  const files = chosen.length > 0 ? chosen : readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(testDir, f));
  const wanted = new Set<Need>();
  for (const file of files) {
    const need = needs[path.basename(file)];
    if (!need || path.dirname(file) !== testDir) throw new PrepareError(`${path.relative(repoRoot, file)}: not an artifact test listed in test/artifacts/run.ts`);
    for (const n of need) wanted.add(n);
  }

  const started = Date.now();
  const bins = prepare(wanted);
  console.error(`[artifacts] prepared ${[...wanted].join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const mocha = path.join(repoRoot, 'node_modules', '.bin', 'mocha');
  const result = spawnSync(mocha, ['--config', path.join(testDir, '.mocharc.json'), ...mochaOptions, ...files], {
    stdio: 'inherit',
    env: { ...process.env, PATH: [...bins, process.env.PATH ?? ''].join(path.delimiter) },
  });
  return result.status ?? 1;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (err) {
  if (!(err instanceof PrepareError)) throw err;
  console.error(`[artifacts] error: ${err.message}`);
  process.exit(1);
}

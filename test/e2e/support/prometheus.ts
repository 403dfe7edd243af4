// A real Prometheus for e2e tests: the `prometheus` and `promtool` on PATH (Prometheus 3.x, which
// hack/build-tools.sh builds and npm run test:e2e puts first on PATH) on 127.0.0.1 and a free port, scraping one /metrics URL every second and evaluating
// deploy/prometheus/rules.yaml every second, with each alert's `for:` and range windows shortened
// through a rendered copy so alerts fire within a test's patience. Storage lives in a temp dir
// removed on stop. Queries go through the HTTP API, as a user's would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { pollUntil } from '../../../hack/poll.ts';
import { waitUntilServing } from '../../../hack/serving.ts';
import { isRecord } from '../../../src/api/meta.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
export const rulesFile = path.join(repoRoot, 'deploy', 'prometheus', 'rules.yaml');

/** The job the rule file selects (`job="my-workload-operator"`). */
export const operatorJob = 'my-workload-operator';

export interface RuleOverrides {
  /** `for:` of every alert not in `forByAlert`. Default: unchanged. */
  readonly for?: string;
  /** `for:` of single alerts, by name. */
  readonly forByAlert?: Readonly<Record<string, string>>;
  /** Range windows to replace in every expression, e.g. { '5m': '10s' }. */
  readonly ranges?: Readonly<Record<string, string>>;
}

/** deploy/prometheus/rules.yaml with shortened `for:` and range windows, as YAML text. */
export function renderRules(overrides: RuleOverrides): string {
  const doc: unknown = parse(readFileSync(rulesFile, 'utf8'));
  if (!isRecord(doc) || !Array.isArray(doc.groups)) throw new Error(`${rulesFile}: no groups`);
  const groups = doc.groups.map((group: unknown) => {
    if (!isRecord(group) || !Array.isArray(group.rules)) throw new Error(`${rulesFile}: group without rules`);
    const rules = group.rules.map((rule: unknown) => {
      if (!isRecord(rule) || typeof rule.expr !== 'string') throw new Error(`${rulesFile}: rule without expr`);
      const alert = typeof rule.alert === 'string' ? rule.alert : '';
      const forValue = overrides.forByAlert?.[alert] ?? overrides.for;
      let expr = rule.expr;
      for (const [from, to] of Object.entries(overrides.ranges ?? {})) expr = expr.replaceAll(`[${from}]`, `[${to}]`);
      return { ...rule, expr, ...(forValue !== undefined && 'for' in rule ? { for: forValue } : {}) };
    });
    return { ...group, rules };
  });
  return stringify({ groups });
}

export interface PrometheusOptions {
  /** The operator's /metrics URL, scraped as job "my-workload-operator". */
  readonly scrapeUrl: string;
  readonly rules: RuleOverrides;
  /** Prometheus' own log (stdout and stderr). */
  readonly logFile: string;
  /** Keep the temp dir (config, rules, TSDB) after stop. */
  readonly keepData?: boolean;
}

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Alert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: string;
  readonly activeAt?: string;
  readonly value?: string;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly dataDir: string;
  /** An instant query; the result as samples. Throws on a PromQL error. */
  query(promql: string): Promise<Sample[]>;
  /** The one sample of an instant query; undefined when the result is empty. */
  queryValue(promql: string): Promise<number | undefined>;
  /** Active (pending and firing) alerts. */
  alerts(): Promise<Alert[]>;
  /** Resolves with the first firing alert named `name` whose labels include `labels`. */
  waitForAlert(name: string, options?: { readonly labels?: Readonly<Record<string, string>>; readonly timeoutMs?: number }): Promise<Alert>;
  /** Scrape targets' health, for diagnostics. */
  targets(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Throws unless `prometheus` and `promtool` run from PATH: a test that needs them fails saying how
 * to get them, it never skips.
 */
export function requirePrometheus(): void {
  const missing = ['prometheus', 'promtool'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(' and ')} not found on PATH: npm run test:e2e puts them there; ` +
        'to run mocha yourself, prepend the folder `hack/build-tools.sh prometheus` prints (it builds them with Go >= 1.26)',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** `data` of a successful API answer; throws with Prometheus' error otherwise. */
async function apiData(url: string): Promise<unknown> {
  const res = await fetch(url);
  const body: unknown = await res.json();
  if (!isRecord(body)) throw new Error(`${url}: not a JSON object`);
  if (body.status !== 'success') throw new Error(`${url}: ${String(body.errorType)}: ${String(body.error)}`);
  return body.data;
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mwo-prometheus-'));
  const target = new URL(options.scrapeUrl);
  const port = await freePort();
  writeFileSync(path.join(dir, 'rules.yaml'), renderRules(options.rules));
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(dir, 'rules.yaml')],
      scrape_configs: [
        {
          job_name: operatorJob,
          // As the chart's ServiceMonitor must: the per-object gauges' own `namespace` label wins.
          honor_labels: true,
          scheme: target.protocol.replace(':', ''),
          metrics_path: target.pathname,
          static_configs: [{ targets: [target.host] }],
        },
      ],
    }),
  );
  const check = spawnSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`promtool check config failed:\n${check.stdout}${check.stderr}`);

  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=1d',
      '--log.level=info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (!options.keepData) rmSync(dir, { recursive: true, force: true });
  };

  const serving = await waitUntilServing(`${url}/-/ready`, { process: child, timeoutMs: 30_000 });
  if (serving === 'exited') {
    await stop();
    throw new Error(`prometheus exited with ${child.exitCode}; see ${options.logFile}`);
  }
  if (serving === 'timeout') {
    await stop();
    throw new Error(`prometheus not ready within 30 s; see ${options.logFile}`);
  }

  const query = async (promql: string): Promise<Sample[]> => {
    const data = await apiData(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    if (!isRecord(data) || !Array.isArray(data.result)) throw new Error(`query ${promql}: unexpected answer`);
    if (data.resultType === 'scalar' && Array.isArray(data.result)) return [{ labels: {}, value: Number(data.result[1]) }];
    return data.result.map((item: unknown): Sample => {
      if (!isRecord(item) || !Array.isArray(item.value)) throw new Error(`query ${promql}: unexpected sample`);
      return { labels: stringMap(item.metric), value: Number(item.value[1]) };
    });
  };

  const alerts = async (): Promise<Alert[]> => {
    const data = await apiData(`${url}/api/v1/alerts`);
    if (!isRecord(data) || !Array.isArray(data.alerts)) throw new Error('alerts: unexpected answer');
    return data.alerts.filter(isRecord).map(
      (a): Alert => ({
        labels: stringMap(a.labels),
        annotations: stringMap(a.annotations),
        state: String(a.state),
        activeAt: typeof a.activeAt === 'string' ? a.activeAt : undefined,
        value: typeof a.value === 'string' ? a.value : undefined,
      }),
    );
  };

  return {
    url,
    dataDir: dir,
    query,
    async queryValue(promql) {
      const samples = await query(promql);
      if (samples.length > 1) throw new Error(`query ${promql}: ${samples.length} samples, expected at most one`);
      return samples[0]?.value;
    },
    alerts,
    async waitForAlert(name, { labels = {}, timeoutMs = 120_000 } = {}) {
      const matches = (a: Alert): boolean =>
        a.labels.alertname === name && a.state === 'firing' && Object.entries(labels).every(([k, v]) => a.labels[k] === v);
      const seen = await pollUntil(
        `alert ${name} ${JSON.stringify(labels)} firing`,
        async () => {
          const active = await alerts();
          return { active, found: active.find(matches) };
        },
        (s): s is { active: Alert[]; found: Alert } => s.found !== undefined,
        {
          timeoutMs,
          intervalMs: 500,
          stopOnError: true,
          onTimeout: (last) =>
            new Error(`alert ${name} ${JSON.stringify(labels)} not firing within ${timeoutMs} ms; active: ${JSON.stringify(last?.active ?? [])}`),
        },
      );
      return seen.found;
    },
    targets: () => apiData(`${url}/api/v1/targets`),
    stop,
  };
}

/** `promtool check metrics` on one scrape of `metricsUrl`: its complaints, [] when clean. */
export async function lintMetrics(metricsUrl: string): Promise<{ readonly problems: string[]; readonly scrape: string }> {
  const scrape = await (await fetch(metricsUrl)).text();
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
  const problems = `${lint.stdout}${lint.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lint.status !== 0 && problems.length === 0) problems.push(`promtool exited with ${String(lint.status)}`);
  return { problems, scrape };
}

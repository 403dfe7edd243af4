// The operator process: `npm start -- [flags]`, or `node dist/main.js [flags]` in the image.
// Every flag can also come from an environment variable MWO_<FLAG_NAME> (e.g. MWO_KUBE_API_QPS);
// a flag on the command line wins.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Transport } from './runtime/client/rest.ts';
import { KubeClient, transportFromCredentials } from './runtime/client/rest.ts';
import { inClusterCredentials, kubeConfigCredentials } from './runtime/client/kubeconfig.ts';
import type { LogLevel } from './runtime/logging.ts';
import { createLogger, logLevels } from './runtime/logging.ts';
import { Manager } from './runtime/manager.ts';
import { controllerSetups } from './controllers/index.ts';
import { registerWorkloadMetrics } from './controllers/workload-metrics.ts';
import { registerTemplateWebhook } from './admission/setup.ts';
import type { EndpointOption } from './runtime/webhook/webhooks.ts';
import { Webhooks } from './runtime/webhook/webhooks.ts';

const serviceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

interface Flags {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
  readonly leaderElect: boolean;
  readonly leaderElectionNamespace?: string;
  readonly leaderElectionId: string;
  readonly leaderElectionIdentity: string;
  readonly metricsBindAddress: string;
  readonly healthProbeBindAddress: string;
  readonly webhookBindAddress: string;
  readonly webhookUrl?: string;
  readonly webhookService?: ServiceRef;
  readonly webhookConfigurationName: string;
  readonly webhookCertDir?: string;
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'text' | 'auto';
  readonly [workers: `workers${string}`]: number;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number ≥ 0');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer ≥ 1');
  return n;
}

function bindAddress(value: string): string {
  if (value === '0' || /^(\[[0-9a-fA-F:]+\]|[\w.-]*):\d{1,5}$/.test(value)) return value;
  throw new InvalidArgumentError('must be host:port, :port, or 0 to disable');
}

interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/** `namespace/name` or `namespace/name:port` (port default 443). */
function serviceRef(value: string): ServiceRef {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match?.[1] || !match[3]) throw new InvalidArgumentError('must be namespace/name or namespace/name:port');
  const port = match[5] === undefined ? 443 : Number(match[5]);
  if (port < 1 || port > 65535) throw new InvalidArgumentError('port must be 1–65535');
  return { namespace: match[1], name: match[3], port };
}

function httpsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be a URL such as https://127.0.0.1:9443');
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new InvalidArgumentError('must be an https:// URL without query, fragment or user');
  }
  return value.replace(/\/+$/, '');
}

/** A flag with its environment variable, as `--kube-api-qps` ↔ `MWO_KUBE_API_QPS`. */
function option(flags: string, description: string): Option {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? '';
  return new Option(flags, description).env(`MWO_${long.toUpperCase().replaceAll('-', '_')}`);
}

export function buildCommand(): Command {
  const program = new Command('my-workload-operator')
    .description('Runs the MyDaemonSet and MyStatefulSet controllers.')
    .addOption(option('--kubeconfig <path>', 'kubeconfig file; default: $KUBECONFIG, else in-cluster config').env('KUBECONFIG'))
    .addOption(option('--namespace <ns>', 'watch and manage only this namespace (default: all namespaces)'))
    .addOption(option('--kube-api-qps <qps>', 'client-side API request rate limit; 0 = unlimited').argParser(nonNegativeNumber).default(50))
    .addOption(option('--kube-api-burst <n>', 'requests allowed above the rate at once').argParser(positiveInt).default(100))
    .addOption(option('--leader-elect', 'elect a leader through a Lease before running controllers').default(false))
    .addOption(option('--leader-election-namespace <ns>', "the Lease's namespace (default: the pod's namespace, else default)"))
    .addOption(option('--leader-election-id <name>', "the Lease's name").default('my-workload-operator'))
    .addOption(
      option('--leader-election-identity <id>', 'who holds the Lease; a restart under the same identity takes it back at once').default(
        defaultLeaderElectionIdentity(),
        '$POD_NAME, else the host name',
      ),
    )
    .addOption(option('--metrics-bind-address <addr>', 'address of /metrics (host:port, :port, 0 = off)').argParser(bindAddress).default(':8080'))
    .addOption(
      option('--health-probe-bind-address <addr>', 'address of /healthz and /readyz (0 = off)').argParser(bindAddress).default(':8081'),
    )
    .addOption(
      option('--webhook-bind-address <addr>', 'address of the admission webhook server (HTTPS; host:port, :port, 0 = off)')
        .argParser(bindAddress)
        .default(':9443'),
    )
    .addOption(
      option('--webhook-url <url>', 'base URL the API server calls the webhook at (default: https://127.0.0.1:<bound port>)')
        .argParser(httpsUrl)
        .conflicts('webhookService'),
    )
    .addOption(
      option('--webhook-service <ns/name[:port]>', 'register a Service in front of the replicas instead of a URL (in a cluster)').argParser(
        serviceRef,
      ),
    )
    .addOption(
      option('--webhook-configuration-name <name>', 'the ValidatingWebhookConfiguration to register in').default('my-workload-operator'),
    )
    .addOption(
      option('--webhook-cert-dir <dir>', 'serve tls.crt/tls.key and register ca.crt from this folder (default: a CA made in memory)'),
    )
    .addOption(option('--log-level <level>', 'log verbosity').choices(logLevels).default('info'))
    .addOption(option('--log-format <format>', 'json lines, or text for people; auto = text on a terminal').choices(['json', 'text', 'auto']).default('auto'));
  for (const setup of controllerSetups) {
    program.addOption(
      option(`--workers-${setup.name} <n>`, `concurrent reconciles of the ${setup.name} controller`)
        .argParser(positiveInt)
        .default(setup.defaultWorkers),
    );
  }
  return program;
}

/**
 * The API server connection: the kubeconfig at `path`, else the pod's service account. Read
 * without client-node when they have a simple shape (runtime/client/kubeconfig.ts says why);
 * client-node, loaded only then, for exec plugins, auth providers and proxies.
 */
async function apiTransport(path: string | undefined): Promise<Transport> {
  const credentials = path ? kubeConfigCredentials(path) : inClusterCredentials();
  if (credentials !== undefined) return transportFromCredentials(credentials);
  const [{ KubeConfig }, { transportFromKubeConfig }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('./runtime/client/client-node-transport.ts'),
  ]);
  const kc = new KubeConfig();
  kc.loadFromFile(path ?? '');
  return transportFromKubeConfig(kc);
}

/**
 * A stable identity, so that a replica restarted in place (a SIGKILL, an OOM kill, a crash) finds
 * the Lease it held and takes it back at once instead of waiting out its own lease: the pod's name
 * in a cluster (the chart sets POD_NAME; a pod's host name is its name too), the host name
 * outside one. Upstream's components add a random suffix (client-go: hostname + "_" + UUID), which
 * is what makes kube-controller-manager wait ~15 s after its own restart. Two processes must never
 * share an identity: give each its own with --leader-election-identity when they share a host.
 */
export function defaultLeaderElectionIdentity(env: NodeJS.ProcessEnv = process.env, hostname: () => string = os.hostname): string {
  const podName = env.POD_NAME?.trim();
  return podName ? podName : hostname();
}

function defaultLeaseNamespace(): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync(serviceAccountNamespaceFile, 'utf8').trim();
  } catch {
    return 'default';
  }
}

/**
 * The webhook component, or undefined when --webhook-bind-address is 0. In a cluster the API
 * server cannot reach the pod's loopback, so a Service (the chart's) or a URL must be named.
 */
function webhooksOf(flags: Flags, client: KubeClient, logger: ReturnType<typeof createLogger>): Webhooks | undefined {
  if (flags.webhookBindAddress === '0') return undefined;
  if (flags.kubeconfig === undefined && flags.webhookUrl === undefined && flags.webhookService === undefined) {
    throw new InvalidArgumentError(
      'in a cluster the webhook needs --webhook-service (the chart sets it) or --webhook-url; --webhook-bind-address 0 turns it off',
    );
  }
  const endpoint: EndpointOption = flags.webhookService
    ? { kind: 'service', ...flags.webhookService }
    : { kind: 'url', baseUrl: flags.webhookUrl };
  return new Webhooks({
    bindAddress: flags.webhookBindAddress,
    endpoint,
    configurationName: flags.webhookConfigurationName,
    certDir: flags.webhookCertDir,
    namespace: flags.namespace,
    client,
    logger: logger.child({ component: 'webhooks' }),
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildCommand();
  program.parse(argv, { from: 'node' });
  const flags = program.opts<Flags>();
  const logger = createLogger({
    level: flags.logLevel,
    pretty: flags.logFormat === 'auto' ? undefined : flags.logFormat === 'text',
  });
  const identity = flags.leaderElectionIdentity;
  const client = new KubeClient(await apiTransport(flags.kubeconfig), {
    qps: flags.kubeApiQps,
    burst: flags.kubeApiBurst,
    // The identity in every request's user agent: an audit log tells the replicas apart.
    userAgent: `my-workload-operator (${identity})`,
  });
  const webhooks = webhooksOf(flags, client, logger);
  const manager = new Manager({
    client,
    logger,
    namespace: flags.namespace,
    metricsBindAddress: flags.metricsBindAddress,
    healthProbeBindAddress: flags.healthProbeBindAddress,
    webhooks,
    leaderElection: flags.leaderElect
      ? { namespace: flags.leaderElectionNamespace ?? defaultLeaseNamespace(), name: flags.leaderElectionId, identity }
      : undefined,
  });
  for (const setup of controllerSetups) {
    const key = `workers${setup.name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`;
    const workers = flags[key as `workers${string}`] ?? setup.defaultWorkers;
    setup.register(manager, { workers });
  }
  registerWorkloadMetrics(manager);
  if (webhooks) registerTemplateWebhook(webhooks, { client, logger });

  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      logger.info('signal received, shutting down', { signal: sig });
      stop.abort();
    });
  }
  logger.info('starting', {
    namespace: flags.namespace ?? '(all)',
    qps: flags.kubeApiQps,
    burst: flags.kubeApiBurst,
    leaderElect: flags.leaderElect,
    webhook: flags.webhookBindAddress,
  });
  const outcome = await manager.run(stop.signal);
  logger.info('stopped', { outcome });
  return outcome === 'lost-lease' ? 1 : 0;
}

if (import.meta.main) {
  main(process.argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}

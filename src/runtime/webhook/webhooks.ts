// The operator's admission webhooks as one component of the manager: the HTTPS server, its
// certificate source and the registrar, started together and kept in step (controller-runtime's
// webhook.Server plus the registration it leaves to cert-manager and kustomize, done in-process so
// the webhook holds however the operator runs).
//
//   start: certificates → server listening → registration (retried until it succeeds) → ready
//   rotation: new CAs registered first, then the server swaps certificates
//   every resyncMs: the registration is re-checked and repaired
//   stop: this process leaves the registration, then the server closes
//
// Readiness (`webhook` check) waits for the first registration, so in a cluster the Service only
// routes to a replica whose CA the API server already trusts.
import os from 'node:os';
import { isIP } from 'node:net';
import type { KubeClient } from '../client/rest.ts';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { HealthCheck } from '../http-server.ts';
import { parseBindAddress } from '../http-server.ts';
import type { Logger } from '../logging.ts';
import { podOwner } from './ca-bundle.ts';
import type { WebhookEndpoint, WebhookSpec } from './registration.ts';
import { WebhookRegistrar } from './registration.ts';
import type { AdmissionHandler, RunningWebhookServer } from './server.ts';
import { startWebhookServer } from './server.ts';
import type { CertificateSource, ServingMaterial } from './serving-certificates.ts';
import { DirectoryCertificates, SelfSignedCertificates } from './serving-certificates.ts';

/** Where the API server should call: a URL (derived from the bound port when absent) or a Service. */
export type EndpointOption =
  | { readonly kind: 'url'; readonly baseUrl: string | undefined }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string; readonly port: number };

export interface WebhooksOptions {
  /** host:port or :port; the caller leaves the component out for `0`. */
  readonly bindAddress: string;
  readonly endpoint: EndpointOption;
  readonly configurationName: string;
  /** Serve the certificate in this folder (tls.crt, tls.key, ca.crt) instead of a self-made one. */
  readonly certDir?: string;
  /** Register for objects in this namespace only. */
  readonly namespace?: string;
  /** How often the registration is re-checked. Default 60 s. */
  readonly resyncMs?: number;
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly clock?: Clock;
}

interface Registered {
  readonly spec: WebhookSpec;
  readonly handler: AdmissionHandler;
}

/** The CA owner of this process: its pod in a cluster, else host and process. */
export function processOwner(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POD_NAMESPACE && env.POD_NAME) return podOwner(env.POD_NAMESPACE, env.POD_NAME);
  return `process:${os.hostname()}/${process.pid}/${crypto.randomUUID().slice(0, 8)}`;
}

/** The names the API server dials for an endpoint, split for subjectAltName. */
export function servingNames(endpoint: WebhookEndpoint): { dnsNames: string[]; ipAddresses: string[] } {
  if (endpoint.kind === 'service') {
    const { name, namespace } = endpoint;
    // The API server dials <service>.<namespace>.svc; the others are for people and other callers.
    return { dnsNames: [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`, `${name}.${namespace}`, name], ipAddresses: [] };
  }
  const host = new URL(endpoint.baseUrl).hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? { dnsNames: [], ipAddresses: [host] } : { dnsNames: [host], ipAddresses: [] };
}

/** The local URL of a server bound to `host:port`: loopback when it listens on every interface. */
export function localBaseUrl(host: string | undefined, port: number): string {
  const reachable = host === undefined || host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `https://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export class Webhooks {
  private readonly options: WebhooksOptions;
  private readonly clock: Clock;
  private readonly registered: Registered[] = [];
  private readonly owner = processOwner();
  private server: RunningWebhookServer | undefined;
  private source: CertificateSource | undefined;
  private registrar: WebhookRegistrar | undefined;
  private ready = false;
  private lastError = '';
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(options: WebhooksOptions) {
    this.options = options;
    this.clock = options.clock ?? realClock;
  }

  /** Serves `handler` at `spec.path` and registers `spec`. Call before start. */
  register(spec: WebhookSpec, handler: AdmissionHandler): void {
    if (this.server) throw new Error('webhooks are already started');
    this.registered.push({ spec, handler });
  }

  /** The readiness check: ok once the API server has been told to trust this process. */
  readinessCheck(): HealthCheck {
    return {
      name: 'webhook',
      check: () => (this.ready ? undefined : `webhook not registered yet${this.lastError ? `: ${this.lastError}` : ''}`),
    };
  }

  /** Resolves once the server listens; registration goes on in the background until it succeeds. */
  async start(): Promise<void> {
    if (this.registered.length === 0) return;
    const { logger } = this.options;
    const signal = this.stopping.signal;
    const bind = parseBindAddress(this.options.bindAddress);
    if (bind.kind === 'disabled') throw new Error('webhooks need a bind address other than 0');
    // The endpoint, when the options fix it; a URL derived from port 0 is known only once bound.
    const fixed: WebhookEndpoint | undefined =
      this.options.endpoint.kind === 'service'
        ? this.options.endpoint
        : this.options.endpoint.baseUrl !== undefined
          ? { kind: 'url', baseUrl: this.options.endpoint.baseUrl }
          : bind.port !== 0
            ? { kind: 'url', baseUrl: localBaseUrl(bind.host, bind.port) }
            : undefined;
    const routes = this.registered.map((r) => ({ path: r.spec.path, handler: r.handler }));
    let endpoint: WebhookEndpoint;
    if (fixed !== undefined) {
      endpoint = fixed;
      this.source = this.certificateSource(endpoint);
      this.server = await startWebhookServer({ bindAddress: this.options.bindAddress, routes, material: await this.source.start(signal), logger });
    } else {
      // Bind on a throw-away certificate, then make the real one for the URL of the bound port.
      const provisional = new AbortController();
      const first = await this.certificateSource({ kind: 'url', baseUrl: localBaseUrl(bind.host, 1) }).start(provisional.signal);
      provisional.abort();
      this.server = await startWebhookServer({ bindAddress: this.options.bindAddress, routes, material: first, logger });
      endpoint = { kind: 'url', baseUrl: localBaseUrl(this.server.host, this.server.port) };
      this.source = this.certificateSource(endpoint);
      this.server.setCertificate(await this.source.start(signal));
    }
    this.registrar = new WebhookRegistrar({
      client: this.options.client,
      logger,
      configurationName: this.options.configurationName,
      webhooks: this.registered.map((r) => r.spec),
      endpoint,
      namespace: this.options.namespace,
      self: this.owner,
      clock: this.clock,
    });
    this.source.onChange((next) => this.rotate(next));
    logger.info('webhook endpoint', {
      configuration: this.options.configurationName,
      ...(endpoint.kind === 'url' ? { url: endpoint.baseUrl } : { service: `${endpoint.namespace}/${endpoint.name}:${endpoint.port}` }),
    });
    this.loop = this.keepRegistered(signal);
  }

  /** Leaves the registration and closes the server. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    const material = this.source?.current();
    if (this.registrar && material) {
      try {
        await this.registrar.withdraw(material.authorities, AbortSignal.timeout(5000));
      } catch (err) {
        this.options.logger.warn('could not withdraw the webhook registration', { err });
      }
    }
    await this.server?.close();
  }

  private certificateSource(endpoint: WebhookEndpoint): CertificateSource {
    const logger = this.options.logger.child({ component: 'webhook-certificates' });
    if (this.options.certDir !== undefined) return new DirectoryCertificates({ dir: this.options.certDir, clock: this.clock, logger });
    return new SelfSignedCertificates({ owner: this.owner, ...servingNames(endpoint), clock: this.clock, logger });
  }

  /** New certificates: the API server must trust their CA before the server presents them. */
  private async rotate(material: ServingMaterial): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      try {
        await this.registrar?.ensure(material.authorities, this.stopping.signal);
        break;
      } catch (err) {
        this.options.logger.error('registering the renewed webhook CA failed; retrying', { err });
        await this.clock.sleep(Math.min(30_000, 1000 * 2 ** attempt), this.stopping.signal).catch(() => undefined);
      }
    }
    this.server?.setCertificate(material);
  }

  private async keepRegistered(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const material = this.source?.current();
      if (this.registrar && material) {
        try {
          const outcome = await this.registrar.ensure(material.authorities, signal);
          if (outcome !== 'unchanged') this.options.logger.info('webhook registered', { configuration: this.options.configurationName, outcome });
          this.ready = true;
          this.lastError = '';
          failures = 0;
        } catch (err) {
          if (signal.aborted) return;
          failures++;
          this.lastError = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
          this.options.logger.error('webhook registration failed', { err });
        }
      }
      // Retry a failure with backoff (1 s doubling to the resync period); otherwise re-check at resync.
      const resync = this.options.resyncMs ?? 60_000;
      const wait = failures === 0 ? resync : Math.min(resync, 1000 * 2 ** (failures - 1));
      try {
        await this.clock.sleep(wait, signal);
      } catch {
        return;
      }
    }
  }
}

// The HTTPS server the API server calls with AdmissionReviews (controller-runtime's webhook.Server):
// one path per webhook, TLS from a CertificateSource with the certificate swapped in place on
// rotation (new connections get it; open ones finish on the old), and controller-runtime's
// webhook metrics.
//
// A handler that throws, or does not finish before the API server's own deadline, is answered
// `allowed: true` with a warning rather than with an error status: the registration's failure
// policy is Ignore, and an explicit refusal would not be ignored — an internal error must not
// refuse what the policy says to admit (controller-runtime answers Errored(500), which refuses).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram } from 'prom-client';
import { parseBindAddress } from '../http-server.ts';
import type { Logger } from '../logging.ts';
import { registry, singleton } from '../metrics/registry.ts';
import type { AdmissionRequest, AdmissionVerdict } from './admission-review.ts';
import { admissionResponse, parseAdmissionReview } from './admission-review.ts';
import type { ServingMaterial } from './serving-certificates.ts';

/** Decides one admission request. `signal` aborts at the API server's deadline. */
export type AdmissionHandler = (request: AdmissionRequest, signal: AbortSignal) => Promise<AdmissionVerdict>;

export interface WebhookRoute {
  readonly path: string;
  readonly handler: AdmissionHandler;
}

export interface WebhookServerOptions {
  /** host:port or :port (http-server.ts parseBindAddress); `0` is rejected here: the caller skips the server. */
  readonly bindAddress: string;
  readonly routes: readonly WebhookRoute[];
  readonly material: ServingMaterial;
  readonly logger: Logger;
  /** Largest AdmissionReview accepted. Default 8 MiB: object and oldObject of a 3 MiB request, encoded. */
  readonly maxBodyBytes?: number;
  /** Deadline when the API server sends none (`?timeout=`). Default 10 s. */
  readonly defaultTimeoutMs?: number;
  /** On close, how long in-flight reviews may run before their connections are cut. Default 3 s. */
  readonly closeGraceMs?: number;
}

export interface RunningWebhookServer {
  /** The port bound (the one asked for, or the OS's pick for port 0). */
  readonly port: number;
  /** The host bound; undefined = every interface. */
  readonly host: string | undefined;
  /** Serves `material` to new connections from now on. */
  setCertificate(material: ServingMaterial): void;
  close(): Promise<void>;
}

export class WebhookServerError extends Error {
  override readonly name = 'WebhookServerError';
}

const requestsTotal = singleton(
  'controller_runtime_webhook_requests_total',
  () =>
    new Counter({
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'] as const,
      registers: [registry],
    }),
);
const latency = singleton(
  'controller_runtime_webhook_latency_seconds',
  () =>
    new Histogram({
      name: 'controller_runtime_webhook_latency_seconds',
      help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'] as const,
      registers: [registry],
    }),
);
const inFlight = singleton(
  'controller_runtime_webhook_requests_in_flight',
  () =>
    new Gauge({
      name: 'controller_runtime_webhook_requests_in_flight',
      help: 'Current number of admission requests being served.',
      labelNames: ['webhook'] as const,
      registers: [registry],
    }),
);

export async function startWebhookServer(options: WebhookServerOptions): Promise<RunningWebhookServer> {
  const bind = parseBindAddress(options.bindAddress);
  if (bind.kind === 'disabled') throw new WebhookServerError('the webhook server is disabled (bind address 0)');
  for (const route of options.routes) {
    requestsTotal.inc({ webhook: route.path, code: '200' }, 0);
    inFlight.set({ webhook: route.path }, 0);
  }
  const server: Server = createServer({
    cert: options.material.certificatePem,
    key: options.material.privateKeyPem,
    minVersion: 'TLSv1.2',
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void serve(req, res, options);
  });
  server.on('tlsClientError', (err) => options.logger.debug('webhook TLS handshake failed', { err }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: bind.host, port: bind.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = isAddressInfo(address) ? address.port : bind.port;
  options.logger.info('serving webhooks', { address: `${bind.host ?? ''}:${port}`, paths: options.routes.map((r) => r.path) });
  return {
    port,
    host: bind.host,
    setCertificate: (material) => server.setSecureContext({ cert: material.certificatePem, key: material.privateKeyPem, minVersion: 'TLSv1.2' }),
    close: () => closeServer(server, options.closeGraceMs ?? defaultCloseGraceMs),
  };
}

/** How long in-flight admission reviews may take to finish once the server closes. */
const defaultCloseGraceMs = 3_000;

/**
 * Stops accepting connections and ends the open ones. `server.close()` alone waits for every
 * keep-alive connection, and the API server keeps its connection to a webhook open: a connection
 * busy at close time turns idle a moment later and would hold the process for minutes. So idle
 * connections are closed as they appear, and whatever still runs after the grace period is cut.
 */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close((err) => {
      clearInterval(sweep);
      clearTimeout(cut);
      if (err) reject(err);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

async function serve(req: IncomingMessage, res: ServerResponse, options: WebhookServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const route = options.routes.find((r) => r.path === url.pathname);
  if (!route) {
    reply(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
    return;
  }
  const started = performance.now();
  inFlight.inc({ webhook: route.path });
  let code = 200;
  try {
    code = await handle(req, res, route, url, options);
  } catch (err) {
    options.logger.error('webhook request failed', { err, path: route.path });
    code = 500;
    if (!res.headersSent) reply(res, 500, 'text/plain; charset=utf-8', 'internal server error\n');
  } finally {
    inFlight.dec({ webhook: route.path });
    requestsTotal.inc({ webhook: route.path, code: String(code) });
    latency.observe({ webhook: route.path }, (performance.now() - started) / 1000);
  }
}

/** Answers one request; resolves with the HTTP status sent. */
async function handle(req: IncomingMessage, res: ServerResponse, route: WebhookRoute, url: URL, options: WebhookServerOptions): Promise<number> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return reply(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  if (!(req.headers['content-type'] ?? '').includes('application/json')) {
    return reply(res, 415, 'text/plain; charset=utf-8', 'want Content-Type application/json\n');
  }
  const body = await readBody(req, options.maxBodyBytes ?? 8 << 20);
  if (body === undefined) return reply(res, 413, 'text/plain; charset=utf-8', 'request body too large\n');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reply(res, 400, 'text/plain; charset=utf-8', 'body is not JSON\n');
  }
  const review = parseAdmissionReview(parsed);
  if (review.kind === 'malformed') return reply(res, 400, 'text/plain; charset=utf-8', `${review.message}\n`);
  const { request } = review;
  // Answer a little before the API server gives up (it appends ?timeout=<n>s to the call).
  const deadlineMs = Math.max(500, timeoutOf(url, options.defaultTimeoutMs ?? 10_000) - 500);
  const signal = AbortSignal.timeout(deadlineMs);
  let verdict: AdmissionVerdict;
  try {
    verdict = await route.handler(request, signal);
  } catch (err) {
    options.logger.warn('admission check failed; admitting', {
      err,
      resource: request.resource.resource,
      object: `${request.namespace}/${request.name}`,
    });
    verdict = { kind: 'allow', warnings: [`not checked by the operator's webhook: ${err instanceof Error ? err.message : String(err)}`] };
  }
  return reply(res, 200, 'application/json', JSON.stringify(admissionResponse(request.uid, verdict)));
}

/** The `timeout` query parameter (a Go duration such as `10s`) in ms, or the default. */
export function timeoutOf(url: URL, fallbackMs: number): number {
  const text = url.searchParams.get('timeout') ?? '';
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!match) return fallbackMs;
  const value = Number(match[1]);
  const unit = match[2] === 'ms' ? 1 : match[2] === 's' ? 1000 : 60_000;
  return value * unit;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): number {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}

function isAddressInfo(value: string | AddressInfo | null): value is AddressInfo {
  return typeof value === 'object' && value !== null;
}

// One small HTTP server for the operator's endpoints: `/metrics` (Prometheus text from a
// prom-client registry) and the probes `/healthz` and `/readyz`, as controller-runtime's manager
// serves them (metrics on one address, probes on another, or both on one).
//
// Probe semantics follow controller-runtime's pkg/healthz: 200 `ok` when every check passes; 500
// with one `[+]name ok` / `[-]name failed: reason` line per check when any fails (`?verbose` lists
// them on success too); `/healthz/<name>` runs one check. Unlike upstream, a failing check's reason
// is shown: these ports are meant for the kubelet and operators, not the public.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logging.ts';
import { silentLogger } from './logging.ts';
import { registry } from './metrics/registry.ts';

// ---- bind addresses -------------------------------------------------------------------------

export type BindAddress =
  | { readonly kind: 'disabled' }
  /** host undefined = every interface. port 0 = any free port (tests). */
  | { readonly kind: 'listen'; readonly host: string | undefined; readonly port: number };

export class BindAddressError extends Error {
  override readonly name = 'BindAddressError';
}

/**
 * Parses a bind address as controller-runtime's flags take it: `0` disables the server; `:8080`
 * listens on every interface; `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080` on one. A bare
 * port (`8080`) is accepted too.
 */
export function parseBindAddress(value: string): BindAddress {
  const text = value.trim();
  if (text === '0') return { kind: 'disabled' };
  let host: string | undefined;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2] ?? '';
  } else if (/^\d+$/.test(text)) {
    portText = text;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new BindAddressError(`bind address ${JSON.stringify(value)} has no port`);
    host = text.slice(0, colon) || undefined;
    portText = text.slice(colon + 1);
    if (host?.includes(':')) throw new BindAddressError(`IPv6 bind address ${JSON.stringify(value)} needs brackets`);
  }
  if (!/^\d+$/.test(portText)) throw new BindAddressError(`bind address ${JSON.stringify(value)} has no valid port`);
  const port = Number.parseInt(portText, 10);
  if (port > 65535) throw new BindAddressError(`port ${port} in ${JSON.stringify(value)} is out of range`);
  return { kind: 'listen', host, port };
}

// ---- checks ---------------------------------------------------------------------------------

/**
 * A named probe check: `check` returns undefined (or "") when healthy, or why it is not. A throw
 * or rejection counts as a failure with the error's message. Checks run on every probe request.
 */
export interface HealthCheck {
  /** Letters, digits, `-`, `_`, `.`: it is also the path of `/healthz/<name>`. */
  readonly name: string;
  readonly check: () => string | undefined | Promise<string | undefined>;
}

export type ProbeKind = 'healthz' | 'readyz';

export interface CheckStatus {
  readonly name: string;
  /** undefined when the check passed. */
  readonly failure: string | undefined;
}

/** Runs `checks`, sorted by name. With no checks: `ping`, ok (upstream: healthz.go Ping). */
export async function runChecks(checks: readonly HealthCheck[]): Promise<readonly CheckStatus[]> {
  if (checks.length === 0) return [{ name: 'ping', failure: undefined }];
  const sorted = [...checks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(sorted.map(async ({ name, check }) => ({ name, failure: await runCheck(check) })));
}

async function runCheck(check: HealthCheck['check']): Promise<string | undefined> {
  try {
    const failure = await check();
    return failure === undefined || failure === '' ? undefined : failure;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The probe body and status for a set of results (upstream: healthz.go writeStatusesAsText). */
export function probeResponse(
  kind: ProbeKind,
  statuses: readonly CheckStatus[],
  verbose: boolean,
): { readonly status: 200 | 500; readonly body: string } {
  const failed = statuses.some((s) => s.failure !== undefined);
  if (!failed && !verbose) return { status: 200, body: 'ok' };
  const lines = statuses.map((s) => (s.failure === undefined ? `[+]${s.name} ok` : `[-]${s.name} failed: ${s.failure}`));
  lines.push(failed ? `${kind} check failed` : `${kind} check passed`);
  return { status: failed ? 500 : 200, body: `${lines.join('\n')}\n` };
}

// ---- the server -----------------------------------------------------------------------------

export interface HttpServerOptions {
  /** Bind address as parseBindAddress reads it; `0` disables the server. */
  readonly bindAddress: string;
  /** Serve `/metrics`: `true` for the shared registry, or another registry. Default off. */
  readonly metrics?: boolean | Registry;
  /** Serve `/healthz` (is the process alive?) from these checks. Absent = no `/healthz`. The
   *  array is read on each request, so checks pushed later count. */
  readonly healthz?: readonly HealthCheck[];
  /** Serve `/readyz` (can it do its work, e.g. caches synced?) from these checks. Absent = none. */
  readonly readyz?: readonly HealthCheck[];
  readonly logger?: Logger;
}

export interface RunningServer {
  /** `host:port` actually bound, e.g. `127.0.0.1:8080` or `[::]:8081`. */
  readonly address: string;
  /** A URL that reaches the server from this host, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts listening and resolves once bound (rejects if the address is taken or invalid), or
 * resolves undefined when the address is `0`.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer | undefined> {
  const bind = parseBindAddress(options.bindAddress);
  if (bind.kind === 'disabled') return undefined;
  for (const check of [...(options.healthz ?? []), ...(options.readyz ?? [])]) {
    if (!/^[A-Za-z0-9_.-]+$/.test(check.name)) throw new Error(`invalid check name ${JSON.stringify(check.name)}`);
  }
  const logger = options.logger ?? silentLogger();
  const routes = routesOf(options);
  const server = createServer((req, res) => {
    handle(req, res, routes).catch((err: unknown) => {
      logger.error('http handler failed', { err, path: req.url });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal server error\n');
    });
  });
  await listen(server, bind.host, bind.port);
  const bound = server.address();
  const port = isAddressInfo(bound) ? bound.port : bind.port;
  const boundHost = isAddressInfo(bound) ? bound.address : (bind.host ?? '0.0.0.0');
  const address = boundHost.includes(':') ? `[${boundHost}]:${port}` : `${boundHost}:${port}`;
  const reachable = bind.host === undefined ? '127.0.0.1' : bind.host.includes(':') ? `[${bind.host}]` : bind.host;
  logger.info('serving http', { address, metrics: routes.metrics !== undefined, probes: routes.healthz !== undefined || routes.readyz !== undefined });
  return {
    address,
    url: `http://${reachable}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface Routes {
  readonly metrics: Registry | undefined;
  readonly healthz: readonly HealthCheck[] | undefined;
  readonly readyz: readonly HealthCheck[] | undefined;
}

function routesOf(options: HttpServerOptions): Routes {
  const metrics = options.metrics === true ? registry : options.metrics === false ? undefined : options.metrics;
  return { metrics, healthz: options.healthz, readyz: options.readyz };
}

function listen(server: Server, host: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function isAddressInfo(value: string | AddressInfo | null): value is AddressInfo {
  return typeof value === 'object' && value !== null;
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: Routes): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const route = routeOf(path, routes);
  if (route === undefined) {
    send(res, 404, textPlain, '404 page not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, textPlain, 'method not allowed\n');
    return;
  }
  const headOnly = req.method === 'HEAD';
  if (route.kind === 'metrics') {
    send(res, 200, route.registry.contentType, await route.registry.metrics(), headOnly);
    return;
  }
  if (route.only !== undefined) {
    const check = route.checks.find((c) => c.name === route.only);
    if (check === undefined) {
      send(res, 404, textPlain, '404 page not found\n');
      return;
    }
    const failure = (await runChecks([check]))[0]?.failure;
    if (failure === undefined) send(res, 200, textPlain, 'ok', headOnly);
    else send(res, 500, textPlain, `internal server error: ${failure}\n`, headOnly);
    return;
  }
  const { status, body } = probeResponse(route.probe, await runChecks(route.checks), url.searchParams.has('verbose'));
  send(res, status, textPlain, body, headOnly);
}

const textPlain = 'text/plain; charset=utf-8';

type Route =
  | { readonly kind: 'metrics'; readonly registry: Registry }
  | {
      readonly kind: 'probe';
      readonly probe: ProbeKind;
      readonly checks: readonly HealthCheck[];
      readonly only: string | undefined;
    };

function routeOf(path: string, routes: Routes): Route | undefined {
  if (path === '/metrics') return routes.metrics ? { kind: 'metrics', registry: routes.metrics } : undefined;
  const probe = /^\/(healthz|readyz)(?:\/([^/]+))?$/.exec(path);
  if (!probe) return undefined;
  const kind: ProbeKind = probe[1] === 'readyz' ? 'readyz' : 'healthz';
  const checks = routes[kind];
  return checks ? { kind: 'probe', probe: kind, checks, only: probe[2] } : undefined;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headOnly = false): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(headOnly ? undefined : body);
}

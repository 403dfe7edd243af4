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
 * A named probe check: returns undefined when healthy, or why it is not. A throw or rejection
 * counts as a failure with the error's message.
 */
export type HealthCheck = () => string | undefined | Promise<string | undefined>;

export type ProbeKind = 'healthz' | 'readyz';

export interface CheckStatus {
  readonly name: string;
  /** undefined when the check passed. */
  readonly failure: string | undefined;
}

/**
 * The checks behind `/healthz` (the process is alive: restart it if not) and `/readyz` (it can do
 * its work: caches synced). Checks may be added while serving.
 */
export class HealthChecks {
  private readonly checks: Record<ProbeKind, Map<string, HealthCheck>> = { healthz: new Map(), readyz: new Map() };

  addHealthzCheck(name: string, check: HealthCheck): this {
    return this.add('healthz', name, check);
  }

  addReadyzCheck(name: string, check: HealthCheck): this {
    return this.add('readyz', name, check);
  }

  has(kind: ProbeKind, name: string): boolean {
    return this.checks[kind].has(name);
  }

  /** Runs the checks of `kind` (or the one named), sorted by name. With no checks: `ping`, ok. */
  async run(kind: ProbeKind, only?: string): Promise<readonly CheckStatus[]> {
    const entries = [...this.checks[kind]]
      .filter(([name]) => only === undefined || name === only)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0 && only === undefined) return [{ name: 'ping', failure: undefined }];
    return Promise.all(entries.map(async ([name, check]) => ({ name, failure: await runCheck(check) })));
  }

  private add(kind: ProbeKind, name: string, check: HealthCheck): this {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`invalid ${kind} check name ${JSON.stringify(name)}`);
    if (this.checks[kind].has(name)) throw new Error(`${kind} check ${JSON.stringify(name)} already added`);
    this.checks[kind].set(name, check);
    return this;
  }
}

async function runCheck(check: HealthCheck): Promise<string | undefined> {
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
  readonly address: string;
  /** Serve `/metrics` from this registry (usually the shared `registry`). */
  readonly metrics?: Registry;
  /** Serve `/healthz` and `/readyz` from these checks. */
  readonly health?: HealthChecks;
  readonly logger?: Logger;
}

export interface RunningHttpServer {
  /** e.g. `http://127.0.0.1:8080`; the real port when bound to 0. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts listening and resolves once bound (rejects if the address is taken), or resolves
 * undefined when the address is `0`.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer | undefined> {
  const bind = parseBindAddress(options.address);
  if (bind.kind === 'disabled') return undefined;
  const logger = options.logger ?? silentLogger();
  const server = createServer((req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      logger.error('http handler failed', { err, path: req.url });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal server error\n');
    });
  });
  await listen(server, bind.host, bind.port);
  const address = server.address();
  const port = isAddressInfo(address) ? address.port : bind.port;
  const host = bind.host === undefined ? '127.0.0.1' : bind.host.includes(':') ? `[${bind.host}]` : bind.host;
  logger.info('serving http', { address: options.address, port, metrics: options.metrics !== undefined, health: options.health !== undefined });
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
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

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const route = routeOf(path, options);
  if (route === undefined) {
    send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  if (route.kind === 'metrics') {
    const body = await route.registry.metrics();
    send(res, 200, route.registry.contentType, body, req.method === 'HEAD');
    return;
  }
  if (route.only !== undefined && !route.health.has(route.probe, route.only)) {
    send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
    return;
  }
  const statuses = await route.health.run(route.probe, route.only);
  if (route.only !== undefined) {
    const failure = statuses[0]?.failure;
    if (failure === undefined) send(res, 200, 'text/plain; charset=utf-8', 'ok', req.method === 'HEAD');
    else send(res, 500, 'text/plain; charset=utf-8', `internal server error: ${failure}\n`, req.method === 'HEAD');
    return;
  }
  const { status, body } = probeResponse(route.probe, statuses, url.searchParams.has('verbose'));
  send(res, status, 'text/plain; charset=utf-8', body, req.method === 'HEAD');
}

type Route =
  | { readonly kind: 'metrics'; readonly registry: Registry }
  | { readonly kind: 'probe'; readonly probe: ProbeKind; readonly health: HealthChecks; readonly only: string | undefined };

function routeOf(path: string, options: HttpServerOptions): Route | undefined {
  if (path === '/metrics' && options.metrics) return { kind: 'metrics', registry: options.metrics };
  const probe = /^\/(healthz|readyz)(?:\/([^/]+))?$/.exec(path);
  if (!probe || !options.health) return undefined;
  const kind: ProbeKind = probe[1] === 'readyz' ? 'readyz' : 'healthz';
  return { kind: 'probe', probe: kind, health: options.health, only: probe[2] };
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headOnly = false): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(headOnly ? undefined : body);
}

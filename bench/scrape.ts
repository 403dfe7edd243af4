// The /metrics endpoints the benchmark reads: kube-apiserver (through the admin client),
// kube-controller-manager (its secure port on loopback; kwokctl lets /metrics through
// authorization, and the admin client certificate authenticates) and the operator (plain HTTP).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { parseAllDocuments } from 'yaml';
import { isRecord } from '../src/api/meta.ts';
import type { KubeClient } from '../src/runtime/client/rest.ts';
import type { Sample } from '../hack/prom-text.ts';
import { parsePromText } from '../hack/prom-text.ts';

/** What the benchmark reads from every endpoint. */
export const families: ReadonlySet<string> = new Set([
  'apiserver_request_total',
  'rest_client_requests_total',
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'workqueue_work_duration_seconds_count',
  'workqueue_work_duration_seconds_sum',
  'workqueue_retries_total',
  'rest_client_request_duration_seconds_sum',
  'rest_client_request_duration_seconds_count',
]);

export interface ComponentCommand {
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly metric?: { readonly url: string; readonly certPath?: string; readonly keyPath?: string };
}

/** kwokctl's generated command lines (`clusters/<name>/kwok.yaml`), by component name. */
export function readComponents(kwokClusterDir: string): Map<string, ComponentCommand> {
  const text = readFileSync(path.join(kwokClusterDir, 'kwok.yaml'), 'utf8');
  const out = new Map<string, ComponentCommand>();
  for (const doc of parseAllDocuments(text)) {
    const js: unknown = doc.toJS();
    if (!isRecord(js) || js.kind !== 'KwokctlConfiguration' || !Array.isArray(js.components)) continue;
    for (const c of js.components as unknown[]) {
      if (!isRecord(c) || typeof c.name !== 'string' || typeof c.binary !== 'string') continue;
      const args = Array.isArray(c.args) ? c.args.filter((a): a is string => typeof a === 'string') : [];
      const m = c.metric;
      const metric =
        isRecord(m) && typeof m.host === 'string'
          ? {
              url: `${typeof m.scheme === 'string' ? m.scheme : 'http'}://${m.host}${typeof m.path === 'string' ? m.path : '/metrics'}`,
              certPath: typeof m.certPath === 'string' ? m.certPath : undefined,
              keyPath: typeof m.keyPath === 'string' ? m.keyPath : undefined,
            }
          : undefined;
      out.set(c.name, { name: c.name, binary: c.binary, args, metric });
    }
  }
  return out;
}

export type Scraper = () => Promise<Sample[]>;

/**
 * The samples of the benchmark's families. Non-finite values are left out: every delta and sum
 * taken from them would be NaN or infinite.
 */
function benchSamples(text: string): Sample[] {
  return parsePromText(text, families).filter((s) => Number.isFinite(s.value));
}

export function apiServerScraper(client: KubeClient): Scraper {
  return async () => {
    const text = await client.request<string>({ method: 'GET', path: '/metrics' });
    return benchSamples(String(text));
  };
}

/** A component's /metrics as kwok.yaml describes it (https with the admin certificate). */
export function componentScraper(component: ComponentCommand): Scraper {
  const metric = component.metric;
  if (!metric) throw new Error(`kwok.yaml lists no metrics endpoint for ${component.name}`);
  const dispatcher = new Agent({
    connect: {
      rejectUnauthorized: false,
      cert: metric.certPath ? readFileSync(metric.certPath) : undefined,
      key: metric.keyPath ? readFileSync(metric.keyPath) : undefined,
    },
  });
  return async () => {
    const res = await fetch(metric.url, { dispatcher, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${component.name} /metrics answered ${res.status}: ${text.slice(0, 200)}`);
    return benchSamples(text);
  };
}

export function httpScraper(url: string): Scraper {
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return benchSamples(text);
  };
}

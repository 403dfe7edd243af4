// Node.js and process metrics (CPU, memory, heap, event-loop lag, open handles, GC) on the shared
// registry: prom-client's counterpart of the Go and process collectors controller-runtime
// registers by default (upstream: controller-runtime pkg/metrics/registry.go).
import { collectDefaultMetrics } from 'prom-client';
import { registry } from './registry.ts';

let enabled = false;

/**
 * Gauges prom-client names with a `_total` suffix, which Prometheus reserves for counters
 * (`promtool check metrics` flags them). Each is the sum of the per-type gauge without the suffix
 * (`nodejs_active_handles{type}` etc.), so dropping them loses nothing.
 */
const misnamedGauges = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Registers the default collectors once; later calls do nothing. */
export function enableProcessMetrics(): void {
  // The registry check also covers a second copy of this module (e.g. loaded under another URL).
  if (enabled || registry.getSingleMetric('process_cpu_user_seconds_total') !== undefined) {
    enabled = true;
    return;
  }
  enabled = true;
  collectDefaultMetrics({ register: registry });
  for (const name of misnamedGauges) registry.removeSingleMetric(name);
}

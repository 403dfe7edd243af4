// Node.js and process metrics (CPU, memory, heap, event-loop lag, open handles, GC) on the shared
// registry: prom-client's counterpart of the Go and process collectors controller-runtime
// registers by default (upstream: controller-runtime pkg/metrics/registry.go).
import { collectDefaultMetrics } from 'prom-client';
import { registry } from './registry.ts';

let enabled = false;

/** Registers the default collectors once; later calls do nothing. */
export function enableProcessMetrics(): void {
  // The registry check also covers a second copy of this module (e.g. loaded under another URL).
  if (enabled || registry.getSingleMetric('process_cpu_user_seconds_total') !== undefined) {
    enabled = true;
    return;
  }
  enabled = true;
  collectDefaultMetrics({ register: registry });
}

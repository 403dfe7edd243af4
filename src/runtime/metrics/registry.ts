// The one Prometheus registry of the process, like controller-runtime's metrics.Registry: every
// component registers its collectors here and the manager serves it on /metrics.
import { Registry } from 'prom-client';

export const registry = new Registry();

/**
 * Returns the collector registered under `name`, creating it on first use. Components that can be
 * instantiated more than once per process (clients in tests, several informers) share a series
 * set instead of failing on a duplicate registration.
 */
export function singleton<T>(name: string, create: () => T): T {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as T;
  return create();
}

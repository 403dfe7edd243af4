// client-go's REST client metrics, under the names kube-controller-manager and controller-runtime
// export, so dashboards built for them read ours too.
import { Counter, Histogram } from 'prom-client';
import { registry, singleton } from '../metrics/registry.ts';

export const restClientRequests = singleton(
  'rest_client_requests_total',
  () =>
    new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'method', 'host'] as const,
      registers: [registry],
    }),
);

/** client-go's latency buckets (k8s.io/component-base/metrics/prometheus/restclient). */
const latencyBuckets = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

function latencyHistogram(name: string, help: string): Histogram<'verb' | 'host'> {
  return singleton(name, () => new Histogram({ name, help, labelNames: ['verb', 'host'] as const, buckets: latencyBuckets, registers: [registry] }));
}

export const restClientRequestDuration = latencyHistogram(
  'rest_client_request_duration_seconds',
  'Request latency in seconds. Broken down by verb, and host.',
);

export const restClientRateLimiterDuration = latencyHistogram(
  'rest_client_rate_limiter_duration_seconds',
  'Client side rate limiter latency in seconds. Broken down by verb, and host.',
);

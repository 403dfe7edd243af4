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

export const restClientRequestDuration = singleton(
  'rest_client_request_duration_seconds',
  () =>
    new Histogram({
      name: 'rest_client_request_duration_seconds',
      help: 'Request latency in seconds. Broken down by verb, and host.',
      labelNames: ['verb', 'host'] as const,
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers: [registry],
    }),
);

export const restClientRateLimiterDuration = singleton(
  'rest_client_rate_limiter_duration_seconds',
  () =>
    new Histogram({
      name: 'rest_client_rate_limiter_duration_seconds',
      help: 'Client side rate limiter latency in seconds. Broken down by verb, and host.',
      labelNames: ['verb', 'host'] as const,
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers: [registry],
    }),
);

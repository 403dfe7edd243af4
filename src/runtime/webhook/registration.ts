// The operator's own ValidatingWebhookConfiguration: what it should hold (pure), and a registrar
// that makes it so at start-up, re-checks it periodically (someone may have reset it: `helm
// upgrade`, another operator process, a person) and takes this process out of it on shutdown.
//
// Who creates the object: installed by the chart, the chart does, with no webhooks, and the
// operator's RBAC allows get/update on that one name only — `create` cannot be limited by name in
// RBAC, and a ServiceAccount that may create arbitrary webhook configurations could intercept any
// request in the cluster. Started locally (`npm start -- --kubeconfig …`, admin credentials), the
// object does not exist and the registrar creates it.
//
// Failure policy Ignore, always: applies must not start failing while the operator restarts or
// upgrades, and the webhook is the second line — the CRD schema and CEL rules refuse what they can
// express before it is called, and what slips through while it is down is what the controllers
// meet at pod creation (upstream's FailedCreate events), exactly as for a DaemonSet whose pods a
// quota or Pod Security refuses. `Fail` would turn an operator outage (or a stale local URL) into
// every MyDaemonSet and MyStatefulSet apply in the cluster failing.
//
// Registration fields the API server defaults (matchPolicy, the selectors, scope, the service
// port, timeoutSeconds) are written explicitly, so that a re-check compares like with like and a
// registration that is already right is never rewritten.
import type { KubeObject } from '../../api/meta.ts';
import { isRecord } from '../../api/meta.ts';
import { pods, resource } from '../../api/resources.ts';
import { isConflict, isNotFound } from '../client/errors.ts';
import type { KubeClient } from '../client/rest.ts';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { Logger } from '../logging.ts';
import type { BundleEntry, BundlePolicy, Liveness } from './ca-bundle.ts';
import { mergeBundle, ownersToCheck, parseBundle, parsePodOwner, renderBundle, sameBundle } from './ca-bundle.ts';

// ---- what a registration holds (pure) ---------------------------------------------------------

export interface WebhookRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
  readonly operations: readonly ('CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT')[];
}

/** One validating webhook this process serves. */
export interface WebhookSpec {
  /** Fully qualified (at least three DNS labels), unique in the configuration. */
  readonly name: string;
  /** Path served by the webhook server, e.g. `/validate-apps-my-dev`. */
  readonly path: string;
  readonly rules: readonly WebhookRule[];
  /** 1–30 s; the API server gives up after it (and, with Ignore, admits). */
  readonly timeoutSeconds: number;
}

/** How the API server reaches the webhook server. */
export type WebhookEndpoint =
  /** Any address the API server can dial; locally `https://127.0.0.1:<port>`. Exclusive to this process. */
  | { readonly kind: 'url'; readonly baseUrl: string }
  /** A Service in front of every replica (in a cluster). */
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string; readonly port: number };

export interface RegistrationOptions {
  /** The ValidatingWebhookConfiguration's name. */
  readonly configurationName: string;
  readonly webhooks: readonly WebhookSpec[];
  readonly endpoint: WebhookEndpoint;
  /** Only objects in this namespace are sent (the operator's --namespace); undefined = all. */
  readonly namespace?: string;
}

export interface ValidatingWebhookConfiguration extends KubeObject {
  readonly webhooks?: readonly Readonly<Record<string, unknown>>[];
}

export const validatingWebhookConfigurations = resource<ValidatingWebhookConfiguration>(
  'admissionregistration.k8s.io',
  'v1',
  'validatingwebhookconfigurations',
  'ValidatingWebhookConfiguration',
  false,
);

export function bundlePolicyOf(endpoint: WebhookEndpoint): BundlePolicy {
  return endpoint.kind === 'url' ? 'exclusive' : 'shared';
}

/** The `webhooks` list of the configuration, for a bundle of CAs. */
export function desiredWebhooks(options: RegistrationOptions, bundle: readonly BundleEntry[]): Record<string, unknown>[] {
  const caBundle = Buffer.from(renderBundle(bundle)).toString('base64');
  const namespaceSelector =
    options.namespace === undefined
      ? {}
      : { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [options.namespace] }] };
  return options.webhooks.map((spec) => ({
    name: spec.name,
    admissionReviewVersions: ['v1'],
    // The webhook's own calls are dry runs: it may be called for dry-run requests too.
    sideEffects: 'None',
    failurePolicy: 'Ignore',
    matchPolicy: 'Equivalent',
    timeoutSeconds: spec.timeoutSeconds,
    namespaceSelector,
    objectSelector: {},
    rules: spec.rules.map((rule) => ({
      apiGroups: [...rule.apiGroups],
      apiVersions: [...rule.apiVersions],
      operations: [...rule.operations],
      resources: [...rule.resources],
      scope: 'Namespaced',
    })),
    clientConfig:
      options.endpoint.kind === 'url'
        ? { url: `${options.endpoint.baseUrl.replace(/\/+$/, '')}${spec.path}`, ...(caBundle ? { caBundle } : {}) }
        : {
            service: { namespace: options.endpoint.namespace, name: options.endpoint.name, path: spec.path, port: options.endpoint.port },
            ...(caBundle ? { caBundle } : {}),
          },
  }));
}

/** The CAs registered for our webhooks now: the bundle of the first of them present. */
export function registeredBundle(config: ValidatingWebhookConfiguration, names: readonly string[]): BundleEntry[] {
  for (const webhook of config.webhooks ?? []) {
    if (!names.includes(String(webhook.name))) continue;
    const clientConfig = webhook.clientConfig;
    const caBundle = isRecord(clientConfig) && typeof clientConfig.caBundle === 'string' ? clientConfig.caBundle : '';
    return parseBundle(Buffer.from(caBundle, 'base64').toString('utf8'));
  }
  return [];
}

/** Whether `existing` differs from `desired` in anything we write. */
export function webhooksDiffer(existing: readonly unknown[] | undefined, desired: readonly unknown[]): boolean {
  return canonical(existing ?? []) !== canonical(desired);
}

/** Whether the configuration sends our webhooks to `baseUrl` (this process, in URL mode). */
export function pointsAt(config: ValidatingWebhookConfiguration, baseUrl: string): boolean {
  return (config.webhooks ?? []).some((w) => {
    const url = isRecord(w.clientConfig) ? w.clientConfig.url : undefined;
    return typeof url === 'string' && url.startsWith(baseUrl.replace(/\/+$/, '') + '/');
  });
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

// ---- the registrar (I/O) ----------------------------------------------------------------------

export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
}

export interface RegistrarOptions extends RegistrationOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  /** This process's CA owner (ca-bundle.ts). */
  readonly self: string;
  readonly clock?: Clock;
}

/**
 * Keeps this process's CAs in the registration. `ensure` and `withdraw` re-read the object and
 * retry on a 409 Conflict (another replica wrote first), so concurrent replicas converge on the
 * union of their CAs.
 */
export class WebhookRegistrar {
  private readonly options: RegistrarOptions;
  private readonly clock: Clock;

  constructor(options: RegistrarOptions) {
    this.options = options;
    this.clock = options.clock ?? realClock;
  }

  /** Makes the registration send our webhooks here and trust `own`. Resolves with whether it wrote. */
  async ensure(own: readonly BundleEntry[], signal?: AbortSignal): Promise<'unchanged' | 'created' | 'updated'> {
    const { client, configurationName } = this.options;
    for (let attempt = 0; ; attempt++) {
      let current: ValidatingWebhookConfiguration | undefined;
      try {
        current = await client.get(validatingWebhookConfigurations, undefined, configurationName, signal);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (current === undefined) {
        const created: ValidatingWebhookConfiguration = {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          metadata: { name: configurationName, labels: { 'app.kubernetes.io/managed-by': 'my-workload-operator' } },
          webhooks: desiredWebhooks(this.options, mergeBundle(this.mergeInput([], own, new Map()))),
        };
        try {
          await client.create(validatingWebhookConfigurations, created, { signal });
          return 'created';
        } catch (err) {
          if (attempt < 5 && isConflict(err)) continue;
          throw new RegistrationError(`creating ValidatingWebhookConfiguration ${configurationName}`, { cause: err });
        }
      }
      const existing = registeredBundle(current, this.options.webhooks.map((w) => w.name));
      const liveness = await this.liveness(existing, signal);
      const bundle = mergeBundle(this.mergeInput(existing, own, liveness));
      const webhooks = desiredWebhooks(this.options, bundle);
      if (!webhooksDiffer(current.webhooks, webhooks)) return 'unchanged';
      try {
        await client.update(validatingWebhookConfigurations, { ...current, webhooks }, { signal });
        if (!sameBundle(existing, bundle)) {
          this.options.logger.info('webhook CA bundle updated', { configuration: configurationName, cas: bundle.length });
        }
        return 'updated';
      } catch (err) {
        // 409: another replica (or a person) wrote since we read; 404: deleted meanwhile.
        if (attempt < 5 && (isConflict(err) || isNotFound(err))) continue;
        throw new RegistrationError(`updating ValidatingWebhookConfiguration ${configurationName}`, { cause: err });
      }
    }
  }

  /**
   * Takes this process out on shutdown: a URL registration pointing here is deleted (nobody else
   * serves it); in a shared one our CAs are dropped from the bundle, the other replicas stay.
   */
  async withdraw(own: readonly BundleEntry[], signal?: AbortSignal): Promise<void> {
    const { client, configurationName, endpoint } = this.options;
    for (let attempt = 0; attempt < 5; attempt++) {
      let current: ValidatingWebhookConfiguration;
      try {
        current = await client.get(validatingWebhookConfigurations, undefined, configurationName, signal);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      try {
        if (endpoint.kind === 'url') {
          if (!pointsAt(current, endpoint.baseUrl)) return;
          await client.delete(validatingWebhookConfigurations, undefined, configurationName, {
            uid: current.metadata.uid,
            resourceVersion: current.metadata.resourceVersion,
            signal,
          });
          return;
        }
        const names = this.options.webhooks.map((w) => w.name);
        const ownPrints = new Set(own.map((e) => e.fingerprint));
        const existing = registeredBundle(current, names);
        const remaining = existing.filter((e) => !ownPrints.has(e.fingerprint));
        if (remaining.length === existing.length) return;
        await client.update(validatingWebhookConfigurations, { ...current, webhooks: desiredWebhooks(this.options, remaining) }, { signal });
        return;
      } catch (err) {
        if (isConflict(err)) continue;
        if (isNotFound(err)) return;
        throw err;
      }
    }
  }

  private mergeInput(existing: readonly BundleEntry[], own: readonly BundleEntry[], liveness: ReadonlyMap<string, Liveness>) {
    return {
      policy: bundlePolicyOf(this.options.endpoint),
      existing,
      own,
      self: this.options.self,
      liveness,
      now: new Date(this.clock.now()),
    };
  }

  /** Which pod owners of foreign CAs still exist (shared registrations only). */
  private async liveness(existing: readonly BundleEntry[], signal?: AbortSignal): Promise<Map<string, Liveness>> {
    const result = new Map<string, Liveness>();
    if (bundlePolicyOf(this.options.endpoint) !== 'shared') return result;
    for (const owner of ownersToCheck(existing, this.options.self)) {
      const pod = parsePodOwner(owner);
      if (!pod) continue;
      try {
        await this.options.client.get(pods, pod.namespace, pod.name, signal);
        result.set(owner, 'alive');
      } catch (err) {
        result.set(owner, isNotFound(err) ? 'gone' : 'unknown');
      }
    }
    return result;
  }
}

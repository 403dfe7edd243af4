// The validating webhook for templated workloads, registered with the manager's webhooks: one
// webhook, one path, CREATE and UPDATE of every kind in the template table (kinds.ts).
import type { KubeClient } from '../runtime/client/rest.ts';
import type { Logger } from '../runtime/logging.ts';
import type { WebhookSpec } from '../runtime/webhook/registration.ts';
import type { Webhooks } from '../runtime/webhook/webhooks.ts';
import { ApiDryRunner } from './dry-run.ts';
import { templateGroup, templateVersion } from './kinds.ts';
import { TemplateReview } from './review.ts';

export const templateWebhookPath = '/validate-apps-my-dev-templates';

export interface TemplateWebhookOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
}

export function templateWebhookSpec(resources: readonly string[]): WebhookSpec {
  return {
    name: 'templates.apps.my.dev',
    path: templateWebhookPath,
    rules: [{ apiGroups: [templateGroup], apiVersions: [templateVersion], resources, operations: ['CREATE', 'UPDATE'] }],
    // Two round trips to the API server at most (a probe, and once more without resolved names),
    // plus the stored template on an invalid UPDATE: well within 10 s.
    timeoutSeconds: 10,
  };
}

export function registerTemplateWebhook(webhooks: Webhooks, options: TemplateWebhookOptions): void {
  // The probes have a client of their own: no client-side rate limit shared with the controllers
  // (each probe answers a request the API server already admitted), and a timeout below the
  // webhook's.
  const client = options.client.withOptions({ qps: 0, timeoutMs: 4000, userAgent: 'my-workload-operator/admission' });
  const review = new TemplateReview({ runner: new ApiDryRunner(client) });
  const log = options.logger.child({ component: 'admission' });
  webhooks.register(templateWebhookSpec(review.resources()), async (request, signal) => {
    const verdict = await review.review(request, signal);
    log.debug('admission reviewed', {
      resource: request.resource.resource,
      object: `${request.namespace}/${request.name}`,
      operation: request.operation,
      allowed: verdict.kind === 'allow',
      ...(verdict.kind === 'deny-invalid' ? { fields: verdict.causes.map((c) => c.field) } : {}),
    });
    return verdict;
  });
}

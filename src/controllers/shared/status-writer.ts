// Status writes for our custom resources: a JSON merge patch of exactly the fields the controller
// owns, on the status subresource. Fields it does not name — conditions set by other actors above
// all — are left as they are, and no resourceVersion precondition means no conflict retries.
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';

export function patchStatusFields<T extends KubeObject>(
  client: KubeClient,
  resource: Resource<T>,
  obj: KubeObject,
  fields: object,
  signal?: AbortSignal,
): Promise<T> {
  return client.patch(resource, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', { status: fields }, {
    subresource: 'status',
    signal,
  });
}

// Status writes for our custom resources: a JSON merge patch of exactly the fields the controller
// owns, on the status subresource. Fields it does not name — conditions set by other actors above
// all — are left as they are, and no resourceVersion precondition means no conflict retries.
// Conditions are a list, which a merge patch replaces whole: updateConditions writes them with a
// precondition instead.
import type { KubeObject, WorkloadCondition } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { isConflict } from '../../runtime/client/errors.ts';
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

/** The calls updateConditions makes; KubeClient satisfies it. */
export interface ConditionsClient {
  get<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, name: string, signal?: AbortSignal): Promise<T>;
  patch<T extends KubeObject>(
    res: Resource<T>,
    namespace: string | undefined,
    name: string,
    type: 'merge',
    body: unknown,
    options?: { readonly subresource?: string; readonly signal?: AbortSignal },
  ): Promise<T>;
}

interface Conditioned extends KubeObject {
  readonly status?: { readonly conditions?: readonly WorkloadCondition[] };
}

/** Tries before a conflict is given up, as client-go's retry.DefaultRetry (5 steps). */
export const conditionWriteAttempts = 5;

/**
 * Writes status.conditions as `update` computes them from the object's current ones; `update`
 * returns undefined when there is nothing to write (then no request is made). A merge patch
 * replaces the whole list, so the patch carries the resourceVersion the list was computed from:
 * a condition another client set since makes it conflict, and it is computed again from a fresh
 * read (upstream writes the whole status with UpdateStatus and retries on conflict the same way).
 * Returns the object written, or undefined when nothing was.
 */
export async function updateConditions<T extends Conditioned>(
  client: ConditionsClient,
  resource: Resource<T>,
  obj: T,
  update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
  signal?: AbortSignal,
  /**
   * Status fields the controller owns to set in the same request (one write instead of two); sent
   * unchanged on a retry, and alone, without precondition, when the conditions need no write.
   */
  fields?: object,
): Promise<T | undefined> {
  let current = obj;
  for (let attempt = 1; ; attempt++) {
    const conditions = update(current.status?.conditions);
    if (conditions === undefined) {
      return fields === undefined ? undefined : client.patch(resource, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', { status: fields }, { subresource: 'status', signal });
    }
    try {
      return await client.patch(
        resource,
        current.metadata.namespace,
        current.metadata.name ?? '',
        'merge',
        { metadata: { resourceVersion: current.metadata.resourceVersion }, status: { ...fields, conditions } },
        { subresource: 'status', signal },
      );
    } catch (err) {
      if (!isConflict(err) || attempt >= conditionWriteAttempts) throw err;
    }
    current = await client.get(resource, current.metadata.namespace, current.metadata.name ?? '', signal);
    if (current.metadata.uid !== obj.metadata.uid) return undefined;
  }
}

/** Status writes that report each resourceVersion written (for the consistency store). */
export interface StatusWrites<T extends Conditioned> {
  /** patchStatusFields: a merge patch of these status fields alone. */
  patchStatus(obj: T, fields: object): Promise<void>;
  /** updateConditions; nothing is reported when nothing was written. */
  writeConditions(
    obj: T,
    update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
  ): Promise<void>;
}

export function reportedStatusWrites<T extends Conditioned>(
  client: KubeClient,
  resource: Resource<T>,
  wrote: (resourceVersion: string | undefined) => void,
  signal: AbortSignal,
): StatusWrites<T> {
  return {
    async patchStatus(obj, fields) {
      const patched = await patchStatusFields(client, resource, obj, fields, signal);
      wrote(patched.metadata.resourceVersion);
    },
    async writeConditions(obj, update) {
      const written = await updateConditions(client, resource, obj, update, signal);
      if (written !== undefined) wrote(written.metadata.resourceVersion);
    },
  };
}

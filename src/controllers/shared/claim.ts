// The I/O half of upstream's ControllerRefManager: adopt matching orphans, release owned objects
// that stopped matching, and report what the owner controls afterwards. The decision per object is
// claimDecision (pure); this file issues the patches.
import type { KubeObject, LabelSelector } from '../../api/meta.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { selectorMatches } from '../../api/selector.ts';
import { ApiError, isNotFound } from '../../runtime/client/errors.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { controllerIndex, namespaceIndex } from '../../runtime/informer/store.ts';
import type { ClaimDecision, OwnerIdentity } from './ownership.ts';
import { adoptPatch, releasePatch } from './ownership.ts';

/** How an adoption or release is written. */
export interface ClaimPatch {
  readonly type: 'strategic' | 'merge';
  readonly body: unknown;
}

/** The one call a claim makes; KubeClient satisfies it. */
export interface ClaimClient {
  patch<T extends KubeObject>(
    res: Resource<T>,
    namespace: string | undefined,
    name: string,
    type: ClaimPatch['type'],
    body: unknown,
    options?: { readonly signal?: AbortSignal },
  ): Promise<T>;
}

/** The live read of the owner before adopting; KubeClient satisfies it. */
export interface OwnerReader {
  get<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, name: string, signal?: AbortSignal): Promise<T>;
}

export interface ClaimOptions<T extends KubeObject> {
  readonly client: ClaimClient;
  readonly resource: Resource<T>;
  readonly owner: OwnerIdentity;
  readonly namespace: string;
  /** Candidate objects: everything the owner controls plus the orphans it might adopt. */
  readonly candidates: readonly T[];
  readonly decide: (obj: T) => ClaimDecision;
  /**
   * Re-reads the owner from the API server (not the cache) before the first adoption, so an owner
   * that is being deleted adopts nothing (upstream: RecheckDeletionTimestamp). Returns false when
   * adoption must not happen.
   */
  readonly ownerStillAdopting: () => Promise<boolean>;
  /**
   * The patch that adopts or releases `obj`. Default: upstream's strategic-merge patches
   * (ownership.ts), which core objects take; a custom resource takes no strategic merge, so its
   * claims bring a merge patch of their own.
   */
  readonly patchFor?: (obj: T, change: 'adopt' | 'release') => ClaimPatch;
  readonly signal?: AbortSignal;
}

function strategicClaimPatch(owner: OwnerIdentity): (obj: KubeObject, change: 'adopt' | 'release') => ClaimPatch {
  return (obj, change) => ({ type: 'strategic', body: change === 'adopt' ? adoptPatch(obj, owner) : releasePatch(obj, owner) });
}

/**
 * The candidates of a claim, from a cache: what the owner controls, then the orphans in its
 * namespace that its selector matches (upstream FilterPodsByOwner with includeOrphans).
 */
export function claimCandidates<T extends KubeObject>(
  store: ReadonlyStore<T>,
  owner: OwnerIdentity,
  namespace: string,
  selector: LabelSelector,
): T[] {
  const owned = store.byIndex(controllerIndex, owner.uid);
  const orphans = store
    .byIndex(namespaceIndex, namespace)
    .filter((obj) => controllerOf(obj) === undefined && selectorMatches(selector, obj.metadata.labels));
  return [...owned, ...orphans];
}

export class ClaimError extends Error {
  override readonly name = 'ClaimError';
}

/** Returns the objects the owner controls after adoption and release. */
export async function claimObjects<T extends KubeObject>(options: ClaimOptions<T>): Promise<T[]> {
  const { client, resource, owner, namespace, signal } = options;
  const patchFor = options.patchFor ?? strategicClaimPatch(owner);
  const write = (obj: T, change: 'adopt' | 'release'): Promise<T> => {
    const { type, body } = patchFor(obj, change);
    return client.patch(resource, namespace, obj.metadata.name ?? '', type, body, { signal });
  };
  const claimed: T[] = [];
  let mayAdopt: boolean | undefined;
  const errors: unknown[] = [];
  for (const obj of options.candidates) {
    const decision = options.decide(obj);
    try {
      switch (decision) {
        case 'owned':
          claimed.push(obj);
          break;
        case 'adopt': {
          mayAdopt ??= await options.ownerStillAdopting();
          if (!mayAdopt) break;
          claimed.push(await write(obj, 'adopt'));
          break;
        }
        case 'release':
          if (isBeingDeleted(obj)) break;
          await write(obj, 'release');
          break;
        case 'ignore':
          break;
        default: {
          const unexpected: never = decision;
          throw new ClaimError(`unknown claim decision ${String(unexpected)}`);
        }
      }
    } catch (err) {
      if (!goneOrReplaced(err)) errors.push(err);
    }
  }
  if (errors.length > 0) {
    throw new ClaimError(`claiming ${resource.plural} for ${owner.name}: ${errors.length} failed`, { cause: errors[0] });
  }
  return claimed;
}

/**
 * Nothing to claim: the object is gone (upstream ignores NotFound), or a newer object took its
 * name, which the patch's metadata.uid refuses (422 "metadata.uid: … field is immutable", as
 * upstream's ReleasePod notes, or 409 "Precondition failed: UID in precondition …"). Matched on
 * those phrases only: the message and the request path both hold the object's name, which may
 * well contain "uid". Anything else fails the claim, and the sync retries.
 */
export function goneOrReplaced(err: unknown): boolean {
  if (isNotFound(err)) return true;
  if (!(err instanceof ApiError) || (err.code !== 409 && err.code !== 422)) return false;
  return /metadata\.uid|UID in precondition/.test(err.status?.message ?? '');
}

/** The owner re-read live, as RecheckDeletionTimestamp: same UID and not being deleted. */
export async function ownerIsLiveAndActive<T extends KubeObject>(
  client: OwnerReader,
  resource: Resource<T>,
  namespace: string,
  owner: OwnerIdentity,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    const fresh = await client.get(resource, namespace, owner.name, signal);
    return fresh.metadata.uid === owner.uid && !isBeingDeleted(fresh);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

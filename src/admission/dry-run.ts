// Dry-run creates against the API server (`?dryRun=All`: admission and validation run, nothing is
// stored), and how each answer reads as a DryRunOutcome.
//
// The operator's own credentials make the call; its ClusterRole already creates pods and claims
// everywhere it manages workloads. A dry run has no side effects, which is why the webhook can
// declare sideEffects None and serve dry-run requests itself.
import type { KubeObject } from '../api/meta.ts';
import { resource } from '../api/resources.ts';
import { ApiError, TransportError } from '../runtime/client/errors.ts';
import type { KubeClient } from '../runtime/client/rest.ts';
import type { ProbeObject } from './probe.ts';
import type { DryRunOutcome, DryRunner } from './review.ts';

const probePods = resource<ProbeObject & KubeObject>('', 'v1', 'pods', 'Pod', true);
const probeClaims = resource<ProbeObject & KubeObject>('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true);

export class ApiDryRunner implements DryRunner {
  private readonly client: KubeClient;

  constructor(client: KubeClient) {
    this.client = client;
  }

  async create(probe: ProbeObject, signal: AbortSignal): Promise<DryRunOutcome> {
    try {
      await this.client.create(probe.kind === 'Pod' ? probePods : probeClaims, probe, { dryRun: true, signal });
      return { kind: 'accepted' };
    } catch (err) {
      if (signal.aborted) throw err;
      return outcomeOf(err);
    }
  }
}

/** Reads a failed dry-run create. */
export function outcomeOf(err: unknown): DryRunOutcome {
  if (err instanceof ApiError) {
    const message = err.status?.message ?? err.message;
    if (err.code === 422) return { kind: 'invalid', causes: err.status?.details?.causes ?? [], message };
    // The decoder's words for a value of the wrong shape (apimachinery runtime/serializer).
    if (err.code === 400 && / cannot be handled as a /.test(message)) return { kind: 'undecodable', message: decodeDetail(message) };
    if (err.code === 403) return { kind: 'forbidden', message };
    return { kind: 'inconclusive', message: `${err.code} ${err.reason}: ${message}` };
  }
  if (err instanceof TransportError) return { kind: 'inconclusive', message: err.message };
  throw err;
}

/** `Pod in version "v1" cannot be handled as a Pod: quantities must match …` → the part after the kind. */
function decodeDetail(message: string): string {
  const match = / cannot be handled as a \w+: (.*)$/s.exec(message);
  return match?.[1] ?? message;
}

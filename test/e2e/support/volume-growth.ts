// Claim growth in e2e tests (docs/volume-growth.md): a StorageClass of the test's own, and a fake
// external resizer. kwok nodes run no kubelet and the cluster no CSI driver, so nobody expands a
// volume: kube-controller-manager's expand controller finds no plugin for a hostPath volume and
// leaves it to "an external controller" (Event ExternalExpanding). FakeVolumeResizer is that
// controller and the kubelet in one: for every Bound claim of the namespace whose request exceeds
// its capacity it writes the new size into the volume's spec.capacity (what the CSI resizer does
// after ControllerExpandVolume) and then into the claim's status.capacity (what the kubelet does
// once the file system grew online).
//
// Test-side rules, deliberately not the operator's code: sizes are compared in bytes here.
import type { PersistentVolumeClaim } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { persistentVolumeClaims, resource } from '../../../src/api/resources.ts';
import { errorMessage, isNotFound } from '../../../src/runtime/client/errors.ts';
import { testClient } from './env.ts';
import { persistentVolumes } from './statefulset.ts';

export interface StorageClassObject extends KubeObject {
  readonly provisioner: string;
  readonly allowVolumeExpansion?: boolean;
  readonly volumeBindingMode?: string;
}

export const storageClassResource = resource<StorageClassObject>('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false);

/** The condition and Events of claim growth, as the operator reports them. */
export const volumeResizingType = 'VolumeResizing';
export const resizing = 'True/Resizing';
export const resized = 'False/Resized';
export const resizeForbidden = 'False/ResizeForbidden';

/**
 * A StorageClass only this test uses (cluster-scoped: named after the namespace), with no
 * provisioner: claims bind to the test's pre-created volumes of that class (TestVolumes with its
 * name). `allowVolumeExpansion` as given; deleted by `remove`.
 */
export async function createStorageClass(name: string, allowVolumeExpansion: boolean): Promise<{ readonly name: string; remove: () => Promise<void> }> {
  const client = await testClient();
  await client.create(storageClassResource, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, labels: { 'e2e.my.dev/test': 'volume-growth' } },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'Immediate',
    ...(allowVolumeExpansion ? { allowVolumeExpansion: true } : {}),
  });
  return {
    name,
    remove: async () => {
      try {
        await client.delete(storageClassResource, undefined, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

/** Sets allowVolumeExpansion on a StorageClass (a field StorageClass validation lets change). */
export async function setAllowVolumeExpansion(name: string, allow: boolean): Promise<void> {
  const client = await testClient();
  await client.patch(storageClassResource, undefined, name, 'merge', { allowVolumeExpansion: allow });
}

const binarySuffixes: Readonly<Record<string, number>> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes of a storage quantity in the forms these tests write (`1Gi`, `2048Mi`, `1073741824`). */
export function bytesOf(quantity: unknown): number {
  const match = typeof quantity === 'string' ? /^([0-9]+)(Ki|Mi|Gi|Ti)?$/.exec(quantity) : null;
  if (match === null) throw new Error(`unexpected storage quantity ${String(quantity)}`);
  return Number(match[1]) * (binarySuffixes[match[2] ?? ''] ?? Number.NaN);
}

export function claimRequest(claim: PersistentVolumeClaim): string | undefined {
  return claim.spec.resources?.requests?.storage;
}

export function claimCapacity(claim: PersistentVolumeClaim): string | undefined {
  const capacity = claim.status?.capacity;
  return isRecord(capacity) && typeof capacity.storage === 'string' ? capacity.storage : undefined;
}

/** Plays the external resizer for the claims of one namespace until stopped (see the file comment). */
export class FakeVolumeResizer {
  /** `claim: from -> to`, per expansion done, in order. */
  readonly expansions: string[] = [];
  /** The last error of a pass (retried at the next one), for failure messages. */
  lastError: string | undefined;
  private readonly namespace: string;
  private readonly intervalMs: number;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;

  private constructor(namespace: string, intervalMs: number) {
    this.namespace = namespace;
    this.intervalMs = intervalMs;
    this.done = this.run();
  }

  /** Starts resizing; a pass every `intervalMs` (default 200 ms). */
  static start(namespace: string, intervalMs = 200): FakeVolumeResizer {
    return new FakeVolumeResizer(namespace, intervalMs);
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.pass();
      } catch (err) {
        this.lastError = errorMessage(err);
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  private async pass(): Promise<void> {
    const client = await testClient();
    const claims = await client.list(persistentVolumeClaims, { namespace: this.namespace });
    for (const claim of claims.items) {
      const request = claimRequest(claim);
      const capacity = claimCapacity(claim);
      const volume = claim.spec.volumeName;
      if (claim.status?.phase !== 'Bound' || volume === undefined || request === undefined || capacity === undefined) continue;
      if (bytesOf(request) <= bytesOf(capacity)) continue;
      // The volume first, as the CSI resizer does, then the claim, as the kubelet does after the
      // online file system resize; a merge patch keeps every other status field.
      await client.patch(persistentVolumes, undefined, volume, 'merge', { spec: { capacity: { storage: request } } });
      await client.patch(persistentVolumeClaims, this.namespace, claim.metadata.name ?? '', 'merge', { status: { capacity: { storage: request } } }, {
        subresource: 'status',
      });
      this.expansions.push(`${claim.metadata.name ?? ''}: ${capacity} -> ${request}`);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

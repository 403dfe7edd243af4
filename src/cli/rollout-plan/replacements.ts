// Which existing pods a MyDaemonSet or MyStatefulSet rollout replaces, sync by sync. A pod's
// replacement starts in the sync that deletes it to make room for a new one (StatefulSet, and
// DaemonSet without maxSurge: upstream pkg/controller/daemon/update.go rollingUpdate deletes, manage
// recreates), or in the sync that creates a new pod beside it (DaemonSet surge). A deletion counts
// only if a pod takes the deleted pod's place by the end (same node, or same StatefulSet name): a
// scale-down or a node leaving the selector removes a pod without replacing it.
import type { Pod } from '../../api/core.ts';

type Started = { readonly pod: Pod; readonly how: 'deleted' | 'surged' };

export class Replacements {
  /** The pods that existed before the change, by uid. */
  private readonly originals = new Map<string, Pod>();
  private readonly started = new Set<string>();
  private readonly syncs: Started[][] = [];
  private readonly identity: (pod: Pod) => string | undefined;

  /** `identity`: the place a pod holds (its node, its StatefulSet name), which its replacement takes. */
  constructor(originals: readonly Pod[], identity: (pod: Pod) => string | undefined) {
    for (const pod of originals) this.originals.set(pod.metadata.uid ?? '', pod);
    this.identity = identity;
  }

  /** A sync starts; what it starts is one step. */
  beginSync(): void {
    this.syncs.push([]);
  }

  /** The sync deletes `pod`. */
  deleted(pod: Pod): void {
    const original = this.originals.get(pod.metadata.uid ?? '');
    if (original !== undefined) this.start(original, 'deleted');
  }

  /** The sync creates a pod at `identity`: an original still there is being replaced (surge). */
  created(identity: string): void {
    for (const [uid, pod] of this.originals) {
      if (!this.started.has(uid) && this.identity(pod) === identity) this.start(pod, 'surged');
    }
  }

  /** The steps, given the pods at the end: names sorted within a step, steps in sync order. */
  steps(finalPods: readonly Pod[]): string[][] {
    const finalUids = new Set(finalPods.map((pod) => pod.metadata.uid ?? ''));
    const held = new Set(finalPods.flatMap((pod) => this.identity(pod) ?? []));
    const replaced = (s: Started): boolean =>
      s.how === 'surged' || (!finalUids.has(s.pod.metadata.uid ?? '') && held.has(this.identity(s.pod) ?? ''));
    return this.syncs
      .map((sync) => sync.filter(replaced).map((s) => s.pod.metadata.name ?? '').sort())
      .filter((names) => names.length > 0);
  }

  private start(pod: Pod, how: Started['how']): void {
    const uid = pod.metadata.uid ?? '';
    if (this.started.has(uid)) return;
    this.started.add(uid);
    this.syncs.at(-1)?.push({ pod, how });
  }
}

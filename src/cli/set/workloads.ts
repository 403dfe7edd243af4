// The objects a `set` command reads and writes: any of our kinds with a pod template, read by
// name or listed by label selector. kubectl reads every object before changing any, and stops
// with the errors of the reads that failed.
// upstream: cli-runtime pkg/resource/builder.go (ContinueOnError, Latest), result.go Infos.
import type { PodTemplateSpec } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { myDaemonSets, myDeployments, myStatefulSets } from '../../api/workloads.ts';
import { errorMessage } from '../../runtime/client/errors.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { TargetKind } from '../target.ts';
import type { Selection } from './resource-args.ts';
import { SetError } from './set-error.ts';

/** What `set` needs of a workload: its metadata and its pod template. */
export type TemplatedWorkload = KubeObject & { readonly spec: { readonly template: PodTemplateSpec } };

export interface Workload {
  readonly kind: TargetKind;
  readonly obj: TemplatedWorkload;
}

export function workloadResource(kind: TargetKind): Resource<TemplatedWorkload> {
  switch (kind) {
    case 'MyDaemonSet':
      return myDaemonSets;
    case 'MyStatefulSet':
      return myStatefulSets;
    case 'MyDeployment':
      return myDeployments;
  }
}

/** Every selected object, in kubectl's order: names as given; listed objects kind by kind, as the API server lists them. */
export async function readWorkloads(client: KubeClient, namespace: string, selection: Selection): Promise<Workload[]> {
  const workloads: Workload[] = [];
  const errors: string[] = [];
  if (selection.kind === 'named') {
    for (const { kind, name } of selection.targets) {
      try {
        workloads.push({ kind, obj: await client.get(workloadResource(kind), namespace, name) });
      } catch (err) {
        errors.push(errorMessage(err));
      }
    }
  } else {
    for (const kind of selection.kinds) {
      try {
        const { items } = await client.listAll(workloadResource(kind), { namespace, labelSelector: selection.labelSelector });
        workloads.push(...items.map((obj) => ({ kind, obj })));
      } catch (err) {
        errors.push(errorMessage(err));
      }
    }
  }
  if (errors.length > 0) throw new SetError(errors);
  return workloads;
}

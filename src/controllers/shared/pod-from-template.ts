// The pod a controller creates from its pod template, before any kind adds its own touches (a
// DaemonSet's node binding and tolerations). Pure: the template is read, never modified.
// upstream: pkg/controller/controller_utils.go GetPodFromTemplate, getPodsPrefix.
import type { Pod, PodTemplateSpec } from '../../api/core.ts';
import { isDns1123Subdomain } from '../../api/names.ts';
import type { KubeObject, OwnerReference } from '../../api/meta.ts';

/**
 * The `generateName` of the owner's pods: `<owner>-` when that makes a valid name prefix, else
 * the bare name (a 253-character owner name leaves no room for the dash).
 */
export function getPodsPrefix(ownerName: string): string {
  // A generated name appends characters, so a trailing dash is fine: check with it masked, as
  // upstream's ValidatePodName(prefix, true) does.
  return isDns1123Subdomain(`${ownerName}a`) ? `${ownerName}-` : ownerName;
}

/**
 * A new pod in the owner's namespace: the template's labels, annotations and finalizers (copies;
 * empty annotations and finalizers left out, as Go's omitempty drops them on the wire), a spec
 * copied from the template, `generateName` from getPodsPrefix and the controller reference.
 * A missing template gives a pod with no labels and no containers, as Go's zero template would.
 */
export function getPodFromTemplate(template: PodTemplateSpec | undefined, owner: KubeObject, ref: OwnerReference): Pod {
  const meta = template?.metadata;
  const annotations = meta?.annotations ?? {};
  const finalizers = meta?.finalizers ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: getPodsPrefix(owner.metadata.name ?? ''),
      namespace: owner.metadata.namespace,
      labels: { ...meta?.labels },
      ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
      ...(finalizers.length > 0 ? { finalizers: [...finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: { containers: [], ...template?.spec },
  };
}

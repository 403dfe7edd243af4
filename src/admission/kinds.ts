// Which custom resources carry templates the API server must judge, and where: one row per kind.
// Every workload kind embeds a pod template and plugs in with a row; the webhook's rules, paths and
// checks all derive from this table.
//
// Why the webhook at all: the CRD schema holds apps/v1's structure, and CEL can express only part
// of core/v1's pod validation within the CRD's cost budget (label keys of unbounded maps, volume
// source rules, resource requirements across containers, probes, security contexts, …). The API
// server itself has upstream's exact rules: the webhook asks it, with a dry-run create of the
// template as a Pod and of each claim template as a PersistentVolumeClaim (probe.ts), and maps its
// field errors back (field-errors.ts).
import { rollbackToAnnotation } from '../api/deployment-annotations.ts';
import { group, version } from '../api/workloads.ts';

export interface TemplateKind {
  /** The CRD's kind and plural. */
  readonly kind: string;
  readonly resource: string;
  /** Where the pod template sits, from the object's root. */
  readonly podTemplate: readonly string[];
  /** Where claim templates sit, for kinds that have them. */
  readonly claimTemplates?: readonly string[];
  /**
   * StatefulSet pods: the controller sets hostname and subdomain, and adds a volume per claim
   * template, replacing a template volume of the same name; upstream validates the template so
   * amended (pkg/apis/apps/validation ValidateStatefulSetSpec).
   */
  readonly statefulIdentity: boolean;
  /**
   * An UPDATE whose stored template is itself invalid (it got in while the webhook was down):
   *   skip — accept the new template unchecked, as upstream ValidateStatefulSetUpdate does
   *          (SkipValidatePodTemplateSpec when the old spec fails validation);
   *   new-errors-only — refuse only errors the stored template does not have (DaemonSet: upstream
   *          revalidates fully, with ratcheting options for a few fields; refusing errors the
   *          stored object already has would make it impossible to change anything else).
   */
  readonly invalidStoredTemplate: 'skip' | 'new-errors-only';
  /**
   * Annotations apps/v1 reads as a revision number when it decodes the object, refusing a value
   * that is not a non-negative int64 (annotations.ts). The CRD cannot: its CEL rules see no
   * annotations on the root object.
   */
  readonly revisionAnnotations?: readonly string[];
}

export const templateKinds: readonly TemplateKind[] = [
  {
    kind: 'MyDaemonSet',
    resource: 'mydaemonsets',
    podTemplate: ['spec', 'template'],
    statefulIdentity: false,
    invalidStoredTemplate: 'new-errors-only',
  },
  {
    kind: 'MyStatefulSet',
    resource: 'mystatefulsets',
    podTemplate: ['spec', 'template'],
    // upstream: validateVolumeClaimTemplates on create; skipped on update (the field is immutable)
    claimTemplates: ['spec', 'volumeClaimTemplates'],
    statefulIdentity: true,
    invalidStoredTemplate: 'skip',
  },
  {
    kind: 'MyDeployment',
    resource: 'mydeployments',
    podTemplate: ['spec', 'template'],
    statefulIdentity: false,
    // upstream: ValidateDeploymentUpdate revalidates the whole spec, with the pod validation
    // options ratcheting from the stored template (deployment/strategy.go ValidateUpdate)
    invalidStoredTemplate: 'new-errors-only',
    // upstream: apps/v1 conversion.go Convert_v1_Deployment_To_apps_Deployment (spec.rollbackTo), ValidateRollback
    revisionAnnotations: [rollbackToAnnotation],
  },
  {
    kind: 'MyReplicaSet',
    resource: 'myreplicasets',
    podTemplate: ['spec', 'template'],
    statefulIdentity: false,
    // upstream: ValidateReplicaSetUpdate, as for Deployments (replicaset/strategy.go ValidateUpdate)
    invalidStoredTemplate: 'new-errors-only',
  },
];

export const templateGroup = group;
export const templateVersion = version;

export function templateKindFor(resource: string, kinds: readonly TemplateKind[] = templateKinds): TemplateKind | undefined {
  return kinds.find((k) => k.resource === resource);
}

/** A path as the API server prints field paths: `spec.template`. */
export function dotted(path: readonly string[]): string {
  return path.join('.');
}

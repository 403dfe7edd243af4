// Which ReplicaSet template is the Deployment's: semantic equality with the pod-template-hash label
// left out on both sides (the Deployment's template never has it; every RS it creates does).
// upstream: pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash. Pure.
import type { PodTemplateSpec } from '../../api/core.ts';
import { podTemplatesSemanticallyEqual } from '../shared/semantic-equality.ts';
import { podTemplateHashLabel } from './pod-template-hash.ts';

/** The template without the pod-template-hash label; the input is not modified. */
export function withoutHashLabel(template: PodTemplateSpec): PodTemplateSpec {
  const labels = template.metadata?.labels;
  if (labels === undefined || !Object.hasOwn(labels, podTemplateHashLabel)) return template;
  const { [podTemplateHashLabel]: _hash, ...rest } = labels;
  return { ...template, metadata: { ...template.metadata, labels: rest } };
}

/**
 * upstream EqualIgnoreHash: equal after dropping pod-template-hash from both label maps, under
 * apimachinery semantic equality (absent ≡ [] ≡ {}, quantities by amount, times by instant; see
 * shared/semantic-equality.ts). An absent template is Go's zero template.
 */
export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return podTemplatesSemanticallyEqual(a === undefined ? undefined : withoutHashLabel(a), b === undefined ? undefined : withoutHashLabel(b));
}

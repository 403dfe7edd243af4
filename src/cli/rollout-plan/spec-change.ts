// The change `kubectl my rollout plan` is asked about, applied to the live object: a manifest's
// spec (`-f`, as `kubectl apply -f` would change the spec), or new images (`--image
// CONTAINER=IMAGE`, as `kubectl set image` would). The result is only sent as a dry run. Pure.
import { parseAllDocuments } from 'yaml';
import type { Container, PodTemplateSpec } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { isRecord } from '../../api/meta.ts';
import { apiVersion } from '../../api/workloads.ts';
import type { Target } from '../target.ts';
import { RolloutPlanError } from './rollout-plan.ts';

export interface ImageSetting {
  /** A container or init container name; `*` is every one (as kubectl set image). */
  readonly container: string;
  readonly image: string;
}

export type SpecChange =
  /** The spec of a manifest of the same object, as parsed (the API server validates it). */
  | { readonly kind: 'manifest'; readonly spec: Readonly<Record<string, unknown>> }
  | { readonly kind: 'images'; readonly images: readonly ImageSetting[] };

/** `CONTAINER=IMAGE`. */
export function parseImageSetting(value: string): ImageSetting {
  const at = value.indexOf('=');
  const container = value.slice(0, Math.max(at, 0));
  const image = value.slice(at + 1);
  if (at <= 0 || image === '') throw new RolloutPlanError(`--image must be CONTAINER=IMAGE, got "${value}"`);
  return { container, image };
}

/**
 * The spec of the one object `text` (YAML or JSON) holds, which must be `target` in `namespace`:
 * its kind, its name, and its apiVersion and namespace when it states them.
 */
export function manifestSpec(text: string, target: Target, namespace: string): Readonly<Record<string, unknown>> {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) throw new RolloutPlanError('the file holds no object');
  const objects: unknown[] = [];
  for (const document of documents) {
    const [error] = document.errors;
    if (error !== undefined) throw new RolloutPlanError(`the file does not parse: ${error.message}`);
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  const [obj, ...more] = objects;
  if (obj === undefined || more.length > 0) throw new RolloutPlanError(`the file must hold one object, it holds ${objects.length}`);
  if (!isRecord(obj)) throw new RolloutPlanError('the file holds no object');
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  if (obj.kind !== target.kind || metadata.name !== target.name) {
    throw new RolloutPlanError(`the file holds ${shown(obj.kind)} "${shown(metadata.name)}", not ${target.kind} "${target.name}"`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw new RolloutPlanError(`the file's apiVersion is ${shown(obj.apiVersion)}, not ${apiVersion}`);
  }
  // kubectl apply refuses a manifest for another namespace the same way.
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw new RolloutPlanError(`the namespace from the provided object "${shown(metadata.namespace)}" does not match the namespace "${namespace}"`);
  }
  if (!isRecord(obj.spec)) throw new RolloutPlanError('the file\'s object has no spec');
  return obj.spec;
}

/** A value from the file, as an error message quotes it. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '(none)';
}

/** The live object with the change: what the dry-run update sends (the live resourceVersion kept). */
export function changedObject<T extends KubeObject & { readonly spec: { readonly template: PodTemplateSpec } }>(live: T, change: SpecChange): unknown {
  switch (change.kind) {
    case 'manifest':
      return { ...live, spec: change.spec };
    case 'images':
      return { ...live, spec: { ...live.spec, template: withImages(live.spec.template, change.images) } };
  }
}

/**
 * upstream kubectl set image: each setting names a container or init container (or `*`, all of
 * them); a name no container has is an error.
 */
export function withImages(template: PodTemplateSpec, images: readonly ImageSetting[]): PodTemplateSpec {
  const { containers, initContainers } = template.spec;
  const names = new Set([...containers, ...(initContainers ?? [])].map((c) => c.name));
  const unknown = images.filter((s) => s.container !== '*' && !names.has(s.container)).map((s) => s.container);
  if (unknown.length > 0) throw new RolloutPlanError(`unable to find container named "${unknown.join('", "')}"`);
  const set = (c: Container): Container => {
    const setting = images.findLast((s) => s.container === c.name) ?? images.findLast((s) => s.container === '*');
    return setting === undefined ? c : { ...c, image: setting.image };
  };
  return {
    ...template,
    spec: { ...template.spec, containers: containers.map(set), ...(initContainers === undefined ? {} : { initContainers: initContainers.map(set) }) },
  };
}

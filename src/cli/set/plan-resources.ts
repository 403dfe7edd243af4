// `set resources`: the `--limits`/`--requests` lists and the pod template they make. Values are
// written as kubectl's encoder writes them, and a value counts as changed only when that text
// differs from the stored value's (see quantity-text.ts). Requests above limits are left to the
// API server to refuse, as kubectl does. Pure.
// upstream: kubectl pkg/cmd/set/set_resources.go Validate, Run; pkg/generate/versioned/run.go
// HandleResourceRequirementsV1, populateResourceListV1.
import type { Container, PodTemplateSpec } from '../../api/core.ts';
import { isRecord } from '../../api/meta.ts';
import { encodedQuantity, kubectlQuantity } from './quantity-text.ts';
import { selectContainers } from './select-containers.ts';

export class ResourceListError extends Error {
  override readonly name = 'ResourceListError';
}

/** A ResourceList: resource name → quantity text as kubectl sends it. */
export type ResourceList = ReadonlyMap<string, string>;

/** `cpu=200m,memory=512Mi`; undefined for an empty flag (not given). */
export function parseResourceList(spec: string): ResourceList | undefined {
  if (spec === '') return undefined;
  const list = new Map<string, string>();
  for (const statement of spec.split(',')) {
    const parts = statement.split('=');
    const [name, quantity] = parts;
    if (parts.length !== 2 || name === undefined || quantity === undefined) {
      throw new ResourceListError(`Invalid argument syntax ${statement}, expected <resource>=<value>`);
    }
    const parsed = kubectlQuantity(quantity);
    if (parsed.kind === 'invalid') throw new ResourceListError(parsed.message);
    list.set(name, parsed.text);
  }
  return list;
}

export interface ResourceRequirementsUpdate {
  readonly limits?: ResourceList;
  readonly requests?: ResourceList;
}

export type ResourcesPlan =
  /** Some container was selected; the template may still equal the old one. */
  | { readonly kind: 'transformed'; readonly template: PodTemplateSpec }
  /** No container matched: kubectl records nothing and reports the selector. */
  | { readonly kind: 'noContainers'; readonly error: string };

export function planSetResources(template: PodTemplateSpec, containerSelector: string, update: ResourceRequirementsUpdate): ResourcesPlan {
  const selected = selectContainers(template.spec, containerSelector);
  if (selected.length === 0) return { kind: 'noContainers', error: `error: unable to find container named ${containerSelector}` };
  const change = (list: readonly Container[] | undefined, which: 'containers' | 'initContainers'): readonly Container[] | undefined =>
    list?.map((c, index) => (selected.some((s) => s.list === which && s.index === index) ? withResources(c, update) : c));
  const containers = change(template.spec.containers, 'containers') ?? [];
  const initContainers = change(template.spec.initContainers, 'initContainers');
  const spec = { ...template.spec, containers, ...(initContainers === undefined ? {} : { initContainers }) };
  return { kind: 'transformed', template: { ...template, spec } };
}

function withResources(container: Container, update: ResourceRequirementsUpdate): Container {
  const resources = isRecord(container.resources) ? container.resources : {};
  const limits = mergeList(resources.limits, update.limits);
  const requests = mergeList(resources.requests, update.requests);
  if (limits === resources.limits && requests === resources.requests) return container;
  const next = { ...resources, ...(limits === undefined ? {} : { limits }), ...(requests === undefined ? {} : { requests }) };
  return { ...container, resources: next };
}

/** The stored list with each given value set; the stored object itself when no value's text changes. */
function mergeList(stored: unknown, given: ResourceList | undefined): unknown {
  if (given === undefined) return stored;
  const current = isRecord(stored) ? stored : {};
  const changed = [...given].filter(([name, text]) => encodedQuantity(current[name]) !== text);
  if (changed.length === 0 && isRecord(stored)) return stored;
  return { ...current, ...Object.fromEntries(changed) };
}

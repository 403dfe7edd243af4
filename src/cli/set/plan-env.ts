// `set env`: the pod template the variables make, and the `--list` listing. Pure.
// upstream: kubectl pkg/cmd/set/set_env.go RunEnv (per container: validateNoOverwrites, then
// updateEnv, then the listing); pkg/cmd/set/helper.go updateEnv, findEnv;
// pkg/cmd/set/env/env_resolve.go GetEnvVarRefString.
import type { Container, PodTemplateSpec } from '../../api/core.ts';
import { isRecord } from '../../api/meta.ts';
import { canonicalJson } from '../../controllers/history/go-json.ts';
import type { EnvChanges, EnvVar } from './env-args.ts';
import { selectContainers } from './select-containers.ts';

export interface EnvOptions extends EnvChanges {
  readonly containerSelector: string;
  /** false: refuse to change a variable that has another value (--overwrite=false). */
  readonly overwrite: boolean;
}

/** A container's variables after the change, for `--list`. */
export interface ListedContainer {
  readonly name: string;
  readonly env: readonly EnvVar[];
}

export type EnvPlan =
  /** No container matched the selector: kubectl warns and changes nothing. */
  | { readonly kind: 'noContainers' }
  | { readonly kind: 'updated'; readonly template: PodTemplateSpec; readonly listed: readonly ListedContainer[] }
  /** --overwrite=false met a variable with another value; the containers before it are still listed. */
  | { readonly kind: 'refused'; readonly error: string; readonly listed: readonly ListedContainer[] };

/** The variables of a stored container (entries without a string name are kept as they are). */
function envOf(container: Container): readonly EnvVar[] {
  const env = container.env;
  if (!Array.isArray(env)) return [];
  return env.filter((e): e is EnvVar => isRecord(e) && typeof e.name === 'string');
}

/** Equal as kubectl's encoder writes them: an empty value is no value. */
function sameEnvVar(a: EnvVar, b: EnvVar): boolean {
  const strip = ({ value, ...rest }: EnvVar): unknown => (value === '' || value === undefined ? rest : { ...rest, value });
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

/**
 * updateEnv: existing variables keep their places (replaced by the first new one of the same name,
 * or dropped when removed or repeated), new ones follow in the order given.
 */
export function updateEnv(existing: readonly EnvVar[], env: readonly EnvVar[], remove: readonly string[]): EnvVar[] {
  const covered = new Set(remove);
  const out: EnvVar[] = [];
  for (const e of existing) {
    if (covered.has(e.name)) continue;
    const newer = env.find((n) => n.name === e.name);
    if (newer !== undefined) {
      covered.add(e.name);
      out.push(sameEnvVar(newer, e) ? e : newer);
      continue;
    }
    out.push(e);
  }
  for (const e of env) {
    if (covered.has(e.name)) continue;
    covered.add(e.name);
    out.push(e);
  }
  return out;
}

function noOverwriteError(existing: readonly EnvVar[], env: readonly EnvVar[]): string | undefined {
  for (const e of env) {
    const current = existing.find((x) => x.name === e.name);
    if (current !== undefined && (current.value ?? '') !== (e.value ?? '')) {
      return `'${current.name}' already has a value (${current.value ?? ''}), and --overwrite is false`;
    }
  }
  return undefined;
}

export function planSetEnv(template: PodTemplateSpec, options: EnvOptions): EnvPlan {
  const selected = selectContainers(template.spec, options.containerSelector);
  if (selected.length === 0) return { kind: 'noContainers' };
  const lists = { containers: [...template.spec.containers], initContainers: [...(template.spec.initContainers ?? [])] };
  const listed: ListedContainer[] = [];
  for (const { list, index, container } of selected) {
    const existing = envOf(container);
    if (!options.overwrite) {
      const error = noOverwriteError(existing, options.env);
      if (error !== undefined) return { kind: 'refused', error, listed };
    }
    const env = updateEnv(existing, options.env, options.remove);
    listed.push({ name: container.name, env });
    lists[list][index] = withEnv(container, existing, env);
  }
  const spec = { ...template.spec, containers: lists.containers, ...(template.spec.initContainers === undefined ? {} : { initContainers: lists.initContainers }) };
  return { kind: 'updated', template: { ...template, spec }, listed };
}

/** The container with `env`, itself when nothing changed; no `env` at all when it is empty (`env,omitempty`). */
function withEnv(container: Container, existing: readonly EnvVar[], env: readonly EnvVar[]): Container {
  if (env.length === existing.length && env.every((e, i) => e === existing[i])) return container;
  if (env.length > 0) return { ...container, env };
  const { env: _dropped, ...rest } = container;
  return { ...rest, name: container.name };
}

/** How `--list` names a variable that takes its value from elsewhere. */
export function envVarRefString(valueFrom: unknown): string {
  const from = isRecord(valueFrom) ? valueFrom : {};
  const field = (ref: unknown, key: string): string => (isRecord(ref) && typeof ref[key] === 'string' ? ref[key] : '');
  if (isRecord(from.configMapKeyRef)) return `configmap ${field(from.configMapKeyRef, 'name')}, key ${field(from.configMapKeyRef, 'key')}`;
  if (isRecord(from.secretKeyRef)) return `secret ${field(from.secretKeyRef, 'name')}, key ${field(from.secretKeyRef, 'key')}`;
  if (isRecord(from.fieldRef)) return `field path ${field(from.fieldRef, 'fieldPath')}`;
  if (isRecord(from.resourceFieldRef)) {
    const container = field(from.resourceFieldRef, 'containerName');
    return `resource field ${container === '' ? '' : `${container}/`}${field(from.resourceFieldRef, 'resource')}`;
  }
  return 'invalid valueFrom';
}

/** `--list` for one object: a `# KIND NAME, container C` header per container, then its variables. */
export function envListing(kind: string, name: string, containers: readonly ListedContainer[]): string[] {
  return containers.flatMap((c) => [
    `# ${kind} ${name}, container ${c.name}`,
    ...c.env.map((e) => (e.valueFrom === undefined || e.valueFrom === null ? `${e.name}=${e.value ?? ''}` : `# ${e.name} from ${envVarRefString(e.valueFrom)}`)),
  ]);
}

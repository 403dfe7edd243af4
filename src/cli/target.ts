// Parses what users type after a verb: `mds/web`, `mydaemonset/web`,
// `mystatefulsets.apps.my.dev/web`, `mdeploy/web`, or the two-word form `msts web`; and names a
// target the way kubectl names objects in its output and errors.
import { group } from '../api/workloads.ts';

export type TargetKind = 'MyDaemonSet' | 'MyStatefulSet' | 'MyDeployment';

export interface Target {
  readonly kind: TargetKind;
  readonly name: string;
}

/** The short name and the lower-case plural of each kind, as the CRDs declare them. */
const names: Readonly<Record<TargetKind, { readonly short: string; readonly plural: string }>> = {
  MyDaemonSet: { short: 'mds', plural: 'mydaemonsets' },
  MyStatefulSet: { short: 'msts', plural: 'mystatefulsets' },
  MyDeployment: { short: 'mdeploy', plural: 'mydeployments' },
};

/** Every spelling kubectl would accept for each kind: short, singular, plural, and both with the group. */
const kinds: ReadonlyMap<string, TargetKind> = new Map(
  (['MyDaemonSet', 'MyStatefulSet', 'MyDeployment'] as const).flatMap((kind) => {
    const { short, plural } = names[kind];
    const singular = kind.toLowerCase();
    return [short, singular, plural, `${singular}.${group}`, `${plural}.${group}`].map((spelling) => [spelling, kind] as const);
  }),
);

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

export function parseTarget(args: readonly string[]): Target {
  const [first, second, ...rest] = args;
  if (first === undefined || rest.length > 0) throw new TargetError('expected one resource: TYPE/NAME or TYPE NAME');
  const [type, name] = second === undefined ? first.split('/', 2) : [first, second];
  const kind = targetKind(type ?? '');
  if (!name) throw new TargetError(`missing the name of the ${kind}`);
  return { kind, name };
}

/** The kind a resource type names, in any spelling kubectl accepts (`mds`, `mydeployments.apps.my.dev`). */
export function targetKind(type: string): TargetKind {
  const kind = kinds.get(type.toLowerCase());
  if (!kind) {
    throw new TargetError(`unsupported resource type "${type}": use mds (MyDaemonSet), msts (MyStatefulSet) or mdeploy (MyDeployment)`);
  }
  return kind;
}

/**
 * What kubectl calls an object of the kind in rollout messages (`daemon set "NAME" successfully
 * rolled out`, `statefulset rolling update complete…`, `deployment "NAME" exceeded its progress
 * deadline`; upstream: kubectl pkg/polymorphichelpers/rollout_status.go).
 */
export function kubectlNoun(kind: TargetKind): string {
  switch (kind) {
    case 'MyDaemonSet':
      return 'daemon set';
    case 'MyStatefulSet':
      return 'statefulset';
    case 'MyDeployment':
      return 'deployment';
  }
}

/** The short name kubectl users type (`mds`), for commands a message suggests. */
export function shortName(kind: TargetKind): string {
  return names[kind].short;
}

/** How kubectl prints an object it acted on: `mydeployment.apps.my.dev/web` (kubectl: `deployment.apps/web`). */
export function targetLabel(target: Target): string {
  return `${target.kind.toLowerCase()}.${group}/${target.name}`;
}

/** How kubectl names an object in a refusal: `mydeployments.apps.my.dev "web"` (kubectl: `deployments.apps "web"`). */
export function targetResourceName(target: Target): string {
  return `${names[target.kind].plural}.${group} "${target.name}"`;
}

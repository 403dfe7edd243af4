// Parses what users type after a verb: `mds/web`, `mydaemonset/web`,
// `mystatefulsets.apps.my.dev/web`, or the two-word form `msts web`.
export interface Target {
  readonly kind: 'MyDaemonSet' | 'MyStatefulSet';
  readonly name: string;
}

const kinds: Readonly<Record<string, Target['kind']>> = {
  mds: 'MyDaemonSet',
  mydaemonset: 'MyDaemonSet',
  mydaemonsets: 'MyDaemonSet',
  'mydaemonset.apps.my.dev': 'MyDaemonSet',
  'mydaemonsets.apps.my.dev': 'MyDaemonSet',
  msts: 'MyStatefulSet',
  mystatefulset: 'MyStatefulSet',
  mystatefulsets: 'MyStatefulSet',
  'mystatefulset.apps.my.dev': 'MyStatefulSet',
  'mystatefulsets.apps.my.dev': 'MyStatefulSet',
};

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

export function parseTarget(args: readonly string[]): Target {
  const [first, second, ...rest] = args;
  if (first === undefined || rest.length > 0) throw new TargetError('expected one resource: TYPE/NAME or TYPE NAME');
  const [type, name] = second === undefined ? first.split('/', 2) : [first, second];
  const kind = kinds[(type ?? '').toLowerCase()];
  if (!kind) throw new TargetError(`unsupported resource type "${type ?? ''}": use mds (MyDaemonSet) or msts (MyStatefulSet)`);
  if (!name) throw new TargetError(`missing the name of the ${kind}`);
  return { kind, name };
}

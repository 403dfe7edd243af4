// Which containers `--containers` names, matched as kubectl matches them: `*` is every container,
// a name without `*` is that name, and a pattern with `*` goes through kubectl's own matcher —
// quirks included (`b*` matches `ab`: the first piece is looked up anywhere), since users compare
// what `set` changes with kubectl's result. Pure.
// upstream: kubectl pkg/cmd/set/helper.go selectContainers, selectString.
import type { Container } from '../../api/core.ts';

export function selectString(s: string, spec: string): boolean {
  if (spec === '*') return true;
  if (!spec.includes('*')) return s === spec;
  const parts = spec.split('*');
  let pos = 0;
  for (const [i, part] of parts.entries()) {
    if (part.length === 0) continue;
    // Upstream compares an index into s[pos:] with pos, an index into s; kept as it is.
    const next = s.slice(pos).indexOf(part);
    if (next < pos || (i === 0 && pos !== 0) || (i === parts.length - 1 && s.length !== part.length + next)) return false;
    pos = next;
  }
  return true;
}

/** Where a selected container sits: which list, and its index there. */
export interface ContainerRef {
  readonly list: 'containers' | 'initContainers';
  readonly index: number;
  readonly container: Container;
}

/** The containers `spec` selects, in kubectl's order: regular containers first, then init containers. */
export function selectContainers(
  podSpec: { readonly containers: readonly Container[]; readonly initContainers?: readonly Container[] },
  spec: string,
): ContainerRef[] {
  const pick = (list: ContainerRef['list'], containers: readonly Container[]): ContainerRef[] =>
    containers.flatMap((container, index) => (selectString(container.name, spec) ? [{ list, index, container }] : []));
  return [...pick('containers', podSpec.containers), ...pick('initContainers', podSpec.initContainers ?? [])];
}

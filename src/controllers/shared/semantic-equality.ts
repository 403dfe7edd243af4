// apimachinery's semantic deep equality (equality.Semantic.DeepEqual) for pod templates in their
// JSON wire shape. Upstream compares Go values: nil and empty slices and maps are equal (the forked
// reflect deep_equal.go), resource.Quantity values by amount ("1" == "1000m"), metav1.Time values
// by instant (equality/semantic.go). JSON carries no Go types, so where quantities and times sit in
// a PodTemplateSpec is listed here (k8s.io/api core/v1 types.go: ResourceList, Quantity and Time
// fields reachable from PodTemplateSpec). Pure.
//
// Where JSON cannot tell what Go would: an absent member, `null`, `[]` and `{}` are all equal, and an
// object equals an absent one when all its members are absent-like. Go agrees for maps, slices and
// value structs (`resources: {}`), but a pointer to an empty struct (`securityContext: {}`) differs
// from nil there. We cannot see pointers in JSON; such a toggle changes nothing a pod does, so
// treating it as equal only spares a rollout. Scalars keep their difference: `0`, `""` and `false`
// differ from absent, as they do for Go's pointer fields (`terminationGracePeriodSeconds`).
import { isRecord } from '../../api/meta.ts';
import { isZeroQuantity, quantityFromJson, quantityValuesEqual } from './quantity.ts';

type Kind = 'quantity' | 'quantityOrZero' | 'time';

const containerLists = ['containers', 'initContainers', 'ephemeralContainers'];

/** Paths from the PodTemplateSpec root; `*` is any array index or map key. */
function patterns(): ReadonlyArray<readonly [string, Kind]> {
  const out: Array<[string, Kind]> = [];
  const objectMeta = (prefix: string): void => {
    out.push([`${prefix}.creationTimestamp`, 'time'], [`${prefix}.deletionTimestamp`, 'time'], [`${prefix}.managedFields.*.time`, 'time']);
  };
  objectMeta('metadata');
  for (const list of containerLists) {
    out.push([`spec.${list}.*.resources.limits.*`, 'quantity'], [`spec.${list}.*.resources.requests.*`, 'quantity']);
    // ResourceFieldSelector.Divisor is a value, not a pointer: absent is the zero quantity.
    out.push([`spec.${list}.*.env.*.valueFrom.resourceFieldRef.divisor`, 'quantityOrZero']);
  }
  out.push(['spec.resources.limits.*', 'quantity'], ['spec.resources.requests.*', 'quantity'], ['spec.overhead.*', 'quantity']);
  out.push(['spec.volumes.*.emptyDir.sizeLimit', 'quantity']);
  out.push(['spec.volumes.*.downwardAPI.items.*.resourceFieldRef.divisor', 'quantityOrZero']);
  out.push(['spec.volumes.*.projected.sources.*.downwardAPI.items.*.resourceFieldRef.divisor', 'quantityOrZero']);
  const claimTemplate = 'spec.volumes.*.ephemeral.volumeClaimTemplate';
  objectMeta(`${claimTemplate}.metadata`);
  out.push([`${claimTemplate}.spec.resources.limits.*`, 'quantity'], [`${claimTemplate}.spec.resources.requests.*`, 'quantity']);
  return out;
}

const typedPaths: ReadonlyArray<readonly [readonly string[], Kind]> = patterns().map(([p, kind]) => [p.split('.'), kind]);

function kindAt(path: readonly string[]): Kind | undefined {
  for (const [pattern, kind] of typedPaths) {
    if (pattern.length === path.length && pattern.every((segment, i) => segment === '*' || segment === path[i])) return kind;
  }
  return undefined;
}

/** nil, empty slice, empty map, or a struct of such: what Go's semantic equality cannot tell from absent. */
function isAbsentLike(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.values(value).every(isAbsentLike);
  return false;
}

const noMembers: Readonly<Record<string, unknown>> = {};

/** The members of an object, or none for an absent-like value; undefined for anything else. */
function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (isRecord(value)) return value;
  return isAbsentLike(value) ? noMembers : undefined;
}

function quantitiesEqual(a: unknown, b: unknown, absentIsZero: boolean): boolean {
  const aAbsent = a === undefined || a === null;
  const bAbsent = b === undefined || b === null;
  if (aAbsent && bAbsent) return true;
  const qa = quantityFromJson(a);
  const qb = quantityFromJson(b);
  if (aAbsent || bAbsent) {
    const present = aAbsent ? qb : qa;
    return absentIsZero && present !== undefined && isZeroQuantity(present);
  }
  // A value that does not parse would not have decoded upstream; compare such text as it is.
  if (qa === undefined || qb === undefined) return a === b;
  return quantityValuesEqual(qa, qb);
}

function timesEqual(a: unknown, b: unknown): boolean {
  if (isAbsentLike(a) && isAbsentLike(b)) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta === tb;
  }
  return a === b;
}

function equalAt(a: unknown, b: unknown, path: string[]): boolean {
  switch (kindAt(path)) {
    case 'quantity':
      return quantitiesEqual(a, b, false);
    case 'quantityOrZero':
      return quantitiesEqual(a, b, true);
    case 'time':
      return timesEqual(a, b);
    case undefined:
      break;
  }
  if (isAbsentLike(a) && isAbsentLike(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, i) => equalAt(item, b[i], [...path, '*']));
  }
  if (isRecord(a) || isRecord(b)) {
    // One side may be absent-like (a struct of zero values equals a missing one).
    const ra = asRecord(a);
    const rb = asRecord(b);
    if (ra === undefined || rb === undefined) return false;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const key of keys) {
      if (!equalAt(ra[key], rb[key], [...path, key])) return false;
    }
    return true;
  }
  return a === b;
}

/**
 * equality.Semantic.DeepEqual of two pod templates (or parts of one, given their path from the
 * template root, e.g. `['spec']`). Key order never matters.
 */
export function podTemplatesSemanticallyEqual(a: unknown, b: unknown, path: readonly string[] = []): boolean {
  return equalAt(a, b, [...path]);
}

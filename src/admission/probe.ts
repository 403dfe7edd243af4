// The objects the webhook dry-run-creates to have the API server judge a template (pure): the pod
// template as a Pod, each claim template as a PersistentVolumeClaim.
//
// A Pod is validated by core/v1's ValidatePodCreate, a template by ValidatePodTemplateSpec: the same
// ValidatePodSpec, labels and annotations, plus a few rules for pods only, which field-errors.ts
// leaves out. What the probe carries is exactly what the template validation reads: the template's
// labels, annotations and spec; name and namespace are the probe's own (generateName, so an
// existing pod never collides), and finalizers and the rest of the template metadata, which
// apps/v1 does not validate, are not sent.
import type { KubeObject } from '../api/meta.ts';
import { isRecord } from '../api/meta.ts';
import type { TemplateKind } from './kinds.ts';

export const probeGenerateName = 'admission-check-';

/** Where a probe pod's volume came from: a template volume, or a claim template (StatefulSet). */
export type VolumeOrigin = { readonly kind: 'template'; readonly index: number } | { readonly kind: 'claim'; readonly index: number };

export interface ProbeObject extends KubeObject {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod' | 'PersistentVolumeClaim';
  readonly metadata: {
    readonly generateName: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface PodProbe {
  readonly pod: ProbeObject;
  /** The origin of each volume of pod.spec.volumes, by index. */
  readonly volumes: readonly VolumeOrigin[];
}

/**
 * Pod fields that admission plugins resolve against other objects before validation runs, and
 * refuse with 403 when those are missing (Priority: no PriorityClass; RuntimeClass: no
 * RuntimeClass, overhead mismatch; ServiceAccount: no such account). A DaemonSet naming a class
 * that does not exist yet is valid, so a probe refused this way is sent again without them: the
 * CRD schema has already checked their syntax (names are DNS subdomains, preemptionPolicy an enum,
 * overhead quantities), which is all ValidatePodSpec checks of them.
 */
export const admissionResolvedFields = [
  'priorityClassName',
  'priority',
  'preemptionPolicy',
  'runtimeClassName',
  'overhead',
  'serviceAccountName',
  'serviceAccount',
] as const;

export interface PodProbeOptions {
  readonly namespace: string;
  readonly kind: TemplateKind;
  /** The object's claim templates (StatefulSet), for the volumes the controller adds. */
  readonly claimTemplates: readonly unknown[];
  /** Leave out admissionResolvedFields. */
  readonly withoutResolvedFields: boolean;
}

export function podProbe(template: Readonly<Record<string, unknown>>, options: PodProbeOptions): PodProbe {
  const spec: Record<string, unknown> = { ...(isRecord(template.spec) ? template.spec : {}) };
  const templateVolumes: readonly unknown[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  let volumes: unknown[] = [...templateVolumes];
  const origins: VolumeOrigin[] = templateVolumes.map((_v, index) => ({ kind: 'template', index }));
  if (options.kind.statefulIdentity) {
    // upstream: ValidateStatefulSetSpec clears what initIdentity overwrites and adds claim volumes
    delete spec.hostname;
    delete spec.subdomain;
    options.claimTemplates.forEach((claim, index) => {
      const name = claimName(claim);
      if (name === undefined) return;
      const volume = { name, persistentVolumeClaim: { claimName: name } };
      const existing = volumes.findIndex((v) => isRecord(v) && v.name === name);
      if (existing >= 0) {
        volumes[existing] = volume;
      } else {
        volumes = [...volumes, volume];
        origins.push({ kind: 'claim', index });
      }
    });
  }
  if (volumes.length > 0) spec.volumes = volumes.map(satisfyImageReference);
  for (const list of ['containers', 'initContainers'] as const) {
    if (Array.isArray(spec[list])) spec[list] = spec[list].map(trimImage);
  }
  if (options.withoutResolvedFields) for (const field of admissionResolvedFields) delete spec[field];
  const metadata = isRecord(template.metadata) ? template.metadata : {};
  return {
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: probeGenerateName,
        namespace: options.namespace,
        ...(isRecord(metadata.labels) ? { labels: stringMap(metadata.labels) } : {}),
        ...(isRecord(metadata.annotations) ? { annotations: stringMap(metadata.annotations) } : {}),
      },
      spec,
    },
    volumes: origins,
  };
}

/**
 * Pod-only rules are kept from firing (they would also hide errors behind them: a volume refused
 * for a pod-only reason makes every mount of it "not found"). field-errors.ts podOnlyRule drops
 * what still gets through.
 *
 * validateContainerOnlyForPod: an image with surrounding whitespace is valid in a template ("a
 * template image may be ' ', filled in by others"); only non-emptiness is checked there.
 */
function trimImage(container: unknown): unknown {
  if (!isRecord(container) || typeof container.image !== 'string') return container;
  const trimmed = container.image.trim();
  if (trimmed === container.image) return container;
  return { ...container, image: trimmed === '' ? 'image' : trimmed };
}

/** validateImageVolumeSource: an image volume's reference is required of pods only. */
function satisfyImageReference(volume: unknown): unknown {
  if (!isRecord(volume) || !isRecord(volume.image)) return volume;
  const reference = volume.image.reference;
  if (typeof reference === 'string' && reference !== '') return volume;
  return { ...volume, image: { ...volume.image, reference: 'image' } };
}

/** A claim template as a claim: its spec only, which is all upstream validates of it. */
export function claimProbe(claimTemplate: unknown, namespace: string): ProbeObject {
  const spec = isRecord(claimTemplate) && isRecord(claimTemplate.spec) ? claimTemplate.spec : {};
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { generateName: probeGenerateName, namespace }, spec };
}

/** Whether a pod template uses any admissionResolvedFields (a 403 may come from them). */
export function usesResolvedFields(template: Readonly<Record<string, unknown>>): boolean {
  const spec = isRecord(template.spec) ? template.spec : {};
  return admissionResolvedFields.some((field) => spec[field] !== undefined);
}

/** The value at `path` in a JSON object, or undefined. */
export function valueAt(object: Readonly<Record<string, unknown>> | undefined, path: readonly string[]): unknown {
  let node: unknown = object;
  for (const key of path) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}

export function claimName(claim: unknown): string | undefined {
  const metadata = isRecord(claim) ? claim.metadata : undefined;
  const name = isRecord(metadata) ? metadata.name : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** A map's string entries (the schema makes labels and annotations strings). */
function stringMap(map: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

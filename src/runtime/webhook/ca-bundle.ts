// The caBundle of a webhook registration when several replicas serve it, each with a CA of its
// own: the bundle holds every live replica's CA, and the API server trusts a serving certificate
// signed by any of them, whichever replica the Service routes a call to.
//
// Why not one CA shared through a Secret: that needs Secret access for the operator, which its
// RBAC deliberately lacks (the chart grants no Secrets); appending costs one update per replica
// start. Each CA records its owner in the subject's organizational unit: `pod:<namespace>/<name>`
// in a cluster (POD_NAMESPACE and POD_NAME from the downward API), else a process identity. A
// replica writing the bundle keeps everyone else's unexpired CAs except those of pods that no
// longer exist, so CAs of crashed replicas do not pile up, and drops CAs of its own owner that it
// no longer uses (a restarted container of the same pod).
//
// Everything here is pure: the caller reads the registration, asks which pods are gone, and writes.
import { X509Certificate } from 'node:crypto';
import { attributeOf, splitPemCertificates } from './certificates.ts';

export interface BundleEntry {
  readonly pem: string;
  /** SHA-256 fingerprint, as Node prints it: the entry's identity. */
  readonly fingerprint: string;
  /** The subject's organizational unit; undefined for a CA not made by this operator. */
  readonly owner: string | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Whether a CA's owner still runs: unknown for owners that cannot be looked up (a local process). */
export type Liveness = 'alive' | 'gone' | 'unknown';

/**
 * exclusive: the registration reaches this process only (a URL), so the bundle is its CAs alone.
 * shared: the registration reaches every replica (a Service), so the bundle is everyone's.
 */
export type BundlePolicy = 'exclusive' | 'shared';

/** Largest bundle written in shared mode; the oldest foreign CAs go first beyond it. */
export const maxBundleEntries = 16;

export function bundleEntry(pem: string): BundleEntry {
  const certificate = new X509Certificate(pem);
  return {
    pem: certificate.toString(),
    fingerprint: certificate.fingerprint256,
    owner: attributeOf(certificate.subject, 'OU'),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/** The certificates of a PEM bundle (a base64 caBundle decoded); blocks that do not parse are left out. */
export function parseBundle(pem: string): BundleEntry[] {
  const entries: BundleEntry[] = [];
  for (const block of splitPemCertificates(pem)) {
    try {
      entries.push(bundleEntry(block));
    } catch {
      // a foreign or damaged block: not ours to keep, and the API server could not use it either
    }
  }
  return entries;
}

export function renderBundle(entries: readonly BundleEntry[]): string {
  return entries.map((e) => e.pem).join('');
}

/** `pod:<namespace>/<name>`: a CA owner whose liveness can be checked. */
export function podOwner(namespace: string, name: string): string {
  return `pod:${namespace}/${name}`;
}

export function parsePodOwner(owner: string): { readonly namespace: string; readonly name: string } | undefined {
  const match = /^pod:([^/]+)\/(.+)$/.exec(owner);
  return match?.[1] && match[2] ? { namespace: match[1], name: match[2] } : undefined;
}

/** The pod owners among `existing`, other than `self`, whose liveness the merge needs. */
export function ownersToCheck(existing: readonly BundleEntry[], self: string): string[] {
  const owners = new Set<string>();
  for (const entry of existing) {
    if (entry.owner !== undefined && entry.owner !== self && parsePodOwner(entry.owner)) owners.add(entry.owner);
  }
  return [...owners].sort();
}

export interface MergeInput {
  readonly policy: BundlePolicy;
  /** The bundle as registered now. */
  readonly existing: readonly BundleEntry[];
  /** The CAs this process serves under: the current one, and a retiring one while it is still valid. */
  readonly own: readonly BundleEntry[];
  /** This process's owner string. */
  readonly self: string;
  /** Liveness of the owners ownersToCheck named; missing = unknown. */
  readonly liveness: ReadonlyMap<string, Liveness>;
  readonly now: Date;
  readonly maxEntries?: number;
}

/**
 * The bundle to register. Deterministic order (notBefore, then fingerprint), so two replicas that
 * agree on the content write the same bytes and a re-check finds nothing to change.
 */
export function mergeBundle(input: MergeInput): BundleEntry[] {
  const byFingerprint = new Map<string, BundleEntry>();
  for (const entry of input.own) byFingerprint.set(entry.fingerprint, entry);
  if (input.policy === 'shared') {
    const foreign = input.existing.filter((entry) => {
      if (byFingerprint.has(entry.fingerprint)) return false;
      if (entry.notAfter.getTime() <= input.now.getTime()) return false;
      // ours, but no longer served: a previous container of this pod, or a retired CA
      if (entry.owner === input.self) return false;
      return entry.owner === undefined || input.liveness.get(entry.owner) !== 'gone';
    });
    const room = Math.max(0, (input.maxEntries ?? maxBundleEntries) - byFingerprint.size);
    const newestFirst = [...foreign].sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime() || compare(a.fingerprint, b.fingerprint));
    for (const entry of newestFirst.slice(0, room)) byFingerprint.set(entry.fingerprint, entry);
  }
  return [...byFingerprint.values()].sort((a, b) => a.notBefore.getTime() - b.notBefore.getTime() || compare(a.fingerprint, b.fingerprint));
}

/** Whether two bundles hold the same certificates in the same order. */
export function sameBundle(a: readonly BundleEntry[], b: readonly BundleEntry[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry.fingerprint === b[i]?.fingerprint);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

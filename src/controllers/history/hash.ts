// Revision hashes: a 32-bit FNV-1a digest rendered with Kubernetes' "safe" alphabet, the format of
// `controller-revision-hash` label values (upstream: pkg/controller/controller_utils.go ComputeHash,
// pkg/controller/history/controller_history.go HashControllerRevision, apimachinery rand.SafeEncodeString).
//
// Upstream hashes a Go-specific dump of the template, which cannot be reproduced outside Go, so the
// values differ from kube-controller-manager's; the format, the collision-count probe and the
// properties (stable for equal templates, different after a collision bump) are the same.

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a 32 of raw bytes (pod-template-hash appends binary collision-count bytes). */
export function fnv32aBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** FNV-1a 32 of the string's UTF-8 bytes. */
export function fnv32a(input: string): number {
  return fnv32aBytes(new TextEncoder().encode(input));
}

/** Maps each character of the decimal digest onto the alphabet without vowels (no accidental words). */
export function safeEncode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) out += safeAlphabet[value.charCodeAt(i) % safeAlphabet.length] ?? '';
  return out;
}

/**
 * Hash of a revision's canonical data and the owner's collisionCount. A collisionCount of 0 and an
 * absent one hash alike; each bump yields a new name when two templates collide.
 */
export function revisionHash(canonicalData: string, collisionCount: number | undefined): string {
  const probe = collisionCount && collisionCount > 0 ? String(collisionCount) : '';
  return safeEncode(String(fnv32a(canonicalData + probe)));
}

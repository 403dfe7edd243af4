// The `pod-template-hash` label value of a Deployment's ReplicaSets, which also names them
// (`<deployment>-<hash>`). upstream: pkg/controller/controller_utils.go ComputeHash.
//
// Upstream hashes a go-spew dump of the defaulted Go PodTemplateSpec, which cannot be reproduced
// outside Go (deployment.md §2.5); nothing depends on the exact value, since a Deployment finds its
// new ReplicaSet by template equality, never by hash. Ours: FNV-1a 32 over the canonical JSON of the
// template with null, [] and {} members dropped (so templates that differ only there hash alike),
// then upstream's collisionCount suffix and SafeEncodeString. Pure.
import type { PodTemplateSpec } from '../../api/core.ts';
import { isRecord } from '../../api/meta.ts';
import { canonicalJson } from '../history/go-json.ts';
import { fnv32aBytes, safeEncode } from '../history/hash.ts';

/** apps/v1 DefaultDeploymentUniqueLabelKey. */
export { podTemplateHashLabel } from '../../api/deployment-annotations.ts';

/** Object members that are null, [] or {} (after pruning their own members) are left out; array items stay in place. */
function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneEmpty);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const pruned = pruneEmpty(member);
    const empty =
      pruned === undefined ||
      pruned === null ||
      (Array.isArray(pruned) && pruned.length === 0) ||
      (isRecord(pruned) && Object.keys(pruned).length === 0);
    if (!empty) out[key] = pruned;
  }
  return out;
}

/**
 * upstream ComputeHash: hash of the template; when collisionCount is set (0 included), its uint32
 * little-endian bytes and four zero bytes are hashed after it, so each bump after a name collision
 * yields a new name. The result uses only "bcdfghjklmnpqrstvwxz2456789".
 */
export function podTemplateHash(template: PodTemplateSpec, collisionCount: number | undefined): string {
  const body = new TextEncoder().encode(canonicalJson(pruneEmpty(template)));
  const suffixLength = collisionCount === undefined ? 0 : 8;
  const bytes = new Uint8Array(body.length + suffixLength);
  bytes.set(body);
  if (collisionCount !== undefined) new DataView(bytes.buffer).setUint32(body.length, collisionCount >>> 0, true);
  return safeEncode(String(fnv32aBytes(bytes)));
}

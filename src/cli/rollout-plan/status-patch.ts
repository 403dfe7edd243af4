// status.rollback after a status merge patch, as the API server applies it: absent from the patch
// keeps the stored value, `null` removes it (RFC 7386; the executors clear an automatic rollback
// this way). Every other status field the controllers patch is a plain value that replaces.
import type { AutomaticRollback } from '../../api/workloads.ts';

export function patchedRollback(
  stored: AutomaticRollback | undefined,
  patch: AutomaticRollback | null | undefined,
): AutomaticRollback | undefined {
  return patch === undefined ? stored : (patch ?? undefined);
}

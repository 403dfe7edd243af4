// The JSON patch (RFC 6902) that turns the object read into the object planned: a precondition on
// the resourceVersion read first — the API server answers 409 Conflict when the object changed
// since, instead of merging into a newer one — then one operation per changed field. Objects are
// walked member by member and equal-length lists item by item (container lists never change
// length here), so the patch touches only what changed: an image, one limit, a container's env
// list, the change-cause annotation. Pure.
import { isRecord } from '../../api/meta.ts';
import { canonicalJson } from '../../controllers/history/go-json.ts';

export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** RFC 6901: `~` → `~0`, `/` → `~1` (`kubernetes.io/change-cause` → `kubernetes.io~1change-cause`). */
export function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function same(a: unknown, b: unknown): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b);
}

/** The operations from `before` to `after` under `path` (both present). */
function diff(path: string, before: unknown, after: unknown): JsonPatchOperation[] {
  if (same(before, after)) return [];
  if (isRecord(before) && isRecord(after) && !Array.isArray(before) && !Array.isArray(after)) {
    const ops: JsonPatchOperation[] = [];
    for (const key of Object.keys(before)) {
      if (!(key in after) || after[key] === undefined) {
        if (before[key] !== undefined) ops.push({ op: 'remove', path: `${path}/${pointerToken(key)}` });
      }
    }
    for (const [key, value] of Object.entries(after)) {
      if (value === undefined) continue;
      const child = `${path}/${pointerToken(key)}`;
      const old = before[key];
      ops.push(...(old === undefined ? [{ op: 'add' as const, path: child, value }] : diff(child, old, value)));
    }
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return after.flatMap((item: unknown, i) => diff(`${path}/${i}`, before[i], item));
  }
  return [{ op: 'replace', path, value: after }];
}

/** The patch, or no operation at all when nothing but the precondition would be sent. */
export function jsonPatch(before: { readonly metadata: { readonly resourceVersion?: string } }, after: unknown): JsonPatchOperation[] {
  const changes = diff('', before, after);
  if (changes.length === 0) return [];
  return [{ op: 'replace', path: '/metadata/resourceVersion', value: before.metadata.resourceVersion }, ...changes];
}

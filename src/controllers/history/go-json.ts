// JSON text exactly as Go's encoding/json.Marshal writes a decoded JSON value (maps and slices):
// object keys sorted by their UTF-8 bytes at every level, no whitespace, `<`, `>`, `&`, U+2028 and
// U+2029 escaped as \u003c … \u2029, lone surrogates replaced by U+FFFD.
//
// Why: a ControllerRevision's `data` is a RawExtension, stored byte for byte as sent. Every later
// patch of the revision (the garbage collector's ownerReferences patch when its owner is deleted
// with --cascade=orphan, adoption by a new owner, renumbering on rollback) makes the API server
// decode `data` and encode it again this way; if the bytes differ from what is stored, validation
// refuses the patch with "data: field is immutable". Upstream never meets this because it builds
// the data with json.Marshal of a map (update.go getPatch). Pure.
import { isRecord } from '../../api/meta.ts';

/** Go orders map keys by their UTF-8 bytes; JavaScript's default sort compares UTF-16 units. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const htmlUnsafe = /[<>&\u2028\u2029]/g;

function marshalString(s: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters as Go does (\b \f \n \r \t,
  // else \u00XX in lower case); Go additionally escapes these for HTML safety.
  return JSON.stringify(s.toWellFormed()).replace(htmlUnsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Go's json.Marshal of the value JSON-decoded into interface{}. `undefined` object members are
 * left out, as JSON.stringify does; numbers are written as JavaScript writes them, which matches
 * Go for every integer and for decimals in the usual range.
 */
export function marshalLikeGo(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return marshalString(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v: unknown) => marshalLikeGo(v)).join(',')}]`;
      if (!isRecord(value)) break;
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      entries.sort(([a], [b]) => compareUtf8(a, b));
      return `{${entries.map(([k, v]) => `${marshalString(k)}:${marshalLikeGo(v)}`).join(',')}}`;
    }
    default:
      break;
  }
  throw new TypeError(`cannot encode a ${typeof value} as JSON`);
}


// The two JSON encodings of revision data. Both write compact JSON with object keys sorted at every
// level and `undefined` members left out; they differ in key order and string escaping (and one
// quirk, below), and each must keep its exact bytes for its own reason:
//
// - marshalLikeGo: what we send as a ControllerRevision's `data`. That field is a RawExtension,
//   stored byte for byte. Every later patch of the revision (the garbage collector's
//   ownerReferences patch when its owner is deleted with --cascade=orphan, adoption by a new owner,
//   renumbering on rollback) makes the API server decode `data` and encode it again with Go's
//   json.Marshal; if the bytes differ from what is stored, validation refuses the patch with
//   "data: field is immutable". Upstream never meets this because it builds the data with
//   json.Marshal too (daemon/update.go and statefulset/stateful_set_utils.go getPatch).
//
// - canonicalJson: what revision hashes are computed over (hash.ts), and what revision data is
//   compared by. Upstream's hash input is not its json.Marshal'd data but Go-specific
//   (pkg/controller/history/controller_history.go HashControllerRevision and
//   pkg/controller/controller_utils.go ComputeHash feed FNV through hashutil.DeepHashObject, a
//   dump of Go values), which cannot be reproduced here, so our hashes were never upstream's.
//   They are part of revision names and of the `controller-revision-hash` label of pods in running
//   clusters: hashing other bytes after an upgrade would roll every pod. So this dialect is frozen
//   as it was first written (JSON.stringify of a key-sorted copy), quirks included, and pinned by
//   test/unit/revision-hash-pinned.test.ts. Do not switch hashing to marshalLikeGo.
//
// Pure.
import { isRecord } from '../../api/meta.ts';

interface Dialect {
  readonly compareKeys: (a: string, b: string) => number;
  readonly quote: (s: string) => string;
  /** Keys dropped from every object. */
  readonly skipKey?: (key: string) => boolean;
}

function encode(value: unknown, dialect: Dialect): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return dialect.quote(value);
    case 'number':
      // JSON.stringify writes numbers as Go does for every integer and for decimals in the usual
      // range; NaN and ±Infinity (never in decoded JSON) become null.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v: unknown) => encode(v, dialect)).join(',')}]`;
      if (!isRecord(value)) break;
      const entries = Object.entries(value).filter(([k, v]) => v !== undefined && !(dialect.skipKey?.(k) ?? false));
      entries.sort(([a], [b]) => dialect.compareKeys(a, b));
      return `{${entries.map(([k, v]) => `${dialect.quote(k)}:${encode(v, dialect)}`).join(',')}}`;
    }
    default:
      break;
  }
  throw new TypeError(`cannot encode a ${typeof value} as JSON`);
}

/** Go orders map keys by their UTF-8 bytes; JavaScript's default sort compares UTF-16 units. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const htmlUnsafe = /[<>&\u2028\u2029]/g;

const goDialect: Dialect = {
  compareKeys: compareUtf8,
  // JSON.stringify escapes quotes, backslashes and control characters as Go does (\b \f \n \r \t,
  // else \u00XX in lower case); Go also escapes these for HTML safety, and decodes a lone
  // surrogate as U+FFFD.
  quote: (s) => JSON.stringify(s.toWellFormed()).replace(htmlUnsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
};

/** A canonical array index ("0" … "4294967294"): JavaScript objects list such keys first. */
function arrayIndex(key: string): number | undefined {
  if (!/^(?:0|[1-9]\d{0,9})$/.test(key)) return undefined;
  const n = Number(key);
  return n <= 4294967294 ? n : undefined;
}

/**
 * The order the frozen dialect has always had: the keys were sorted by UTF-16 units and copied into
 * a fresh object, whose own-key order then put array-index keys first, numerically ("9" before
 * "10").
 */
function compareUtf16IndicesFirst(a: string, b: string): number {
  const ia = arrayIndex(a);
  const ib = arrayIndex(b);
  if (ia !== undefined && ib !== undefined) return ia - ib;
  if (ia !== undefined) return -1;
  if (ib !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const frozenDialect: Dialect = {
  compareKeys: compareUtf16IndicesFirst,
  // Plain JSON.stringify: nothing escaped beyond JSON's minimum, lone surrogates as \udXXX.
  quote: (s) => JSON.stringify(s),
  // Copying a `__proto__` member into a fresh object set its prototype instead, so it never showed.
  skipKey: (key) => key === '__proto__',
};

/**
 * Go's json.Marshal of the value JSON-decoded into interface{}: keys in UTF-8 byte order, `<`, `>`,
 * `&`, U+2028 and U+2029 escaped as \u003c … \u2029, lone surrogates replaced by U+FFFD. The bytes
 * to send as a ControllerRevision's `data`.
 */
export function marshalLikeGo(value: unknown): string {
  return encode(value, goDialect);
}

/**
 * The frozen encoding revision hashes are computed over and revision data is compared by: keys
 * sorted with array-index keys first, no HTML escaping. Never change its output (see the top).
 */
export function canonicalJson(value: unknown): string {
  return encode(value, frozenDialect);
}

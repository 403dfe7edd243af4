// The few Go fmt verbs kubectl's describe code prints values with, for the values a pod template
// holds: %v of a []string, a map[string]string and a *LocalObjectReference, %q of a string, and
// Go's byte-oriented string lengths. Pure.

/** %v of a []string: `[a b c]`. */
export function goSlice(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** Go orders strings by their UTF-8 bytes, which is code point order (not JS's UTF-16 order). */
export function compareGoStrings(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]?.codePointAt(0) ?? 0;
    const y = right[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x - y;
  }
  return left.length - right.length;
}

/** Keys in sort.Strings order. */
export function sortedKeys(map: ReadonlyMap<string, string>): string[] {
  return [...map.keys()].sort(compareGoStrings);
}

/** %v of a map[string]string: `map[a:1 b:2]`, keys sorted as fmt sorts them. */
export function goMap(map: ReadonlyMap<string, string>): string {
  return `map[${sortedKeys(map)
    .map((key) => `${key}:${map.get(key) ?? ''}`)
    .join(' ')}]`;
}

/**
 * %v of a *LocalObjectReference, through its generated String() method (k8s.io/api
 * core/v1/generated.pb.go): `&LocalObjectReference{Name:name,}`, or `nil`.
 */
export function goObjectReference(ref: { readonly name: string } | undefined): string {
  return ref === undefined ? 'nil' : `&LocalObjectReference{Name:${ref.name},}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** len(s) in Go: UTF-8 bytes. */
export function byteLength(s: string): number {
  return encoder.encode(s).length;
}

/**
 * s[:n] in Go, on UTF-8 bytes. Go may cut a character in two and print the broken bytes; a JS
 * string cannot hold them, so a cut character comes out as U+FFFD.
 */
export function byteSlice(s: string, n: number): string {
  return decoder.decode(encoder.encode(s).subarray(0, n));
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const shortEscapes: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** %q of a string (strconv.Quote): double quotes, Go escapes for what is not printable. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (shortEscapes[ch] !== undefined) out += shortEscapes[ch];
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (printable.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

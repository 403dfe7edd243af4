// Go's %q of a string (strconv.Quote), which kubectl uses to name containers, keys and values in
// its messages (`unable to find container named "web"`). JSON.stringify agrees for printable
// ASCII but not for control characters (Go: \x00, \v, \a) or non-printable code points. Pure.
// upstream: go/src/strconv/quote.go appendEscapedRune.

const shortEscapes: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s.toWellFormed()) {
    const escape = shortEscapes[ch];
    if (escape !== undefined) {
      out += escape;
      continue;
    }
    if (printable.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    out += cp < 0x80 ? `\\x${hex(cp, 2)}` : cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

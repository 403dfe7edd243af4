// The URL kubectl shows for an httpGet probe: Go's url.URL{Scheme, Host, Path}.String(), with the
// path escaped as Go escapes a path (so a `?query` in the probe's path prints as `%3Fquery`).
// upstream: go/src/net/url/url.go URL.String, escape, EscapedPath; gen_encoding_table.go
// shouldEscape (encodePath, encodeHost); go/src/net/ipsock.go JoinHostPort.

const encoder = new TextEncoder();

/** ASCII bytes neither mode escapes: alphanumerics and the unreserved marks. */
function unreserved(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || '-_.~'.includes(String.fromCharCode(c));
}

/** shouldEscape(c, encodePath): of the reserved characters only `?` is escaped. */
function pathEscapes(c: number): boolean {
  return !(unreserved(c) || '$&+,/:;=@'.includes(String.fromCharCode(c)));
}

/** shouldEscape(c, encodeHost): sub-delims, `:`, `[ ]`, `< >` and `"` stay as they are. */
function hostEscapes(c: number): boolean {
  return !(unreserved(c) || `!$&'()*+,;=:[]<>"`.includes(String.fromCharCode(c)));
}

/** url.escape: every UTF-8 byte that must be escaped becomes %XX. */
function escape(s: string, shouldEscape: (c: number) => boolean): string {
  let out = '';
  for (const c of encoder.encode(s)) {
    out += c < 0x80 && !shouldEscape(c) ? String.fromCharCode(c) : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** net.JoinHostPort: brackets around a host with a colon (IPv6). */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** url.URL{Scheme: scheme, Host: host, Path: path}.String(). */
export function urlString(scheme: string, host: string, path: string): string {
  let out = '';
  if (scheme !== '') out += `${scheme}:`;
  if (scheme !== '' || host !== '') {
    if (host !== '' || path !== '') out += '//';
    if (host !== '') out += escape(host, hostEscapes);
  }
  const escapedPath = path === '*' ? '*' : escape(path, pathEscapes);
  if (escapedPath !== '' && escapedPath[0] !== '/' && host !== '') out += '/';
  // A first segment with a colon would read as a scheme (RFC 3986 §4.2).
  if (out === '' && (escapedPath.split('/')[0] ?? '').includes(':')) out += './';
  return out + escapedPath;
}

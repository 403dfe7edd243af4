// The .tar.gz archives of hack/krew-release.ts, written byte for byte the same from the same files on
// any machine: entries sorted by name, one mtime for all, owner 0:0 with no user or group name,
// modes 0644 and 0755 only, no directory entries, and a gzip header with no time and a fixed OS byte
// (zlib writes the OS it was built for: 3 on Unix, 10 on Windows).
//
// The format is POSIX ustar (pax's `ustar` interchange format), which krew's Go archive/tar reads
// (sigs.k8s.io/krew internal/download/downloader.go extractTARGZ); the names are short enough that no
// prefix field or pax header is needed.
import { gzipSync } from 'node:zlib';

export interface ArchiveEntry {
  /** A path inside the archive, `/`-separated, at most 100 ASCII bytes. */
  readonly name: string;
  readonly data: Uint8Array;
  readonly executable: boolean;
}

const block = 512;
/** gzip header byte 9, the OS that wrote it (RFC 1952 §2.3.1): 3 = Unix. */
const gzipOsByte = 9;
const unix = 3;

/** A NUL-terminated octal number filling `width` bytes, as ustar numeric fields are. */
function octal(value: number, width: number): string {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`${value} does not fit a ${width}-byte tar field`);
  return `${digits.padStart(width - 1, '0')}\0`;
}

function header(entry: ArchiveEntry, mtimeSeconds: number): Buffer {
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(entry.name) || Buffer.byteLength(entry.name) > 100) {
    throw new Error(`archive entry name ${JSON.stringify(entry.name)} is not short printable ASCII`);
  }
  const h = Buffer.alloc(block);
  const put = (offset: number, text: string): void => void h.write(text, offset, 'ascii');
  put(0, entry.name);
  put(100, octal(entry.executable ? 0o755 : 0o644, 8));
  put(108, octal(0, 8)); // uid
  put(116, octal(0, 8)); // gid
  put(124, octal(entry.data.length, 12));
  put(136, octal(mtimeSeconds, 12));
  put(148, ' '.repeat(8)); // the checksum counts its own field as spaces
  put(156, '0'); // a regular file
  put(257, 'ustar\0');
  put(263, '00');
  // uname and gname stay empty: an extracting root maps 0:0, anyone else keeps their own.
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** The .tar.gz of `entries`, sorted by name; every entry gets `mtimeSeconds`. */
export function tarGz(entries: readonly ArchiveEntry[], mtimeSeconds: number): Buffer {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set(sorted.map((e) => e.name));
  if (names.size !== sorted.length) throw new Error('archive entries must have distinct names');
  const parts: Buffer[] = [];
  for (const entry of sorted) {
    parts.push(header(entry, mtimeSeconds), Buffer.from(entry.data));
    const padding = (block - (entry.data.length % block)) % block;
    parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(2 * block)); // the end-of-archive marker
  const gz = gzipSync(Buffer.concat(parts), { level: 9 });
  gz[gzipOsByte] = unix;
  return gz;
}

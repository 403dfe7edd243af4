// kubectl's describe.PrefixWriter: each write is indented two spaces per level, at its start only,
// and has terminal escapes defused (printers.WriteEscaped turns ESC into `^[` and CR into `\r`).
// `kubectl rollout history --revision` writes the template straight into a buffer, through no
// tabwriter, so the tabs the describe code writes reach the terminal as they are.
// upstream: kubectl pkg/describe/describe.go prefixWriter, nestedPrefixWriter;
// cli-runtime pkg/printers/terminal.go WriteEscaped.

export interface PrefixWriter {
  /** Write(level, …): `text` after two spaces per level. */
  write(level: number, text: string): void;
  /** WriteLine(…): `text` and a newline, not indented. */
  writeLine(text: string): void;
}

export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;

function escapeTerminal(text: string): string {
  return text.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');
}

/** A PrefixWriter into a string. */
export class StringPrefixWriter implements PrefixWriter {
  #out = '';

  write(level: number, text: string): void {
    this.#out += escapeTerminal('  '.repeat(level) + text);
  }

  writeLine(text: string): void {
    this.#out += escapeTerminal(`${text}\n`);
  }

  toString(): string {
    return this.#out;
  }
}

/** NewNestedPrefixWriter: every write `indent` levels deeper; WriteLine too, which is then indented. */
export function nestedPrefixWriter(w: PrefixWriter, indent: number): PrefixWriter {
  return {
    write: (level, text) => w.write(level + indent, text),
    writeLine: (text) => w.write(indent, `${text}\n`),
  };
}

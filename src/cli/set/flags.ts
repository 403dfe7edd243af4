// The flags of `kubectl my set …`, read the way kubectl's flag library (spf13/pflag, under cobra)
// reads them, because users type kubectl's spellings and the change-cause annotation records
// them: `--record` alone means true, bools take `--all=false` but never a separate word,
// `-cweb`, `-c=web` and `-c web` are one flag, `--dry-run` alone means "unchanged", `_` and `-` are
// the same in a flag name (kubectl's WordSepNormalizeFunc), and `--` ends the flags.
// commander cannot read `--record=false` for a boolean, so the set commands take their words raw
// and parse them here. Pure.
// upstream: github.com/spf13/pflag flag.go parseArgs, parseLongArg, parseSingleShortArg; bool.go.

export type FlagType = 'bool' | 'string' | 'stringArray' | 'stringSlice';

export interface FlagSpec {
  /** The long name, without dashes: `containers`. */
  readonly name: string;
  /** One letter, without the dash: `c`. */
  readonly shorthand?: string;
  readonly type: FlagType;
  /** The value when none is typed in the list of flags: `*` for --containers. Help text only. */
  readonly defaultText?: string;
  /**
   * The value of the flag given without one (pflag NoOptDefVal): "true" for every bool,
   * "unchanged" for --dry-run. Absent: the flag takes the next word.
   */
  readonly noOptDefault?: string;
  readonly usage: string;
}

/** One flag as typed, in order: its spec and the value pflag hands on. */
export interface FlagOccurrence {
  readonly flag: FlagSpec;
  readonly value: string;
}

export interface ScannedArgs {
  /** The words that are not flags, in order (`--` and the words after it included, minus the `--`). */
  readonly args: readonly string[];
  readonly flags: readonly FlagOccurrence[];
}

/** A word pflag refuses: kubectl prints the message and `See '… --help' for usage.` */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

function noOptDefault(flag: FlagSpec): string | undefined {
  return flag.type === 'bool' ? (flag.noOptDefault ?? 'true') : flag.noOptDefault;
}

/** kubectl's flag name normalisation (cli-runtime flags WordSepNormalizeFunc): `dry_run` is `dry-run`. */
function normalizeName(name: string): string {
  return name.replaceAll('_', '-');
}

/**
 * Splits `words` into flags and other words as pflag's ParseAll does, checking only the syntax:
 * unknown flags and missing values are errors, values are not parsed (see `flagValues`).
 */
export function scanFlags(words: readonly string[], specs: readonly FlagSpec[]): ScannedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShorthand = new Map(specs.flatMap((s) => (s.shorthand === undefined ? [] : [[s.shorthand, s] as const])));
  const args: string[] = [];
  const flags: FlagOccurrence[] = [];
  let i = 0;
  const next = (): string | undefined => (i < words.length ? words[i++] : undefined);
  while (i < words.length) {
    const word = words[i++] ?? '';
    if (word.length < 2 || !word.startsWith('-')) {
      args.push(word);
      continue;
    }
    if (word === '--') {
      args.push(...words.slice(i));
      break;
    }
    if (word.startsWith('--')) {
      const body = word.slice(2);
      if (body.startsWith('-') || body.startsWith('=')) throw new FlagError(`bad flag syntax: ${word}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const flag = byName.get(normalizeName(name));
      if (flag === undefined) throw new FlagError(`unknown flag: --${name}`);
      const inline = eq < 0 ? undefined : body.slice(eq + 1);
      const value = inline ?? noOptDefault(flag) ?? next();
      if (value === undefined) throw new FlagError(`flag needs an argument: ${word}`);
      flags.push({ flag, value });
      continue;
    }
    // A cluster of shorthands: `-c web`, `-cweb`, `-c=web`; bools may be grouped (`-ab`).
    let shorthands = word.slice(1);
    while (shorthands.length > 0) {
      const letter = shorthands.charAt(0);
      const flag = byShorthand.get(letter);
      if (flag === undefined) throw new FlagError(`unknown shorthand flag: '${letter}' in -${shorthands}`);
      const optional = noOptDefault(flag);
      let value: string | undefined;
      if (shorthands.length > 2 && shorthands[1] === '=') {
        value = shorthands.slice(2);
        shorthands = '';
      } else if (optional !== undefined) {
        value = optional;
        shorthands = shorthands.slice(1);
      } else if (shorthands.length > 1) {
        value = shorthands.slice(1);
        shorthands = '';
      } else {
        value = next();
        shorthands = '';
        if (value === undefined) throw new FlagError(`flag needs an argument: '${letter}' in -${letter}`);
      }
      flags.push({ flag, value });
    }
  }
  return { args, flags };
}

/** strconv.ParseBool. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** The values of the flags given; flags not given are absent. */
export interface FlagValues {
  /** The last value of a string flag. */
  string(name: string): string | undefined;
  bool(name: string): boolean | undefined;
  /** Every value of a stringArray flag, or the comma-separated items of a stringSlice flag, in order. */
  list(name: string): readonly string[];
  /** Whether the flag was typed at all (cobra's Changed). */
  given(name: string): boolean;
}

/** The values as pflag sets them, one occurrence at a time: the first bad bool is an error. */
export function flagValues(scanned: ScannedArgs): FlagValues {
  const strings = new Map<string, string>();
  const bools = new Map<string, boolean>();
  const lists = new Map<string, string[]>();
  for (const { flag, value } of scanned.flags) {
    switch (flag.type) {
      case 'bool': {
        const parsed = parseGoBool(value);
        if (parsed === undefined) {
          const name = flag.shorthand === undefined ? `--${flag.name}` : `-${flag.shorthand}, --${flag.name}`;
          throw new FlagError(`invalid argument "${value}" for "${name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
        }
        bools.set(flag.name, parsed);
        break;
      }
      case 'string':
        strings.set(flag.name, value);
        break;
      case 'stringArray':
        lists.set(flag.name, [...(lists.get(flag.name) ?? []), value]);
        break;
      case 'stringSlice':
        // pflag reads the value as one CSV record; an empty value adds nothing.
        lists.set(flag.name, [...(lists.get(flag.name) ?? []), ...(value === '' ? [] : value.split(','))]);
        break;
    }
  }
  const given = new Set(scanned.flags.map((f) => f.flag.name));
  return {
    string: (name) => strings.get(name),
    bool: (name) => bools.get(name),
    list: (name) => lists.get(name) ?? [],
    given: (name) => given.has(name),
  };
}

/** The flag list of `--help`, kubectl's layout: `-c, --containers='*':` then the usage. */
export function flagsHelp(specs: readonly FlagSpec[]): string {
  const lines = ['', 'Flags:'];
  for (const spec of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    const short = spec.shorthand === undefined ? '    ' : `-${spec.shorthand}, `;
    const fallback = spec.type === 'bool' ? 'false' : spec.type === 'string' ? '' : '[]';
    lines.push(`    ${short}--${spec.name}=${spec.defaultText ?? (spec.type === 'string' ? `'${fallback}'` : fallback)}:`);
    lines.push(`\t${spec.usage}`, '');
  }
  return lines.join('\n');
}

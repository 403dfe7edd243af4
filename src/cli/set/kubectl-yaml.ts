// YAML as kubectl prints it: sigs.k8s.io/yaml turns the object into JSON, decodes that into Go
// maps and has go-yaml v2 write them — keys in go-yaml's own order, lists flush with their key,
// YAML 1.1 quoting (`"on"`, `"yes"`), and long plain strings folded go-yaml's way. The yaml
// package writes the document; the key order and the folding are go-yaml's, reproduced here. Pure.
// upstream: sigs.k8s.io/yaml yaml.go Marshal, JSONToYAML; go.yaml.in/yaml/v2 sorter.go
// keyList.Less, emitterc.go yaml_emitter_write_plain_scalar.
import { stringify, type Pair } from 'yaml';

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);

/**
 * go-yaml v2's order of string keys: letters after other characters, runs of digits by their
 * value (`a9` before `a10`).
 */
export function yamlV2KeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] ?? '';
    const bc = br[i] ?? '';
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] ?? ''); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] ?? ''); ai++) an = an * 10n + BigInt(ar[ai] ?? '0');
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] ?? ''); bi++) bn = bn * 10n + BigInt(br[bi] ?? '0');
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

function yamlKeyOrder(a: Pair, b: Pair): number {
  const ak = String(a.key);
  const bk = String(b.key);
  return yamlV2KeyLess(ak, bk) ? -1 : yamlV2KeyLess(bk, ak) ? 1 : 0;
}

/** go-yaml's best_width: a plain scalar breaks at the first single space past this column. */
const bestWidth = 80;

/** A `key: value` or `- value` line whose value is a plain (unquoted, one-line) scalar with a space. */
const plainScalarLine = /^( *)((?:- )*)([^\s"'#&*!|>%@`{[][^\s]*?: )?([^\s"'#&*!|>%@`{[].* .*)$/;

/** A line that opens a block scalar (`key: |-`): the lines indented deeper are its text. */
const blockScalarHeader = /(?:^|: |- )[|>][0-9+-]*$/;

/**
 * go-yaml v2 folds long plain scalars its own way: it writes words until the line is past column
 * 80 and breaks at the next single space, so lines run over 80 (the yaml package folds before
 * 80). Continuation lines are indented two past the key (or past the item's dash). Keys and
 * quoted scalars stay on one line.
 * upstream: go.yaml.in/yaml/v2 emitterc.go yaml_emitter_write_plain_scalar, yaml_emitter_emit_scalar.
 */
function foldLikeGoYaml(line: string): string {
  const match = plainScalarLine.exec(line);
  if (match === null) return line;
  const [, indent = '', dashes = '', key, value = ''] = match;
  const prefix = line.slice(0, line.length - value.length);
  const continuation = ' '.repeat(indent.length + dashes.length + (key === undefined ? 0 : 2));
  let out = prefix;
  let column = [...prefix].length;
  let afterSpace = false;
  const chars = [...value];
  for (const [i, c] of chars.entries()) {
    if (c === ' ' && !afterSpace && column > bestWidth && chars[i + 1] !== ' ') {
      out += `\n${continuation}`;
      column = continuation.length;
    } else {
      out += c;
      column += 1;
    }
    afterSpace = c === ' ';
  }
  return out;
}

/** sigs.k8s.io/yaml's Marshal, approximated: YAML 1.1 quoting (`"on"`, `"yes"`), lists flush with their key, go-yaml's folding. */
export function printYaml(obj: unknown): string {
  const text = stringify(obj, { version: '1.1', sortMapEntries: yamlKeyOrder, indentSeq: false, lineWidth: 0 });
  const lines: string[] = [];
  let blockIndent: number | undefined;
  for (const line of text.trimEnd().split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent !== undefined && (indent > blockIndent || line.trim() === '')) {
      lines.push(line);
      continue;
    }
    blockIndent = blockScalarHeader.test(line) ? indent : undefined;
    lines.push(foldLikeGoYaml(line));
  }
  return lines.join('\n');
}

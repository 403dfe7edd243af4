// The `Title:\tfirst\n\tsecond\n` lists of kubectl describe: labels (and node selectors),
// annotations, tolerations. Each Go write is one write here, because a nested writer indents every
// write (the PVC of an ephemeral volume prints its labels that way).
// upstream: kubectl pkg/describe/describe.go printLabelsMultilineWithIndent, printAnnotationsMultiline,
// shorten, printTolerationsMultilineWithIndent.
import { byteLength, byteSlice, compareGoStrings, sortedKeys } from './go-format.ts';
import { goSortSlice } from './go-sort.ts';
import { integer, present, text, type Json } from './json-fields.ts';
import { LEVEL_0, type PrefixWriter } from './prefix-writer.ts';

/** printLabelsMultiline: `key=value`, sorted by key. */
export function printLabelsMultiline(w: PrefixWriter, title: string, labels: ReadonlyMap<string, string>): void {
  const initialIndent = '';
  const innerIndent = '\t';
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  if (labels.size === 0) {
    w.writeLine('<none>');
    return;
  }
  sortedKeys(labels).forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    w.write(LEVEL_0, `${key}=${labels.get(key) ?? ''}\n`);
  });
}

/** Annotations describe never shows (describe.go skipAnnotations). */
const skipAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const maxAnnotationLen = 140;

/** shorten: at most maxLength bytes, then `...`. */
function shorten(s: string, maxLength: number): string {
  return byteLength(s) > maxLength ? `${byteSlice(s, maxLength)}...` : s;
}

/**
 * printAnnotationsMultiline: `key: value`, sorted by key; a value too long for one line, or of
 * several lines, goes below its key, each line cut at 138 bytes.
 */
export function printAnnotationsMultiline(w: PrefixWriter, title: string, annotations: ReadonlyMap<string, string>): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = sortedKeys(annotations).filter((key) => !skipAnnotations.has(key));
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const indent = '\t';
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    const raw = annotations.get(key) ?? '';
    const value = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    if (byteLength(value) + byteLength(key) + 2 > maxAnnotationLen || value.includes('\n')) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const line of value.split('\n')) w.write(LEVEL_0, `${indent}  ${shorten(line, maxAnnotationLen - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

/**
 * printPodTolerationsMultiline: `key=value:Effect op=Exists for 300s`, sorted by key with Go's
 * unstable sort.Slice.
 */
export function printTolerationsMultiline(w: PrefixWriter, title: string, tolerations: readonly Json[]): void {
  const initialIndent = '';
  const innerIndent = '\t';
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  if (tolerations.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const sorted = goSortSlice(tolerations, (a, b) => compareGoStrings(text(a, 'key'), text(b, 'key')) < 0);
  sorted.forEach((toleration, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    const key = text(toleration, 'key');
    const value = text(toleration, 'value');
    const effect = text(toleration, 'effect');
    w.write(LEVEL_0, key);
    if (value.length !== 0) w.write(LEVEL_0, `=${value}`);
    if (effect.length !== 0) w.write(LEVEL_0, `:${effect}`);
    // An `operator: Exists` toleration without value; with no key and no effect it tolerates everything.
    if (text(toleration, 'operator') === 'Exists' && value.length === 0) {
      w.write(LEVEL_0, key.length !== 0 || effect.length !== 0 ? ' op=Exists' : 'op=Exists');
    }
    if (present(toleration, 'tolerationSeconds')) w.write(LEVEL_0, ` for ${integer(toleration, 'tolerationSeconds')}s`);
    w.write(LEVEL_0, '\n');
  });
}

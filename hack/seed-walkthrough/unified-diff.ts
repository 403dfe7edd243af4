// A line-based unified diff (`diff -u` format) for `--check`, so CI shows what changed in the
// generated document without a diff tool or an npm dependency. Pure. A longest-common-subsequence
// table over the lines between the common prefix and suffix: the documents are a few thousand
// lines, and a failed check usually differs in a handful.

type Edit = { readonly op: ' ' | '-' | '+'; readonly line: string };

function lineEdits(a: readonly string[], b: readonly string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  // lcs[i * (m + 1) + j]: length of the LCS of a[start+i..endA) and b[start+j..endB).
  const lcs = new Int32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        a[start + i] === b[start + j]
          ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const edits: Edit[] = a.slice(0, start).map((line) => ({ op: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const lineA = a[start + i] ?? '';
    const lineB = b[start + j] ?? '';
    if (i < n && j < m && lineA === lineB) {
      edits.push({ op: ' ', line: lineA });
      i++;
      j++;
    } else if (i < n && (j >= m || (lcs[(i + 1) * (m + 1) + j] ?? 0) >= (lcs[i * (m + 1) + j + 1] ?? 0))) {
      // Removals before additions, as diff -u prints a replaced line.
      edits.push({ op: '-', line: lineA });
      i++;
    } else {
      edits.push({ op: '+', line: lineB });
      j++;
    }
  }
  for (const line of a.slice(endA)) edits.push({ op: ' ', line });
  return edits;
}

/** The lines of `text`; a final newline ends the last line rather than starting an empty one. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/**
 * `diff -u`-style text turning `before` into `after` with `context` lines around each change;
 * "" when they are equal.
 */
export function unifiedDiff(before: string, after: string, labels: { readonly before: string; readonly after: string }, context = 3): string {
  if (before === after) return '';
  const edits = lineEdits(linesOf(before), linesOf(after));
  const changed = edits.flatMap((e, k) => (e.op === ' ' ? [] : [k]));
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  let k = 0;
  while (k < changed.length) {
    const first = changed[k] ?? 0;
    let last = first;
    // Changes closer than two contexts apart share a hunk.
    while (k + 1 < changed.length && (changed[k + 1] ?? 0) - last <= 2 * context) last = changed[++k] ?? last;
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(edits.length, last + context + 1);
    // Line numbers (1-based) where the hunk starts in each file.
    let lineA = 1;
    let lineB = 1;
    for (const e of edits.slice(0, from)) {
      if (e.op !== '+') lineA++;
      if (e.op !== '-') lineB++;
    }
    const hunk = edits.slice(from, to);
    const countA = hunk.filter((e) => e.op !== '+').length;
    const countB = hunk.filter((e) => e.op !== '-').length;
    out.push(`@@ -${countA === 0 ? lineA - 1 : lineA},${countA} +${countB === 0 ? lineB - 1 : lineB},${countB} @@`);
    for (const e of hunk) out.push(`${e.op}${e.line}`);
  }
  return `${out.join('\n')}\n`;
}

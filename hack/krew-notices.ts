// THIRD-PARTY-NOTICES for hack/krew-release.ts: the bundle kubectl-my.mjs holds the code of the npm
// packages the plugin imports, and their licenses (MIT, ISC, Apache-2.0, …) ask that their notices
// travel with it. esbuild's metafile names every file it bundled; each one under node_modules/ names
// its package, whose package.json and LICENSE file are copied here, sorted by name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The package folders (relative to `root`) of the bundled input files, nested ones included. */
export function bundledPackageDirs(inputs: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replaceAll('\\', '/'));
    if (match?.[1] !== undefined) dirs.add(match[1]);
  }
  return [...dirs].sort();
}

function field(json: unknown, key: string): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value: unknown = Reflect.get(json, key);
  return typeof value === 'string' ? value : undefined;
}

/** The notices text: for each bundled package, its name, version, license and license file. */
export function thirdPartyNotices(root: string, inputs: Iterable<string>): string {
  const sections = bundledPackageDirs(inputs).map((dir) => {
    const abs = path.join(root, dir);
    const pkg: unknown = JSON.parse(readFileSync(path.join(abs, 'package.json'), 'utf8'));
    const name = field(pkg, 'name') ?? path.basename(dir);
    const license = field(pkg, 'license') ?? 'see the package';
    const file = readdirSync(abs)
      .sort()
      .find((f) => /^(licen[cs]e|copying|notice)(\.|-|$)/i.test(f));
    const text = file !== undefined && existsSync(path.join(abs, file)) ? readFileSync(path.join(abs, file), 'utf8').trimEnd() : `(the package ships no license file; package.json says ${license})`;
    return { key: `${name}@${field(pkg, 'version') ?? '?'}`, body: `${name}@${field(pkg, 'version') ?? '?'} (${license})\n${'-'.repeat(72)}\n${text}\n` };
  });
  // One section per name@version: a package bundled from two nested copies of one version is one notice.
  const unique = new Map(sections.map((s) => [s.key, s.body]));
  const header = 'Third-party software bundled in kubectl-my.mjs, with its license notices.\n';
  return [header, ...[...unique.keys()].sort().map((k) => unique.get(k))].join('\n');
}

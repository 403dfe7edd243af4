// `npm run krew:release [-- --repository OWNER/NAME] [--out DIR]`: the kubectl plugin as krew
// installs it (https://krew.sigs.k8s.io/docs/developer-guide/), one archive per platform and the
// plugin manifest naming them, written to dist/krew/:
//
//   kubectl-my_v0.1.0_linux_amd64.tar.gz … kubectl-my_v0.1.0_windows_amd64.tar.gz
//   my.yaml        the krew Plugin `my` (krew.googlecontainertools.github.com/v1alpha2): each
//                  platform's selector, release URL, sha256 and bin
//   SHA256SUMS     the archives' digests, as `sha256sum -c` reads them
//
// An archive holds the launcher bin/kubectl-my.cjs (it checks Node.js ≥ 22.19 and loads the bundle),
// kubectl-my.mjs (src/cli/run.ts and every npm package it imports, bundled by esbuild: a krew store
// has no node_modules and npm is not there to fill one), LICENSE and THIRD-PARTY-NOTICES. Node.js
// is the user's (caveats say so): the JavaScript is the same on every platform, so the Linux and
// macOS archives hold the same bytes. Windows needs a real kubectl-my.exe, since krew links the
// plugin under that name (hack/krew-shim, built with Go for windows/amd64).
//
// Deterministic: the bundle, the Go build (-trimpath, no build ID, GOTOOLCHAIN=local) and the
// archives (hack/krew-archive.ts; mtime $SOURCE_DATE_EPOCH, else 0) come out the same from the same
// sources and toolchains; test/artifacts/krew.test.ts builds twice and compares. The release URL is
// https://github.com/OWNER/NAME/releases/download/vVERSION/ARCHIVE, from --repository, else
// package.json's GitHub `repository`, else a placeholder it warns about.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { stringify } from 'yaml';
import { pluginVersion } from '../src/cli/version.ts';
import { tarGz, type ArchiveEntry } from './krew-archive.ts';
import { thirdPartyNotices } from './krew-notices.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const placeholderRepository = 'OWNER/my-workload-operator';

export interface KrewPlatform {
  readonly os: 'linux' | 'darwin' | 'windows';
  readonly arch: 'amd64' | 'arm64';
}

export const krewPlatforms: readonly KrewPlatform[] = [
  { os: 'linux', arch: 'amd64' },
  { os: 'linux', arch: 'arm64' },
  { os: 'darwin', arch: 'amd64' },
  { os: 'darwin', arch: 'arm64' },
  { os: 'windows', arch: 'amd64' },
];

export const archiveName = (version: string, p: KrewPlatform): string => `kubectl-my_${version}_${p.os}_${p.arch}.tar.gz`;

/** The file krew links as kubectl-my (kubectl-my.exe on Windows). */
export const binOf = (p: KrewPlatform): string => (p.os === 'windows' ? 'kubectl-my.exe' : 'kubectl-my.cjs');

export interface ReleaseOptions {
  readonly outDir: string;
  /** GitHub OWNER/NAME the release is published under. */
  readonly repository: string;
  /** Every archive entry's mtime, in seconds since the epoch. */
  readonly mtime: number;
}

export interface ReleasedArchive {
  readonly platform: KrewPlatform;
  readonly file: string;
  readonly sha256: string;
}

/** kubectl-my.mjs and its notices: src/cli/run.ts and its npm imports in one ES module for Node.js 22.19. */
async function bundle(): Promise<{ code: Uint8Array; notices: string }> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: ['src/cli/run.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22.19',
    write: false,
    outfile: 'kubectl-my.mjs',
    metafile: true,
    logLevel: 'warning',
    // Some bundled packages are CommonJS and call require() for Node's own modules, which an ES
    // module does not have: give the bundle one.
    banner: { js: "import { createRequire as kubectlMyCreateRequire } from 'node:module';\nconst require = kubectlMyCreateRequire(import.meta.url);" },
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild wrote no bundle');
  return { code: output.contents, notices: thirdPartyNotices(repoRoot, Object.keys(result.metafile.inputs)) };
}

/** hack/krew-shim built for windows/amd64 with every input of the build fixed. */
function windowsShim(): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'krew-shim-'));
  try {
    const out = path.join(dir, 'kubectl-my.exe');
    const env = { ...process.env, CGO_ENABLED: '0', GOOS: 'windows', GOARCH: 'amd64', GOAMD64: 'v1', GOFLAGS: '', GOTOOLCHAIN: 'local' };
    const args = ['build', '-trimpath', '-buildvcs=false', '-ldflags=-s -w -buildid=', '-o', out, '.'];
    const result = spawnSync('go', args, { cwd: path.join(repoRoot, 'hack', 'krew-shim'), env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.error) throw new Error(`go build of hack/krew-shim: ${result.error.message} (the Windows archive needs Go >= 1.22: https://go.dev/doc/install)`);
    if (result.status !== 0) throw new Error(`go build of hack/krew-shim failed (exit ${result.status ?? 'signal'})`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The krew Plugin manifest for the archives. */
export function pluginManifest(version: string, repository: string, archives: readonly ReleasedArchive[]): string {
  const manifest = {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'my' },
    spec: {
      version,
      homepage: `https://github.com/${repository}`,
      shortDescription: 'Roll out and migrate MyDaemonSets, MyStatefulSets, MyDeployments',
      description: [
        'kubectl rollout for the workload kinds of my-workload-operator (apps.my.dev/v1alpha1):',
        'MyDaemonSet (mds), MyStatefulSet (msts) and MyDeployment (mdeploy), which kubectl rollout',
        'does not know. `kubectl my rollout status|history|undo|restart|pause|resume` speak',
        "kubectl's words; `kubectl my rollout plan` shows the steps a change would roll out in;",
        '`kubectl my migrate` moves a DaemonSet, StatefulSet or Deployment to these kinds and back',
        'without restarting its pods; `kubectl my version` says whether the cluster serves them.',
        '',
      ].join('\n'),
      caveats: [
        'kubectl my runs on Node.js 22.19 or newer, found as `node` on PATH',
        '(https://nodejs.org); with an older one it says so and exits.',
        'It works on the kinds of my-workload-operator: install the operator and its',
        'CustomResourceDefinitions in the cluster (`kubectl my version` tells whether they are served).',
        '',
      ].join('\n'),
      platforms: archives.map((a) => ({
        selector: { matchLabels: { os: a.platform.os, arch: a.platform.arch } },
        uri: `https://github.com/${repository}/releases/download/${version}/${a.file}`,
        sha256: a.sha256,
        bin: binOf(a.platform),
      })),
    },
  };
  return stringify(manifest, { lineWidth: 0 });
}

/** Builds every archive and the manifest into `outDir`; returns the archives. */
export async function krewRelease(options: ReleaseOptions): Promise<ReleasedArchive[]> {
  const version = pluginVersion;
  const { code, notices } = await bundle();
  const common: ArchiveEntry[] = [
    { name: 'kubectl-my.cjs', data: readFileSync(path.join(repoRoot, 'bin', 'kubectl-my.cjs')), executable: true },
    { name: 'kubectl-my.mjs', data: code, executable: false },
    { name: 'LICENSE', data: readFileSync(path.join(repoRoot, 'LICENSE')), executable: false },
    { name: 'THIRD-PARTY-NOTICES', data: Buffer.from(notices), executable: false },
  ];
  const shim = windowsShim();

  mkdirSync(options.outDir, { recursive: true });
  // Only what an earlier run wrote goes: --out may name a folder that holds other things.
  for (const f of readdirSync(options.outDir)) {
    if (/^kubectl-my_.*\.tar\.gz$/.test(f) || f === 'my.yaml' || f === 'SHA256SUMS') rmSync(path.join(options.outDir, f));
  }
  const archives = krewPlatforms.map((platform): ReleasedArchive => {
    const entries = platform.os === 'windows' ? [...common, { name: 'kubectl-my.exe', data: shim, executable: true }] : common;
    const bytes = tarGz(entries, options.mtime);
    const file = archiveName(version, platform);
    writeFileSync(path.join(options.outDir, file), bytes);
    return { platform, file, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  writeFileSync(path.join(options.outDir, 'my.yaml'), pluginManifest(version, options.repository, archives));
  writeFileSync(path.join(options.outDir, 'SHA256SUMS'), archives.map((a) => `${a.sha256}  ${a.file}\n`).join(''));
  return archives;
}

/** OWNER/NAME of package.json's `repository` when it is on GitHub. */
function packageRepository(): string | undefined {
  const pkg: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const repo: unknown = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'repository') : undefined;
  const url: unknown = typeof repo === 'object' && repo !== null ? Reflect.get(repo, 'url') : repo;
  if (typeof url !== 'string') return undefined;
  return /github\.com[/:]([^/]+\/[^/.]+)/.exec(url)?.[1] ?? /^github:([^/]+\/[^/]+)$/.exec(url)?.[1];
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { repository: { type: 'string' }, out: { type: 'string' } } });
  let repository = values.repository ?? packageRepository();
  if (repository === undefined) {
    repository = placeholderRepository;
    console.error(`[krew-release] warning: no --repository and no GitHub repository in package.json: the URLs in my.yaml name ${repository}`);
  }
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new Error(`--repository must be OWNER/NAME, not ${repository}`);
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const mtime = epoch === undefined || epoch === '' ? 0 : Number(epoch);
  if (!Number.isSafeInteger(mtime) || mtime < 0) throw new Error(`SOURCE_DATE_EPOCH must be seconds since the epoch, not ${epoch ?? ''}`);
  const outDir = path.resolve(values.out ?? path.join(repoRoot, 'dist', 'krew'));
  const started = Date.now();
  const archives = await krewRelease({ outDir, repository, mtime });
  for (const a of archives) console.log(`${path.join(outDir, a.file)}  ${a.sha256}`);
  console.log(path.join(outDir, 'my.yaml'));
  console.error(`[krew-release] ${pluginVersion}: ${archives.length} archives and my.yaml in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`[krew-release] error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}

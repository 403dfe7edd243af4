// The kubectl plugin as npm installs it: `npm pack` (prepack compiles src/ into dist/), then
// `npm install -g --prefix DIR` of the tarball gives DIR/bin/kubectl-my, the launcher
// bin/kubectl-my.cjs, which kubectl finds on PATH as the plugin `my`. The install takes the
// dependencies from npm's cache (--prefer-offline: the registry is asked only for what the cache
// lacks, which after `npm ci` is package metadata, once). kubectl comes from PATH:
// test/artifacts/run.ts puts the control plane's there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enginesMinimum, nodeDir, oldNode, packageVersion, repoRoot, runAsUser } from './plugin-run.ts';
import { onPath } from './tools.ts';

/** The environment of the test run less `npm run`'s npm_* variables, which would steer the npm below. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

function npm(args: readonly string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  assert.equal(result.status, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

describe('the npm package of the kubectl plugin', function () {
  this.timeout(300_000);
  let scratch: string;
  let prefix: string;
  let home: string;
  let packed: string[];
  let kubectlDir: string;

  before(() => {
    kubectlDir = path.dirname(onPath('kubectl'));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'npm-install-'));
    prefix = path.join(scratch, 'prefix');
    home = path.join(scratch, 'home');
    const report: unknown = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], repoRoot));
    const tarball: unknown = Array.isArray(report) ? report[0] : undefined;
    const filename: unknown = typeof tarball === 'object' && tarball !== null ? Reflect.get(tarball, 'filename') : undefined;
    const files: unknown = typeof tarball === 'object' && tarball !== null ? Reflect.get(tarball, 'files') : undefined;
    assert.ok(typeof filename === 'string' && Array.isArray(files), 'npm pack --json names the tarball and its files');
    packed = files.map((f: unknown) => (typeof f === 'object' && f !== null ? String(Reflect.get(f, 'path')) : ''));
    npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(scratch, filename)], scratch);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('packs the launcher, the compiled JavaScript, package.json, README and LICENSE: no TypeScript, tests or maps', () => {
    for (const file of ['bin/kubectl-my.cjs', 'dist/cli/run.js', 'dist/cli/version.js', 'dist/main.js', 'package.json', 'README.md', 'LICENSE']) {
      assert.ok(packed.includes(file), `${file} is packed`);
    }
    assert.deepEqual(
      packed.filter((f) => /\.ts$|\.map$|^test\/|^hack\/|^src\//.test(f)),
      [],
    );
  });

  it('installs DIR/bin/kubectl-my, which kubectl lists and runs as the plugin `my`', () => {
    const pathDirs = [path.join(prefix, 'bin'), kubectlDir, nodeDir];
    const list = runAsUser('kubectl', ['plugin', 'list'], pathDirs, home);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${path.join(prefix, 'bin', 'kubectl-my')}$`, 'm'));
    const help = runAsUser('kubectl', ['my', '--help'], pathDirs, home);
    assert.equal(help.status, 0, help.stderr);
    for (const command of ['rollout', 'set', 'migrate', 'version']) assert.match(help.stdout, new RegExp(`^ {2}${command}\\b`, 'm'));
  });

  it("prints the package's version and the Node.js it runs on with version --client", () => {
    const result = runAsUser('kubectl-my', ['version', '--client'], [path.join(prefix, 'bin'), nodeDir], home);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `Client Version: v${packageVersion()}\nNode.js Version: ${process.version}\n`);
  });

  it('says which Node.js is too old, and exits 1, on an older Node.js', () => {
    const old = oldNode();
    const [major, minor] = enginesMinimum();
    const result = runAsUser('kubectl-my', ['version', '--client'], [path.join(prefix, 'bin'), old.dir], home);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `kubectl-my needs Node.js ${major}.${minor} or newer; this is ${old.version} (${old.execPath})\n`);
  });

  it("checks for package.json's engines.node minimum", () => {
    const launcher = readFileSync(realpathSync(path.join(prefix, 'bin', 'kubectl-my')), 'utf8');
    const match = /var minimum = \{ major: (\d+), minor: (\d+) \};/.exec(launcher);
    assert.ok(match, 'the launcher declares its minimum');
    assert.deepEqual([Number(match[1]), Number(match[2])], enginesMinimum());
  });
});

// The kubectl plugin as krew installs it: hack/krew-release.ts's archives and manifest, checked by
// krew's own validate-krew-manifest and installed by `kubectl krew install --manifest --archive`
// for every platform, the way validate-krew-manifest's install step does but offline: with
// --archive krew reads the local file instead of the release URL (sigs.k8s.io/krew
// internal/installation/install.go downloadAndExtract), with --manifest it neither reads nor updates
// its index, so it needs no git (cmd/krew/cmd/install.go PreRunE), and KREW_NO_UPGRADE_CHECK stops
// its GitHub release check (cmd/krew/cmd/root.go preRun). The installs run with proxies that lead
// nowhere and a PATH of kubectl and krew only, so a step that reached for the network or git fails.
// kubectl, kubectl-krew and validate-krew-manifest come from PATH (test/artifacts/run.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { archiveName, binOf, krewPlatforms, type KrewPlatform } from '../../hack/krew-release.ts';
import { enginesMinimum, nodeDir, oldNode, packageVersion, repoRoot, runAsUser } from './plugin-run.ts';
import { onPath } from './tools.ts';

const version = `v${packageVersion()}`;
/** Where every HTTP(S) request of krew would go: a port nothing listens on. */
const nowhere = 'http://127.0.0.1:9';

function release(outDir: string): void {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'hack', 'krew-release.ts'), '--out', outDir, '--repository', 'example/my-workload-operator'], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '' },
  });
  assert.equal(result.status, 0, `hack/krew-release.ts failed:\n${result.stderr}`);
}

describe('the krew release of the kubectl plugin', function () {
  this.timeout(300_000);
  let scratch: string;
  let dist: string;
  let home: string;
  let kubectlDir: string;
  let krewDir: string;
  const roots = new Map<string, string>();
  const rootOf = (p: KrewPlatform): string => roots.get(`${p.os}/${p.arch}`) ?? assert.fail(`${p.os}/${p.arch} was not installed`);
  const linux: KrewPlatform = { os: 'linux', arch: 'amd64' };

  before(() => {
    kubectlDir = path.dirname(onPath('kubectl'));
    krewDir = path.dirname(onPath('kubectl-krew'));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'krew-'));
    dist = path.join(scratch, 'dist');
    home = path.join(scratch, 'home');
    release(dist);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('builds the same archives and manifest again from the same sources', () => {
    const again = path.join(scratch, 'again');
    release(again);
    assert.equal(readFileSync(path.join(again, 'SHA256SUMS'), 'utf8'), readFileSync(path.join(dist, 'SHA256SUMS'), 'utf8'));
    assert.equal(readFileSync(path.join(again, 'my.yaml'), 'utf8'), readFileSync(path.join(dist, 'my.yaml'), 'utf8'));
  });

  it("writes a manifest of the plugin `my` at package.json's version, for linux and darwin on amd64 and arm64 and windows on amd64", () => {
    const manifest: unknown = parse(readFileSync(path.join(dist, 'my.yaml'), 'utf8'));
    const spec: unknown = typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'spec') : undefined;
    assert.ok(typeof spec === 'object' && spec !== null);
    assert.equal(Reflect.get(spec, 'version'), version);
    assert.match(String(Reflect.get(spec, 'caveats')), /Node\.js 22\.19 or newer/);
    const platforms: unknown = Reflect.get(spec, 'platforms');
    assert.ok(Array.isArray(platforms));
    assert.deepEqual(
      platforms.map((p: unknown) => JSON.stringify(p)),
      krewPlatforms.map((p) =>
        JSON.stringify({
          selector: { matchLabels: { os: p.os, arch: p.arch } },
          uri: `https://github.com/example/my-workload-operator/releases/download/${version}/${archiveName(version, p)}`,
          sha256: /^([0-9a-f]{64}) {2}/m.exec(readFileSync(path.join(dist, 'SHA256SUMS'), 'utf8').split('\n').find((l) => l.endsWith(archiveName(version, p))) ?? '')?.[1],
          bin: binOf(p),
        }),
      ),
    );
  });

  it('passes validate-krew-manifest', () => {
    // -skip-install: its install step downloads the release URLs; the next test installs offline.
    const result = spawnSync(onPath('validate-krew-manifest'), ['-manifest', path.join(dist, 'my.yaml'), '-skip-install'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /structural validation OK/);
    assert.match(result.stderr, /no overlapping spec\.platform\[\]\.selector/);
  });

  it('installs with kubectl krew on every platform from the archive alone, its bin linked and its LICENSE extracted', () => {
    for (const platform of krewPlatforms) {
      const root = path.join(scratch, `krew-${platform.os}-${platform.arch}`);
      roots.set(`${platform.os}/${platform.arch}`, root);
      const archive = path.join(dist, archiveName(version, platform));
      const result = runAsUser('kubectl', ['krew', 'install', `--manifest=${path.join(dist, 'my.yaml')}`, `--archive=${archive}`], [path.join(root, 'bin'), krewDir, kubectlDir], home, {
        KREW_ROOT: root,
        KREW_OS: platform.os,
        KREW_ARCH: platform.arch,
        KREW_NO_UPGRADE_CHECK: '1',
        HTTP_PROXY: nowhere,
        HTTPS_PROXY: nowhere,
      });
      assert.equal(result.status, 0, `${platform.os}/${platform.arch}: ${result.stderr}`);
      assert.match(result.stderr, /Installed plugin: my/);
      const store = path.join(root, 'store', 'my', version);
      const link = path.join(root, 'bin', platform.os === 'windows' ? 'kubectl-my.exe' : 'kubectl-my');
      assert.equal(readlinkSync(link), path.join(store, binOf(platform)));
      for (const file of ['LICENSE', 'THIRD-PARTY-NOTICES', 'kubectl-my.cjs', 'kubectl-my.mjs']) assert.ok(existsSync(path.join(store, file)), `${platform.os}: ${file}`);
      if (platform.os === 'windows') assert.equal(readFileSync(path.join(store, 'kubectl-my.exe')).subarray(0, 2).toString(), 'MZ', 'a Windows executable');
    }
  });

  it('runs `kubectl my version --client` through KREW_ROOT/bin', () => {
    const root = rootOf(linux);
    const result = runAsUser('kubectl', ['my', 'version', '--client'], [path.join(root, 'bin'), kubectlDir, nodeDir], home);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `Client Version: ${version}\nNode.js Version: ${process.version}\n`);
  });

  it('says which Node.js is too old through KREW_ROOT/bin', () => {
    const old = oldNode();
    const [major, minor] = enginesMinimum();
    const result = runAsUser('kubectl', ['my', 'version', '--client'], [path.join(rootOf(linux), 'bin'), kubectlDir, old.dir], home);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `kubectl-my needs Node.js ${major}.${minor} or newer; this is ${old.version} (${old.execPath})\n`);
  });

  describe("the Windows archive's kubectl-my.exe (hack/krew-shim), built for this machine", () => {
    /** A folder holding kubectl-my, a link to the shim in `store` beside `files`, as krew lays a plugin out. */
    function install(name: string, files: Readonly<Record<string, string>>): string {
      const store = path.join(scratch, name, 'store');
      const bin = path.join(scratch, name, 'bin');
      mkdirSync(bin, { recursive: true });
      mkdirSync(store, { recursive: true });
      copyFileSync(shim, path.join(store, 'kubectl-my'));
      for (const [file, from] of Object.entries(files)) copyFileSync(from, path.join(store, file));
      symlinkSync(path.join(store, 'kubectl-my'), path.join(bin, 'kubectl-my'));
      return bin;
    }
    let shim: string;

    before(() => {
      shim = path.join(scratch, 'shim-build', 'kubectl-my');
      const build = spawnSync('go', ['build', '-trimpath', '-o', shim, '.'], {
        cwd: path.join(repoRoot, 'hack', 'krew-shim'),
        encoding: 'utf8',
        env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '' },
      });
      assert.equal(build.status, 0, build.stderr);
    });

    it('runs node on the launcher beside its real file', () => {
      const windowsStore = path.join(rootOf({ os: 'windows', arch: 'amd64' }), 'store', 'my', version);
      const bin = install('shim', { 'kubectl-my.cjs': path.join(windowsStore, 'kubectl-my.cjs'), 'kubectl-my.mjs': path.join(windowsStore, 'kubectl-my.mjs') });
      const result = runAsUser('kubectl', ['my', 'version', '--client'], [bin, kubectlDir, nodeDir], home);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, `Client Version: ${version}\nNode.js Version: ${process.version}\n`);
    });

    it("passes the arguments as given and exits with node's exit code", () => {
      const stub = path.join(scratch, 'stub-launcher.cjs');
      writeFileSync(stub, 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\nprocess.exit(7);\n');
      const bin = install('shim-stub', { 'kubectl-my.cjs': stub });
      const result = runAsUser(path.join(bin, 'kubectl-my'), ['rollout', 'status', 'a name', '--timeout=5m'], [nodeDir], home);
      assert.equal(result.status, 7);
      assert.equal(result.stdout, JSON.stringify(['rollout', 'status', 'a name', '--timeout=5m']));
    });

    it('says Node.js is needed when there is no node on PATH', () => {
      const bin = install('shim-no-node', { 'kubectl-my.cjs': path.join(repoRoot, 'bin', 'kubectl-my.cjs') });
      const result = runAsUser(path.join(bin, 'kubectl-my'), ['version', '--client'], [kubectlDir], home);
      assert.equal(result.status, 1);
      assert.equal(result.stderr, 'kubectl-my needs Node.js 22.19 or newer as `node` on PATH; none was found (https://nodejs.org)\n');
    });
  });
});

// What the installed-plugin tests (npm-install.test.ts, krew.test.ts) share: running a command with
// exactly the PATH a user would have, the Node.js the tests run on (≥ 22.19), and a Node.js older
// than the plugin supports to check that the launcher says so.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** The folder of the Node.js running the tests, to put on a user's PATH. */
export const nodeDir = path.dirname(process.execPath);

/** package.json's field at `keys` (engines, node), undefined where any is missing. */
function packageField(...keys: string[]): unknown {
  let node: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  for (const key of keys) node = typeof node === 'object' && node !== null ? Reflect.get(node, key) : undefined;
  return node;
}

/** package.json's version, which the plugin reports as v0.1.0. */
export function packageVersion(): string {
  const version = packageField('version');
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}

/** package.json's engines.node minimum, `>=22.19` as [22, 19]. */
export function enginesMinimum(): [number, number] {
  const node = packageField('engines', 'node');
  const match = typeof node === 'string' ? /^>=(\d+)\.(\d+)$/.exec(node) : null;
  if (!match) throw new Error(`package.json engines.node is not >=MAJOR.MINOR: ${String(node)}`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * Runs `command` with the environment a user of the installed plugin has: only PATH (and HOME, in
 * a scratch folder), plus `env`. No npm_* variables of `npm run` leak into it.
 */
export function runAsUser(command: string, args: readonly string[], pathDirs: readonly string[], home: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { PATH: pathDirs.join(path.delimiter), HOME: home, ...env }, timeout: 60_000 });
  if (result.error) throw result.error;
  return result;
}

export interface OldNode {
  /** The folder to put on PATH. */
  readonly dir: string;
  readonly version: string;
  readonly execPath: string;
}

/**
 * A Node.js older than package.json's minimum: the first on PATH, then /usr/bin's and /usr/local/bin's
 * (the CI machine's own is Node.js 20). There must be one: the launcher's message is the point.
 */
export function oldNode(): OldNode {
  const [minMajor, minMinor] = enginesMinimum();
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const file = path.join(dir, 'node');
    try {
      accessSync(file, constants.X_OK);
    } catch {
      continue;
    }
    const probe = spawnSync(file, ['-p', 'process.version + " " + process.execPath'], { encoding: 'utf8' });
    const [version = '', execPath = ''] = probe.stdout.trim().split(' ');
    const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
    if (probe.status === 0 && (major < minMajor || (major === minMajor && minor < minMinor))) return { dir, version, execPath };
  }
  throw new Error(`no Node.js older than ${minMajor}.${minMinor} on PATH, in /usr/bin or /usr/local/bin: install one (the CI machine has Node.js 20 as /usr/bin/node)`);
}

// `kubectl my …` as a user runs it: kubectl's plugin mechanism finds bin/kubectl-my on PATH, against
// the run's cluster (KUBECONFIG) and a test's namespace. Exit codes and both output streams are kept,
// since kubectl prints a failed rollout status on stderr and exits 1.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../../hack/cluster.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { binDir, kubeconfigPath } from './env.ts';

const run = promisify(execFile);

export interface PluginRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Both streams, for assertions that do not care where kubectl printed a line. */
export function pluginOutput(result: PluginRun): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** Runs `kubectl my ARGS -n NS` and resolves with its exit code and output, whatever the code. */
export async function runPlugin(namespace: string, ...args: string[]): Promise<PluginRun> {
  try {
    const { stdout, stderr } = await run(path.join(binDir(), 'kubectl'), ['my', ...args, '-n', namespace, '--kubeconfig', kubeconfigPath()], {
      env: { ...process.env, PATH: `${path.join(repoRoot, 'bin')}:${process.env.PATH ?? ''}` },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    // A failure to start kubectl at all (ENOENT…) is the test's problem, not an exit code.
    if (!isRecord(err) || typeof err.code !== 'number') throw err;
    const { code, stdout, stderr } = err;
    return { code, stdout: typeof stdout === 'string' ? stdout : '', stderr: typeof stderr === 'string' ? stderr : '' };
  }
}

/** `kubectl my ARGS` that must succeed; its stdout. */
export async function kubectlMy(namespace: string, ...args: string[]): Promise<string> {
  const result = await runPlugin(namespace, ...args);
  if (result.code !== 0) throw new Error(`kubectl my ${args.join(' ')} exited ${result.code}: ${pluginOutput(result)}`);
  return result.stdout;
}

/** `kubectl my ARGS` that must fail; its exit code and output. */
export async function kubectlMyFails(namespace: string, ...args: string[]): Promise<PluginRun> {
  const result = await runPlugin(namespace, ...args);
  if (result.code === 0) throw new Error(`expected kubectl my ${args.join(' ')} to fail, it printed: ${result.stdout}`);
  return result;
}

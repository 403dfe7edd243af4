// Runs one walkthrough command the way a reader would: the displayed text through bash, in the
// section's folder, stdout and stderr into the same file so warnings land where the terminal
// would show them (kubectl's `--record` deprecation before the object it created).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';

export interface CommandResult {
  readonly output: string;
  readonly exitCode: number;
}

/** A command still running after this long is stuck (a watch that never ends): kill it and fail. */
const commandTimeoutMs = 120_000;

export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** `outputFile`: where the output collects while the command runs (outside `cwd`, which the command may list). */
export function runCommand(
  command: string,
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly outputFile: string },
): Promise<CommandResult> {
  const file = options.outputFile;
  const fd = openSync(file, 'w');
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
      timeout: commandTimeoutMs,
      killSignal: 'SIGKILL',
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== null) {
        reject(new CommandError(`\`${command}\` was killed (${signal}) after ${commandTimeoutMs / 1000} s`));
        return;
      }
      resolve({ output: readFileSync(file, 'utf8'), exitCode: code ?? 1 });
    });
  }).finally(() => {
    closeSync(fd);
    rmSync(file, { force: true });
  });
}

// The plugin's entry point in its installed forms: bin/kubectl-my.cjs, the launcher npm and krew
// install, imports this file (dist/cli/run.js, or the bundle hack/krew-release.ts builds) and calls
// run(). main.ts runs itself only under `import.meta.main`, which Node.js has from 24.2 on; the
// installed plugin supports Node.js 22.19 and later, where that is undefined.
import { errorMessage } from '../runtime/client/errors.ts';
import { buildCli } from './main.ts';

/** Runs `kubectl my` on process.argv-shaped arguments; prints an error and exits 1 as main.ts does. */
export async function run(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (err) {
    console.error(`error: ${errorMessage(err)}`);
    process.exit(1);
  }
}

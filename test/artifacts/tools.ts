// The tools artifact tests run, found on PATH. test/artifacts/run.ts builds them and puts them
// first on PATH, so a test never skips for a missing tool: outside the runner it fails, saying how
// to get it.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** The absolute path of the executable `name` on PATH; throws naming the runner when there is none. */
export function onPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name} is not on PATH: run the artifact tests with npm run test:artifacts, which builds it (hack/build-tools.sh)`);
}

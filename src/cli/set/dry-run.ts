// --dry-run as kubectl reads it: none, client (print the object that would be sent, send nothing),
// server (send it with dryRun=All: the API server runs admission and validation but stores
// nothing). `--dry-run` alone and the old boolean spellings still work, with kubectl's deprecation
// warnings. Pure.
// upstream: kubectl pkg/cmd/util/helpers.go GetDryRunStrategy, AddDryRunFlag.
import { parseGoBool } from './flags.ts';

export type DryRunStrategy = 'none' | 'client' | 'server';

/** What --dry-run typed alone stands for (its NoOptDefVal). */
export const dryRunUnchanged = 'unchanged';

export class DryRunError extends Error {
  override readonly name = 'DryRunError';
}

/** The strategy for the flag's value (kubectl's default: "none"), and the warning kubectl logs for it, if any. */
export function dryRunStrategy(value: string): { readonly strategy: DryRunStrategy; readonly warning?: string } {
  const asBool = parseGoBool(value);
  if (asBool === true) return { strategy: 'client', warning: `--dry-run=${value} is deprecated (boolean value) and can be replaced with --dry-run=client.` };
  if (asBool === false) return { strategy: 'none', warning: `--dry-run=${value} is deprecated (boolean value) and can be replaced with --dry-run=none.` };
  switch (value) {
    case dryRunUnchanged:
      return { strategy: 'client', warning: '--dry-run is deprecated and can be replaced with --dry-run=client.' };
    case 'client':
    case 'server':
    case 'none':
      return { strategy: value };
    default:
      throw new DryRunError(`Invalid dry-run value (${value}). Must be "none", "server", or "client".`);
  }
}

// What `--record` writes into the `kubernetes.io/change-cause` annotation: the command line as
// kubectl rebuilds it from its own argv, so `rollout history` shows the same CHANGE-CAUSE for our
// kinds as for apps/v1 — with `kubectl my` where kubectl writes `kubectl`. Pure.
//
// upstream: cli-runtime pkg/genericclioptions/record_flags.go parseCommandArguments. kubectl
// re-parses os.Args[1:] with the command's flags (global ones included) and writes the program
// name, then every word that is not a flag (`set image mds/web app=web:2`), then every flag in
// the order typed as ` --LONGNAME=VALUE`: a shorthand is written by its long name, a bool typed
// alone as `=true`, `--dry-run` alone as `=unchanged`. When the words do not parse it records "".
import { scanFlags, type FlagSpec } from './flags.ts';

/** The program name kubectl would write; ours runs as the `my` plugin of kubectl. */
export const pluginCommand = 'kubectl my';

/**
 * The change cause for `argv` (the words after the program name, as typed), given every flag the
 * command knows, global flags included.
 */
export function changeCause(argv: readonly string[], flags: readonly FlagSpec[]): string {
  let scanned;
  try {
    scanned = scanFlags(argv, flags);
  } catch {
    return '';
  }
  const args = scanned.args.length > 0 ? ` ${scanned.args.join(' ')}` : '';
  const typed = scanned.flags.map(({ flag, value }) => ` --${flag.name}=${value}`).join('');
  return `${pluginCommand}${args}${typed}`;
}

// The `kubectl my migrate` command line (docs/migrate.md):
//
//   kubectl my migrate ds/NAME|sts/NAME|deploy/NAME [--dry-run] [--apply]
//   kubectl my migrate mds/NAME|msts/NAME|mdeploy/NAME --to apps/v1 [--dry-run] [--apply]
//
// The direction follows from the kind: apps/v1 objects go to apps.my.dev/v1alpha1; ours go back only
// with an explicit `--to apps/v1`, since upstream's controllers may replace pods ours would not.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { realClock, type Clock } from '../../runtime/clock.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import { MigrationRefused } from './convert.ts';
import { appsV1, mine, objectLabel, parseMigrateTarget, workloadResource, type Api, type MigrateTarget } from './kinds.ts';
import { migrate } from './migrate.ts';

function parseApi(value: string): Api {
  if (value === appsV1 || value === mine) return value;
  throw new InvalidArgumentError(`must be ${appsV1} or ${mine}`);
}

/** The target, checked against `--to`: refuses a migration to the API the object is already served by. */
export function checkDirection(target: MigrateTarget, to: Api | undefined): MigrateTarget {
  const label = objectLabel(workloadResource(target.kind, target.from), target.name);
  if (to === target.from) throw new MigrationRefused(`${label} is already ${to}`);
  if (target.from === mine && to === undefined) {
    throw new MigrationRefused(`${label} is not apps/v1: to move it back to apps/v1, pass --to apps/v1 (read docs/migrate.md first)`);
  }
  return target;
}

interface Flags {
  readonly to?: Api;
  readonly dryRun: boolean;
  readonly apply: boolean;
}

/** Adds `migrate` to the plugin; `connect` gives the client and namespace of the global flags. */
export function registerMigrate(
  program: Command,
  out: (line: string) => void,
  connect: () => Promise<{ client: KubeClient; namespace: string }>,
  clock: Clock = realClock,
): void {
  program
    .command('migrate')
    .argument('<target...>', 'ds/NAME, sts/NAME, deploy/NAME (apps/v1); mds/NAME, msts/NAME, mdeploy/NAME with --to apps/v1')
    .option('--to <apiVersion>', `where to: ${mine} (for apps/v1 objects) or ${appsV1} (for ours)`, parseApi)
    .option('--dry-run', 'print what would be deleted, orphaned and created (checked by server dry runs); change nothing', false)
    .option('--apply', "create the new object from the old one's spec", false)
    .description(
      'move a workload between apps/v1 and apps.my.dev without restarting its pods: delete it with --cascade=orphan, ' +
        'wait for the garbage collector, then apply the same manifest as the other kind (docs/migrate.md)',
    )
    .action(async (args: string[], flags: Flags) => {
      const target = checkDirection(parseMigrateTarget(args), flags.to);
      const { client, namespace } = await connect();
      await migrate(target, { dryRun: flags.dryRun, apply: flags.apply }, { client, namespace, out, clock });
    });
}

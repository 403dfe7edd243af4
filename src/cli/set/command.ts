// The `kubectl my set` command line: `set image`, `set resources` and `set env` for MyDaemonSet,
// MyStatefulSet and MyDeployment, which kubectl's own `set` refuses (`no kind "MyDaemonSet" is
// registered`). Each takes kubectl's words, flags and messages; the objects are named as kubectl
// names ours (`mydeployment.apps.my.dev/web image updated`).
//
//   kubectl my set image     mds/NAME… CONTAINER=IMAGE… [--all|-l SEL] [--dry-run=…] [-o name|json|yaml] [--record]
//   kubectl my set resources mds/NAME… [-c CONTAINERS] [--limits=cpu=200m,memory=512Mi] [--requests=…]
//   kubectl my set env       mds/NAME… KEY=VALUE… KEY-… [-e KEY=VALUE] [--from=configmap/NAME] [--list] [--overwrite=false]
//
// commander hands each verb its words untouched (global flags aside); flags.ts reads them as
// kubectl's flag library does.
// upstream: kubectl pkg/cmd/set/set.go NewCmdSet; pkg/util/templates/templater.go FlagErrorFunc.
import type { Command } from 'commander';
import type { KubeClient } from '../../runtime/client/rest.ts';
import { FlagError, flagsHelp, flagValues, scanFlags } from './flags.ts';
import { setEnv } from './set-env.ts';
import { setImage } from './set-image.ts';
import { setResources } from './set-resources.ts';
import { deprecationWarnings, type SetVerb } from './verb.ts';

const verbs: readonly SetVerb[] = [setImage, setResources, setEnv];

/**
 * Adds `set` to the plugin. `argv` is what the user typed after the program name (for --record);
 * `warn` writes a line to stderr.
 */
export function registerSet(
  program: Command,
  out: (line: string) => void,
  connect: () => Promise<{ client: KubeClient; namespace: string }>,
  argv: readonly string[],
  warn: (line: string) => void = (line) => console.error(line),
): void {
  const set = program
    .command('set')
    .description('Set specific features on objects: the image, resources or environment of a pod template (MyDaemonSet, MyStatefulSet, MyDeployment)');
  for (const verb of verbs) {
    set
      .command(verb.name)
      .usage(verb.usage)
      .description(verb.description)
      .argument('[args...]')
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText('after', flagsHelp(verb.flags))
      .action(async (args: string[]) => {
        let scanned;
        let values;
        try {
          scanned = scanFlags(args, verb.flags);
          for (const warning of deprecationWarnings(scanned)) warn(warning);
          values = flagValues(scanned);
        } catch (err) {
          if (err instanceof FlagError) throw new FlagError(`${err.message}\nSee 'kubectl my set ${verb.name} --help' for usage.`, { cause: err });
          throw err;
        }
        await verb.run({ connect, out, warn, argv }, scanned, values);
      });
  }
}

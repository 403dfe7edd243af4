// `kubectl my rollout plan TARGET (-f FILE | --image CONTAINER=IMAGE…) [-o json|yaml]`: the steps a
// change would roll out in, predicted by running the kind's own planner over a simulated cluster
// (docs/rollout-plan.md). Nothing is applied: the change is only sent as a dry run.
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseTarget, targetLabel } from '../target.ts';
import { planRollout } from './plan-rollout.ts';
import type { PlanClient } from './read-cluster.ts';
import { readCluster } from './read-cluster.ts';
import type { OutputFormat } from './render.ts';
import { renderPlan } from './render.ts';
import { RolloutPlanError } from './rollout-plan.ts';
import type { ImageSetting, SpecChange } from './spec-change.ts';
import { manifestSpec, parseImageSetting } from './spec-change.ts';

export interface RolloutPlanDeps {
  /** A client and the namespace to work in, from the global flags. */
  readonly connect: () => Promise<{ readonly client: PlanClient; readonly namespace: string }>;
  readonly out: (line: string) => void;
  /** Reads `-f`'s file; `-` is standard input. */
  readonly readManifest?: (path: string) => Promise<string>;
  /** Where the simulated clock starts (epoch ms): pods' readiness is measured from it. */
  readonly now?: () => number;
}

interface PlanOptions {
  readonly filename?: string;
  readonly image?: readonly ImageSetting[];
  readonly output?: 'json' | 'yaml';
}

const readManifestFile = (path: string): Promise<string> => (path === '-' ? text(process.stdin) : readFile(path, 'utf8'));

function collectImage(value: string, previous: readonly ImageSetting[] = []): readonly ImageSetting[] {
  try {
    return [...previous, parseImageSetting(value)];
  } catch (err) {
    if (err instanceof RolloutPlanError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

export function rolloutPlanCommand(deps: RolloutPlanDeps): Command {
  return new Command('plan')
    .argument('<target...>', 'mds/NAME, msts/NAME, mdeploy/NAME, or KIND NAME')
    .option('-f, --filename <file>', 'a manifest of the object with the new spec, YAML or JSON (- reads standard input)')
    .option('--image <container=image>', "a container's new image, as kubectl set image (repeatable; * is every container)", collectImage)
    .addOption(new Option('-o, --output <format>', 'print the plan as json or yaml instead of a table').choices(['json', 'yaml']))
    .description(
      'show the steps a change would roll out in, without applying it: the pods each step replaces together (a MyDeployment: its MyReplicaSets\' sizes after each step)',
    )
    .action(async (args: string[], opts: PlanOptions) => {
      const target = parseTarget(args);
      const images = opts.image ?? [];
      if ((opts.filename === undefined) === (images.length === 0)) throw new RolloutPlanError('give the change either as -f FILE or as --image CONTAINER=IMAGE');
      const { client, namespace } = await deps.connect();
      const change: SpecChange =
        opts.filename === undefined
          ? { kind: 'images', images }
          : { kind: 'manifest', spec: manifestSpec(await (deps.readManifest ?? readManifestFile)(opts.filename), target, namespace) };
      const plan = planRollout(await readCluster(client, target, namespace, change), (deps.now ?? Date.now)());
      const format: OutputFormat = opts.output ?? 'table';
      if (format === 'table') deps.out(targetLabel(target));
      for (const line of renderPlan(plan, format)) deps.out(line);
    });
}

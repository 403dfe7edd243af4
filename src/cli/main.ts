// `kubectl my …`: the kubectl plugin for our kinds, since `kubectl rollout` only knows apps/v1.
// Install by putting bin/ on PATH (bin/kubectl-my runs this file with the project's Node 24).
//
//   kubectl my rollout status  mds/NAME|msts/NAME|mdeploy/NAME [-n NS] [--timeout 5m] [--watch=false] [--revision N]
//   kubectl my rollout history mds/NAME|msts/NAME|mdeploy/NAME [--revision N]
//   kubectl my rollout undo    mds/NAME|msts/NAME|mdeploy/NAME [--to-revision N]
//   kubectl my rollout restart mds/NAME|msts/NAME|mdeploy/NAME
//   kubectl my rollout pause   mds/NAME|msts/NAME|mdeploy/NAME
//   kubectl my rollout resume  mds/NAME|msts/NAME|mdeploy/NAME
//   kubectl my rollout plan    mds/NAME|msts/NAME|mdeploy/NAME (-f FILE | --image CONTAINER=IMAGE…) [-o json|yaml]
//   kubectl my migrate ds/NAME|sts/NAME|deploy/NAME [--apply] [--dry-run]   (and mds|msts|mdeploy/NAME --to apps/v1)
//   kubectl my set image     mds/NAME… CONTAINER=IMAGE… [--all|-l SEL] [--dry-run=none|client|server] [-o name|json|yaml] [--record]
//   kubectl my set resources mds/NAME… [-c CONTAINERS] --limits=cpu=200m,memory=512Mi --requests=…   (same flags)
//   kubectl my set env       mds/NAME… KEY=VALUE… KEY-… [-e KEY=VALUE] [--from=configmap/NAME] [--list] [--overwrite=false]
//   kubectl my version [--client] [-o json|yaml]
//
// Messages are kubectl's, with the object named `mydeployment.apps.my.dev/NAME` where kubectl says
// `deployment.apps/NAME`; status lines keep kubectl's wording (`deployment "NAME" successfully
// rolled out`). Every kind pauses, and status knows rollout control (docs/rollout-control.md):
// progress deadlines, automatic rollbacks and MyDaemonSet canaries. The decisions are pure
// functions (src/api/rollout-status.ts, rollout-control-status.ts, deployment-rollout.ts,
// rollout-patches.ts, history-table.ts); this file reads, writes and prints.
import { KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ControllerRevision } from '../api/core.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Resource } from '../api/resources.ts';
import { controllerRevisions } from '../api/resources.ts';
import { selectorToString } from '../api/selector.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../api/workloads.ts';
import { changeCauseAnnotation } from '../controllers/deployment/annotations.ts';
import { revisionDataKey, sortRevisions, templateFromRevision, templatePatch } from '../controllers/history/revisions.ts';
import { parseInt64 } from '../controllers/shared/int64.ts';
import { errorMessage } from '../runtime/client/errors.ts';
import { KubeClient } from '../runtime/client/rest.ts';
import { controlledReplicaSets, deploymentHistory, deploymentRollback } from './deployment-rollout.ts';
import { followRollout, type FollowedStatus, type RolloutSource } from './follow-rollout.ts';
import { historyTable, type HistoryRevision } from './history-table.ts';
import { registerMigrate } from './migrate/command.ts';
import { viewRevision } from './revision-template.ts';
import { daemonSetStatus, deploymentStatus, statefulSetStatus } from './rollout-control-status.ts';
import { pausedRollbackRefusal, pausePatch, restartPatch, resumePatch, type RolloutPatch } from './rollout-patches.ts';
import { rolloutPlanCommand } from './rollout-plan/command.ts';
import { workloadResource, type TemplatedWorkload } from './set/workloads.ts';
import { registerSet } from './set/command.ts';
import { parseTarget, targetLabel, type Target } from './target.ts';
import { registerVersion } from './version.ts';

interface Globals {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly context?: string;
}

/** A client and the namespace to work in, from the global flags. */
export type Connect = (globals: Globals) => Promise<{ client: KubeClient; namespace: string }>;

const connectWithKubeConfig: Connect = async (globals) => {
  const kc = new KubeConfig();
  if (globals.kubeconfig) kc.loadFromFile(globals.kubeconfig);
  else kc.loadFromDefault();
  if (globals.context) kc.setCurrentContext(globals.context);
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return {
    client: await KubeClient.fromKubeConfig(kc, { userAgent: 'kubectl-my' }),
    namespace: globals.namespace ?? contextNamespace ?? 'default',
  };
};

type Workload =
  | { readonly kind: 'MyDaemonSet'; readonly obj: MyDaemonSet }
  | { readonly kind: 'MyStatefulSet'; readonly obj: MyStatefulSet }
  | { readonly kind: 'MyDeployment'; readonly obj: MyDeployment };

async function getWorkload(client: KubeClient, target: Target, namespace: string): Promise<Workload> {
  switch (target.kind) {
    case 'MyDaemonSet':
      return { kind: target.kind, obj: await client.get(myDaemonSets, namespace, target.name) };
    case 'MyStatefulSet':
      return { kind: target.kind, obj: await client.get(myStatefulSets, namespace, target.name) };
    case 'MyDeployment':
      return { kind: target.kind, obj: await client.get(myDeployments, namespace, target.name) };
  }
}

/** The ControllerRevisions a MyDaemonSet or MyStatefulSet controls, oldest first. */
async function ownedRevisions(client: KubeClient, obj: KubeObject, namespace: string): Promise<ControllerRevision[]> {
  const { items } = await client.listAll(controllerRevisions, { namespace });
  return sortRevisions(items.filter((r) => r.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === obj.metadata.uid)));
}

/** The MyReplicaSets a MyDeployment controls: listed by its selector, kept by controller reference. */
async function ownedReplicaSets(client: KubeClient, d: MyDeployment, namespace: string): Promise<MyReplicaSet[]> {
  const { items } = await client.listAll(myReplicaSets, { namespace, labelSelector: selectorToString(d.spec.selector) });
  return controlledReplicaSets(d, items);
}

/** Every revision of the workload: its ControllerRevisions, or a MyDeployment's MyReplicaSets. */
async function revisionsOf(client: KubeClient, workload: Workload, namespace: string): Promise<HistoryRevision[]> {
  if (workload.kind === 'MyDeployment') return deploymentHistory(await ownedReplicaSets(client, workload.obj, namespace));
  const revisions = await ownedRevisions(client, workload.obj, namespace);
  return revisions.map((r) => ({
    revision: BigInt(r.revision),
    changeCause: r.metadata.annotations?.[changeCauseAnnotation],
    template: templateFromRevision(r),
  }));
}

function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('must be a duration such as 30s, 5m or 1h');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}

/** A revision number: an int64 ≥ 0 (Deployment revisions pass 2^53). */
function parseRevision(value: string): bigint {
  const n = parseInt64(value.trim());
  if (n === undefined || n < 0n) throw new InvalidArgumentError('must be a revision number ≥ 0');
  return n;
}

/**
 * A revision flag, 0 when absent. The default is described for --help, which would otherwise
 * print it with JSON.stringify, and that cannot serialize a bigint.
 */
function revisionOption(flags: string, description: string): Option {
  return new Option(flags, description).argParser(parseRevision).default(0n, '0');
}

/** A status source on the REST client: GET, then a watch of that one object by name. */
function rolloutSource<T extends KubeObject>(client: KubeClient, res: Resource<T>, namespace: string, name: string): RolloutSource<T> {
  return {
    get: (signal) => client.get(res, namespace, name, signal),
    watch: (resourceVersion, signal) =>
      client.watch(res, { namespace, fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true, signal }),
  };
}

/** `argv`: the words typed after the program name, which `set --record` writes into the change cause. */
export function buildCli(
  out: (line: string) => void = (l) => console.log(l),
  connect: Connect = connectWithKubeConfig,
  argv: readonly string[] = process.argv.slice(2),
): Command {
  const program = new Command('kubectl-my')
    .description('kubectl plugin for MyDaemonSet, MyStatefulSet and MyDeployment (apps.my.dev)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('-n, --namespace <ns>', 'namespace (default: the context namespace, else default)');
  const rollout = program.command('rollout').description('manage the rollout of a MyDaemonSet, MyStatefulSet or MyDeployment');
  const globals = (): Globals => program.opts<Globals>();
  const targets = 'mds/NAME, msts/NAME, mdeploy/NAME, or KIND NAME';

  rollout
    .command('status')
    .argument('<target...>', targets)
    .option('--timeout <duration>', 'give up after this long (0: never)', parseDuration, 0)
    .option('-w, --watch <bool>', 'watch until the rollout is done', (v) => v !== 'false', true)
    .addOption(revisionOption('--revision <n>', 'MyDeployment: fail unless the rollout is at this revision (0: the latest)'))
    .description('show the status of the rollout (waits until done by default; fails past the progress deadline or after an automatic rollback)')
    .action(async (args: string[], opts: { timeout: number; watch: boolean; revision: bigint }) => {
      const target = parseTarget(args);
      const { client, namespace } = await connect(globals());
      const options = { watch: opts.watch, timeout: opts.timeout > 0 ? AbortSignal.timeout(opts.timeout) : undefined, out };
      const follow = <T extends KubeObject>(res: Resource<T>, judge: (obj: T) => FollowedStatus): Promise<void> =>
        followRollout(rolloutSource(client, res, namespace, target.name), judge, options);
      switch (target.kind) {
        case 'MyDaemonSet':
          return follow(myDaemonSets, daemonSetStatus);
        case 'MyStatefulSet':
          return follow(myStatefulSets, statefulSetStatus);
        case 'MyDeployment':
          return follow(myDeployments, (d) => deploymentStatus(d, opts.revision));
      }
    });

  rollout
    .command('history')
    .argument('<target...>', targets)
    .addOption(revisionOption('--revision <n>', 'show the pod template of this revision'))
    .description('list the revisions of the workload (ControllerRevisions; a MyDeployment: its MyReplicaSets)')
    .action(async (args: string[], opts: { revision: bigint }) => {
      const target = parseTarget(args);
      const { client, namespace } = await connect(globals());
      const workload = await getWorkload(client, target, namespace);
      const revisions = await revisionsOf(client, workload, namespace);
      if (opts.revision > 0n) {
        // kubectl's `Pod Template:` description (revision-template.ts, describe/).
        const view = viewRevision({
          label: targetLabel(target),
          revisions,
          revision: opts.revision,
          templateWhenUnset: workload.kind === 'MyDeployment' ? undefined : workload.obj.spec.template,
        });
        if (view.kind === 'failed') throw new Error(view.message);
        for (const line of view.lines) out(line);
        return;
      }
      // kubectl prints `<object> <operation>` with an empty operation (hence the trailing space), then
      // the tabwriter's table, which ends in a newline of its own (hence the empty last line).
      out(`${targetLabel(target)} `);
      for (const line of historyTable(revisions)) out(line);
      if (revisions.length > 0) out('');
    });

  rollout
    .command('undo')
    .argument('<target...>', targets)
    .addOption(revisionOption('--to-revision <n>', 'the revision to roll back to (default: the previous one)'))
    .description('roll back to a previous revision: its pod template is written back into the spec')
    .action(async (args: string[], opts: { toRevision: bigint }) => {
      const target = parseTarget(args);
      const { client, namespace } = await connect(globals());
      const workload = await getWorkload(client, target, namespace);
      if (workload.kind === 'MyDeployment') {
        const plan = deploymentRollback(workload.obj, await ownedReplicaSets(client, workload.obj, namespace), opts.toRevision);
        switch (plan.kind) {
          case 'refused':
            throw new Error(plan.message);
          case 'skipped':
            out(`${targetLabel(target)} ${plan.message}`);
            return;
          case 'patch':
            try {
              await client.patch(myDeployments, namespace, target.name, 'json', plan.operations);
            } catch (err) {
              throw new Error(`failed restoring revision ${opts.toRevision}: ${errorMessage(err)}`, { cause: err });
            }
            out(`${targetLabel(target)} rolled back`);
            return;
        }
      }
      const { obj } = workload;
      const revisions = await ownedRevisions(client, obj, namespace);
      // kubectl: with no --to-revision, the second-highest revision is the previous one.
      const chosen =
        opts.toRevision > 0n ? revisions.find((r) => BigInt(r.revision) === opts.toRevision) : revisions[revisions.length - 2];
      if (!chosen) {
        throw new Error(opts.toRevision > 0n ? `unable to find specified revision ${opts.toRevision} in history` : 'no rollout history found');
      }
      if (obj.spec.paused === true) throw new Error(pausedRollbackRefusal(target));
      const template = templateFromRevision(chosen);
      if (!template) throw new Error(`revision ${chosen.revision} holds no pod template`);
      if (revisionDataKey(templatePatch(template)) === revisionDataKey(templatePatch(obj.spec.template))) {
        out(`${targetLabel(target)} skipped rollback (current template already matches revision ${chosen.revision})`);
        return;
      }
      const resource = workload.kind === 'MyDaemonSet' ? myDaemonSets : myStatefulSets;
      // JSON patch setting resourceVersion, a precondition: a concurrent edit makes the rollback fail
      // with 409 Conflict rather than merge.
      await client.patch(resource, namespace, target.name, 'json', [
        { op: 'replace', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
        { op: 'replace', path: '/spec/template', value: template },
      ]);
      out(`${targetLabel(target)} rolled back`);
    });

  /** A verb that reads the workload, decides a merge patch (or refuses), writes it and says `<object> <done>`. */
  const patchVerb = (verb: string, done: string, description: string, decide: (target: Target, workload: Workload) => RolloutPatch): void => {
    rollout
      .command(verb)
      .argument('<target...>', targets)
      .description(description)
      .action(async (args: string[]) => {
        const target = parseTarget(args);
        const { client, namespace } = await connect(globals());
        const workload = await getWorkload(client, target, namespace);
        const patch = decide(target, workload);
        if (patch.kind === 'refused') throw new Error(patch.message);
        await client.patch(resourceOf(workload), namespace, target.name, 'merge', patch.body);
        out(`${targetLabel(target)} ${done}`);
      });
  };
  patchVerb('restart', 'restarted', 'restart every pod by stamping the template with kubectl.kubernetes.io/restartedAt', (target, w) =>
    restartPatch(target, w.obj.spec, Date.now()),
  );
  patchVerb('pause', 'paused', 'pause the rollout (spec.paused): template changes roll out only after resume', (target, w) =>
    pausePatch(target, w.obj.spec),
  );
  patchVerb('resume', 'resumed', 'resume a paused rollout', (target, w) => resumePatch(target, w.obj.spec));
  // The steps a change would roll out in, nothing applied (docs/rollout-plan.md).
  rollout.addCommand(rolloutPlanCommand({ connect: () => connect(globals()), out }));
  registerMigrate(program, out, () => connect(globals()));
  registerSet(program, out, () => connect(globals()), argv);
  registerVersion(program, out, () => connect(globals()));
  return program;
}

function resourceOf(workload: Workload): Resource<TemplatedWorkload> {
  return workloadResource(workload.kind);
}

if (import.meta.main) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(`error: ${errorMessage(err)}`);
      process.exit(1);
    });
}

// `kubectl my …`: the kubectl plugin for our kinds, since `kubectl rollout` only knows apps/v1.
// Install by putting bin/ on PATH (bin/kubectl-my runs this file with the project's Node 24).
//
//   kubectl my rollout status  mds/NAME|msts/NAME [-n NS] [--timeout 5m] [--watch=false]
//   kubectl my rollout history mds/NAME [--revision N]
//   kubectl my rollout undo    mds/NAME [--to-revision N]
//   kubectl my rollout restart mds/NAME
import { KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError } from 'commander';
import { stringify } from 'yaml';
import type { ControllerRevision } from '../api/core.ts';
import type { KubeObject } from '../api/meta.ts';
import { controllerRevisions } from '../api/resources.ts';
import type { MyDaemonSet, MyStatefulSet } from '../api/workloads.ts';
import { myDaemonSets, myStatefulSets } from '../api/workloads.ts';
import { errorMessage } from '../runtime/client/errors.ts';
import { KubeClient } from '../runtime/client/rest.ts';
import { revisionDataKey, sortRevisions, templateFromRevision, templatePatch } from '../controllers/history/revisions.ts';
import { daemonSetRolloutStatus, statefulSetRolloutStatus, type RolloutStatus } from '../api/rollout-status.ts';
import { parseTarget, type Target } from './target.ts';

interface Globals {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly context?: string;
}

async function connect(globals: Globals): Promise<{ client: KubeClient; namespace: string }> {
  const kc = new KubeConfig();
  if (globals.kubeconfig) kc.loadFromFile(globals.kubeconfig);
  else kc.loadFromDefault();
  if (globals.context) kc.setCurrentContext(globals.context);
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return {
    client: await KubeClient.fromKubeConfig(kc, { userAgent: 'kubectl-my' }),
    namespace: globals.namespace ?? contextNamespace ?? 'default',
  };
}

type Workload = { readonly kind: 'MyDaemonSet'; readonly obj: MyDaemonSet } | { readonly kind: 'MyStatefulSet'; readonly obj: MyStatefulSet };

async function getWorkload(client: KubeClient, target: Target, namespace: string): Promise<Workload> {
  return target.kind === 'MyDaemonSet'
    ? { kind: 'MyDaemonSet', obj: await client.get(myDaemonSets, namespace, target.name) }
    : { kind: 'MyStatefulSet', obj: await client.get(myStatefulSets, namespace, target.name) };
}

function rolloutStatus(workload: Workload): RolloutStatus {
  return workload.kind === 'MyDaemonSet' ? daemonSetRolloutStatus(workload.obj) : statefulSetRolloutStatus(workload.obj);
}

/** The revisions the workload controls, oldest first. */
async function ownedRevisions(client: KubeClient, obj: KubeObject, namespace: string): Promise<ControllerRevision[]> {
  const { items } = await client.listAll(controllerRevisions, { namespace });
  return sortRevisions(items.filter((r) => r.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === obj.metadata.uid)));
}

function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('must be a duration such as 30s, 5m or 1h');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}

function parseRevision(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a revision number ≥ 0');
  return n;
}

function label(target: Target): string {
  return `${target.kind === 'MyDaemonSet' ? 'mydaemonset' : 'mystatefulset'}.apps.my.dev/${target.name}`;
}

export function buildCli(out: (line: string) => void = (l) => console.log(l)): Command {
  const program = new Command('kubectl-my')
    .description('kubectl plugin for MyDaemonSet and MyStatefulSet (apps.my.dev)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('-n, --namespace <ns>', 'namespace (default: the context namespace, else default)');
  const rollout = program.command('rollout').description('manage the rollout of a MyDaemonSet or MyStatefulSet');
  const globals = (): Globals => program.opts<Globals>();

  rollout
    .command('status')
    .argument('<target...>', 'mds/NAME, msts/NAME, or KIND NAME')
    .option('--timeout <duration>', 'give up after this long', parseDuration, 0)
    .option('-w, --watch <bool>', 'watch until the rollout is done', (v) => v !== 'false', true)
    .description('show the status of the rollout (waits until done by default)')
    .action(async (args: string[], opts: { timeout: number; watch: boolean }) => {
      const target = parseTarget(args);
      const { client, namespace } = await connect(globals());
      const deadline = opts.timeout > 0 ? Date.now() + opts.timeout : Infinity;
      let last = '';
      for (;;) {
        const status = rolloutStatus(await getWorkload(client, target, namespace));
        if (status.kind === 'unsupported') throw new Error(status.message);
        if (status.message !== last) out(status.message);
        last = status.message;
        if (status.kind === 'done' || !opts.watch) return;
        if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
        await new Promise((r) => setTimeout(r, 1000));
      }
    });

  rollout
    .command('history')
    .argument('<target...>', 'mds/NAME, msts/NAME, or KIND NAME')
    .option('--revision <n>', 'show the pod template of this revision', parseRevision, 0)
    .description('list the revisions (ControllerRevisions) of the workload')
    .action(async (args: string[], opts: { revision: number }) => {
      const target = parseTarget(args);
      const { client, namespace } = await connect(globals());
      const { obj } = await getWorkload(client, target, namespace);
      const revisions = await ownedRevisions(client, obj, namespace);
      if (opts.revision > 0) {
        const revision = revisions.find((r) => r.revision === opts.revision);
        if (!revision) throw new Error(`unable to find the specified revision ${opts.revision}`);
        out(`${label(target)} with revision #${opts.revision}`);
        out(stringify({ 'Pod Template': templateFromRevision(revision) }).trimEnd());
        return;
      }
      out(`${label(target)}`);
      out('REVISION  CHANGE-CAUSE');
      for (const r of revisions) {
        out(`${String(r.revision).padEnd(10)}${r.metadata.annotations?.['kubernetes.io/change-cause'] ?? '<none>'}`);
      }
    });

  rollout
    .command('undo')
    .argument('<target...>', 'mds/NAME, msts/NAME, or KIND NAME')
    .option('--to-revision <n>', 'the revision to roll back to (default: the previous one)', parseRevision, 0)
    .description("roll back to a previous revision: its pod template is written back into the spec")
    .action(async (args: string[], opts: { toRevision: number }) => {
      const target = parseTarget(args);
      const { client, namespace } = await connect(globals());
      const { obj } = await getWorkload(client, target, namespace);
      const revisions = await ownedRevisions(client, obj, namespace);
      // kubectl: with no --to-revision, the second-highest revision is the previous one.
      const chosen =
        opts.toRevision > 0 ? revisions.find((r) => r.revision === opts.toRevision) : revisions[revisions.length - 2];
      if (!chosen) {
        throw new Error(opts.toRevision > 0 ? `unable to find specified revision ${opts.toRevision} in history` : 'no rollout history found');
      }
      const template = templateFromRevision(chosen);
      if (!template) throw new Error(`revision ${chosen.revision} holds no pod template`);
      if (revisionDataKey(templatePatch(template)) === revisionDataKey(templatePatch(obj.spec.template))) {
        out(`${label(target)} skipped rollback (current template already matches revision ${chosen.revision})`);
        return;
      }
      const resource = target.kind === 'MyDaemonSet' ? myDaemonSets : myStatefulSets;
      // JSON patch with a resourceVersion test: a concurrent edit makes the rollback fail rather than merge.
      await client.patch(resource, namespace, target.name, 'json', [
        { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
        { op: 'replace', path: '/spec/template', value: template },
      ]);
      out(`${label(target)} rolled back`);
    });

  rollout
    .command('restart')
    .argument('<target...>', 'mds/NAME, msts/NAME, or KIND NAME')
    .description('restart every pod by stamping the template with kubectl.kubernetes.io/restartedAt')
    .action(async (args: string[]) => {
      const target = parseTarget(args);
      const { client, namespace } = await connect(globals());
      const resource = target.kind === 'MyDaemonSet' ? myDaemonSets : myStatefulSets;
      await client.patch(resource, namespace, target.name, 'merge', {
        spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } },
      });
      out(`${label(target)} restarted`);
    });
  return program;
}

if (import.meta.main) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(`error: ${errorMessage(err)}`);
      process.exit(1);
    });
}

// `kubectl my set env TYPE/NAME… KEY=VALUE… KEY-… [-e KEY=VALUE] [--from=configmap/NAME|secret/NAME]
// [--list]`: kubectl's `set env` for our kinds.
// upstream: kubectl pkg/cmd/set/set_env.go Complete, Validate, RunEnv.
import { applyToWorkloads } from './apply-changes.ts';
import { envVarsFrom } from './env-from.ts';
import { parseEnv, splitEnvironmentFromResources } from './env-args.ts';
import { goQuote } from './go-quote.ts';
import { envListing, planSetEnv } from './plan-env.ts';
import { selectionFromArgs } from './resource-args.ts';
import { SetError } from './set-error.ts';
import { commonFlags, commonOptions, containersFlag, type SetVerb, writeOptions } from './verb.ts';
import { readWorkloads } from './workloads.ts';

export const setEnv: SetVerb = {
  name: 'env',
  usage: 'RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N',
  description: 'Update environment variables on a pod template (KEY=VALUE sets, KEY- removes; --list shows them)',
  flags: [
    ...commonFlags,
    { ...containersFlag, usage: 'The names of containers in the selected pod templates to change - may use wildcards' },
    { name: 'env', shorthand: 'e', type: 'stringArray', usage: 'Specify a key-value pair for an environment variable to set into each container.' },
    { name: 'from', type: 'string', usage: 'The name of a resource from which to inject environment variables' },
    { name: 'prefix', type: 'string', usage: 'Prefix to append to variable names' },
    { name: 'keys', type: 'stringSlice', usage: 'Comma-separated list of keys to import from specified resource' },
    {
      name: 'list',
      type: 'bool',
      usage: 'If true, display the environment and any changes in the standard format. this flag will removed when we have kubectl view env.',
    },
    {
      name: 'overwrite',
      type: 'bool',
      defaultText: 'true',
      usage: 'If true, allow environment to be overwritten, otherwise reject updates that overwrite existing environment.',
    },
  ],
  async run(context, scanned, values) {
    const all = values.bool('all') ?? false;
    const selector = values.string('selector') ?? '';
    if (all && selector !== '') throw new SetError(['cannot set --all and --selector at the same time']);
    const split = splitEnvironmentFromResources(scanned.args);
    if (split === undefined) throw new SetError([`all resources must be specified before environment changes: ${scanned.args.join(' ')}`]);
    const options = commonOptions(context, setEnv, values);
    const list = values.bool('list') ?? false;
    const from = values.string('from') ?? '';
    const keys = values.list('keys');
    if (split.resources.length === 0) throw new SetError(['one or more resources must be specified as <resource> <name> or <resource>/<name>']);
    if (list && options.outputGiven) throw new SetError(['--list and --output may not be specified together']);
    if (keys.length > 0 && from === '') throw new SetError(['when specifying --keys, a configmap or secret must be provided with --from']);

    const given = parseEnv([...values.list('env'), ...split.envArgs]);
    const { client, namespace } = await context.connect();
    const imported = from === '' ? [] : await envVarsFrom(client, namespace, { from, keys, all, selector }, context.warn);
    const prefix = values.string('prefix') ?? '';
    const env = [...given.env, ...imported].map((e) => ({ ...e, name: `${prefix}${e.name}` }));
    const workloads = await readWorkloads(client, namespace, selectionFromArgs(split.resources, { all, selector }));
    const envOptions = { env, remove: given.remove, containerSelector: values.string('containers') ?? '*', overwrite: values.bool('overwrite') ?? true };
    const noContainers = (kind: string, name: string): string => `${kind}/${name} does not have any containers matching ${goQuote(envOptions.containerSelector)}`;

    if (list) {
      // kubectl lists while it plans and then stops: refusals are not errors here.
      for (const { kind, obj } of workloads) {
        const plan = planSetEnv(obj.spec.template, envOptions);
        const name = obj.metadata.name ?? '';
        if (plan.kind === 'noContainers') context.warn(`Warning: ${noContainers(kind, name)}`);
        else for (const line of envListing(kind, name, plan.listed)) context.out(line);
      }
      return;
    }

    const errors = await applyToWorkloads(workloads, {
      ...writeOptions(context, options, { client, namespace }, 'env updated'),
      failedPatch: 'failed to patch env update to pod template: ',
      refuseAfterWrite: env.length === 0 && split.envArgs.length === 0 ? 'at least one environment variable must be provided' : undefined,
      decide: ({ kind, obj }) => {
        const plan = planSetEnv(obj.spec.template, envOptions);
        switch (plan.kind) {
          case 'noContainers':
            return { kind: 'skip', errors: [], warnings: [noContainers(kind, obj.metadata.name ?? '')] };
          case 'refused':
            return { kind: 'fail', reason: plan.error };
          case 'updated':
            return { kind: 'change', template: plan.template, errors: [] };
        }
      },
    });
    if (errors.length > 0) throw new SetError(errors);
  },
};

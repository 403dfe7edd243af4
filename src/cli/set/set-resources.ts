// `kubectl my set resources TYPE/NAME… [-c CONTAINERS] --limits=… --requests=…`: kubectl's
// `set resources` for our kinds.
// upstream: kubectl pkg/cmd/set/set_resources.go Complete, Validate, Run.
import { applyToWorkloads } from './apply-changes.ts';
import { parseResourceList, planSetResources } from './plan-resources.ts';
import { selectionFromArgs } from './resource-args.ts';
import { SetError } from './set-error.ts';
import { commonFlags, commonOptions, containersFlag, type SetVerb, writeOptions } from './verb.ts';
import { readWorkloads } from './workloads.ts';

const limitsUsage =
  "The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges.";

export const setResources: SetVerb = {
  name: 'resources',
  usage: '(TYPE NAME | TYPE/NAME…) [--limits=LIMITS & --requests=REQUESTS]',
  description:
    'Update resource requests/limits on objects with pod templates. For each compute resource, if a limit is specified and a request is omitted, the request will default to the limit.',
  flags: [
    ...commonFlags,
    containersFlag,
    { name: 'limits', type: 'string', usage: limitsUsage },
    { name: 'requests', type: 'string', usage: limitsUsage },
  ],
  async run(context, scanned, values) {
    const options = commonOptions(context, setResources, values);
    const selection = selectionFromArgs(scanned.args, options);
    const { client, namespace } = await context.connect();
    const workloads = await readWorkloads(client, namespace, selection);
    if (options.all && options.selector !== '') throw new SetError(['cannot set --all and --selector at the same time']);
    const limitsText = values.string('limits') ?? '';
    const requestsText = values.string('requests') ?? '';
    if (limitsText === '' && requestsText === '') {
      throw new SetError(['you must specify an update to requests or limits (in the form of --requests/--limits)']);
    }
    const update = { limits: parseResourceList(limitsText), requests: parseResourceList(requestsText) };
    const containers = values.string('containers') ?? '*';
    const errors = await applyToWorkloads(workloads, {
      ...writeOptions(context, options, { client, namespace }, 'resource requirements updated'),
      // kubectl's wording, without a colon.
      failedPatch: 'failed to patch resources update to pod template ',
      decide: ({ obj }) => {
        const plan = planSetResources(obj.spec.template, containers, update);
        return plan.kind === 'transformed' ? { kind: 'change', template: plan.template, errors: [] } : { kind: 'skip', errors: [plan.error] };
      },
    });
    if (errors.length > 0) throw new SetError(errors);
  },
};

// `kubectl my set image TYPE/NAME… CONTAINER=IMAGE…`: kubectl's `set image` for our kinds.
// upstream: kubectl pkg/cmd/set/set_image.go Complete, Validate, Run.
import { applyToWorkloads } from './apply-changes.ts';
import { imagePairsErrors, planSetImage, splitImageArgs } from './plan-image.ts';
import { selectionFromArgs } from './resource-args.ts';
import { SetError } from './set-error.ts';
import { commonFlags, commonOptions, type SetVerb, writeOptions } from './verb.ts';
import { readWorkloads } from './workloads.ts';

export const setImage: SetVerb = {
  name: 'image',
  usage: '(TYPE NAME | TYPE/NAME…) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N',
  description: 'Update the image of a pod template (`*=IMAGE`: every container and init container)',
  flags: commonFlags,
  async run(context, scanned, values) {
    const options = commonOptions(context, setImage, values);
    const { resources, images } = splitImageArgs(scanned.args);
    const selection = selectionFromArgs(resources, options);
    const { client, namespace } = await context.connect();
    const workloads = await readWorkloads(client, namespace, selection);
    const invalid = [...(options.all && options.selector !== '' ? ['cannot set --all and --selector at the same time'] : []), ...imagePairsErrors(images)];
    if (invalid.length > 0) throw new SetError(invalid);
    const errors = await applyToWorkloads(workloads, {
      ...writeOptions(context, options, { client, namespace }, 'image updated'),
      failedPatch: 'failed to patch image update to pod template: ',
      decide: ({ obj }) => ({ kind: 'change', ...planSetImage(obj.spec.template, images) }),
    });
    if (errors.length > 0) throw new SetError(errors);
  },
};

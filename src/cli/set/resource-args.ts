// Which objects a `set` command acts on, from its resource words and --all/--selector, by the
// rules of kubectl's resource builder: `mds/a mdeploy/b` (every word TYPE/NAME), `mds a b` (one
// type, then names), `mds,mdeploy a` (each type with each name), `mds --all` or `mds -l app=web`
// (every object of the types the selector matches in the namespace). Errors are kubectl's. Pure.
// upstream: cli-runtime pkg/resource/builder.go ResourceTypeOrNameArgs,
// normalizeMultipleResourcesArgs, hasCombinedTypeArgs, splitResourceTypeName, visitorResult,
// visitBySelector, visitByName.
import { targetKind, type Target, type TargetKind } from '../target.ts';

export type Selection =
  /** Objects by name, read one by one, in the order given. */
  | { readonly kind: 'named'; readonly targets: readonly Target[] }
  /** Every object of each kind matching the label selector ("" matches all), listed in the namespace. */
  | { readonly kind: 'selected'; readonly kinds: readonly TargetKind[]; readonly labelSelector: string };

/** kubectl's message when no resource is given. */
export const missingResourceMessage = `You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`;

export class ResourceArgsError extends Error {
  override readonly name = 'ResourceArgsError';
}

/** `a,b,a` → [a, b]: kubectl's SplitResourceArgument (duplicates dropped). */
function splitTypes(arg: string): string[] {
  return [...new Set(arg.split(','))];
}

/** `mds,mdeploy web` → `mds/web mdeploy/web`. */
function normalizeMultipleTypes(args: readonly string[]): readonly string[] {
  const [first, ...names] = args;
  if (first === undefined || names.length === 0) return args;
  const types = splitTypes(first);
  if (types.length < 2) return args;
  return types.flatMap((type) => names.map((name) => `${type}/${name}`));
}

function tuple(arg: string): Target {
  const segments = arg.split('/');
  if (segments.length !== 2) throw new ResourceArgsError('arguments in resource/name form may not have more than one slash');
  const [type = '', name = ''] = segments;
  if (type === '' || name === '' || splitTypes(type).length !== 1) {
    throw new ResourceArgsError('arguments in resource/name form must have a single resource and name');
  }
  return { kind: targetKind(type), name };
}

/**
 * The objects `args` name. `all` selects every object of a lone type; `selector` is --selector
 * (blank: none).
 */
export function selectionFromArgs(rawArgs: readonly string[], options: { readonly all: boolean; readonly selector: string }): Selection {
  const args = normalizeMultipleTypes(rawArgs);
  const labelSelector = options.selector.trim() === '' ? undefined : options.selector.trim();
  const withSlash = args.filter((a) => a.includes('/')).length;
  if (withSlash > 0) {
    if (withSlash !== args.length) {
      throw new ResourceArgsError(
        "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
      );
    }
    const targets = args.map(tuple);
    if (labelSelector !== undefined) throw new ResourceArgsError('selectors and the all flag cannot be used when passing resource/name arguments');
    return { kind: 'named', targets };
  }
  const [type, ...names] = args;
  if (type === undefined) {
    if (labelSelector !== undefined) throw new ResourceArgsError('at least one resource must be specified to use a selector');
    throw new ResourceArgsError(missingResourceMessage);
  }
  const kinds = splitTypes(type).map(targetKind);
  // A lone type with --all selects everything: kubectl sets the empty selector.
  const selector = labelSelector ?? (names.length === 0 && options.all ? '' : undefined);
  if (selector !== undefined) {
    if (names.length > 0) throw new ResourceArgsError('name cannot be provided when a selector is specified');
    return { kind: 'selected', kinds, labelSelector: selector };
  }
  if (names.length === 0) throw new ResourceArgsError('resource(s) were provided, but no name was specified');
  const [kind] = kinds;
  if (kind === undefined || kinds.length > 1) throw new ResourceArgsError('you must specify only one resource');
  return { kind: 'named', targets: names.map((name) => ({ kind, name })) };
}

// `set image`: the words that name images (`CONTAINER=IMAGE`, `*=IMAGE`) and the pod template
// they make. Pure.
// upstream: kubectl pkg/cmd/set/set_image.go getResourcesAndImages, Validate, Run, setImage;
// pkg/cmd/util/helpers.go GetResourcesAndPairs, ParsePairs.
import type { Container, PodTemplateSpec } from '../../api/core.ts';
import { goQuote } from './go-quote.ts';

export class ImageArgsError extends Error {
  override readonly name = 'ImageArgsError';
}

/** A word is an image pair when it has `=` past its first character (or ends in `-`, which kubectl then refuses). */
function isPair(word: string): boolean {
  return (word.includes('=') && !word.startsWith('=')) || (word.endsWith('-') && word !== '-');
}

/**
 * Resources first, then `CONTAINER=IMAGE` pairs. A later name for the same container wins, as in
 * kubectl's map; the map keeps the order names were first given.
 */
export function splitImageArgs(args: readonly string[]): { readonly resources: readonly string[]; readonly images: ReadonlyMap<string, string> } {
  const resources: string[] = [];
  const pairs: string[] = [];
  for (const arg of args) {
    if (isPair(arg)) pairs.push(arg);
    else if (pairs.length === 0) resources.push(arg);
    else throw new ImageArgsError(`all resources must be specified before image changes: ${arg}`);
  }
  const images = new Map<string, string>();
  const invalid: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq > 0) images.set(pair.slice(0, eq), pair.slice(eq + 1));
    else invalid.push(pair);
  }
  if (invalid.length > 0) throw new ImageArgsError(`invalid image format: ${invalid.join(', ')}`);
  return { resources, images };
}

/** kubectl's checks of the pairs, run after the objects are read (its Validate). */
export function imagePairsErrors(images: ReadonlyMap<string, string>): string[] {
  if (images.size === 0) return ['at least one image update is required'];
  if (images.size > 1 && images.has('*')) return ['all containers are already specified by *, but saw more than one container_name=container_image pairs'];
  return [];
}

export interface ImagePlan {
  readonly template: PodTemplateSpec;
  /** One per container name found in no list, as kubectl words it; the other images are still set. */
  readonly errors: readonly string[];
}

/** Sets each image on the containers and init containers of that name (`*`: all of them). */
export function planSetImage(template: PodTemplateSpec, images: ReadonlyMap<string, string>): ImagePlan {
  let containers = template.spec.containers;
  let initContainers = template.spec.initContainers;
  const errors: string[] = [];
  for (const [name, image] of images) {
    const init = setImage(initContainers ?? [], name, image);
    const main = setImage(containers, name, image);
    if (!init.found && !main.found) errors.push(`error: unable to find container named ${goQuote(name)}`);
    containers = main.containers;
    if (initContainers !== undefined) initContainers = init.containers;
  }
  const spec = { ...template.spec, containers, ...(initContainers === undefined ? {} : { initContainers }) };
  return { template: { ...template, spec }, errors };
}

/** An absent image and an empty one encode alike (`image,omitempty`): setting "" over nothing changes nothing. */
function setImage(list: readonly Container[], name: string, image: string): { readonly containers: readonly Container[]; readonly found: boolean } {
  let found = false;
  const containers = list.map((c) => {
    if (c.name !== name && name !== '*') return c;
    found = true;
    return (c.image ?? '') === image ? c : { ...c, image };
  });
  return { containers, found };
}

// `set env --from=configmap/NAME|secret/NAME [--keys=…]`: one variable per key of the ConfigMap's
// or Secret's data, taking its value from that key (the value is never copied into the template).
// Key names become variable names in upper case with other characters than letters, digits and
// `_` turned into `_`, with kubectl's warning. Keys are taken in sorted order (kubectl walks a Go
// map, so its order varies from run to run).
// upstream: kubectl pkg/cmd/set/set_env.go RunEnv (the --from part), keyToEnvName, contains.
import type { KubeObject } from '../../api/meta.ts';
import { configMaps, resource } from '../../api/resources.ts';
import { errorMessage } from '../../runtime/client/errors.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { EnvVar } from './env-args.ts';
import { SetError } from './set-error.ts';

type DataObject = KubeObject & { readonly data?: Readonly<Record<string, string>> };

const secrets = resource<DataObject>('', 'v1', 'secrets', 'Secret', true);

function sourceOf(type: string): 'configMap' | 'secret' {
  switch (type.toLowerCase()) {
    case 'configmap':
    case 'configmaps':
    case 'cm':
      return 'configMap';
    case 'secret':
    case 'secrets':
      return 'secret';
    default:
      throw new SetError(['unsupported resource specified in --from']);
  }
}

export interface FromOptions {
  /** `configmap/NAME`, `secret/NAME`, or a bare type with --all or --selector. */
  readonly from: string;
  /** Only these keys (--keys); all when empty. */
  readonly keys: readonly string[];
  readonly all: boolean;
  readonly selector: string;
}

/** kubectl's keyToEnvName, with its warning when the name differs from the key. */
function keyToEnvName(key: string, warn: (line: string) => void): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_').toUpperCase();
  if (name !== key) warn(`Warning: key ${key} transferred to ${name}`);
  return name;
}

export async function envVarsFrom(client: KubeClient, namespace: string, options: FromOptions, warn: (line: string) => void): Promise<EnvVar[]> {
  const slash = options.from.indexOf('/');
  const source = sourceOf(slash < 0 ? options.from : options.from.slice(0, slash));
  const res = source === 'configMap' ? configMaps : secrets;
  // kubectl reads --from with the same builder as the objects, --selector and --all included.
  let objects: DataObject[];
  try {
    if (slash >= 0) {
      if (options.selector.trim() !== '') throw new SetError(['selectors and the all flag cannot be used when passing resource/name arguments']);
      objects = [await client.get(res, namespace, options.from.slice(slash + 1))];
    } else if (options.all || options.selector.trim() !== '') {
      objects = (await client.listAll(res, { namespace, labelSelector: options.selector.trim() })).items;
    } else {
      throw new SetError(['resource(s) were provided, but no name was specified']);
    }
  } catch (err) {
    throw err instanceof SetError ? err : new SetError([errorMessage(err)]);
  }
  const refField = source === 'configMap' ? 'configMapKeyRef' : 'secretKeyRef';
  return objects.flatMap((obj) =>
    Object.keys(obj.data ?? {})
      .sort()
      .filter((key) => options.keys.length === 0 || options.keys.includes(key))
      .map((key) => ({ name: keyToEnvName(key, warn), valueFrom: { [refField]: { name: obj.metadata.name ?? '', key } } })),
  );
}

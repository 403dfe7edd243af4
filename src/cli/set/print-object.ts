// How `set` prints each object it changed, as kubectl's printers do: by default
// `mydeployment.apps.my.dev/web image updated`, with ` (dry run)` or ` (server dry run)` after
// the operation; `-o name` the name alone; `-o json|yaml` the object (managedFields left out,
// YAML documents separated by `---`). kubectl prints our kinds as it prints any custom resource,
// from a map: keys sorted at every level, JSON indented by four spaces with Go's escaping, YAML
// as go-yaml v2 writes it (kubectl-yaml.ts). Pure.
// upstream: cli-runtime pkg/genericclioptions/print_flags.go ToPrinter, name_flags.go,
// json_yaml_flags.go; pkg/printers/name.go printObj, json.go, yaml.go, managedfields.go;
// kubectl pkg/cmd/util/helpers.go PrintFlagsWithDryRunStrategy.
import type { KubeObject } from '../../api/meta.ts';
import { isRecord } from '../../api/meta.ts';
import { group } from '../../api/workloads.ts';
import type { DryRunStrategy } from './dry-run.ts';
import { goQuote } from './go-quote.ts';
import { printYaml } from './kubectl-yaml.ts';

export type OutputFormat = 'default' | 'name' | 'json' | 'yaml';

/** Ours, in the order kubectl lists its formats in the error. */
const allowedFormats = ['json', 'name', 'yaml'];

export class OutputFormatError extends Error {
  override readonly name = 'OutputFormatError';
}

/** The -o value; kubectl lower-cases it. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  const format = (value ?? '').toLowerCase();
  switch (format) {
    case '':
      return 'default';
    case 'name':
    case 'json':
    case 'yaml':
      return format;
    default:
      throw new OutputFormatError(
        `unable to match a printer suitable for the output format ${goQuote(format)}, allowed formats are: ${allowedFormats.join(',')}`,
      );
  }
}

/** `image updated (dry run)`. */
export function operationText(operation: string, dryRun: DryRunStrategy): string {
  switch (dryRun) {
    case 'none':
      return operation;
    case 'client':
      return `${operation} (dry run)`;
    case 'server':
      return `${operation} (server dry run)`;
  }
}

/** Prints objects one after another; a YAML printer separates documents as kubectl's does. */
export interface ObjectPrinter {
  print(kind: string, obj: KubeObject): string;
}

export function objectPrinter(format: OutputFormat, operation: string): ObjectPrinter {
  let printed = 0;
  return {
    print(kind, obj) {
      printed += 1;
      const name = `${kind.toLowerCase()}.${group}/${obj.metadata.name ?? '<unknown>'}`;
      switch (format) {
        case 'default':
          return `${name} ${operation}`;
        case 'name':
          return name;
        case 'json':
          return printJson(withoutManagedFields(obj));
        case 'yaml':
          return `${printed > 1 ? '---\n' : ''}${printYaml(withoutManagedFields(obj))}`;
      }
    },
  };
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Go sorts map keys by their UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sortedDeep(value: unknown, compare: (a: string, b: string) => number): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => sortedDeep(v, compare));
  if (!isRecord(value)) return typeof value === 'string' ? value.toWellFormed() : value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => compare(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k.toWellFormed(), sortedDeep(v, compare)]));
}

/** json.MarshalIndent(obj, "", "    ") of a map: sorted keys, `<`, `>`, `&`, U+2028, U+2029 escaped. */
export function printJson(obj: unknown): string {
  return JSON.stringify(sortedDeep(obj, compareUtf8), null, 4).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

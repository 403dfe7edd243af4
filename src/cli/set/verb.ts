// What every `set` verb shares: its context (client, output, the argv --record rebuilds), the
// flags kubectl gives all of them, and the reading of those flags into one options object.
// upstream: kubectl pkg/cmd/set/set_image.go NewCmdImage (the flags each set command adds),
// Complete; cli-runtime pkg/genericclioptions/record_flags.go.
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { ApplyOptions } from './apply-changes.ts';
import { changeCause } from './change-cause.ts';
import { dryRunStrategy, dryRunUnchanged, type DryRunStrategy } from './dry-run.ts';
import type { FlagSpec, FlagValues, ScannedArgs } from './flags.ts';
import { objectPrinter, operationText, parseOutputFormat, type ObjectPrinter, type OutputFormat } from './print-object.ts';

export interface SetContext {
  /** The client and namespace of the global flags; called once the words are known to be valid. */
  readonly connect: () => Promise<{ client: KubeClient; namespace: string }>;
  readonly out: (line: string) => void;
  /** stderr. */
  readonly warn: (line: string) => void;
  /** The words after the program name, as typed, for --record. */
  readonly argv: readonly string[];
}

/** A `set` subcommand: its flags (beyond the global ones) and what it does with the words given. */
export interface SetVerb {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  run(context: SetContext, scanned: ScannedArgs, values: FlagValues): Promise<void>;
}

/** The plugin's global flags, which kubectl's change cause lists too (`--namespace=kube-system`). */
export const globalFlags: readonly FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', usage: 'kubeconfig file' },
  { name: 'context', type: 'string', usage: 'kubeconfig context' },
  { name: 'namespace', shorthand: 'n', type: 'string', usage: 'namespace' },
];

export const allFlag: FlagSpec = { name: 'all', type: 'bool', usage: 'Select all resources, in the namespace of the specified resource types' };
export const selectorFlag: FlagSpec = {
  name: 'selector',
  shorthand: 'l',
  type: 'string',
  usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.",
};
export const dryRunFlag: FlagSpec = {
  name: 'dry-run',
  type: 'string',
  defaultText: "'none'",
  noOptDefault: dryRunUnchanged,
  usage: 'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.',
};
export const outputFlag: FlagSpec = { name: 'output', shorthand: 'o', type: 'string', usage: 'Output format. One of: (json, name, yaml).' };
export const fieldManagerFlag: FlagSpec = {
  name: 'field-manager',
  type: 'string',
  defaultText: "'kubectl-set'",
  usage: 'Name of the manager used to track field ownership.',
};
export const recordFlag: FlagSpec = {
  name: 'record',
  type: 'bool',
  usage: 'Record current kubectl command in the resource annotation. If set to false, do not record the command. If set to true, record the command. If not set, default to updating the existing annotation value only if one already exists.',
};
export const containersFlag: FlagSpec = {
  name: 'containers',
  shorthand: 'c',
  type: 'string',
  defaultText: "'*'",
  usage: 'The names of containers in the selected pod templates to change, all containers are selected by default - may use wildcards',
};

/** The flags every verb has. */
export const commonFlags: readonly FlagSpec[] = [allFlag, selectorFlag, dryRunFlag, outputFlag, fieldManagerFlag, recordFlag];

/** cobra's warning for each use of a deprecated flag (--record), printed as the flags are read. */
export function deprecationWarnings(scanned: ScannedArgs): string[] {
  return scanned.flags.filter((f) => f.flag.name === 'record').map(() => 'Flag --record has been deprecated, --record will be removed in the future');
}

export interface CommonOptions {
  readonly all: boolean;
  readonly selector: string;
  readonly dryRun: DryRunStrategy;
  readonly output: OutputFormat;
  /** Whether -o was given at all (`--list` refuses it even empty). */
  readonly outputGiven: boolean;
  readonly fieldManager: string;
  /** The change cause to record, when --record is true. */
  readonly changeCause: string | undefined;
}

/** Reads the common flags in kubectl's order (dry-run, then output), warning as kubectl does. */
export function commonOptions(context: SetContext, verb: SetVerb, values: FlagValues): CommonOptions {
  const dryRun = dryRunStrategy(values.string('dry-run') ?? 'none');
  if (dryRun.warning !== undefined) context.warn(dryRun.warning);
  const output = parseOutputFormat(values.string('output'));
  return {
    all: values.bool('all') ?? false,
    selector: values.string('selector') ?? '',
    dryRun: dryRun.strategy,
    output,
    outputGiven: (values.string('output') ?? '') !== '',
    fieldManager: values.string('field-manager') ?? 'kubectl-set',
    changeCause: values.bool('record') === true ? changeCause(context.argv, [...verb.flags, ...globalFlags]) : undefined,
  };
}

/** What every verb passes to applyToWorkloads alike: where to write, print and warn, and how. */
export function writeOptions(
  context: SetContext,
  options: CommonOptions,
  target: { readonly client: KubeClient; readonly namespace: string },
  operation: string,
): Pick<ApplyOptions, 'client' | 'namespace' | 'out' | 'warn' | 'dryRun' | 'fieldManager' | 'printer' | 'changeCause'> {
  return {
    client: target.client,
    namespace: target.namespace,
    out: context.out,
    warn: context.warn,
    dryRun: options.dryRun,
    fieldManager: options.fieldManager,
    printer: printerFor(options, operation),
    changeCause: options.changeCause,
  };
}

/** The printer for the objects written: `<object> <operation>[ (dry run)]`, or -o. */
export function printerFor(options: CommonOptions, operation: string): ObjectPrinter {
  return objectPrinter(options.output, operationText(operation, options.dryRun));
}

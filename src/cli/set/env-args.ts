// The words of `set env`: which are resources and which are variables (`KEY=VALUE`, `KEY-`), and
// the variables they set or remove, checked with kubectl's rules and messages. Pure.
// upstream: kubectl pkg/cmd/set/env/env_parse.go SplitEnvironmentFromResources, ParseEnv;
// apimachinery pkg/util/validation/validation.go IsEnvVarName.
import { goQuote } from './go-quote.ts';

/** A container environment variable as the API has it; valueFrom is kept as read. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: unknown;
  readonly [field: string]: unknown;
}

const environmentArgument = /^(.+)=(.*)$/s;

/** Resources come first; from the first `KEY=VALUE` or `KEY-` on, every word must be one. */
export function splitEnvironmentFromResources(
  args: readonly string[],
): { readonly resources: readonly string[]; readonly envArgs: readonly string[] } | undefined {
  const resources: string[] = [];
  const envArgs: string[] = [];
  for (const arg of args) {
    const isEnv = environmentArgument.test(arg) || arg.endsWith('-');
    if (isEnv) envArgs.push(arg);
    else if (envArgs.length === 0) resources.push(arg);
    else return undefined;
  }
  return { resources, envArgs };
}

const envVarNameFormat = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const envVarName = new RegExp(`^${envVarNameFormat}$`);

/** IsEnvVarName: the reasons `name` is not a valid environment variable name (none when it is). */
export function envVarNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (!envVarName.test(name)) {
    errors.push(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit " +
        `(e.g. 'my.env-name' or 'MY_ENV.NAME' or 'MyEnvName1', regex used for validation is '${envVarNameFormat}')`,
    );
  }
  if (name === '.') errors.push("must not be '.'");
  else if (name === '..') errors.push("must not be '..'");
  else if (name.startsWith('..')) errors.push("must not start with '..'");
  return errors;
}

export class EnvArgsError extends Error {
  override readonly name = 'EnvArgsError';
}

/** The variables to set, in order, and the names to remove. */
export interface EnvChanges {
  readonly env: readonly EnvVar[];
  readonly remove: readonly string[];
}

/** ParseEnv: `KEY=VALUE` sets, `KEY-` removes; a name may not be both. `-` (read STDIN) is not supported. */
export function parseEnv(specs: readonly string[]): EnvChanges {
  const env: EnvVar[] = [];
  const remove: string[] = [];
  for (const spec of specs) {
    if (spec === '-') throw new EnvArgsError("kubectl my set env cannot read environment variables from STDIN ('-'): give them as KEY=VALUE");
    const eq = spec.indexOf('=');
    if (eq >= 0) {
      const name = spec.slice(0, eq);
      const errors = envVarNameErrors(name);
      if (errors.length > 0) throw new EnvArgsError(`${goQuote(name)} is not a valid key name: ${errors.join(';')}`);
      env.push(envVar(name, spec.slice(eq + 1)));
    } else if (spec.endsWith('-')) {
      remove.push(spec.slice(0, -1));
    } else {
      throw new EnvArgsError(`unknown environment variable: ${spec}`);
    }
  }
  if (remove.some((name) => env.some((e) => e.name === name))) {
    throw new EnvArgsError('can not both modify and remove the same environment variable in the same command');
  }
  return { env, remove };
}

/** An EnvVar as kubectl encodes it: an empty value is left out (`value,omitempty`). */
export function envVar(name: string, value: string): EnvVar {
  return value === '' ? { name } : { name, value };
}

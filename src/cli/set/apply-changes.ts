// Writes what a `set` verb decides, object by object, the way kubectl's set commands go: first a
// decision for every object read (errors kept for the end), then per object: nothing when nothing
// changes (kubectl prints nothing either), the local result when --dry-run=client, else a JSON
// patch guarded by the resourceVersion read. On 409 Conflict — someone wrote the object since —
// the object is read again and the decision made again, up to 5 attempts in all, so a concurrent
// edit is neither overwritten nor merged blindly. Each object written is printed; the errors are
// returned after all of them, as kubectl reports them after its output.
// upstream: kubectl pkg/cmd/set/set_image.go Run (and the same loop in set_resources.go,
// set_env.go); helper.go CalculatePatches.
import type { PodTemplateSpec } from '../../api/core.ts';
import { changeCauseAnnotation } from '../../controllers/deployment/annotations.ts';
import { errorMessage, isConflict } from '../../runtime/client/errors.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { DryRunStrategy } from './dry-run.ts';
import { jsonPatch } from './json-patch.ts';
import type { ObjectPrinter } from './print-object.ts';
import { workloadResource, type TemplatedWorkload, type Workload } from './workloads.ts';

/** What a verb decides for one object, from the object as read. */
export type ObjectDecision =
  /** The pod template to write (maybe the same as before); `errors` are reported at the end all the same. */
  | { readonly kind: 'change'; readonly template: PodTemplateSpec; readonly errors: readonly string[] }
  /** Nothing to write and nothing to record (no container matched, …); `warnings` go to stderr at once. */
  | { readonly kind: 'skip'; readonly errors: readonly string[]; readonly warnings?: readonly string[] }
  /** The object cannot be changed: kubectl's `error: <plural>/<name> <reason>`. */
  | { readonly kind: 'fail'; readonly reason: string };

export interface ApplyOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly out: (line: string) => void;
  /** stderr: `Warning: …` lines. */
  readonly warn: (line: string) => void;
  readonly dryRun: DryRunStrategy;
  readonly fieldManager: string;
  readonly printer: ObjectPrinter;
  /** The change cause to record in each object changed (--record); undefined records nothing. */
  readonly changeCause: string | undefined;
  /** Put before the API server's answer when a write fails: `failed to patch image update to pod template: `. */
  readonly failedPatch: string;
  /**
   * A message to stop with after the first object written, as `set env` does when it was given no
   * variable (kubectl checks only then, so a change cause alone is still written).
   */
  readonly refuseAfterWrite?: string;
  readonly decide: (workload: Workload) => ObjectDecision;
}

const maxAttempts = 5;

/** The object with the planned template and, when recording, the change cause. */
export function plannedObject(obj: TemplatedWorkload, template: PodTemplateSpec, changeCause: string | undefined): TemplatedWorkload {
  const annotations = changeCause === undefined ? obj.metadata.annotations : { ...obj.metadata.annotations, [changeCauseAnnotation]: changeCause };
  return {
    ...obj,
    metadata: { ...obj.metadata, ...(annotations === undefined ? {} : { annotations }) },
    spec: { ...obj.spec, template },
  };
}

/** Applies the verb to every workload; resolves to kubectl's error messages, in its order. */
export async function applyToWorkloads(workloads: readonly Workload[], options: ApplyOptions): Promise<string[]> {
  const decided = workloads.map((w) => ({ workload: w, decision: options.decide(w) }));
  for (const { decision } of decided) {
    if (decision.kind === 'skip') for (const warning of decision.warnings ?? []) options.warn(`Warning: ${warning}`);
  }
  const errors = decided.flatMap(({ decision }) => (decision.kind === 'fail' ? [] : decision.errors));
  for (const { workload, decision } of decided) {
    if (decision.kind === 'fail') {
      errors.push(failure(workload, decision.reason));
      continue;
    }
    const written = await writeWorkload(workload, decision, options);
    if (written.kind === 'error') {
      errors.push(written.message);
      continue;
    }
    if (written.kind === 'unchanged') continue;
    options.out(options.printer.print(workload.kind, written.obj));
    if (options.refuseAfterWrite !== undefined) return [options.refuseAfterWrite];
  }
  return errors;
}

function failure(workload: Workload, reason: string): string {
  return `error: ${workloadResource(workload.kind).plural}/${workload.obj.metadata.name ?? ''} ${reason}`;
}

type Written =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'written'; readonly obj: TemplatedWorkload }
  | { readonly kind: 'error'; readonly message: string };

async function writeWorkload(first: Workload, firstDecision: ObjectDecision, options: ApplyOptions): Promise<Written> {
  const resource = workloadResource(first.kind);
  const name = first.obj.metadata.name ?? '';
  let workload = first;
  let decision = firstDecision;
  for (let attempt = 1; ; attempt++) {
    if (decision.kind === 'fail') return { kind: 'error', message: failure(workload, decision.reason) };
    if (decision.kind === 'skip') return { kind: 'unchanged' };
    const planned = plannedObject(workload.obj, decision.template, options.changeCause);
    const operations = jsonPatch(workload.obj, planned);
    if (operations.length === 0) return { kind: 'unchanged' };
    if (options.dryRun === 'client') return { kind: 'written', obj: planned };
    try {
      const obj = await options.client.patch(resource, options.namespace, name, 'json', operations, {
        dryRun: options.dryRun === 'server',
        fieldManager: options.fieldManager,
      });
      return { kind: 'written', obj };
    } catch (err) {
      if (!isConflict(err) || attempt >= maxAttempts) return { kind: 'error', message: `${options.failedPatch}${errorMessage(err)}` };
    }
    try {
      workload = { kind: workload.kind, obj: await options.client.get(resource, options.namespace, name) };
    } catch (err) {
      return { kind: 'error', message: `${options.failedPatch}${errorMessage(err)}` };
    }
    decision = options.decide(workload);
  }
}

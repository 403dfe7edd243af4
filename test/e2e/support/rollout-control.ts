// Rollout control as the e2e tests read it (docs/rollout-control.md), for MyDaemonSet,
// MyStatefulSet and MyDeployment alike: the Progressing and RolledBack conditions, the trail of a
// condition through a recorded watch of the workload objects, the RolledBack Warning Events, the
// message an automatic rollback is documented to carry, and waits whose deadline is a point in time
// (the bound under test: "within the progress deadline plus slack of the change").
//
// Condition types and reasons are spelled out here from the document, not imported from the
// operator, so a renamed constant fails the tests instead of following along.
import assert from 'node:assert/strict';
import type { CoreEvent, Pod } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { events } from '../../../src/api/resources.ts';
import type { AutomaticRollback, RolloutCondition } from '../../../src/api/workloads.ts';
import { pollUntil } from '../../../hack/poll.ts';
import { testClient, waitFor, type WaitOptions } from './env.ts';
import { isDeleting } from './objects.ts';
import type { Recorder } from './recorder.ts';

export const progressingType = 'Progressing';
export const rolledBackType = 'RolledBack';

/** `status/reason` of the Progressing condition in each documented state. */
export const paused = 'Unknown/RolloutPaused';
export const progressing = 'True/RolloutProgressing';
export const complete = 'True/RolloutComplete';
export const deadlineExceeded = 'False/ProgressDeadlineExceeded';

/** `status/reason` of the RolledBack condition while an automatic rollback is in force; its message: rolledBackMessage. */
export const rolledBack = 'True/ProgressDeadlineExceeded';
/** Reason of the Warning Event an automatic rollback records (message: rolledBackMessage). */
export const rolledBackEventReason = 'RolledBack';

/** What the three kinds share in their status, as far as rollout control goes. */
export interface RolloutControlled extends KubeObject {
  readonly status?: {
    readonly observedGeneration?: number;
    readonly conditions?: readonly RolloutCondition[];
    readonly stableRevision?: string;
    readonly rollback?: AutomaticRollback;
  };
}

export function conditionOf(obj: RolloutControlled, type: string): RolloutCondition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** `status/reason` of the condition, `-` when there is none. */
export function conditionState(obj: RolloutControlled, type: string = progressingType): string {
  const c = conditionOf(obj, type);
  return c === undefined ? '-' : `${c.status}/${c.reason ?? ''}`;
}

/** The controller has written status for the object's current generation. */
export function observedCurrent(obj: RolloutControlled): boolean {
  return (obj.status?.observedGeneration ?? 0) >= (obj.metadata.generation ?? 1);
}

/** The current generation is observed and Progressing is in `state` (e.g. `complete`). */
export function progressingIn(state: string): (obj: RolloutControlled) => boolean {
  return (obj) => observedCurrent(obj) && conditionState(obj) === state;
}

/** A compact line for failure messages. */
export function describeRollout(obj: RolloutControlled): string {
  const s = obj.status ?? {};
  const conditions = (s.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`).join(' ');
  const rollback = s.rollback ? ` rollback=${JSON.stringify(s.rollback)}` : '';
  return `${obj.metadata.name ?? ''} gen ${obj.metadata.generation ?? '?'}/${s.observedGeneration ?? '-'} [${conditions}] stable=${s.stableRevision ?? '-'}${rollback}`;
}

export interface RevisionRef {
  readonly name: string;
  readonly number: number;
}

/**
 * The RolledBack condition's message and the Warning Event's, word for word from
 * docs/rollout-control.md: `rolled back from revision F (name) to revision S (name): no progress for D s`.
 */
export function rolledBackMessage(failed: RevisionRef, stable: RevisionRef, deadlineSeconds: number): string {
  return `rolled back from revision ${failed.number} (${failed.name}) to revision ${stable.number} (${stable.name}): no progress for ${deadlineSeconds} s`;
}

/**
 * The first time (ms after `origin`) the object watch saw status.rollback recorded for
 * `generation`; undefined when it never did.
 */
export function rollbackSeenAfter<T extends RolloutControlled>(watch: Recorder<T>, name: string, generation: number, origin: number): number | undefined {
  for (const { state, at } of watch.replay()) {
    const obj = [...state.values()].find((o) => o.metadata.name === name);
    if (obj?.status?.rollback?.generation === generation) return at - origin;
  }
  return undefined;
}

// ---- waits bounded by a point in time ----------------------------------------------------------

/**
 * Polls until `done` or until `deadlineAt` (epoch ms) has passed, probing once more after the pause
 * that crossed it, so the bound itself is what is tested, not the polling interval.
 */
export function waitUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, deadlineAt: number, intervalMs = 200): Promise<T> {
  return pollUntil(what, probe, done, { timeoutMs: Math.max(0, deadlineAt - Date.now()), intervalMs, deadlineAfterProbe: true });
}

/**
 * Waits until the pod watch's state holds exactly `count` pods, none being deleted: the last
 * deletion of a rollout has landed, so a quiet window started now sees only what comes after it.
 */
export function waitPodsSettled(watch: Recorder<Pod>, count: number, options?: WaitOptions): Promise<Map<string, Pod>> {
  return watch.waitState(`${count} pods, none being deleted`, (state) => state.size === count && [...state.values()].every((p) => !isDeleting(p)), options);
}

// ---- a condition's trail through a watch of the workload objects ---------------------------------

export interface TrailStep {
  /** When the test received the event (ms); the watch's start for the listed state. */
  readonly at: number;
  readonly generation: number;
  readonly observedGeneration: number;
  /** `status/reason`, `-` when the condition is absent. */
  readonly state: string;
}

/**
 * The states the condition `type` of the object `name` went through, as the watch saw them: one
 * step per change of (generation, observedGeneration, state). Conditions and counts are separate
 * status writes, so a step may pair a new observedGeneration with the condition of the older one.
 */
export function conditionTrail<T extends RolloutControlled>(watch: Recorder<T>, name: string, type: string = progressingType): TrailStep[] {
  const out: TrailStep[] = [];
  for (const { state, at } of watch.replay()) {
    const obj = [...state.values()].find((o) => o.metadata.name === name);
    if (obj === undefined) continue;
    const step: TrailStep = {
      at,
      generation: obj.metadata.generation ?? 0,
      observedGeneration: obj.status?.observedGeneration ?? 0,
      state: conditionState(obj, type),
    };
    const last = out[out.length - 1];
    if (last && last.state === step.state && last.generation === step.generation && last.observedGeneration === step.observedGeneration) continue;
    out.push(step);
  }
  return out;
}

/** `state@gen/observed+Δms` for failure messages, Δ from `origin`. */
export function describeTrail(trail: readonly TrailStep[], origin: number): string {
  return trail.map((s) => `${s.state}@${s.generation}/${s.observedGeneration}+${s.at - origin}ms`).join(' → ');
}

/** The states of generation `generation` only (the object after a given spec write), in order. */
export function statesOfGeneration(trail: readonly TrailStep[], generation: number): string[] {
  return trail.filter((s) => s.generation === generation).map((s) => s.state);
}

// ---- events -------------------------------------------------------------------------------------

/** Events recorded about the object (by UID). */
export async function eventsAbout(obj: KubeObject): Promise<CoreEvent[]> {
  const client = await testClient();
  const list = await client.list(events, { namespace: obj.metadata.namespace, fieldSelector: `involvedObject.uid=${obj.metadata.uid ?? ''}` });
  return [...list.items];
}

export function withReason(list: readonly CoreEvent[], reason: string): CoreEvent[] {
  return list.filter((e) => e.reason === reason);
}

/** How many times the Events were recorded, an aggregated Event counting its `count`. */
export function occurrences(list: readonly CoreEvent[]): number {
  return list.reduce((n, e) => n + (e.count ?? 1), 0);
}

/** Exactly one Warning Event RolledBack about `obj`, recorded once, with `message`. */
export async function assertOneRolledBackEvent(obj: KubeObject, message: string): Promise<void> {
  const list = withReason(await eventsAbout(obj), rolledBackEventReason);
  const shown = JSON.stringify(list.map((e) => [e.type, e.count, e.message]));
  assert.equal(list.length, 1, `Events RolledBack about ${obj.metadata.name ?? ''}: ${shown}`);
  assert.equal(occurrences(list), 1, `the Event RolledBack was recorded ${occurrences(list)} times: ${shown}`);
  assert.equal(list[0]?.type, 'Warning', shown);
  assert.equal(list[0]?.message, message, shown);
}

/**
 * Waits until an Event with `reason` about the object exists. The operator writes Events on their
 * own, behind the status writes (as client-go's broadcaster does), so they can land after the
 * state they describe is visible.
 */
export function waitForEventReason(obj: KubeObject, reason: string, options?: WaitOptions): Promise<CoreEvent[]> {
  return waitFor(
    `an Event ${reason} about ${obj.metadata.name ?? ''}`,
    async () => withReason(await eventsAbout(obj), reason),
    (list) => list.length > 0,
    options,
  );
}

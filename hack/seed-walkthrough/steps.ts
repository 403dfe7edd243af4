// The shape of a walkthrough: per seed note, the files its commands read and the commands, each
// as the reader types it, with what the seed typed instead and why, and what to wait for after it.
import type { Settle } from './settle.ts';

/** A command, run by bash in the section's folder exactly as displayed. */
export interface CommandStep {
  readonly kind: 'command';
  readonly command: string;
  /** The seed's own command, when ours differs. */
  readonly seed?: string;
  /** Why ours differs from `seed`, or (without `seed`) why a command not in the seed is here. */
  readonly why?: string;
  /** Exit status the command must end with (default 0): a failure the seed's flow runs into. */
  readonly exitCode?: number;
  /** What to wait for after the command, before the next one prints anything. */
  readonly settle?: (settle: Settle) => Promise<void>;
}

export interface HeadingStep {
  readonly kind: 'heading';
  /** The seed's heading in its language, then an English gloss in parentheses. */
  readonly text: string;
}

export type Step = CommandStep | HeadingStep;

/** How a file of the section's folder is made from an example. */
export type SectionFile =
  | { readonly name: string; readonly kind: 'copy'; readonly example: string }
  /** Namespace objects dropped, every other object moved to the section's namespace. */
  | { readonly name: string; readonly kind: 'moved'; readonly example: string }
  /** The example's first PersistentVolume once per claim, pre-bound to the claim in the section's namespace. */
  | { readonly name: string; readonly kind: 'volumes'; readonly example: string; readonly claims: readonly string[] };

export interface SeedSection {
  /** The seed's number, 000…004; the namespace is walkthrough-<id>. */
  readonly id: string;
  /** The note's title in its language. */
  readonly title: string;
  readonly gloss: string;
  /** What the note teaches and what of it is replayed (markdown). */
  readonly intro: string;
  readonly files: readonly SectionFile[];
  readonly steps: readonly Step[];
  /** Seed commands or manifests not replayed, and why. */
  readonly notReplayed?: readonly string[];
}

export function namespaceOf(section: SeedSection): string {
  return `walkthrough-${section.id}`;
}

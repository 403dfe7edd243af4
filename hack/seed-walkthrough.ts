// docs/seed-walkthrough.md: the seed notes' kubectl sequences replayed on our kinds against the
// running demo cluster, each command with the output it printed (hack/seed-walkthrough/seeds.ts
// says what runs, and why it differs from the seed).
//
//   npm run docs:walkthrough               run everything, write docs/seed-walkthrough.md
//   npm run docs:walkthrough -- --check    run everything, exit 1 with a unified diff if the
//                                          checked-in file differs
//
// Needs `npm run demo` up (.cluster/kubeconfig, the operator running). Works only in namespaces
// walkthrough-000…004, which it deletes before (if left over) and after, plus the PersistentVolumes
// walkthrough-000-* and walkthrough-001-* it creates and deletes, and a taint it puts on
// kwok-node-0000 in 004 and always takes off again. The demo's own objects are only read.
// Outputs are made run-independent by hack/seed-walkthrough/normalise.ts after waiting for each
// change to settle (hack/seed-walkthrough/settle.ts).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodes, namespaces, pods } from '../src/api/resources.ts';
import { errorMessage, isNotFound } from '../src/runtime/client/errors.ts';
import type { KubeClient } from '../src/runtime/client/rest.ts';
import { clientFor, controlPlaneBin, kubeconfigPath, repoRoot } from './cluster.ts';
import { moveToNamespace, preboundVolumes, volumeName } from './seed-walkthrough/manifests.ts';
import { nameFacts } from './seed-walkthrough/name-facts.ts';
import { HashPlaceholders, normaliseOutput } from './seed-walkthrough/normalise.ts';
import { renderWalkthrough, type RecordedSection, type RecordedStep } from './seed-walkthrough/render.ts';
import { runCommand } from './seed-walkthrough/run-command.ts';
import { seedSections, taint } from './seed-walkthrough/seeds.ts';
import { persistentVolumes, Settle, settleDemoWorkloads, waitGone } from './seed-walkthrough/settle.ts';
import { namespaceOf, type SeedSection } from './seed-walkthrough/steps.ts';
import { unifiedDiff } from './seed-walkthrough/unified-diff.ts';

const docFile = path.join('docs', 'seed-walkthrough.md');

/**
 * 002 first: its listings span all namespaces, so it runs while the cluster holds the demo alone,
 * before other sections leave namespaces terminating. 004 (the taint) last, alone on the node.
 */
const runOrder = ['002', '000', '001', '003', '004'];

class WalkthroughError extends Error {
  override readonly name = 'WalkthroughError';
}

interface Context {
  readonly client: KubeClient;
  /** Folder of the control plane's binaries: kubectl. */
  readonly bin: string;
  /** Scratch folder: one subfolder and one kubeconfig copy per section. */
  readonly workDir: string;
}

function commandEnv(ctx: Context, kubeconfig: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: [path.join(repoRoot, 'bin'), ctx.bin, process.env.PATH ?? ''].join(path.delimiter), KUBECONFIG: kubeconfig };
}

/** The volumes a section creates (named after the claims they are pre-bound to). */
function sectionVolumes(section: SeedSection): string[] {
  return section.files.flatMap((f) => (f.kind === 'volumes' ? f.claims.map((c) => volumeName(namespaceOf(section), c)) : []));
}

function writeSectionFiles(section: SeedSection, dir: string): void {
  const namespace = namespaceOf(section);
  for (const file of section.files) {
    const example = readFileSync(path.join(repoRoot, file.example), 'utf8');
    const text =
      file.kind === 'copy'
        ? example
        : file.kind === 'moved'
          ? moveToNamespace(example, namespace, file.example)
          : preboundVolumes(example, namespace, file.claims, file.example);
    writeFileSync(path.join(dir, file.name), text);
  }
}

async function runSection(ctx: Context, section: SeedSection): Promise<RecordedSection> {
  const namespace = namespaceOf(section);
  const dir = path.join(ctx.workDir, namespace);
  mkdirSync(dir);
  writeSectionFiles(section, dir);
  // A copy per section: set-context writes the namespace into it, never into the demo's.
  const kubeconfig = path.join(ctx.workDir, `${namespace}.kubeconfig`);
  copyFileSync(kubeconfigPath, kubeconfig);
  const env = commandEnv(ctx, kubeconfig);
  const settle = new Settle(ctx.client, namespace);
  const hashes = new HashPlaceholders();
  hashes.observe((await nameFacts(ctx.client, namespace)).hashes, 0);
  const paths = [
    { path: dir, placeholder: '.' },
    { path: kubeconfig, placeholder: '<kubeconfig>' },
  ];

  const recorded: RecordedStep[] = [];
  for (const [index, step] of section.steps.entries()) {
    if (step.kind === 'heading') {
      recorded.push(step);
      continue;
    }
    console.error(`[${section.id}] $ ${step.command}`);
    const result = await runCommand(step.command, { cwd: dir, env, outputFile: path.join(ctx.workDir, `${namespace}.output`) });
    const expected = step.exitCode ?? 0;
    if (result.exitCode !== expected) {
      throw new WalkthroughError(`[${section.id}] \`${step.command}\` exited ${result.exitCode}, expected ${expected}:\n${result.output}`);
    }
    await step.settle?.(settle);
    const facts = await nameFacts(ctx.client, namespace);
    hashes.observe(facts.hashes, index + 1);
    recorded.push({ kind: 'command', step, output: normaliseOutput(result.output, { ...facts, paths }, hashes) });
  }
  return { section, steps: recorded };
}

// ---- cleanup ------------------------------------------------------------------------------

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Starts deleting a section's namespace and volumes. Its pods go at once (grace period 0): the
 * namespace controller otherwise waits out the longest grace period (fluentd's 30 s) before it
 * looks again. The namespace is deleted first, so no controller can create a pod meanwhile.
 */
async function startDeleting(client: KubeClient, section: SeedSection): Promise<void> {
  const namespace = namespaceOf(section);
  await ignoreNotFound(client.delete(namespaces, undefined, namespace));
  await ignoreNotFound(client.deleteCollection(pods, { namespace, gracePeriodSeconds: 0 }));
  for (const volume of sectionVolumes(section)) await ignoreNotFound(client.delete(persistentVolumes, undefined, volume));
}

async function deleteAll(client: KubeClient): Promise<void> {
  for (const section of seedSections) await startDeleting(client, section);
  await waitGone(client, [
    ...seedSections.map((s) => ({ kind: 'Namespace' as const, name: namespaceOf(s) })),
    ...seedSections.flatMap(sectionVolumes).map((name) => ({ kind: 'PersistentVolume' as const, name })),
  ]);
}

/** Takes 004's taint off its node if it is there (a run that failed half-way leaves it). */
async function removeTaint(ctx: Context): Promise<void> {
  const node = await ctx.client.get(nodes, undefined, taint.node);
  if (!(node.spec?.taints ?? []).some((t) => t.key === taint.key && t.effect === taint.effect)) return;
  const result = await runCommand(`kubectl taint nodes ${taint.node} ${taint.key}:${taint.effect}-`, {
    cwd: ctx.workDir,
    env: commandEnv(ctx, kubeconfigPath),
    outputFile: path.join(ctx.workDir, 'untaint.output'),
  });
  if (result.exitCode !== 0) throw new WalkthroughError(`could not remove the taint from ${taint.node}:\n${result.output}`);
}

async function cleanUp(ctx: Context): Promise<void> {
  await removeTaint(ctx);
  await deleteAll(ctx.client);
}

// ---- main ---------------------------------------------------------------------------------

async function generate(ctx: Context): Promise<string> {
  const recorded = new Map<string, RecordedSection>();
  for (const id of runOrder) {
    const section = seedSections.find((s) => s.id === id);
    if (!section) throw new WalkthroughError(`no seed section ${id}`);
    const started = Date.now();
    recorded.set(id, await runSection(ctx, section));
    await startDeleting(ctx.client, section);
    console.error(`[${id}] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return renderWalkthrough(
    seedSections.map((s) => {
      const r = recorded.get(s.id);
      if (!r) throw new WalkthroughError(`section ${s.id} is not in the run order`);
      return r;
    }),
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const started = Date.now();
  if (!existsSync(kubeconfigPath)) throw new WalkthroughError(`no demo cluster (${kubeconfigPath} is missing): run npm run demo first`);
  const ctx: Context = {
    client: await clientFor(),
    bin: await controlPlaneBin(),
    workDir: mkdtempSync(path.join(os.tmpdir(), 'seed-walkthrough-')),
  };
  let doc: string;
  try {
    await cleanUp(ctx);
    await settleDemoWorkloads(ctx.client);
    doc = await generate(ctx);
  } finally {
    try {
      await cleanUp(ctx);
    } finally {
      rmSync(ctx.workDir, { recursive: true, force: true });
    }
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const target = path.join(repoRoot, docFile);
  if (check) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    const diff = unifiedDiff(current, doc, { before: `${docFile} (checked in)`, after: `${docFile} (generated)` });
    if (diff !== '') {
      process.stdout.write(diff);
      console.error(`${docFile} is out of date (${seconds} s); run npm run docs:walkthrough with the demo up`);
      return 1;
    }
    console.error(`${docFile} is up to date (${seconds} s)`);
    return 0;
  }
  writeFileSync(target, doc);
  console.error(`wrote ${docFile} (${seconds} s)`);
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`error: ${errorMessage(err)}`);
      process.exitCode = 1;
    },
  );
}

// Makes a cluster that runs the kwok controller (hack/kind-e2e.sh installs it into kind) behave like
// the local control plane for the e2e tests: kwok's Stages are exactly those of
// hack/kwok/kwokctl.yaml (so images containing "notready" or "crash" mean the same), and the fake
// nodes are those of hack/kwok-nodes.ts clusterNodes(). Waits until every node is Ready and free of
// the node lifecycle's not-ready taint.
//
//   node hack/kwok-setup.ts --kubeconfig PATH [--nodes 4]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Node } from '../src/api/core.ts';
import type { KubeObject } from '../src/api/meta.ts';
import { isRecord } from '../src/api/meta.ts';
import { nodes, resource } from '../src/api/resources.ts';
import { isAlreadyExists, isNotFound } from '../src/runtime/client/errors.ts';
import { KubeClient } from '../src/runtime/client/rest.ts';
import { clusterNodes } from './kwok-nodes.ts';
import { pollUntil } from './poll.ts';

const stagesFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kwok', 'kwokctl.yaml');
const stages = resource<KubeObject>('kwok.x-k8s.io', 'v1alpha1', 'stages', 'Stage', false);
const fieldManager = 'mwo-kwok-setup';
const log = (msg: string): void => console.error(`[kwok-setup] ${msg}`);

/** The Stage documents of hack/kwok/kwokctl.yaml; its KwokctlConfiguration is kwokctl's alone. */
export function stageDocuments(text = readFileSync(stagesFile, 'utf8')): KubeObject[] {
  const docs: unknown[] = parseAllDocuments(text).map((d) => {
    const js: unknown = d.toJS();
    return js;
  });
  return docs.filter((doc): doc is KubeObject => isRecord(doc) && doc.kind === 'Stage');
}

/** Server-side applies the Stages and deletes any other, so kwok plays exactly these. */
async function syncStages(client: KubeClient): Promise<void> {
  const wanted = stageDocuments();
  for (const stage of wanted) {
    await client.patch(stages, undefined, stage.metadata.name ?? '', 'apply', stage, { fieldManager, force: true });
  }
  const names = new Set(wanted.map((s) => s.metadata.name));
  for (const extra of (await client.listAll(stages)).items.filter((s) => !names.has(s.metadata.name))) {
    log(`deleting Stage ${extra.metadata.name ?? ''}, not in hack/kwok/kwokctl.yaml`);
    await client.delete(stages, undefined, extra.metadata.name ?? '');
  }
  log(`${wanted.length} Stages: ${wanted.map((s) => s.metadata.name).join(', ')}`);
}

/** Creates the missing nodes of clusterNodes(count); deletes workers beyond it. */
async function syncNodes(client: KubeClient, count: number): Promise<Node[]> {
  const wanted = clusterNodes(count);
  const names = new Set(wanted.map((n) => n.metadata.name));
  for (const node of wanted) {
    try {
      await client.create(nodes, node);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  for (const node of (await client.listAll(nodes)).items) {
    const name = node.metadata.name ?? '';
    if (!name.startsWith('kwok-node-') || names.has(name)) continue;
    try {
      await client.delete(nodes, undefined, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return wanted;
}

/** Until each node is Ready (kwok's node-initialize stage) and kube-controller-manager lifted its not-ready taint. */
async function waitSchedulable(client: KubeClient, wanted: readonly Node[], timeoutMs: number): Promise<void> {
  const pendingNodes = async (): Promise<string[]> => {
    const byName = new Map((await client.listAll(nodes)).items.map((n) => [n.metadata.name, n]));
    return wanted
      .map((w) => w.metadata.name ?? '')
      .filter((name) => {
        const node = byName.get(name);
        const ready = node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        return !ready || (node?.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready');
      });
  };
  await pollUntil('nodes Ready and schedulable', pendingNodes, (pending) => pending.length === 0, {
    timeoutMs,
    intervalMs: 500,
    stopOnError: true,
    onTimeout: (pending = []) =>
      new Error(`nodes not Ready and schedulable after ${timeoutMs / 1000} s: ${pending.join(', ')} (is the kwok controller running?)`),
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, nodes: { type: 'string', default: '4' } } });
  const count = Number(values.nodes);
  if (!values.kubeconfig || !Number.isInteger(count) || count < 1) {
    throw new Error('usage: node hack/kwok-setup.ts --kubeconfig PATH [--nodes N ≥ 1]');
  }
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  const client = await KubeClient.fromKubeConfig(kc, { timeoutMs: 30_000, userAgent: fieldManager });
  await syncStages(client);
  const wanted = await syncNodes(client, count);
  await waitSchedulable(client, wanted, 180_000);
  log(`${count} workers + control-plane Ready and schedulable`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`[kwok-setup] error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

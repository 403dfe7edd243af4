// What the GitHub Actions workflows pin: every action (GitHub's own by a version tag, any other by
// a commit SHA), and the kind job's versions, held equal to hack/versions.env and
// hack/kind/node-image.env so the CI cluster and the one hack/kind-e2e.sh builds on a laptop cannot
// drift apart. actionlint itself runs in workflows.test.ts.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const workflowsDir = path.join(repoRoot, '.github', 'workflows');
const actionsDir = path.join(repoRoot, '.github', 'actions');

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** KEY=VALUE lines of a sourced env file (comments and blank lines skipped). */
function envFile(file: string): Map<string, string> {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m): [string, string] => [m[1] ?? '', m[2] ?? '']);
  return new Map(entries);
}

/** Every `uses:` value in a workflow or action file, wherever it sits. */
function usesOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(usesOf);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'uses' && typeof value === 'string' ? [value] : usesOf(value)));
}

function kindJobEnv(): Record<string, unknown> {
  const workflow: unknown = parse(readFileSync(path.join(workflowsDir, 'ci.yml'), 'utf8'));
  const env: unknown = (workflow as { jobs?: { kind?: { env?: unknown } } } | null)?.jobs?.kind?.env;
  assert.ok(typeof env === 'object' && env !== null, 'ci.yml has no jobs.kind.env');
  return env as Record<string, unknown>;
}

describe('GitHub Actions workflows', () => {
  it("pin every action: GitHub's own by a version tag, any other by a full commit SHA", () => {
    for (const file of [...yamlFiles(workflowsDir), ...yamlFiles(actionsDir)]) {
      for (const uses of usesOf(parse(readFileSync(file, 'utf8')))) {
        if (uses.startsWith('./')) continue; // an action of this repository
        const [action = '', ref = ''] = uses.split('@');
        const where = `${path.relative(repoRoot, file)}: ${uses}`;
        if (action.startsWith('actions/')) assert.match(ref, /^v\d+(\.\d+){0,2}$|^[0-9a-f]{40}$/, where);
        else assert.match(ref, /^[0-9a-f]{40}$/, `${where} is a third-party action: pin it by commit SHA`);
      }
    }
  });

  it('run the kind job at the versions of hack/versions.env and hack/kind/node-image.env', () => {
    const versions = envFile(path.join(repoRoot, 'hack', 'versions.env'));
    const env = kindJobEnv();
    for (const key of ['KIND_VERSION', 'KWOK_VERSION']) {
      assert.ok(versions.get(key), `hack/versions.env has no ${key}`);
      assert.equal(env[key], versions.get(key), `jobs.kind.env.${key}`);
    }
    const pinned = envFile(path.join(repoRoot, 'hack', 'kind', 'node-image.env')).get('KIND_NODE_IMAGE');
    assert.equal(env.KIND_NODE_IMAGE, pinned, 'jobs.kind.env.KIND_NODE_IMAGE');
    // A kind node image is only built for one kind release: the digest is part of the pin.
    const image = /^kindest\/node:(v\d+\.\d+)\.\d+@sha256:[0-9a-f]{64}$/.exec(pinned ?? '');
    assert.ok(image, `KIND_NODE_IMAGE ${pinned ?? ''} is not kindest/node:vX.Y.Z@sha256:<digest>`);
    const minor = /^(v\d+\.\d+)\./.exec(versions.get('KUBERNETES_VERSION') ?? '')?.[1];
    assert.equal(image[1], minor, 'the kind node runs the Kubernetes minor of KUBERNETES_VERSION');
  });
});

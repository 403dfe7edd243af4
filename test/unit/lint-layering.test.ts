// The layering rules of hack/eslint-layering.ts fail on the imports they forbid, and the project's
// eslint.config.js applies them. Linted without type information (the layering rules need none),
// so this runs in a second instead of building a TypeScript program.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Linter } from 'eslint';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { layering } from '../../hack/eslint-layering.ts';

const root = path.resolve(import.meta.dirname, '../..');

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  baseConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } }, ...layering],
});

/** The import rule the layering blocks give `file`, normalised as ESLint reports a rule's setting. */
function layeringRule(file: string): unknown {
  const block = layering.find((b) => b.files?.some((glob) => typeof glob === 'string' && path.matchesGlob(file, glob)));
  const setting = block?.rules?.['@typescript-eslint/no-restricted-imports'];
  return Array.isArray(setting) ? [2, ...setting.slice(1)] : undefined;
}

/** The messages lint gives `code` as if it were the file at `file` (relative to the repository). */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  assert.ok(result, `no lint result for ${file}`);
  return result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('layering enforced by lint', () => {
  it('is part of the project lint configuration', async () => {
    const project = new ESLint({ cwd: root });
    const planner = (await project.calculateConfigForFile(path.join(root, 'src/controllers/daemonset/plan.ts'))) as Linter.Config;
    const runtime = (await project.calculateConfigForFile(path.join(root, 'src/runtime/manager.ts'))) as Linter.Config;
    const executor = (await project.calculateConfigForFile(path.join(root, 'src/controllers/daemonset/execute.ts'))) as Linter.Config;
    const rule = '@typescript-eslint/no-restricted-imports';
    assert.deepEqual(planner.rules?.[rule], layeringRule('src/controllers/daemonset/plan.ts'));
    assert.deepEqual(runtime.rules?.[rule], layeringRule('src/runtime/manager.ts'));
    assert.equal(executor.rules?.[rule], undefined);
  });

  it('fails when a planner imports the REST client', async () => {
    const messages = await lint(
      'src/controllers/daemonset/plan.ts',
      "import type { KubeClient } from '../../runtime/client/rest.ts';\nexport type C = KubeClient;\n",
    );
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0] ?? '', /no-restricted-imports.*makes no API call/);
  });

  it('fails when a planner takes the clock, the logger or a recorder', async () => {
    for (const module of ['../../runtime/clock.ts', '../../runtime/logging.ts', '../../runtime/events.ts', '../../runtime/expectations.ts']) {
      const messages = await lint('src/controllers/statefulset/plan.ts', `import * as m from '${module}';\nexport const x = m;\n`);
      assert.equal(messages.length, 1, `${module}: ${messages.join('\n')}`);
      assert.match(messages[0] ?? '', /no-restricted-imports/);
    }
  });

  it('fails when a pure module sets a timer or reads the wall clock', async () => {
    const messages = await lint(
      'src/controllers/shared/slow-start.ts',
      'export const a = Date.now();\nexport const b = new Date();\nsetTimeout(() => undefined, 1);\n',
    );
    assert.deepEqual(
      messages.map((m) => m.split(':')[0]),
      ['no-restricted-properties', 'no-restricted-syntax', 'no-restricted-globals'],
    );
  });

  it('fails when the runtime imports a controller or a workload kind', async () => {
    const fromController = await lint(
      'src/runtime/manager.ts',
      "import { daemonSetSetup } from '../controllers/daemonset/controller.ts';\nexport const s = daemonSetSetup;\n",
    );
    assert.equal(fromController.length, 1, fromController.join('\n'));
    assert.match(fromController[0] ?? '', /no-restricted-imports.*knows no controller/);
    const fromKind = await lint('src/runtime/informer/informer.ts', "import { myDaemonSets } from '../../api/workloads.ts';\nexport const r = myDaemonSets;\n");
    assert.equal(fromKind.length, 1, fromKind.join('\n'));
    assert.match(fromKind[0] ?? '', /knows no workload kind/);
  });

  it('lets executors use the client, and planners use dates they are given', async () => {
    assert.deepEqual(
      await lint('src/controllers/daemonset/execute.ts', "import type { KubeClient } from '../../runtime/client/rest.ts';\nexport type C = KubeClient;\n"),
      [],
    );
    assert.deepEqual(await lint('src/controllers/daemonset/plan.ts', 'export const at = (now: number): Date => new Date(now);\n'), []);
  });
});

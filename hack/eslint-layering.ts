// The layering of src/, enforced by lint (`npm run lint`, part of `npm test`):
//
//   - src/runtime/ is generic machinery: it imports nothing from src/controllers/ or the workload
//     kinds (src/api/workloads.ts), so any kind can use it and none leaks into it.
//   - Planners and the other pure modules of src/controllers/ decide from a snapshot and return
//     actions: they import no client, clock, logger, recorder, queue or timer, and read no wall
//     clock, so a unit test gives them `now` and checks what they return. The files that do I/O
//     are listed in `impureControllerFiles`; any other file under src/controllers/ is pure.
//
// test/unit/lint-layering.test.ts proves each rule fails on a violating import.
import type { Linter } from 'eslint';

/** The files of src/controllers/ that talk to the API server, the clock or the logger. */
export const impureControllerFiles: string[] = [
  'src/controllers/index.ts',
  'src/controllers/workload-metrics.ts',
  'src/controllers/*/controller.ts',
  'src/controllers/*/execute.ts',
  'src/controllers/*/object-manager.ts',
  'src/controllers/*/event-handlers.ts',
  'src/controllers/deployment/replica-set-claim.ts',
  'src/controllers/shared/claim.ts',
  'src/controllers/shared/create-backoff.ts',
  'src/controllers/shared/create-outcome.ts',
  'src/controllers/shared/owner-events.ts',
  'src/controllers/shared/pod-control.ts',
  'src/controllers/shared/status-writer.ts',
  'src/controllers/shared/workload-controller.ts',
  'src/controllers/shared/workload-reconciler.ts',
];

const ioModules = [
  { group: ['**/runtime/client/*', '**/runtime/client/**'], message: 'a pure module makes no API call: return an action for the executor.' },
  { group: ['**/runtime/clock.ts'], message: 'a pure module takes `now` as an argument.' },
  { group: ['**/runtime/logging.ts', 'winston'], message: 'a pure module logs nothing: return what happened.' },
  {
    group: ['**/runtime/events.ts', '**/runtime/expectations.ts', '**/runtime/controller.ts', '**/runtime/manager.ts', '**/runtime/workqueue/**'],
    message: 'a pure module holds no recorder, expectations or queue: return an action.',
  },
  { group: ['node:timers', 'node:timers/*', '@kubernetes/client-node', 'undici', 'prom-client'], message: 'a pure module has no timer, client or metric.' },
];

export const layering: Linter.Config[] = [
  {
    files: ['src/runtime/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/controllers/*', '**/controllers/**'], message: 'src/runtime/ knows no controller: pass what it needs in.' },
            { group: ['**/api/workloads.ts', '**/admission/*'], message: 'src/runtime/ knows no workload kind.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/controllers/**/*.ts'],
    ignores: impureControllerFiles,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: ioModules }],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'performance', 'fetch'].map((name) => ({
          name,
          message: 'a pure module has no timer or I/O: return a requeueAfter action.',
        })),
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'a pure module takes `now` as an argument.' }],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'a pure module takes `now` as an argument.' },
      ],
    },
  },
];

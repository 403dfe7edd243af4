// promtool's own checks of the alerts and of what they read (`npm run test:rules` runs this file
// alone): the rule file is valid, its unit tests (deploy/prometheus/rules.test.yaml) pass, and the
// operator's exposition, per-object series included, has nothing for `promtool check metrics` to
// flag. promtool comes from PATH (test/artifacts/run.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../../src/api/workloads.ts';
import { collectWorkloadMetrics } from '../../src/controllers/workload-metrics.ts';
// Every module that registers collectors on the shared registry, so the scrape holds their series.
import '../../src/runtime/client/metrics.ts';
import '../../src/runtime/controller.ts';
import '../../src/runtime/expectations.ts';
import '../../src/runtime/informer/reflector.ts';
import '../../src/runtime/leader-election.ts';
import '../../src/runtime/workqueue/metrics.ts';
import { enableProcessMetrics } from '../../src/runtime/metrics/process.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';
import { fileRules, rulesFile, rulesTestFile } from '../support/prometheus-rules.ts';
import { onPath } from './tools.ts';

describe('promtool', () => {
  let promtool = '';

  before(() => {
    promtool = onPath('promtool');
  });

  /** Runs promtool; fails with its output unless it exits 0. Returns stdout and stderr together. */
  function passes(args: readonly string[], input?: string): string {
    const result = spawnSync(promtool, args, { input, encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    assert.equal(result.status, 0, `promtool ${args.join(' ')} failed:\n${output}`);
    return output;
  }

  it('checks deploy/prometheus/rules.yaml', () => {
    assert.match(passes(['check', 'rules', rulesFile]), new RegExp(`SUCCESS: ${fileRules().length} rules found`));
  });

  it('passes the rule tests of deploy/prometheus/rules.test.yaml', () => {
    passes(['test', 'rules', rulesTestFile]);
  });

  it('finds nothing to flag in the metrics the operator exports, per-object series included', async () => {
    enableProcessMetrics();
    const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const ds: MyDaemonSet = {
      metadata: { namespace: 'ns', name: 'agent', uid: 'u1', generation: 1 },
      spec: { selector: { matchLabels: { app: 'a' } }, template },
      status: { desiredNumberScheduled: 2, observedGeneration: 1 },
    };
    const sts: MyStatefulSet = {
      metadata: { namespace: 'ns', name: 'web', uid: 'u2', generation: 1 },
      spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template },
      status: { replicas: 1, currentRevision: 'web-1', updateRevision: 'web-1', observedGeneration: 1 },
    };
    const d: MyDeployment = {
      metadata: { namespace: 'ns', name: 'api', uid: 'u3', generation: 1 },
      spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template },
      status: {
        observedGeneration: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "api-1" has timed out progressing.' }],
      },
    };
    const rs: MyReplicaSet = {
      metadata: { namespace: 'ns', name: 'api-1', uid: 'u4', ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'api', uid: 'u3', controller: true }] },
      spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template },
    };
    const informer = <T extends MyDaemonSet | MyStatefulSet | MyDeployment | MyReplicaSet>(obj: T) => ({ store: { list: () => [obj] }, addEventHandler: () => undefined });
    const unregister = collectWorkloadMetrics({ daemonSets: informer(ds), statefulSets: informer(sts), deployments: informer(d), replicaSets: informer(rs) });
    try {
      const scrape = await registry.metrics();
      assert.match(scrape, /^my_workload_statefulset_status_current_revision\{namespace="ns",statefulset="web",revision="web-1"\} 1$/m);
      assert.match(scrape, /^my_workload_deployment_status_condition\{namespace="ns",deployment="api",condition="Progressing",status="false",reason="ProgressDeadlineExceeded"\} 1$/m);
      assert.match(scrape, /^my_workload_replicaset_owner\{namespace="ns",replicaset="api-1",owner_kind="MyDeployment",owner_name="api",owner_is_controller="true"\} 1$/m);
      assert.equal(passes(['check', 'metrics'], scrape).trim(), '', 'promtool check metrics found problems');
    } finally {
      unregister();
    }
  });
});

// The operator observed through a real Prometheus 3.x (built by hack/build-tools.sh, found on PATH;
// test/e2e/support/prometheus.ts) scraping its /metrics every second and evaluating deploy/prometheus/rules.yaml every second with
// shortened `for:` windows: per-object gauges equal the object's status, reconcile counters move,
// a rollout that cannot finish fires MyWorkloadRolloutStuck, deleted objects leave no series, and
// `promtool check metrics` finds nothing to lint in a raw scrape.
//
// Serial: it runs its own operator process, scoped to the test's namespace (leader election on,
// with the Lease there too), which must be the only one reconciling MyDaemonSets in it.
import assert from 'node:assert/strict';
import type { MyDaemonSet, MyDaemonSetStatus } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { lintMetrics, operatorJob, requirePrometheus, startPrometheus, type RunningPrometheus } from '../support/prometheus.ts';
import { createNamespace, kubeconfigPath, logFile, testClient, waitFor } from '../support/env.ts';

const readyImage = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
/** kwok keeps such a pod Running and never Ready (hack/kwok/kwokctl.yaml). */
const notReadyImage = 'example.com/agnhost:notready';
const dsName = 'observed';
const leaseName = 'mwo-prometheus-e2e';
/** MyWorkloadRolloutStuck's shortened `for:`; its 5m change window becomes 10s. */
const stuckFor = '15s';

const job = `job="${operatorJob}"`;

type CountField = Exclude<keyof MyDaemonSetStatus, 'conditions' | 'rollback' | 'stableRevision'>;

/** status field → gauge, as src/controllers/workload-metrics.ts exports them. */
const daemonSetGauges: readonly (readonly [CountField, string])[] = [
  ['desiredNumberScheduled', 'my_workload_daemonset_status_desired_number_scheduled'],
  ['currentNumberScheduled', 'my_workload_daemonset_status_current_number_scheduled'],
  ['numberReady', 'my_workload_daemonset_status_number_ready'],
  ['updatedNumberScheduled', 'my_workload_daemonset_status_updated_number_scheduled'],
  ['numberAvailable', 'my_workload_daemonset_status_number_available'],
  ['numberMisscheduled', 'my_workload_daemonset_status_number_misscheduled'],
  ['numberUnavailable', 'my_workload_daemonset_status_number_unavailable'],
  ['observedGeneration', 'my_workload_daemonset_status_observed_generation'],
];

function newDaemonSet(namespace: string): MyDaemonSet {
  const labels = { app: dsName };
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDaemonSet',
    metadata: { namespace, name: dsName },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          // The kwok workers, not the tainted control plane (no tolerations) nor nodes other
          // tests add for a while.
          nodeSelector: { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/worker': '' },
          containers: [{ name: 'app', image: readyImage }],
        },
      },
    },
  };
}

describe('Prometheus scraping the operator @own-operator', function () {
  this.timeout(300_000);
  let operator: OperatorProcess | undefined;
  let prometheus: RunningPrometheus | undefined;
  let ns: { name: string; remove: () => Promise<void> } | undefined;

  before(async () => {
    requirePrometheus();
    ns = await createNamespace('prometheus');
    operator = await startOperator({
      kubeconfig: kubeconfigPath(),
      logFile: logFile('operator-prometheus-e2e.log'),
      // One namespace only: other operators (a developer's, the shared one) own the rest.
      args: ['--namespace', ns.name, '--leader-elect', '--leader-election-namespace', ns.name, '--leader-election-id', leaseName],
    });
    assert.ok(operator, 'src/main.ts does not exist');
    prometheus = await startPrometheus({
      scrapeUrl: operator.metricsUrl,
      rules: { for: '5s', forByAlert: { MyWorkloadRolloutStuck: stuckFor }, ranges: { '5m': '10s' } },
      logFile: logFile('prometheus-e2e.log'),
    });
    const prom = prometheus;
    await waitFor('Prometheus to scrape the operator', () => prom.queryValue(`up{${job}}`), (v) => v === 1, { timeoutMs: 30_000 });
  });

  after(async () => {
    await prometheus?.stop();
    await operator?.stop();
    await ns?.remove();
  });

  function started(): { prom: RunningPrometheus; namespace: string; op: OperatorProcess } {
    assert.ok(prometheus && ns && operator, 'setup failed');
    return { prom: prometheus, namespace: ns.name, op: operator };
  }

  const reconciles = (prom: RunningPrometheus): Promise<number | undefined> =>
    prom.queryValue(`sum(controller_runtime_reconcile_total{${job}, controller="daemonset"})`);

  it('exports per-object gauges equal to a rolled-out MyDaemonSet status, and counts the reconciles', async () => {
    const { prom, namespace } = started();
    const client = await testClient();
    const reconcilesBefore = (await reconciles(prom)) ?? 0;
    const requestsBefore = (await prom.queryValue(`sum(rest_client_requests_total{${job}, method="POST"})`)) ?? 0;

    await client.create(myDaemonSets, newDaemonSet(namespace));
    const rolledOut = await waitFor(
      'the MyDaemonSet to roll out',
      () => client.get(myDaemonSets, namespace, dsName),
      (ds) =>
        (ds.status?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 1) &&
        (ds.status?.desiredNumberScheduled ?? 0) > 0 &&
        ds.status?.numberAvailable === ds.status?.desiredNumberScheduled &&
        ds.status?.updatedNumberScheduled === ds.status?.desiredNumberScheduled,
      { timeoutMs: 60_000 },
    );
    assert.ok((rolledOut.status?.desiredNumberScheduled ?? 0) >= 1);

    // Status and scrape race by up to a scrape interval: wait until every gauge agrees with the
    // object as it is at that moment.
    const selector = `${job}, namespace="${namespace}", daemonset="${dsName}"`;
    await waitFor(
      'the my_workload_daemonset gauges to equal the status',
      async () => {
        const ds = await client.get(myDaemonSets, namespace, dsName);
        const rows: string[] = [];
        for (const [field, gauge] of daemonSetGauges) {
          const want = ds.status?.[field] ?? 0;
          const got = await prom.queryValue(`${gauge}{${selector}}`);
          if (got !== want) rows.push(`${gauge}: prometheus ${String(got)}, status.${field} ${String(want)}`);
        }
        const generation = await prom.queryValue(`my_workload_daemonset_metadata_generation{${selector}}`);
        if (generation !== ds.metadata.generation) rows.push(`metadata_generation: ${String(generation)} vs ${String(ds.metadata.generation)}`);
        return rows;
      },
      (rows) => rows.length === 0,
      { timeoutMs: 30_000 },
    );

    const rollout = `${job}, kind="MyDaemonSet", namespace="${namespace}", name="${dsName}"`;
    await waitFor('the rollout to show as done', () => prom.queryValue(`my_workload_rollout_in_progress{${rollout}}`), (v) => v === 0, {
      timeoutMs: 15_000,
    });
    const transition = await prom.queryValue(`my_workload_rollout_last_transition_timestamp_seconds{${rollout}}`);
    assert.ok(transition !== undefined && transition <= Date.now() / 1000 && transition > Date.now() / 1000 - 300, `transition ${String(transition)}`);

    const reconcilesAfter = await waitFor('reconciles to be counted', () => reconciles(prom), (v) => (v ?? 0) > reconcilesBefore, {
      timeoutMs: 15_000,
    });
    assert.ok((reconcilesAfter ?? 0) > reconcilesBefore);
    const latencyCount = await prom.queryValue(`sum(controller_runtime_reconcile_time_seconds_count{${job}, controller="daemonset"})`);
    assert.ok((latencyCount ?? 0) > 0, 'no reconcile latency observed');
    const requestsAfter = (await prom.queryValue(`sum(rest_client_requests_total{${job}, method="POST"})`)) ?? 0;
    assert.ok(requestsAfter > requestsBefore, 'pod creations are not counted as POST requests');
  });

  it('reports a leader, and no alert about the operator itself', async () => {
    const { prom } = started();
    assert.equal(await prom.queryValue(`max(leader_election_master_status{${job}, name="${leaseName}"})`), 1);
    // Reconcile errors are left out: a conflict or two during a rollout is normal, and over a
    // 10 s window they can briefly cross the ratio.
    const operatorAlerts = ['MyWorkloadNoLeader', 'MyWorkloadOperatorDown', 'MyWorkloadWorkQueueDepthHigh', 'MyWorkloadLongRunningReconcile'];
    const active = (await prom.alerts()).filter((a) => operatorAlerts.includes(a.labels.alertname ?? ''));
    assert.deepEqual(active, []);
  });

  it('passes promtool check metrics on a raw scrape of /metrics', async () => {
    const { op } = started();
    const { problems, scrape } = await lintMetrics(op.metricsUrl);
    assert.match(scrape, /^my_workload_daemonset_status_number_available\{/m, 'the scrape holds per-object series');
    assert.deepEqual(problems, []);
  });

  it('fires MyWorkloadRolloutStuck for a rollout whose new pods never become available', async () => {
    const { prom, namespace } = started();
    const client = await testClient();
    await client.patch(myDaemonSets, namespace, dsName, 'merge', {
      spec: { template: { spec: { containers: [{ name: 'app', image: notReadyImage }] } } },
    });
    const rollout = `${job}, kind="MyDaemonSet", namespace="${namespace}", name="${dsName}"`;
    await waitFor('the rollout to show as in progress', () => prom.queryValue(`my_workload_rollout_in_progress{${rollout}}`), (v) => v === 1, {
      timeoutMs: 30_000,
    });
    const startedAt = Date.now();
    const alert = await prom.waitForAlert('MyWorkloadRolloutStuck', {
      labels: { kind: 'MyDaemonSet', namespace, name: dsName },
      // maxUnavailable 1: one pod is replaced and never becomes available, then nothing moves.
      // Firing takes the 10 s change window plus `for`, give or take scrapes and evaluations.
      timeoutMs: 90_000,
    });
    assert.equal(alert.labels.severity, 'warning');
    assert.equal(alert.annotations.summary, 'MyDaemonSet rollout is stuck.');
    assert.equal(alert.annotations.runbook_url, 'docs/runbooks.md#myworkloadrolloutstuck');
    const ds = await client.get(myDaemonSets, namespace, dsName);
    assert.ok((ds.status?.numberAvailable ?? 0) < (ds.status?.desiredNumberScheduled ?? 0), 'the rollout is not stuck after all');
    console.log(`      MyWorkloadRolloutStuck fired ${((Date.now() - startedAt) / 1000).toFixed(0)} s after the rollout started`);
  });

  it('drops every series of a deleted object', async () => {
    const { prom, namespace } = started();
    const client = await testClient();
    await client.delete(myDaemonSets, namespace, dsName);
    await waitFor(
      'the deleted MyDaemonSet to leave no series',
      () =>
        prom.query(
          `{__name__=~"my_workload_(daemonset|rollout)_.*", ${job}, namespace="${namespace}"}`,
        ),
      (samples) => samples.length === 0,
      { timeoutMs: 30_000 },
    );
    // The alert resolves with its series.
    await waitFor(
      'MyWorkloadRolloutStuck to resolve',
      () => prom.alerts(),
      (alerts) => !alerts.some((a) => a.labels.alertname === 'MyWorkloadRolloutStuck' && a.labels.namespace === namespace),
      { timeoutMs: 30_000 },
    );
  });
});

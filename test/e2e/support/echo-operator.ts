// A minimal operator built on src/runtime, for testing the runtime itself (leader election,
// metrics, readiness) without any workload controller. Its one controller, "echo", stamps every
// ConfigMap labelled `e2e.my.dev/echo=true` with the annotation `e2e.my.dev/echoed-by: <identity>`,
// so a test can see which process reconciled.
//
//   node test/e2e/support/echo-operator.ts   (configured by environment variables)
//   KUBECONFIG, ECHO_NAMESPACE, ECHO_IDENTITY, ECHO_LEASE_NAMESPACE, ECHO_LEASE_NAME,
//   ECHO_METRICS_ADDR, ECHO_HEALTH_ADDR, ECHO_LEADER_ELECT (default "true")
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/api/meta.ts';
import { configMaps } from '../../../src/api/resources.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { KubeClient } from '../../../src/runtime/client/rest.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../../src/runtime/controller.ts';
import { Controller } from '../../../src/runtime/controller.ts';
import { objectKey } from '../../../src/runtime/informer/store.ts';
import { createLogger } from '../../../src/runtime/logging.ts';
import { Manager } from '../../../src/runtime/manager.ts';

export const echoLabel = 'e2e.my.dev/echo';
export const echoedByAnnotation = 'e2e.my.dev/echoed-by';

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<number> {
  const identity = env('ECHO_IDENTITY');
  const namespace = env('ECHO_NAMESPACE');
  const logger = createLogger({ level: 'debug', pretty: false }).child({ identity });
  const kc = new KubeConfig();
  kc.loadFromFile(env('KUBECONFIG'));
  const client = await KubeClient.fromKubeConfig(kc, { qps: 50, burst: 100 });
  const manager = new Manager({
    client,
    logger,
    namespace,
    metricsBindAddress: env('ECHO_METRICS_ADDR'),
    healthProbeBindAddress: env('ECHO_HEALTH_ADDR'),
    leaderElection:
      env('ECHO_LEADER_ELECT', 'true') === 'true'
        ? { namespace: env('ECHO_LEASE_NAMESPACE', namespace), name: env('ECHO_LEASE_NAME', 'echo-operator'), identity }
        : undefined,
  });
  const informer = manager.informers.informerFor(configMaps);
  const reconciler: Reconciler = {
    async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
      const cm = informer.store.get(key);
      if (!cm || cm.metadata.labels?.[echoLabel] !== 'true') return { kind: 'done' };
      if (cm.metadata.annotations?.[echoedByAnnotation] === identity) return { kind: 'done' };
      try {
        await client.patch(configMaps, cm.metadata.namespace, cm.metadata.name ?? '', 'merge', {
          metadata: { annotations: { [echoedByAnnotation]: identity } },
        }, { signal: ctx.signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return { kind: 'done' };
    },
  };
  const controller = new Controller({ name: 'echo', reconciler, workers: 2, logger: logger.child({ controller: 'echo' }) });
  const enqueue = (obj: KubeObject): void => controller.enqueue(objectKey(obj));
  informer.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  manager.addController(controller);

  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  const outcome = await manager.run(stop.signal);
  logger.info('exiting', { outcome });
  return outcome === 'lost-lease' ? 1 : 0;
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

// The manager owns everything a controller process shares: the informers, the event recorder, the
// metrics and health endpoints and leader election (controller-runtime's manager). Lifecycle:
//
//   start servers and webhooks → start informers → wait for caches → [leader election] → start controllers
//   signal abort  → stop controllers (drain in-flight work) → release the lease → stop informers
//                 → withdraw and stop webhooks
//
// A standby (leader election on, lease held elsewhere) keeps its caches warm and reports ready, so
// a takeover needs no relist. Every replica serves webhooks, leader or not: admission needs no
// cache and must not pause during a leader change.
import type { KubeClient } from './client/rest.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import type { Controller } from './controller.ts';
import { EventRecorder } from './events.ts';
import { startHttpServer, type HealthCheck, type RunningServer } from './http-server.ts';
import { InformerFactory } from './informer/informer.ts';
import type { LeaderElectorOptions } from './leader-election.ts';
import { LeaderElector } from './leader-election.ts';
import type { Logger } from './logging.ts';
import { enableProcessMetrics } from './metrics/process.ts';
import type { Webhooks } from './webhook/webhooks.ts';

/** The Lease and its timings; the manager supplies the client, clock, logger and recorder. */
export type LeaderElectionConfig = Pick<
  LeaderElectorOptions,
  'namespace' | 'name' | 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'
>;

export interface ManagerOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  /** Watch and manage one namespace only; undefined = all. */
  readonly namespace?: string;
  /** Undefined = no leader election (this process always leads). */
  readonly leaderElection?: LeaderElectionConfig;
  /** `host:port`, `:port`, or `0` to disable. */
  readonly metricsBindAddress: string;
  readonly healthProbeBindAddress: string;
  /** Admission webhooks to serve and register; undefined = none (--webhook-bind-address 0). */
  readonly webhooks?: Webhooks;
  /** How long in-flight reconciles may run after shutdown starts (ms). Default 30 000. */
  readonly gracefulShutdownMs?: number;
  readonly clock?: Clock;
}

export class Manager {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly informers: InformerFactory;
  readonly events: EventRecorder;
  readonly namespace: string | undefined;
  readonly webhooks: Webhooks | undefined;
  private readonly options: ManagerOptions;
  private readonly controllers: Controller[] = [];
  private readonly clock: Clock;

  constructor(options: ManagerOptions) {
    this.options = options;
    this.client = options.client;
    this.logger = options.logger;
    this.namespace = options.namespace;
    this.webhooks = options.webhooks;
    this.clock = options.clock ?? realClock;
    this.informers = new InformerFactory({
      client: options.client,
      logger: options.logger,
      namespace: options.namespace,
      clock: this.clock,
    });
    this.events = new EventRecorder({
      client: options.client,
      logger: options.logger.child({ component: 'events' }),
      clock: this.clock,
    });
  }

  addController(controller: Controller): void {
    this.controllers.push(controller);
  }

  /**
   * Runs until `signal` aborts (SIGTERM) or the lease is lost. Resolves with the exit reason; the
   * caller exits the process, as upstream controllers do after losing the lease.
   */
  async run(signal: AbortSignal): Promise<'stopped' | 'lost-lease'> {
    const log = this.logger;
    enableProcessMetrics();
    const informerStop = new AbortController();
    const servers: RunningServer[] = [];
    const checks: HealthCheck[] = [{ name: 'informers-synced', check: () => this.cacheCheck() }];
    servers.push(...(await this.startServers(checks)));
    if (this.webhooks) {
      checks.push(this.webhooks.readinessCheck());
      await this.webhooks.start();
    }

    this.informers.start(informerStop.signal);
    log.info('waiting for caches to sync');
    try {
      await this.informers.waitForCacheSync(signal);
    } catch {
      await this.stop(informerStop, servers, undefined);
      return 'stopped';
    }
    log.info('caches synced');

    let outcome: 'stopped' | 'lost-lease' = 'stopped';
    const election = this.options.leaderElection;
    let elector: LeaderElector | undefined;
    if (!election) {
      this.startControllers();
      await waitAbort(signal);
    } else {
      elector = new LeaderElector({
        client: this.client,
        namespace: election.namespace,
        name: election.name,
        identity: election.identity,
        leaseDurationMs: election.leaseDurationMs,
        renewDeadlineMs: election.renewDeadlineMs,
        retryPeriodMs: election.retryPeriodMs,
        clock: this.clock,
        logger: log.child({ component: 'leader-election' }),
      });
      outcome = await new Promise<'stopped' | 'lost-lease'>((resolve) => {
        let leading = false;
        signal.addEventListener('abort', () => resolve('stopped'), { once: true });
        elector
          ?.run({
            signal,
            onStartedLeading: () => {
              leading = true;
              log.info('became leader', { identity: election.identity });
              this.startControllers();
            },
            onStoppedLeading: () => {
              if (leading && !signal.aborted) {
                log.error('leader lease lost, stopping', { identity: election.identity });
                resolve('lost-lease');
              }
            },
            onNewLeader: (identity: string) => log.info('leader observed', { leader: identity }),
          })
          .catch((err: unknown) => {
            log.error('leader election failed', { err });
            resolve('lost-lease');
          });
      });
    }
    // A lost lease means another process may already be reconciling: stop at once, aborting
    // in-flight work (upstream exits on the spot). A requested stop drains gracefully and hands the
    // lease back.
    await this.stop(informerStop, servers, outcome === 'stopped' ? elector : undefined, outcome === 'lost-lease' ? 0 : undefined);
    return outcome;
  }

  private startControllers(): void {
    for (const c of this.controllers) c.start();
  }

  private async stop(
    informerStop: AbortController,
    servers: RunningServer[],
    elector: LeaderElector | undefined,
    deadlineMs?: number,
  ): Promise<void> {
    const deadline = deadlineMs ?? this.options.gracefulShutdownMs ?? 30_000;
    await Promise.all(this.controllers.map((c) => c.shutdown(deadline)));
    if (elector) {
      try {
        await elector.release();
      } catch (err) {
        this.logger.warn('could not release the lease', { err });
      }
    }
    // Each step is logged: a shutdown that hangs then says where.
    this.logger.debug('shutdown: flushing events');
    await this.events.shutdown();
    this.logger.debug('shutdown: stopping informers');
    informerStop.abort();
    await this.informers.stopped();
    this.logger.debug('shutdown: stopping webhooks');
    await this.webhooks?.stop();
    this.logger.debug('shutdown: closing servers');
    await Promise.all(servers.map((s) => s.close()));
  }

  private cacheCheck(): string | undefined {
    const unsynced = this.informers.unsynced();
    return unsynced.length === 0 ? undefined : `caches not synced: ${unsynced.join(', ')}`;
  }

  private async startServers(readiness: HealthCheck[]): Promise<RunningServer[]> {
    const servers: RunningServer[] = [];
    const metrics = await startHttpServer({ bindAddress: this.options.metricsBindAddress, metrics: true });
    if (metrics) servers.push(metrics);
    const health = await startHttpServer({ bindAddress: this.options.healthProbeBindAddress, healthz: [], readyz: readiness });
    if (health) servers.push(health);
    for (const s of servers) this.logger.info('serving', { address: s.address });
    return servers;
  }
}

function waitAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

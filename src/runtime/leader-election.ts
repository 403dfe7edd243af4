// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics
// (upstream: tools/leaderelection/leaderelection.go, resourcelock/leaselock.go).
//
// Safety rests on one rule: a candidate never compares the Lease's renewTime with its own clock.
// It only notes, by its own clock, when it last saw the record change, and takes the Lease once
// the record has stayed the same for leaseDurationSeconds. The holder renews every retry period
// and gives up once no renewal has succeeded for renewDeadline (< leaseDuration), so it stops
// before any candidate can have waited out the lease, whatever the clock skew between machines.
//
// The decisions are pure functions (`decide`, `nextRecord`, `releaseRecord`), tested without a
// server; LeaderElector only does I/O, timing and callbacks around them.
import { Counter, Gauge } from 'prom-client';
import type { Lease } from '../api/core.ts';
import type { Resource } from '../api/resources.ts';
import { leases } from '../api/resources.ts';
import { isConflict, isNotFound } from './client/errors.ts';
import type { Clock } from './clock.ts';
import { jitter, realClock } from './clock.ts';
import type { Logger } from './logging.ts';
import { silentLogger } from './logging.ts';
import { registry, singleton } from './metrics/registry.ts';
import { formatMicroTime } from './time.ts';

// ---- metrics (names as client-go's component-base leaderelection metrics) ----------------------

const leaderElectionMasterStatus = singleton(
  'leader_election_master_status',
  () =>
    new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
      labelNames: ['name'] as const,
      registers: [registry],
    }),
);

/**
 * Renewals by the holder that had to read the Lease first (GET, then PUT) instead of the fast path
 * (a PUT on the Lease returned by our previous write). That happens when the optimistic PUT failed
 * (409 Conflict, transport error), when our own last observation is older than the lease duration,
 * or when a (re)started process finds itself already named holder. A rising rate means renewals
 * race with other writers or with a slow API server. upstream: leaderelection.go tryAcquireOrRenew.
 */
const leaderElectionSlowpath = singleton(
  'leader_election_slowpath_total',
  () =>
    new Counter({
      name: 'leader_election_slowpath_total',
      help: 'Total number of slow path exercised in renewing leader leases.',
      labelNames: ['name'] as const,
      registers: [registry],
    }),
);

// ---- pure decision logic --------------------------------------------------------------------

/** The leader-election fields of a Lease spec (upstream: resourcelock.LeaderElectionRecord). */
export interface LeaderElectionRecord {
  /** "" when nobody holds the Lease (never held, or released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** MicroTime strings, written by the holder; informational only, never compared with our clock. */
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
}

export type Decision = 'acquire' | 'renew' | 'wait';

/**
 * What to do with a Lease whose record is `observed` and that we last saw change at
 * `lastChangeSeenAt` (ms, our clock):
 * - `renew`: we are the holder (also after a restart under the same identity);
 * - `acquire`: nobody holds it, or the record has not changed for its leaseDurationSeconds by our
 *   clock, so the holder has stopped renewing;
 * - `wait`: somebody else holds a lease that is still valid as far as we can tell.
 * upstream: leaderelection.go tryAcquireOrRenew and isLeaseValid.
 */
export function decide(observed: LeaderElectionRecord, lastChangeSeenAt: number, now: number, identity: string): Decision {
  if (observed.holderIdentity === identity) return 'renew';
  if (observed.holderIdentity === '') return 'acquire';
  return isLeaseValid(observed, lastChangeSeenAt, now) ? 'wait' : 'acquire';
}

/** True while fewer than leaseDurationSeconds have passed since we saw the record change. */
export function isLeaseValid(observed: LeaderElectionRecord, lastChangeSeenAt: number, now: number): boolean {
  return lastChangeSeenAt + observed.leaseDurationSeconds * 1000 > now;
}

/**
 * The record to write after an `acquire` or `renew` decision. A renewal keeps acquireTime and
 * leaseTransitions; a takeover sets acquireTime and bumps leaseTransitions. `current` is undefined
 * when the Lease does not exist yet (it is created with 0 transitions).
 */
export function nextRecord(
  decision: 'acquire' | 'renew',
  current: LeaderElectionRecord | undefined,
  identity: string,
  leaseDurationMs: number,
  now: number,
): LeaderElectionRecord {
  const time = formatMicroTime(now);
  const leaseDurationSeconds = Math.floor(leaseDurationMs / 1000);
  if (current === undefined) {
    return { holderIdentity: identity, leaseDurationSeconds, acquireTime: time, renewTime: time, leaseTransitions: 0 };
  }
  if (decision === 'renew') {
    return {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: current.acquireTime === '' ? time : current.acquireTime,
      renewTime: time,
      leaseTransitions: current.leaseTransitions,
    };
  }
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: time,
    renewTime: time,
    leaseTransitions: current.leaseTransitions + 1,
  };
}

/**
 * The record a holder writes when stepping down: no holder and a 1 s lease, so candidates take it
 * on their next try instead of waiting out the lease. upstream: leaderelection.go release
 * (ReleaseOnCancel).
 */
export function releaseRecord(current: LeaderElectionRecord, now: number): LeaderElectionRecord {
  const time = formatMicroTime(now);
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: time,
    renewTime: time,
    leaseTransitions: current.leaseTransitions,
  };
}

/** Reads the record from a Lease as sent by the API server (absent fields are zero values). */
export function recordFromLease(lease: Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? '',
    renewTime: spec.renewTime ?? '',
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

export function sameRecord(a: LeaderElectionRecord, b: LeaderElectionRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** Upstream JitterFactor: candidates retry every retryPeriod × [1, 2.2). */
export const jitterFactor = 1.2;

/** The wait between a candidate's tries: retryPeriod × [1, 1 + jitterFactor). */
export function candidateRetryDelay(retryPeriodMs: number, random: () => number = Math.random): number {
  return jitter(retryPeriodMs, jitterFactor, random);
}

export class LeaderElectionConfigError extends Error {
  override readonly name = 'LeaderElectionConfigError';
}

export interface LeaderElectionTimings {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/**
 * Throws unless leaseDuration > renewDeadline > 1.2 × retryPeriod > 0 (upstream:
 * NewLeaderElector), and the lease is at least 1 s (it is written in whole seconds).
 */
export function validateTimings(t: LeaderElectionTimings): void {
  if (!(t.retryPeriodMs > 0)) throw new LeaderElectionConfigError('retryPeriod must be greater than zero');
  if (!(t.leaseDurationMs >= 1000)) throw new LeaderElectionConfigError('leaseDuration must be at least 1s');
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) {
    throw new LeaderElectionConfigError('leaseDuration must be greater than renewDeadline');
  }
  if (!(t.renewDeadlineMs > jitterFactor * t.retryPeriodMs)) {
    throw new LeaderElectionConfigError('renewDeadline must be greater than retryPeriod*1.2');
  }
}

// ---- the elector ----------------------------------------------------------------------------

/** The calls the elector makes; KubeClient satisfies it. */
export interface LeaseClient {
  get(res: Resource<Lease>, namespace: string, name: string, signal?: AbortSignal): Promise<Lease>;
  create(res: Resource<Lease>, obj: Lease, options?: { readonly signal?: AbortSignal }): Promise<Lease>;
  update(res: Resource<Lease>, obj: Lease, options?: { readonly signal?: AbortSignal }): Promise<Lease>;
  /**
   * Optional: a watch on the Lease. With it, a candidate tries again as soon as the holder releases
   * the Lease instead of at its next jittered retry (up to 2.2 × retryPeriod later), so a graceful
   * hand-over takes well under a second. Upstream only polls.
   */
  watch?(
    res: Resource<Lease>,
    options: { readonly namespace?: string; readonly fieldSelector?: string; readonly signal?: AbortSignal; readonly allowWatchBookmarks?: boolean },
  ): AsyncIterable<{ readonly type: string; readonly object: Lease }>;
}

/** Where leadership changes are reported as Events on the Lease (EventRecorder satisfies it). */
export interface LeaseEventRecorder {
  event(
    obj: { readonly apiVersion: string; readonly kind: string; readonly metadata: Lease['metadata'] },
    type: 'Normal',
    reason: string,
    message: string,
  ): void;
}

export interface LeaderElectorOptions {
  readonly namespace: string;
  /** Lease name; also the `name` label of the leader_election_* metrics. */
  readonly name: string;
  /** Unique among live candidates. A restarted process with the same identity takes the Lease back
   *  at once (src/main.ts makes the pod or host name the default for that reason); two live
   *  processes sharing one would both lead. */
  readonly identity: string;
  /** How long candidates wait after the record last changed before taking over. Default 15 000. */
  readonly leaseDurationMs?: number;
  /** The holder steps down when no renewal has succeeded for this long. Default 10 000. */
  readonly renewDeadlineMs?: number;
  /** Time between renewals, and the base of a candidate's jittered retry. Default 2 000. */
  readonly retryPeriodMs?: number;
  readonly client: LeaseClient;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Records `<identity> became leader` / `stopped leading` on the Lease, as upstream. */
  readonly recorder?: LeaseEventRecorder;
  /** Source of randomness for the retry jitter (tests). Default Math.random. */
  readonly random?: () => number;
}

/**
 * Why leadership ended:
 * - `lost`: no renewal succeeded within the renew deadline, or another holder was seen. The owner
 *   must stop at once (upstream callers exit the process); other candidates may already lead.
 * - `released`: release() was called; the Lease is handed back once onStartedLeading has settled.
 * - `stopped`: run()'s signal aborted; the Lease is left to expire.
 */
export type StopReason = 'lost' | 'released' | 'stopped';

export interface LeaderCallbacks {
  /** Called once leadership is acquired. `signal` aborts when leadership ends for any reason.
   *  A returned promise is awaited before release() hands the Lease back. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once, right after leadership ends (only if it began). */
  onStoppedLeading(reason: StopReason): void;
  /** Called when the observed holder changes (ours included; "" after a release). */
  onNewLeader?(identity: string): void;
}

export interface LeaderRunOptions extends LeaderCallbacks {
  /** Ends the candidacy without releasing the Lease (it expires after leaseDuration);
   *  onStoppedLeading('stopped') follows if we were leading. Use release() to hand it back. */
  readonly signal?: AbortSignal;
}

type AttemptResult =
  | { readonly kind: 'held'; readonly decision: 'acquire' | 'renew' }
  | { readonly kind: 'heldByOther'; readonly holder: string }
  | { readonly kind: 'failed'; readonly err: unknown };

type RenewOutcome = 'lost' | 'stopped';

/** What we last saw of the record and when, by our clock, we saw it change. */
interface Observation {
  readonly record: LeaderElectionRecord;
  readonly changedAt: number;
}

/**
 * Runs for leadership of one Lease. One run() at a time; after it resolves, run() may be called
 * again (a new candidacy). Guarantees to callers:
 * - onStartedLeading's signal aborts, and onStoppedLeading('lost') is called, at the latest
 *   renewDeadline after the start of the last successful renewal (upstream measures from the
 *   start of each renew round, up to one retry period later);
 * - after release() resolves, this process no longer holds the Lease (unless the write failed,
 *   which is logged; the Lease then expires after leaseDuration).
 */
export class LeaderElector {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly client: LeaseClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly recorder: LeaseEventRecorder | undefined;
  private readonly random: () => number;

  /** The last record seen (read or written) and when it changed. */
  private observation: Observation | undefined;
  /** The Lease as returned by our last read or write: the resourceVersion the next PUT carries. */
  private lastLease: Lease | undefined;
  private reportedLeader = '';
  private leading = false;
  private releaseRequested = false;
  private stopController: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.namespace = options.namespace;
    this.name = options.name;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    validateTimings(this);
    if (this.identity === '') throw new LeaderElectionConfigError('identity must not be empty');
    if (this.name === '' || this.namespace === '') {
      throw new LeaderElectionConfigError('lease namespace and name must not be empty');
    }
    this.client = options.client;
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger()).child({ lease: `${this.namespace}/${this.name}`, identity: this.identity });
    this.recorder = options.recorder;
    this.random = options.random ?? Math.random;
    leaderElectionMasterStatus.set({ name: this.name }, 0);
  }

  /** True from a successful acquisition until leadership ends. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder in the last record we saw ("" if none or not yet seen). */
  get leader(): string {
    return this.observation?.record.holderIdentity ?? '';
  }

  /**
   * Tries to acquire the Lease, then renews it until it is lost, release() is called or
   * `options.signal` aborts. Resolves when the candidacy is over (on release, once the Lease is
   * handed back). Never rejects on API errors: they are logged and retried.
   */
  run(options: LeaderRunOptions): Promise<void> {
    if (this.running !== undefined) return Promise.reject(new Error('LeaderElector.run is already running'));
    const { signal } = options;
    const callbacks: LeaderCallbacks = options;
    const stop = new AbortController();
    this.stopController = stop;
    this.releaseRequested = false;
    const onAbort = (): void => stop.abort(signal?.reason);
    if (signal?.aborted) stop.abort(signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const running = this.runElection(callbacks, stop.signal).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      this.running = undefined;
      this.stopController = undefined;
    });
    this.running = running;
    return running;
  }

  /**
   * Steps down: stops acquiring or renewing, aborts onStartedLeading's signal, waits for its
   * promise, then writes holderIdentity "" and leaseDurationSeconds 1 so a candidate takes over on
   * its next try. Safe to call when not leading (it then only checks that the Lease does not name
   * us, e.g. after an acquisition whose answer was cut off). Never rejects; failures are logged.
   */
  async release(): Promise<void> {
    this.releaseRequested = true;
    if (this.running !== undefined) {
      this.stopController?.abort(new Error('leader election released'));
      await this.running;
      return;
    }
    await this.releaseLease();
  }

  private async runElection(callbacks: LeaderCallbacks, stop: AbortSignal): Promise<void> {
    const acquiredAt = await this.acquire(stop, callbacks);
    if (acquiredAt === undefined) {
      if (this.releaseRequested) await this.releaseLease(callbacks);
      return;
    }

    const leadership = new AbortController();
    this.setLeading(true);
    this.logger.info('successfully acquired lease');
    this.recordEvent('became leader');
    const work = Promise.resolve()
      .then(() => callbacks.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.logger.error('onStartedLeading failed', { err }));

    const outcome = await this.renew(stop, acquiredAt, callbacks);
    const reason: StopReason = outcome === 'lost' ? 'lost' : this.releaseRequested ? 'released' : 'stopped';
    // Report first, before any further I/O: on 'lost' another candidate may already be leading.
    leadership.abort(new Error(`leadership ${reason}`));
    this.setLeading(false);
    this.logger.info('stopped leading', { reason });
    this.safely('onStoppedLeading', () => callbacks.onStoppedLeading(reason));
    this.recordEvent('stopped leading');
    if (reason === 'released') {
      await work;
      await this.releaseLease(callbacks);
    }
  }

  /**
   * Tries every retryPeriod × [1, 2.2) until held, and at once when a watch shows the Lease released;
   * returns the start time of the winning try.
   */
  private async acquire(stop: AbortSignal, callbacks: LeaderCallbacks): Promise<number | undefined> {
    this.logger.info('attempting to acquire leader lease');
    const candidacy = new AbortController();
    const ended = AbortSignal.any([stop, candidacy.signal]);
    let wake = new AbortController();
    void this.watchForRelease(ended, () => wake.abort());
    try {
      while (!stop.aborted) {
        const started = this.clock.now();
        const result = await this.attempt(stop, started + this.renewDeadlineMs);
        this.maybeReportTransition(callbacks);
        if (stop.aborted) return undefined;
        if (result.kind === 'held') return started;
        if (result.kind === 'failed') this.logger.warn('failed to acquire lease', { err: result.err });
        else this.logger.debug('lease is held by another candidate', { holder: result.holder });
        try {
          await this.clock.sleep(this.candidateDelay(), AbortSignal.any([stop, wake.signal]));
        } catch {
          if (stop.aborted) return undefined;
          wake = new AbortController();
        }
      }
      return undefined;
    } finally {
      candidacy.abort();
    }
  }

  /**
   * The jittered retry delay, cut short to the moment the observed lease expires (by our clock),
   * so a dead holder is replaced leaseDuration after its last renewal we saw.
   */
  private candidateDelay(): number {
    const delay = candidateRetryDelay(this.retryPeriodMs, this.random);
    const observed = this.observation;
    if (!observed || observed.record.holderIdentity === '') return delay;
    const expiresIn = observed.changedAt + observed.record.leaseDurationSeconds * 1000 - this.clock.now();
    return expiresIn > 0 ? Math.min(delay, expiresIn + 10) : delay;
  }

  /** Calls `onRelease` whenever the watched Lease shows no holder; ends with `signal`. */
  private async watchForRelease(signal: AbortSignal, onRelease: () => void): Promise<void> {
    const watch = this.client.watch?.bind(this.client);
    if (!watch) return;
    while (!signal.aborted) {
      try {
        for await (const event of watch(leases, {
          namespace: this.namespace,
          fieldSelector: `metadata.name=${this.name}`,
          signal,
        })) {
          if (event.type !== 'ADDED' && event.type !== 'MODIFIED') continue;
          // Every renewal seen here refreshes our observation, so the lease expiry we wait for is
          // measured from the holder's last renewal, not from our last poll.
          this.lastLease = event.object;
          this.observe(recordFromLease(event.object));
          if (!event.object.spec?.holderIdentity) onRelease();
        }
      } catch {
        // A failed watch only costs the fast path; the jittered retry still runs.
      }
      if (!signal.aborted) await this.clock.sleep(this.retryPeriodMs, signal).catch(() => undefined);
    }
  }

  /**
   * Renews every retryPeriod. Lost when no renewal has succeeded by renewDeadline after the start
   * of the last successful one, or at once when the Lease names another holder (upstream keeps
   * polling until the deadline; by then that holder has waited out our lease, so we are late).
   */
  private async renew(stop: AbortSignal, renewedAt: number, callbacks: LeaderCallbacks): Promise<RenewOutcome> {
    let lastRenewStart = renewedAt;
    for (;;) {
      const deadline = lastRenewStart + this.renewDeadlineMs;
      const wait = Math.min(this.retryPeriodMs, Math.max(0, deadline - this.clock.now()));
      try {
        if (wait > 0) await this.clock.sleep(wait, stop);
      } catch {
        return 'stopped';
      }
      if (stop.aborted) return 'stopped';
      const started = this.clock.now();
      if (started >= deadline) {
        this.logger.error('failed to renew lease within the renew deadline', {
          renewDeadlineMs: this.renewDeadlineMs,
        });
        return 'lost';
      }
      const result = await this.attempt(stop, deadline);
      this.maybeReportTransition(callbacks);
      if (stop.aborted) return 'stopped';
      switch (result.kind) {
        case 'held':
          lastRenewStart = started;
          break;
        case 'heldByOther':
          this.logger.error('lease was taken by another holder', { holder: result.holder });
          return 'lost';
        case 'failed':
          this.logger.warn('failed to renew lease', { err: result.err });
          break;
        default: {
          const unreachable: never = result;
          return unreachable;
        }
      }
    }
  }

  /** One tryAcquireOrRenew whose requests are aborted at `deadline` (our clock) or on stop. */
  private async attempt(stop: AbortSignal, deadline: number): Promise<AttemptResult> {
    const timeout = new AbortController();
    const done = new AbortController();
    void this.clock.sleep(Math.max(0, deadline - this.clock.now()), done.signal).then(
      () => timeout.abort(new Error('renew deadline passed')),
      () => undefined,
    );
    try {
      return await this.tryAcquireOrRenew(AbortSignal.any([stop, timeout.signal]));
    } finally {
      done.abort();
    }
  }

  /** upstream: leaderelection.go tryAcquireOrRenew (fast path, then GET + decide + PUT). */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<AttemptResult> {
    const now = this.clock.now();

    // Fast path: we hold a lease we consider valid; PUT the renewal on the Lease we last wrote.
    const observation = this.observation;
    if (
      this.lastLease !== undefined &&
      observation !== undefined &&
      observation.record.holderIdentity === this.identity &&
      isLeaseValid(observation.record, observation.changedAt, now)
    ) {
      const record = nextRecord('renew', observation.record, this.identity, this.leaseDurationMs, now);
      try {
        this.remember(await this.client.update(leases, withRecord(this.lastLease, record), { signal }));
        return { kind: 'held', decision: 'renew' };
      } catch (err) {
        if (signal.aborted) return { kind: 'failed', err };
        this.logger.debug('optimistic lease update failed, reading the lease (slow path)', { err });
      }
    }

    let current: Lease;
    try {
      current = await this.client.get(leases, this.namespace, this.name, signal);
    } catch (err) {
      if (!isNotFound(err) || signal.aborted) return { kind: 'failed', err };
      const record = nextRecord('acquire', undefined, this.identity, this.leaseDurationMs, now);
      try {
        this.remember(await this.client.create(leases, this.newLease(record), { signal }));
        return { kind: 'held', decision: 'acquire' };
      } catch (createErr) {
        return { kind: 'failed', err: createErr };
      }
    }

    this.lastLease = current;
    const seen = this.observe(recordFromLease(current));
    const decision = decide(seen.record, seen.changedAt, now, this.identity);
    if (decision === 'wait') return { kind: 'heldByOther', holder: seen.record.holderIdentity };
    if (decision === 'renew') leaderElectionSlowpath.inc({ name: this.name });
    const record = nextRecord(decision, seen.record, this.identity, this.leaseDurationMs, now);
    try {
      this.remember(await this.client.update(leases, withRecord(current, record), { signal }));
      return { kind: 'held', decision };
    } catch (err) {
      return { kind: 'failed', err };
    }
  }

  /** GET then PUT of the release record, if the Lease names us; retried on conflict. */
  private async releaseLease(callbacks?: LeaderCallbacks): Promise<void> {
    const done = new AbortController();
    const timeout = new AbortController();
    void this.clock.sleep(this.renewDeadlineMs, done.signal).then(
      () => timeout.abort(new Error('release deadline passed')),
      () => undefined,
    );
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        let current: Lease;
        try {
          current = await this.client.get(leases, this.namespace, this.name, timeout.signal);
        } catch (err) {
          if (isNotFound(err)) this.logger.info('lease not found, nothing to release');
          else this.logger.error('failed to read lease for release', { err });
          return;
        }
        const record = recordFromLease(current);
        if (record.holderIdentity !== this.identity) return;
        try {
          const written = await this.client.update(
            leases,
            withRecord(current, releaseRecord(record, this.clock.now())),
            { signal: timeout.signal },
          );
          this.remember(written);
          this.logger.info('released lease');
          if (callbacks) this.maybeReportTransition(callbacks);
          return;
        } catch (err) {
          if (isConflict(err) && !timeout.signal.aborted) continue;
          this.logger.error('failed to release lease', { err });
          return;
        }
      }
      this.logger.error('failed to release lease: conflicts on every try');
    } finally {
      done.abort();
    }
  }

  private newLease(record: LeaderElectionRecord): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { namespace: this.namespace, name: this.name },
      spec: record,
    };
  }

  /** Keeps a Lease we just wrote: its record is what we observe, changed now. */
  private remember(lease: Lease): void {
    this.lastLease = lease;
    this.observation = { record: recordFromLease(lease), changedAt: this.clock.now() };
  }

  /** Notes a record read from the server; the change time moves only when the record differs. */
  private observe(record: LeaderElectionRecord): Observation {
    const previous = this.observation;
    if (previous !== undefined && sameRecord(previous.record, record)) return previous;
    const next = { record, changedAt: this.clock.now() };
    this.observation = next;
    return next;
  }

  private maybeReportTransition(callbacks: LeaderCallbacks): void {
    const holder = this.observation?.record.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (callbacks.onNewLeader) queueMicrotask(() => this.safely('onNewLeader', () => callbacks.onNewLeader?.(holder)));
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    leaderElectionMasterStatus.set({ name: this.name }, leading ? 1 : 0);
  }

  private recordEvent(what: string): void {
    if (!this.recorder || !this.lastLease) return;
    this.recorder.event(
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: this.lastLease.metadata },
      'Normal',
      'LeaderElection',
      `${this.identity} ${what}`,
    );
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error(`${what} callback failed`, { err });
    }
  }
}

/** A copy of `lease` carrying `record`; other spec fields (strategy, preferredHolder) are kept. */
function withRecord(lease: Lease, record: LeaderElectionRecord): Lease {
  return { ...lease, spec: { ...lease.spec, ...record } };
}

// Where the webhook server's certificate comes from, and when it changes:
//
//   - SelfSignedCertificates (the default): a CA of this process's own, made at start-up and kept
//     in memory only, and a server certificate it signs. Both are renewed at two thirds of their
//     lifetime (rotation.ts). A new server certificate under the same CA needs no new
//     registration; a new CA is registered beside the old one before the server switches to a
//     certificate it signed, and the old one leaves the bundle `caOverlapMs` later.
//   - DirectoryCertificates (--webhook-cert-dir): tls.crt, tls.key and ca.crt as cert-manager (or
//     anyone) writes them into a mounted Secret, re-read every `pollMs` and served as soon as they
//     change; ca.crt is what gets registered.
//
// Either way a consumer reads `current()` and is told through `onChange` (webhook-server.ts
// registers the new CAs, then swaps the server's TLS context).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { Logger } from '../logging.ts';
import type { BundleEntry } from './ca-bundle.ts';
import { bundleEntry, parseBundle } from './ca-bundle.ts';
import type { Authority, CertificateAndKey } from './certificates.ts';
import { createAuthority, issueServingCertificate, splitPemCertificates } from './certificates.ts';
import { filesChanged, renewalDecision, validityFrom } from './rotation.ts';

/** What the server presents, and the CAs the registration must trust for it. */
export interface ServingMaterial {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Every CA to register: the one that signed certificatePem first, then any being retired. */
  readonly authorities: readonly BundleEntry[];
}

export interface CertificateSource {
  /** Makes or reads the first material; rejects if there is none to serve. */
  start(signal: AbortSignal): Promise<ServingMaterial>;
  current(): ServingMaterial | undefined;
  /** Called with each new material after start; the promise is awaited before the next check. */
  onChange(listener: (material: ServingMaterial) => Promise<void>): void;
}

export class CertificateSourceError extends Error {
  override readonly name = 'CertificateSourceError';
}

/**
 * What both sources share: the current material, the listeners, and a loop that checks after each
 * wait and tells the listeners about a change. A failed check is logged and retried at the next
 * turn; the server keeps serving what it has.
 */
abstract class PollingCertificateSource implements CertificateSource {
  protected readonly clock: Clock;
  protected material: ServingMaterial | undefined;
  private readonly listeners: ((material: ServingMaterial) => Promise<void>)[] = [];

  constructor(clock: Clock | undefined) {
    this.clock = clock ?? realClock;
  }

  abstract start(signal: AbortSignal): Promise<ServingMaterial>;
  /** One check: the new material, or undefined if nothing changed. */
  abstract check(): Promise<ServingMaterial | undefined>;
  /** How long to wait before the next check. */
  protected abstract nextWaitMs(): number;
  /** Log lines for a change and for a failed check. */
  protected abstract readonly messages: { readonly changed: string; readonly failed: string; readonly fields: () => Record<string, unknown> };
  protected abstract readonly logger: Logger;

  current(): ServingMaterial | undefined {
    return this.material;
  }

  onChange(listener: (material: ServingMaterial) => Promise<void>): void {
    this.listeners.push(listener);
  }

  protected async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.clock.sleep(this.nextWaitMs(), signal);
      } catch {
        return; // aborted
      }
      try {
        const changed = await this.check();
        if (changed) {
          this.logger.info(this.messages.changed, this.messages.fields());
          for (const listener of this.listeners) await listener(changed);
        }
      } catch (err) {
        this.logger.error(this.messages.failed, { err });
      }
    }
  }
}

// ---- self-signed, in memory ---------------------------------------------------------------------

export interface SelfSignedOptions {
  /** Recorded in the CA (ca-bundle.ts owners). */
  readonly owner: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** Default 5 years: a CA change means a registration write. */
  readonly caLifetimeMs?: number;
  /** Default 1 year. */
  readonly servingLifetimeMs?: number;
  /** How long a replaced CA stays registered. Default 10 minutes. */
  readonly caOverlapMs?: number;
  /** Upper bound of one wait between checks, so a clock jump is noticed. Default 1 hour. */
  readonly maxCheckIntervalMs?: number;
  readonly clock?: Clock;
  readonly logger: Logger;
}

const day = 24 * 3600_000;

export class SelfSignedCertificates extends PollingCertificateSource {
  private readonly options: SelfSignedOptions;
  private authority: Authority | undefined;
  private serving: CertificateAndKey | undefined;
  /** A CA replaced by a rotation, registered until `until`. */
  private retiring: { readonly entry: BundleEntry; readonly until: number } | undefined;
  protected readonly logger: Logger;
  protected readonly messages = {
    changed: 'webhook serving certificate renewed',
    failed: 'webhook certificate renewal failed',
    fields: () => ({ cas: this.material?.authorities.length ?? 0 }),
  };

  constructor(options: SelfSignedOptions) {
    super(options.clock);
    this.options = options;
    this.logger = options.logger;
  }

  async start(signal: AbortSignal): Promise<ServingMaterial> {
    const first = await this.renew();
    void this.loop(signal);
    return first;
  }

  /** One check: renews what is due and returns the new material, or undefined if nothing changed. */
  async check(): Promise<ServingMaterial | undefined> {
    const now = new Date(this.clock.now());
    const caDue = this.authority === undefined || renewalDecision(this.authority, now).kind === 'renew';
    const servingDue = this.serving === undefined || renewalDecision(this.serving, now).kind === 'renew';
    const retire = this.retiring !== undefined && now.getTime() >= this.retiring.until;
    if (!caDue && !servingDue && !retire) return undefined;
    if (retire && !caDue && !servingDue) {
      this.retiring = undefined;
      return this.publish();
    }
    return this.renew(caDue);
  }

  /** When the next check is due. */
  nextCheckAt(): number {
    const now = new Date(this.clock.now());
    const times = [this.clock.now() + (this.options.maxCheckIntervalMs ?? 3600_000)];
    for (const validity of [this.authority, this.serving]) {
      if (validity === undefined) continue;
      const decision = renewalDecision(validity, now);
      times.push(decision.kind === 'keep' ? decision.renewAt.getTime() : now.getTime());
    }
    if (this.retiring) times.push(this.retiring.until);
    return Math.min(...times);
  }

  private async renew(newAuthority = this.authority === undefined): Promise<ServingMaterial> {
    const now = new Date(this.clock.now());
    if (newAuthority || this.authority === undefined) {
      const previous = this.authority;
      this.authority = await createAuthority({
        commonName: 'my-workload-operator webhook CA',
        owner: this.options.owner,
        ...validityFrom(now, this.options.caLifetimeMs ?? 5 * 365 * day),
      });
      this.retiring =
        previous === undefined
          ? undefined
          : { entry: bundleEntry(previous.certificatePem), until: now.getTime() + (this.options.caOverlapMs ?? 10 * 60_000) };
    }
    this.serving = await issueServingCertificate(this.authority, {
      dnsNames: this.options.dnsNames,
      ipAddresses: this.options.ipAddresses,
      ...validityFrom(now, this.options.servingLifetimeMs ?? 365 * day),
    });
    return this.publish();
  }

  private publish(): ServingMaterial {
    if (!this.authority || !this.serving) throw new CertificateSourceError('no certificate yet');
    this.material = {
      certificatePem: this.serving.certificatePem,
      privateKeyPem: this.serving.privateKeyPem,
      authorities: [bundleEntry(this.authority.certificatePem), ...(this.retiring ? [this.retiring.entry] : [])],
    };
    return this.material;
  }

  protected nextWaitMs(): number {
    return Math.max(1000, this.nextCheckAt() - this.clock.now());
  }
}

// ---- from a folder (cert-manager) ---------------------------------------------------------------

export interface DirectoryOptions {
  readonly dir: string;
  /** Default 10 s. */
  readonly pollMs?: number;
  readonly clock?: Clock;
  readonly logger: Logger;
}

interface DirectoryFiles {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly caPem: string;
}

export class DirectoryCertificates extends PollingCertificateSource {
  private readonly options: DirectoryOptions;
  private files: DirectoryFiles | undefined;
  protected readonly logger: Logger;
  protected readonly messages = {
    changed: 'webhook certificate files changed',
    failed: 'reading the webhook certificate files failed',
    fields: () => ({ dir: this.options.dir }),
  };

  constructor(options: DirectoryOptions) {
    super(options.clock);
    this.options = options;
    this.logger = options.logger;
  }

  async start(signal: AbortSignal): Promise<ServingMaterial> {
    const first = await this.check();
    if (!first) throw new CertificateSourceError(`no certificate in ${this.options.dir}`);
    void this.loop(signal);
    return first;
  }

  /** Reads the folder; returns the new material if it changed. */
  async check(): Promise<ServingMaterial | undefined> {
    const read = await this.read();
    if (!filesChanged(this.files, read)) return undefined;
    const chain = splitPemCertificates(read.certificatePem);
    // ca.crt as cert-manager writes it; without one, the top of tls.crt's chain is the anchor.
    const authorities = parseBundle(read.caPem !== '' ? read.caPem : (chain.at(-1) ?? ''));
    if (chain.length === 0 || authorities.length === 0) {
      throw new CertificateSourceError(`${this.options.dir}: tls.crt (and ca.crt, or a chain in tls.crt) must hold certificates`);
    }
    this.files = read;
    this.material = { certificatePem: read.certificatePem, privateKeyPem: read.privateKeyPem, authorities };
    return this.material;
  }

  private async read(): Promise<DirectoryFiles> {
    const file = (name: string): Promise<string> => readFile(path.join(this.options.dir, name), 'utf8');
    try {
      const [certificatePem, privateKeyPem] = await Promise.all([file('tls.crt'), file('tls.key')]);
      const caPem = await file('ca.crt').catch(() => '');
      return { certificatePem, privateKeyPem, caPem };
    } catch (err) {
      throw new CertificateSourceError(`reading tls.crt and tls.key in ${this.options.dir}`, { cause: err });
    }
  }

  protected nextWaitMs(): number {
    return this.options.pollMs ?? 10_000;
  }
}

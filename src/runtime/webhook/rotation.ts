// When to renew a certificate: pure decisions on a validity window and the time, kept apart from
// the timers and crypto that act on them (serving-certificates.ts).
//
// The rule is client-go's certificate manager's (k8s.io/client-go/util/certificate
// certificate_manager.go nextRotationDeadline): renew once most of the lifetime has passed, so a
// renewal that fails has the rest of the lifetime to be retried. Upstream picks a jittered point
// in [70 %, 90 %] of the lifetime to spread a fleet of kubelets; here one process renews its own
// certificates, so a fixed two thirds (cert-manager's default renewBefore) is enough and testable.
import type { Validity } from './certificates.ts';

/** Fraction of a certificate's lifetime after which it is renewed. */
export const renewAfterFraction = 2 / 3;

export type RenewalDecision =
  /** Valid and not yet due: check again at `renewAt`. */
  | { readonly kind: 'keep'; readonly renewAt: Date }
  /** Due, expired, or not valid yet (the clock went back): make a new one now. */
  | { readonly kind: 'renew'; readonly reason: 'due' | 'expired' | 'not-yet-valid' };

export function renewalDecision(validity: Validity, now: Date): RenewalDecision {
  const start = validity.notBefore.getTime();
  const end = validity.notAfter.getTime();
  const at = now.getTime();
  if (at >= end) return { kind: 'renew', reason: 'expired' };
  if (at < start) return { kind: 'renew', reason: 'not-yet-valid' };
  const renewAt = start + (end - start) * renewAfterFraction;
  if (at >= renewAt) return { kind: 'renew', reason: 'due' };
  return { kind: 'keep', renewAt: new Date(renewAt) };
}

/**
 * The validity of a certificate made at `now` for `lifetimeMs`. It starts a little in the past so
 * that an API server whose clock runs behind ours still accepts it (client-go's cert.NewSelfSignedCACert
 * and kubeadm backdate the same way).
 */
export function validityFrom(now: Date, lifetimeMs: number, backdateMs = 5 * 60_000): Validity {
  return { notBefore: new Date(now.getTime() - backdateMs), notAfter: new Date(now.getTime() + lifetimeMs) };
}

/**
 * Whether files read from a certificate folder differ from what is being served. Compared by
 * content, not modification time: the kubelet swaps a Secret volume's files through a symlink,
 * which leaves the times of what the paths point at unrelated to when they changed.
 */
export function filesChanged(
  served: { readonly certificatePem: string; readonly privateKeyPem: string; readonly caPem: string } | undefined,
  read: { readonly certificatePem: string; readonly privateKeyPem: string; readonly caPem: string },
): boolean {
  return (
    served === undefined ||
    served.certificatePem !== read.certificatePem ||
    served.privateKeyPem !== read.privateKeyPem ||
    served.caPem !== read.caPem
  );
}

// The two wire formats of Kubernetes timestamps, in one place so Events, Leases and status
// conditions agree (upstream: k8s.io/apimachinery/pkg/apis/meta/v1 time.go and micro_time.go).
// Both are RFC 3339 in UTC; they differ only in precision, and the API server parses each with its
// exact layout.

/** RFC 3339 up to the seconds, without the zone: `2026-11-25T17:00:00`. */
function wholeSecondsUtc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/**
 * Formats epoch milliseconds as a metav1.Time: RFC 3339 in UTC, whole seconds
 * (`2026-11-25T17:00:00Z`), the fraction truncated as Go's time.Time.Format(time.RFC3339) does.
 * Event timestamps and condition lastTransitionTimes are written this way.
 */
export function formatMetaV1Time(ms: number): string {
  return `${wholeSecondsUtc(Math.floor(ms / 1000))}Z`;
}

/**
 * Formats epoch milliseconds as a metav1.MicroTime: RFC 3339 in UTC with exactly six fractional
 * digits (`2026-11-25T17:00:00.123456Z`). Fractions of a millisecond are kept to the microsecond.
 * The API server parses MicroTime with that exact layout (metav1.RFC3339Micro), so a JavaScript
 * ISO string with three digits is refused with 400; it also answers in this form, so a Lease
 * record we write reads back unchanged.
 */
export function formatMicroTime(ms: number): string {
  const micros = Math.round(ms * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  return `${wholeSecondsUtc(seconds)}.${String(fraction).padStart(6, '0')}Z`;
}

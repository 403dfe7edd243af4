// IntOrString limits (`maxUnavailable: 1`, `maxSurge: "20%"`) scaled against a total.
// upstream: k8s.io/apimachinery/pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent.
import type { IntOrPercent } from '../../api/workloads.ts';

export type ScaledValue =
  | { readonly kind: 'value'; readonly value: number }
  /** A string that is not `<int>%`: upstream returns an error and the caller gives up this sync. */
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * An int is taken as is; `"<n>%"` is n % of `total`, rounded up or down. Anything else is invalid
 * (a plain numeric string too: only percentages may be strings).
 */
export function scaledValueFromIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): ScaledValue {
  if (typeof value === 'number') return { kind: 'value', value: Math.trunc(value) };
  if (!value.endsWith('%')) {
    return { kind: 'invalid', message: `invalid value for IntOrString: invalid type: string is not a percentage` };
  }
  const digits = value.slice(0, -1);
  if (!/^[+-]?[0-9]+$/.test(digits)) {
    return { kind: 'invalid', message: `invalid value for IntOrString: invalid value "${value}"` };
  }
  const scaled = (Number(digits) * total) / 100;
  return { kind: 'value', value: roundUp ? Math.ceil(scaled) : Math.floor(scaled) };
}

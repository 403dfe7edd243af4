// The syntax checks apimachinery applies when it parses selectors: a requirement with a bad key or
// value fails to parse, and the scheduler helpers then treat its whole term as not matching.
// upstream: k8s.io/apimachinery/pkg/util/validation/validation.go (IsQualifiedName, IsValidLabelValue,
// IsDNS1123Subdomain), pkg/labels/selector.go NewRequirement.

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 subdomain: at most 253 lower-case alphanumerics, '-' and '.', starting and ending alphanumeric. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && dns1123Subdomain.test(value);
}

/** A label key: `[prefix/]name`, the prefix a DNS subdomain, the name at most 63 characters. */
export function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0 || !isDns1123Subdomain(prefix)) return false;
    name = parts[1] ?? '';
  } else {
    return false;
  }
  return name.length > 0 && name.length <= 63 && qualifiedNamePart.test(name);
}

/** A label value: empty, or at most 63 characters starting and ending alphanumeric. */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && labelValue.test(value);
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(value, 10, 64): optional sign, decimal digits, within int64; else undefined. */
export function parseInt64(value: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed < int64Min || parsed > int64Max ? undefined : parsed;
}

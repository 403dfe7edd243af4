// Syntax checks of object names and label keys/values, as the API server applies them
// (upstream: k8s.io/apimachinery/pkg/util/validation/validation.go IsDNS1123Subdomain,
// IsQualifiedName, IsValidLabelValue). One module, so every caller agrees with the server on what
// it would refuse.

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Longest DNS-1123 subdomain (validation.go DNS1123SubdomainMaxLength). */
export const dns1123SubdomainMaxLength = 253;
/** Longest label value and name part of a label key (validation.go LabelValueMaxLength). */
export const labelValueMaxLength = 63;

/**
 * A DNS-1123 subdomain, the syntax of most object names: at most 253 lower-case alphanumerics,
 * '-' and '.', each dot-separated part starting and ending alphanumeric.
 */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= dns1123SubdomainMaxLength && dns1123Subdomain.test(value);
}

/** A label key: `[prefix/]name`, the prefix a DNS-1123 subdomain, the name at most 63 characters. */
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
  return name.length > 0 && name.length <= labelValueMaxLength && qualifiedNamePart.test(name);
}

/** A label value: empty, or at most 63 characters starting and ending alphanumeric. */
export function isValidLabelValue(value: string): boolean {
  return value.length <= labelValueMaxLength && labelValue.test(value);
}

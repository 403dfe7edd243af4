// What a downward-API env var with resourceFieldRef shows: the container's own limit or request in
// units of the divisor, rounded up (kubectl computes it from the template, no pod needed).
// upstream: kubectl pkg/util/resource/resource.go ExtractContainerResourceValue and the
// convertResource*ToString helpers; pkg/describe/describe.go describeContainerEnvVars.
import { isZeroQuantity, type QuantityValue } from '../../controllers/shared/quantity.ts';
import { object, struct, text, type Json } from './json-fields.ts';
import { displayQuantity, scaledValue, zeroQuantity } from './quantity-string.ts';

/** ResourceList.Name(name): the quantity, or zero when it is not listed. */
function listed(list: Json | undefined, name: string): QuantityValue {
  return (displayQuantity(list?.[name]) ?? zeroQuantity).value;
}

/** int64(math.Ceil(float64(a) / float64(b))) as a decimal string. */
function ceilRatio(a: bigint, b: bigint): string {
  const ratio = Math.ceil(Number(a) / Number(b));
  return Number.isFinite(ratio) ? BigInt(ratio).toString() : '0';
}

/** ExtractContainerResourceValue; undefined for a resource it does not support (kubectl then shows ""). */
export function containerResourceValue(selector: Json, container: Json): string | undefined {
  const divisorJson = displayQuantity(selector['divisor']);
  const divisor = divisorJson === undefined || isZeroQuantity(divisorJson.value) ? (displayQuantity('1') ?? zeroQuantity).value : divisorJson.value;
  const resources = struct(container, 'resources');
  const limits = object(resources, 'limits');
  const requests = object(resources, 'requests');
  const cpu = (q: QuantityValue): string => ceilRatio(scaledValue(q, -3), scaledValue(divisor, -3));
  const bytes = (q: QuantityValue): string => ceilRatio(scaledValue(q, 0), scaledValue(divisor, 0));
  const resource = text(selector, 'resource');
  switch (resource) {
    case 'limits.cpu':
      return cpu(listed(limits, 'cpu'));
    case 'limits.memory':
      return bytes(listed(limits, 'memory'));
    case 'limits.ephemeral-storage':
      return bytes(listed(limits, 'ephemeral-storage'));
    case 'requests.cpu':
      return cpu(listed(requests, 'cpu'));
    case 'requests.memory':
      return bytes(listed(requests, 'memory'));
    case 'requests.ephemeral-storage':
      return bytes(listed(requests, 'ephemeral-storage'));
  }
  // Huge pages have names of their own: requests.hugepages-2Mi, limits.hugepages-1Gi.
  for (const [prefix, list] of [
    ['requests.', requests],
    ['limits.', limits],
  ] as const) {
    const name = resource.slice(prefix.length);
    if (resource.startsWith(prefix) && name.startsWith('hugepages-')) return bytes(listed(list, name));
  }
  return undefined;
}

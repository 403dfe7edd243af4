// Go's int64 parsing, as the scheduler's node-affinity helpers use it for Gt/Lt requirements
// (upstream: k8s.io/apimachinery/pkg/labels/selector.go, strconv.ParseInt(v, 10, 64)).

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(value, 10, 64): optional sign, decimal digits, within int64; else undefined. */
export function parseInt64(value: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed < int64Min || parsed > int64Max ? undefined : parsed;
}

// resource.Quantity's String() as kubectl prints a quantity: the text as written when ParseQuantity
// kept it (it keeps a string that is already canonical by its cheap test, so `+1` and `100Mi` come
// back as written), otherwise the canonical form (`0.5` → `500m`, `1024Mi` → `1Gi`, `1.5e3` → `1500`).
// Also MilliValue/Value for the downward API's resourceFieldRef.
// upstream: k8s.io/apimachinery pkg/api/resource/quantity.go ParseQuantity, parseQuantityString,
// CanonicalizeBytes, String; amount.go AsCanonicalBytes, AsCanonicalBase1024Bytes; suffix.go.
// The value itself is parsed by controllers/shared/quantity.ts (exact, rounded up to 1n as Go does).
import { parseQuantity, type QuantityValue } from '../../controllers/shared/quantity.ts';

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Scanned {
  readonly num: string;
  readonly denom: string;
  readonly suffix: string;
}

/** upstream parseQuantityString: the digits before and after the point, and the suffix; undefined on ErrFormatWrong. */
function scan(str: string): Scanned | undefined {
  const match = /^[+-]?0*([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)$/.exec(str);
  if (match === null) return undefined;
  const [, num = '', denom = '', suffix = ''] = match;
  return { num: num === '' ? '0' : num, denom, suffix };
}

const decimalSuffixes: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const binarySuffixes: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);

/** upstream suffixHandler.interpret: the suffix's exponent and the format it asks for. */
function interpret(suffix: string): { readonly exponent: number; readonly format: Format } | undefined {
  const decimal = decimalSuffixes.get(suffix);
  if (decimal !== undefined) return { exponent: decimal, format: 'DecimalSI' };
  const binary = binarySuffixes.get(suffix);
  if (binary !== undefined) return { exponent: binary, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const parsed = BigInt(suffix.slice(1));
    if (parsed < -(2n ** 63n) || parsed >= 2n ** 63n) return undefined;
    return { exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

const int64Max = 2n ** 63n - 1n;

/**
 * Whether ParseQuantity keeps `str` as the quantity's string: its int64 fast path applies and the
 * text passes the fast path's canonical test.
 */
function keepsString(scanned: Scanned, exponent: number, format: Format): boolean {
  const { num, denom } = scanned;
  let precision: number;
  let scale: number;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    scale = 0;
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision < 0) return false;
  scale -= denom.length;
  if (scale < -9) return false;
  const shifted = num + denom;
  const value = BigInt(shifted);
  if (value > int64Max || value * mantissa > int64Max) return false;
  if (format === 'BinarySI') return exponent % 10 === 0 && (value & 7n) !== 0n;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

/** A parsed quantity: its exact value and how String() spells it. */
export interface Quantity {
  readonly value: QuantityValue;
  readonly text: string;
}

/**
 * A quantity as it arrives in JSON (a string, or a number: Go re-reads the number's text), or
 * undefined where Go's decoder would fail.
 */
export function displayQuantity(json: unknown): Quantity | undefined {
  const str = typeof json === 'string' ? json.trim() : typeof json === 'number' ? String(json) : undefined;
  if (str === undefined || str.length === 0) return undefined;
  const value = parseQuantity(str);
  const scanned = scan(str);
  const suffix = scanned && interpret(scanned.suffix);
  if (value === undefined || scanned === undefined || suffix === undefined) return undefined;
  if (str === '0' || keepsString(scanned, suffix.exponent, suffix.format)) return { value, text: str };
  return { value, text: canonical(value, suffix.format) };
}

/** The zero Quantity (a missing resource): String() is "0". */
export const zeroQuantity: Quantity = { value: { negative: false, coefficient: 0n, exponent: 0 }, text: '0' };

/** upstream CanonicalizeBytes. */
function canonical(q: QuantityValue, format: Format): string {
  if (q.coefficient === 0n) return '0';
  if (format === 'BinarySI') {
    const binary = canonicalBinary(q);
    if (binary !== undefined) return binary;
  }
  // AsCanonicalBytes: the coefficient has no trailing zero; lower the exponent to a multiple of 3.
  let coefficient = q.coefficient;
  let exponent = q.exponent;
  while (exponent % 3 !== 0) {
    coefficient *= 10n;
    exponent--;
  }
  const sign = q.negative ? '-' : '';
  if (format === 'DecimalExponent') return `${sign}${coefficient}${exponent === 0 ? '' : `e${exponent}`}`;
  // A power of ten outside the suffix table gets no suffix at all (Go's lookup fails silently).
  const suffix = [...decimalSuffixes].find(([, e]) => e === exponent)?.[0] ?? '';
  return `${sign}${coefficient}${suffix}`;
}

/**
 * The BinarySI spelling, or undefined where Go falls back to DecimalSI: a magnitude under 1024,
 * or a value that is not a whole number.
 */
function canonicalBinary(q: QuantityValue): string | undefined {
  if (q.exponent < 0) return undefined;
  let integer = q.coefficient * 10n ** BigInt(q.exponent);
  if (integer < 1024n) return undefined;
  let times = 0;
  while (integer % 1024n === 0n) {
    integer /= 1024n;
    times++;
  }
  const suffix = [...binarySuffixes].find(([, e]) => e === times * 10)?.[0] ?? '';
  return `${q.negative ? '-' : ''}${integer}${suffix}`;
}

/** ScaledValue(scale): the value in units of 10^scale, rounded up, as an int64 (kubectl then divides floats). */
export function scaledValue(q: QuantityValue, scale: number): bigint {
  const shift = q.exponent - scale;
  const magnitude = shift >= 0 ? q.coefficient * 10n ** BigInt(shift) : ceilDiv(q.coefficient, 10n ** BigInt(-shift));
  return q.negative ? -magnitude : magnitude;
}

function ceilDiv(n: bigint, d: bigint): bigint {
  return n / d + (n % d === 0n ? 0n : 1n);
}

// resource.Quantity values ("500m", "1Gi", "1.5e3") parsed exactly, so two spellings of one amount
// compare equal as apimachinery's semantic equality has them (equality/semantic.go compares
// quantities with Cmp, ignoring the format).
// upstream: k8s.io/apimachinery/pkg/api/resource/quantity.go parseQuantityString, ParseQuantity;
// suffix.go (the suffix table).
//
// Why not a library: @kubernetes/client-node's quantityToScalar goes through floating point and
// BigInt("0.5") (so "0.5Gi" throws and "100m" is inexact), and knows no exponent form; the one npm
// package for this (kubernetes-resource-parser, one release, unmaintained) returns floats too. An
// exact comparison needs integers: a parsed value is kept as a BigInt coefficient and a power of
// ten. Pure.
import { parseInt64 } from './int64.ts';

/** ±coefficient × 10^exponent, normalised: no trailing zero in the coefficient; zero is {0n, 0, false}. */
export interface QuantityValue {
  readonly negative: boolean;
  readonly coefficient: bigint;
  readonly exponent: number;
}

const int64Max = 2n ** 63n - 1n;
/** Values are rounded up (away from zero) to the nano unit, 10^-9, as ParseQuantity does. */
const nanoExponent = -9;

type Suffix = { readonly base: 10 | 2; readonly exponent: number };

/** Decimal SI suffixes as powers of ten (suffix.go newSuffixer). */
const decimalSuffixes: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Binary SI suffixes as powers of two. */
const binarySuffixes: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** upstream: suffix.go suffixHandler.interpret. `e<int64>`/`E<int64>` is a decimal exponent, cut to int32 as Go does. */
function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = Object.hasOwn(decimalSuffixes, suffix) ? decimalSuffixes[suffix] : undefined;
  if (decimal !== undefined) return { base: 10, exponent: decimal };
  const binary = Object.hasOwn(binarySuffixes, suffix) ? binarySuffixes[suffix] : undefined;
  if (binary !== undefined) return { base: 2, exponent: binary };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const parsed = parseInt64(suffix.slice(1));
    return parsed === undefined ? undefined : { base: 10, exponent: Number(BigInt.asIntN(32, parsed)) };
  }
  return undefined;
}

interface Scanned {
  readonly negative: boolean;
  /** Integer digits, leading zeros stripped ("0" when none). */
  readonly whole: string;
  /** Fraction digits, possibly empty. */
  readonly fraction: string;
  readonly suffix: string;
}

/**
 * upstream: quantity.go parseQuantityString. Lenient where Go is: a lone sign or "." reads as 0,
 * "1." is 1.
 */
function scan(text: string): Scanned | undefined {
  const match = /^([+-]?)0*([0-9]*)(?:\.([0-9]*))?(.*)$/s.exec(text);
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match;
  if (!/^[eEinumkKMGTP]*[+-]?[0-9]*$/.test(suffix)) return undefined;
  return { negative: sign === '-', whole: whole === '' ? '0' : whole, fraction, suffix };
}

function normalise(negative: boolean, coefficient: bigint, exponent: number): QuantityValue {
  if (coefficient === 0n) return { negative: false, coefficient: 0n, exponent: 0 };
  const digits = coefficient.toString();
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  return { negative, coefficient: BigInt(digits.slice(0, digits.length - trailing)), exponent: exponent + trailing };
}

/** ⌈n / 10^places⌉ for n ≥ 0 without building 10^places when the quotient is known to be below 1. */
function ceilShiftRight(n: bigint, places: number): bigint {
  if (n === 0n) return 0n;
  if (places >= n.toString().length) return 1n;
  const divisor = 10n ** BigInt(places);
  return n / divisor + (n % divisor === 0n ? 0n : 1n);
}

/**
 * The value of a quantity string, or undefined where ParseQuantity fails. Rounded up to 1n
 * ("0.1n" reads as 1n) and binary-suffixed values capped at 2^63−1, as upstream stores them.
 */
export function parseQuantity(text: string): QuantityValue | undefined {
  if (text.length === 0) return undefined;
  const scanned = scan(text);
  if (scanned === undefined) return undefined;
  const suffix = interpretSuffix(scanned.suffix);
  if (suffix === undefined) return undefined;
  const digits = BigInt(scanned.whole + scanned.fraction);
  if (suffix.base === 10) {
    // digits × 10^scale; the exponent can be huge ("1e2000000000"), so keep it symbolic.
    const scale = suffix.exponent - scanned.fraction.length;
    if (scale >= nanoExponent) return normalise(scanned.negative, digits, scale);
    return normalise(scanned.negative, ceilShiftRight(digits, nanoExponent - scale), nanoExponent);
  }
  // digits × 2^exponent / 10^fraction, in nano units, rounded up, then capped.
  const nanos = (digits << BigInt(suffix.exponent)) * 10n ** 9n;
  const rounded = ceilShiftRight(nanos, scanned.fraction.length);
  const capped = rounded > int64Max * 10n ** 9n ? int64Max * 10n ** 9n : rounded;
  return normalise(scanned.negative, capped, nanoExponent);
}

/**
 * A quantity as it arrives in JSON: a string, or a number (the API accepts `cpu: 1`; Go re-reads
 * the number's text). Surrounding spaces are ignored, as Quantity.UnmarshalJSON does.
 */
export function quantityFromJson(value: unknown): QuantityValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? parseQuantity(String(value)) : undefined;
  if (typeof value === 'string') return parseQuantity(value.trim());
  return undefined;
}

/** Quantity.Cmp(other) == 0. */
export function quantityValuesEqual(a: QuantityValue, b: QuantityValue): boolean {
  return a.negative === b.negative && a.coefficient === b.coefficient && a.exponent === b.exponent;
}

/** upstream Quantity.Cmp: -1, 0 or 1. */
export function compareQuantities(a: QuantityValue, b: QuantityValue): -1 | 0 | 1 {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude = compareMagnitudes(a, b);
  return a.negative ? sign(-magnitude) : magnitude;
}

/** |a| against |b|. Exponents can be huge ("1e2000000000"), so no power of ten is built before the leading digits are known to line up. */
function compareMagnitudes(a: QuantityValue, b: QuantityValue): -1 | 0 | 1 {
  if (a.coefficient === 0n || b.coefficient === 0n) return sign(Number(a.coefficient !== 0n) - Number(b.coefficient !== 0n));
  const digitsA = a.coefficient.toString().length;
  const digitsB = b.coefficient.toString().length;
  // The position of the leading digit decides, unless it is the same for both.
  const leading = sign(digitsA + a.exponent - (digitsB + b.exponent));
  if (leading !== 0) return leading;
  // Same leading position: the exponents differ by less than the longer coefficient's length.
  const low = Math.min(a.exponent, b.exponent);
  const scaledA = a.coefficient * 10n ** BigInt(a.exponent - low);
  const scaledB = b.coefficient * 10n ** BigInt(b.exponent - low);
  return scaledA === scaledB ? 0 : scaledA < scaledB ? -1 : 1;
}

function sign(n: number): -1 | 0 | 1 {
  return n === 0 ? 0 : n < 0 ? -1 : 1;
}

export function isZeroQuantity(q: QuantityValue): boolean {
  return q.coefficient === 0n;
}

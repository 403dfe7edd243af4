// A resource quantity as kubectl writes it after parsing (`0.5` → `500m`, `2048Ki` → `2Mi`,
// `1000m` → `1`), and kubectl's errors for text that is not a quantity. `set resources` sends
// what kubectl's encoder sends, and compares old and new values the way kubectl's patch does: as
// encoded text, so `1000m` over `1` is no change but `1k` over `1e3` is one. Pure.
// upstream: apimachinery pkg/api/resource/quantity.go ParseQuantity (errors, and the fast path
// that keeps the typed text), CanonicalizeBytes, MarshalJSON; amount.go AsCanonicalBytes,
// AsCanonicalBase1024Bytes; suffix.go.
import { parseQuantity, type QuantityValue } from '../../controllers/shared/quantity.ts';

/** quantity.go splitREString, quoted in ErrFormatWrong. */
const formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const suffixWrong = "unable to parse quantity's suffix";

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const decimalSuffixes: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** The pieces parseQuantityString cuts the text into; undefined where it fails. */
interface Pieces {
  readonly negative: boolean;
  /** Integer digits, leading zeros stripped; "0" when none. */
  readonly num: string;
  readonly denom: string;
  readonly suffix: string;
}

function pieces(text: string): Pieces | undefined {
  const match = /^([+-]?)0*([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)$/.exec(text);
  if (match === null) return undefined;
  const [, sign = '', num = '', denom = '', suffix = ''] = match;
  return { negative: sign === '-', num: num === '' ? '0' : num, denom, suffix };
}

function formatOf(suffix: string): { readonly format: Format; readonly exponent: number } {
  const decimal = Object.hasOwn(decimalSuffixes, suffix) ? decimalSuffixes[suffix] : undefined;
  if (decimal !== undefined) return { format: 'DecimalSI', exponent: decimal };
  const binary = Object.hasOwn(binarySuffixes, suffix) ? binarySuffixes[suffix] : undefined;
  if (binary !== undefined) return { format: 'BinarySI', exponent: binary };
  return { format: 'DecimalExponent', exponent: Number(BigInt.asIntN(32, BigInt(suffix.slice(1)))) };
}

export type ParsedQuantity = { readonly kind: 'parsed'; readonly text: string } | { readonly kind: 'invalid'; readonly message: string };

/** kubectl's ParseQuantity of `text`: the text its encoder writes, or its error. */
export function kubectlQuantity(text: string): ParsedQuantity {
  const value = parseQuantity(text);
  const cut = pieces(text);
  if (value === undefined || cut === undefined) {
    return { kind: 'invalid', message: text === '' || cut === undefined ? formatWrong : suffixWrong };
  }
  if (text === '0') return { kind: 'parsed', text };
  const { format, exponent } = formatOf(cut.suffix);
  return { kind: 'parsed', text: typedTextKept(text, cut, format, exponent) ? text : canonical(value, format) };
}

/**
 * ParseQuantity keeps the typed text (and MarshalJSON writes it back) when its fast int64 path
 * finds the text already canonical — by a rule that lets `+1` or `0100m` through as typed.
 */
function typedTextKept(text: string, cut: Pieces, format: Format, exponent: number): boolean {
  const digits = cut.num.length + cut.denom.length;
  let precision: number;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (cut.denom.length > 0) return false;
    mantissa = 1n << BigInt(exponent);
    precision = 15 - cut.num.length - Math.trunc(Math.fround((exponent * 3) / 10)) - 1;
  } else {
    precision = 18 - digits;
  }
  if (precision < 0) return false;
  const scale = (format === 'BinarySI' ? 0 : exponent) - cut.denom.length;
  if (scale < -9) return false;
  const shifted = cut.num + cut.denom;
  const value = BigInt(shifted);
  if (value * mantissa > 2n ** 63n - 1n) return false;
  if (format === 'BinarySI') return (value & 7n) !== 0n;
  return scale % 3 === 0 && !shifted.endsWith('000') && !shifted.startsWith('0');
}

/** CanonicalizeBytes: a multiple-of-3 exponent with its SI suffix, or a power of 1024 for BinarySI integers ≥ 1024. */
function canonical(q: QuantityValue, format: Format): string {
  if (q.coefficient === 0n) return '0';
  const sign = q.negative ? '-' : '';
  if (format === 'BinarySI' && q.exponent >= 0) {
    let amount = q.coefficient * 10n ** BigInt(q.exponent);
    if (amount >= 1024n) {
      let power = 0;
      while (amount % 1024n === 0n) {
        amount /= 1024n;
        power += 10;
      }
      const suffix = Object.entries(binarySuffixes).find(([, e]) => e === power)?.[0] ?? '';
      return `${sign}${amount}${suffix}`;
    }
  }
  // Decimal: move the exponent down to a multiple of 3.
  const drop = ((q.exponent % 3) + 3) % 3;
  const amount = q.coefficient * 10n ** BigInt(drop);
  const exponent = q.exponent - drop;
  if (format === 'DecimalExponent') return `${sign}${amount}${exponent === 0 ? '' : `e${exponent}`}`;
  // Past E (10^18) DecimalSI has no suffix, and upstream writes the bare number.
  const suffix = Object.entries(decimalSuffixes).find(([, e]) => e === exponent)?.[0] ?? '';
  return `${sign}${amount}${suffix}`;
}

/** The text kubectl's decoder and encoder make of a stored quantity (a string or a JSON number); other values as they are. */
export function encodedQuantity(stored: unknown): unknown {
  const text = typeof stored === 'number' && Number.isFinite(stored) ? String(stored) : typeof stored === 'string' ? stored.trim() : undefined;
  if (text === undefined) return stored;
  const parsed = kubectlQuantity(text);
  return parsed.kind === 'parsed' ? parsed.text : stored;
}

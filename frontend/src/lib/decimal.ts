/**
 * Decimal helpers. The API sends money, prices and quantities as strings; they are
 * parsed with big.js and never pass through a JavaScript number, so a preview
 * shows the same cents the server will charge.
 */
import Big from "big.js";

export type Decimalish = string | Big;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A Big for a decimal string, or null for anything that is not one. */
export function toBig(value: Decimalish | null | undefined): Big | null {
  if (value == null) return null;
  if (value instanceof Big) return value;
  const text = value.trim();
  if (!DECIMAL.test(text)) return null;
  return new Big(text);
}

/** What a person typed into an amount field: digits with at most one dot. */
export function isDecimalInput(text: string): boolean {
  return /^(\d+(\.\d*)?|\.\d+)$/.test(text.trim());
}

/** Number of digits after the dot as typed ("1.50" has 2). */
export function decimalPlaces(text: string): number {
  const dot = text.trim().indexOf(".");
  return dot === -1 ? 0 : text.trim().length - dot - 1;
}

function group(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Adds thousands separators to a plain decimal string ("-12345.5" -> "-12,345.5"). */
export function groupDigits(plain: string): string {
  const negative = plain.startsWith("-");
  const unsigned = negative ? plain.slice(1) : plain;
  const [integer, fraction] = unsigned.split(".");
  const grouped = group(integer) + (fraction !== undefined ? `.${fraction}` : "");
  return negative ? `-${grouped}` : grouped;
}

/** Removes trailing zeros after the dot, keeping at least `minDp` decimals. */
export function trimZeros(plain: string, minDp = 0): string {
  if (!plain.includes(".")) return minDp > 0 ? `${plain}.${"0".repeat(minDp)}` : plain;
  const [integer, fraction] = plain.split(".");
  let kept = fraction.replace(/0+$/, "");
  if (kept.length < minDp) kept = kept.padEnd(minDp, "0");
  return kept.length ? `${integer}.${kept}` : integer;
}

/** `value` rounded half-up to `dp` decimals, grouped: formatFixed("1234.5", 2) = "1,234.50". */
export function formatFixed(value: Decimalish, dp: number): string {
  const big = toBig(value);
  if (big === null) return String(value);
  return groupDigits(big.round(dp, Big.roundHalfUp).toFixed(dp));
}

function signed(body: string, big: Big, sign: boolean): string {
  if (big.lt(0)) return `-${body}`;
  if (sign && big.gt(0)) return `+${body}`;
  return body;
}

/** US dollars with cents: "$1,044.82", "-$3.00"; "+$3.00" with sign. Null shows an em dash. */
export function formatUsd(value: Decimalish | null | undefined, options: { sign?: boolean } = {}): string {
  const big = toBig(value ?? null);
  if (big === null) return "—";
  return signed(`$${formatFixed(big.abs(), 2)}`, big.round(2, Big.roundHalfUp), options.sign ?? false);
}

/**
 * A price with the precision it deserves: cents from 100 up, four decimals from 1,
 * four significant digits below 1 ("0.268512" shows as "$0.2685", "0.0000126843"
 * as "$0.00001268").
 */
export function formatPrice(value: Decimalish | null | undefined): string {
  const big = toBig(value ?? null);
  if (big === null) return "—";
  const abs = big.abs();
  let body: string;
  if (abs.gte(100)) body = formatFixed(abs, 2);
  else if (abs.gte(1)) body = formatFixed(abs, 4);
  else if (abs.eq(0)) body = "0.00";
  else {
    // Four significant digits, zeros kept, so a column of prices does not jitter.
    const rounded = abs.prec(4, Big.roundHalfUp);
    body = rounded.toFixed(Math.max(2, 3 - rounded.e));
  }
  return signed(`$${body}`, big, false);
}

/** A quantity of units, at most eight decimals, trailing zeros removed: "0.01", "12,000". */
export function formatQuantity(value: Decimalish | null | undefined): string {
  const big = toBig(value ?? null);
  if (big === null) return "—";
  return groupDigits(trimZeros(big.round(8, Big.roundDown).toFixed(8)));
}

/** A percentage with two decimals; with sign, "+1.24%" and "-0.78%". */
export function formatPercent(value: Decimalish | null | undefined, options: { sign?: boolean } = {}): string {
  const big = toBig(value ?? null);
  if (big === null) return "—";
  const rounded = big.round(2, Big.roundHalfUp);
  return signed(`${formatFixed(rounded.abs(), 2)}%`, rounded, options.sign ?? true);
}

const UNITS: Array<[string, string]> = [
  ["1e12", "T"],
  ["1e9", "B"],
  ["1e6", "M"],
  ["1e3", "K"],
];

/** Large figures for tables: "2.07T", "845.30M". Display only. */
export function formatCompact(value: Decimalish | null | undefined, prefix = ""): string {
  const big = toBig(value ?? null);
  if (big === null) return "—";
  const abs = big.abs();
  for (const [size, unit] of UNITS) {
    const divisor = new Big(size);
    if (abs.gte(divisor)) {
      return signed(`${prefix}${formatFixed(abs.div(divisor), 2)}${unit}`, big, false);
    }
  }
  return signed(`${prefix}${formatFixed(abs, 2)}`, big, false);
}

/** -1, 0 or 1 for the direction of a signed decimal string (null counts as 0). */
export function direction(value: Decimalish | null | undefined): -1 | 0 | 1 {
  const big = toBig(value ?? null);
  if (big === null || big.eq(0)) return 0;
  return big.gt(0) ? 1 : -1;
}

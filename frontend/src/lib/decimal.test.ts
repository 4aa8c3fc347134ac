import { describe, expect, it } from "vitest";
import { decimalPlaces, direction, formatCompact, formatFixed, formatPercent, formatPrice, formatQuantity, formatUsd, groupDigits, isDecimalInput, toBig, trimZeros } from "./decimal";

describe("parsing", () => {
  it("reads decimal strings and refuses anything else", () => {
    expect(toBig("1166.17")?.toFixed()).toBe("1166.17");
    expect(toBig(" -0.5 ")?.toFixed()).toBe("-0.5");
    expect(toBig("1e5")).toBeNull();
    expect(toBig("12abc")).toBeNull();
    expect(toBig("")).toBeNull();
    expect(toBig(null)).toBeNull();
  });

  it("accepts what a person types into an amount field", () => {
    expect(isDecimalInput("0.25")).toBe(true);
    expect(isDecimalInput("10.")).toBe(true);
    expect(isDecimalInput(".5")).toBe(true);
    expect(isDecimalInput("-1")).toBe(false);
    expect(isDecimalInput("1,000")).toBe(false);
    expect(isDecimalInput(".")).toBe(false);
    expect(decimalPlaces("1.50")).toBe(2);
    expect(decimalPlaces("7")).toBe(0);
  });
});

describe("formatting", () => {
  it("keeps exact cents, no float noise", () => {
    expect(formatUsd("0.1")).toBe("$0.10");
    expect(formatUsd("1044.815")).toBe("$1,044.82");
    expect(formatUsd("-3")).toBe("-$3.00");
    expect(formatUsd("3", { sign: true })).toBe("+$3.00");
    expect(formatUsd("0.00", { sign: true })).toBe("$0.00");
    expect(formatUsd("123456789012345678.99")).toBe("$123,456,789,012,345,678.99");
    expect(formatUsd(null)).toBe("—");
  });

  it("shows prices with the precision they deserve", () => {
    expect(formatPrice("104493.0205")).toBe("$104,493.02");
    expect(formatPrice("2.169800643")).toBe("$2.1698");
    expect(formatPrice("0.0000126843")).toBe("$0.00001268");
    expect(formatPrice("0.1926123")).toBe("$0.1926");
    expect(formatPrice("0.27")).toBe("$0.2700");
    expect(formatPrice("0.99999")).toBe("$1.000");
    expect(formatPrice("0")).toBe("$0.00");
  });

  it("trims quantities to at most eight decimals", () => {
    expect(formatQuantity("0.01000000")).toBe("0.01");
    expect(formatQuantity("12000")).toBe("12,000");
    expect(formatQuantity("0.123456789")).toBe("0.12345678");
  });

  it("formats percentages, compact figures and groups", () => {
    expect(formatPercent("1.2432")).toBe("+1.24%");
    expect(formatPercent("-0.7797")).toBe("-0.78%");
    expect(formatPercent("20.86", { sign: false })).toBe("20.86%");
    expect(formatCompact("2076000000000", "$")).toBe("$2.08T");
    expect(formatCompact("845300000")).toBe("845.30M");
    expect(formatCompact("999")).toBe("999.00");
    expect(groupDigits("-12345.5")).toBe("-12,345.5");
    expect(trimZeros("1.500", 2)).toBe("1.50");
    expect(trimZeros("2", 2)).toBe("2.00");
    expect(formatFixed("1234.5", 2)).toBe("1,234.50");
  });

  it("tells the direction of a change", () => {
    expect(direction("1.2")).toBe(1);
    expect(direction("-0.01")).toBe(-1);
    expect(direction("0.00")).toBe(0);
    expect(direction(null)).toBe(0);
  });
});

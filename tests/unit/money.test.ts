import { describe, expect, it } from "vitest";
import { currencyDigits, displayMoney, formatMinorUnits, MoneyError, NON_TWO_DIGIT_CURRENCIES, toMinorUnits } from "~/domain/money";

describe("currencyDigits", () => {
  it.each([
    ["JPY", 0],
    ["USD", 2],
    ["EUR", 2],
    ["BHD", 3],
    ["jpy", 0],
  ])("%s has %i minor digits", (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits);
  });

  it.each(["", "US", "USDX", "12A", "US D"])("rejects %j as a currency code", (currency) => {
    expect(() => currencyDigits(currency)).toThrow(MoneyError);
  });

  // The table stands in for ICU (no Intl on the import's cold path): it must say what ICU says.
  it("agrees with ICU for every currency Intl knows, and for codes it does not know", () => {
    const icuDigits = (code: string) =>
      new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits;
    const codes = [...Intl.supportedValuesOf("currency"), "QQQ", "ZZZ", "XTS"];
    expect(codes.length).toBeGreaterThan(100);
    const disagreements = codes.filter((code) => currencyDigits(code) !== icuDigits(code) || currencyDigits(code.toLowerCase()) !== icuDigits(code));
    expect(disagreements).toEqual([]);
    // Every entry of the table is a currency ICU knows with that many digits.
    for (const [code, digits] of Object.entries(NON_TWO_DIGIT_CURRENCIES)) expect([code, icuDigits(code)]).toEqual([code, digits]);
  });
});

describe("toMinorUnits", () => {
  it.each<[string | number, string, bigint]>([
    ["1980.0", "JPY", 1980n],
    ["1980", "JPY", 1980n],
    ["0", "JPY", 0n],
    ["12.5", "USD", 1250n],
    ["12.50", "USD", 1250n],
    ["12.340", "USD", 1234n], // trailing zeros beyond precision are fine
    ["0.01", "USD", 1n],
    ["1.234", "BHD", 1234n],
    ["0.001", "BHD", 1n],
    ["-12.50", "USD", -1250n],
    ["-1980", "JPY", -1980n],
    [" 7.25 ", "USD", 725n],
    [12.5, "USD", 1250n],
    [1980, "JPY", 1980n],
    ["99999999999999999999.99", "USD", 9999999999999999999999n], // beyond float precision
  ])("%j %s → %s", (amount, currency, expected) => {
    expect(toMinorUnits(amount, currency)).toBe(expected);
  });

  it.each<[string | number, string]>([
    ["12.345", "USD"], // would need rounding
    ["1980.5", "JPY"],
    ["1.2345", "BHD"],
    ["abc", "USD"],
    ["", "USD"],
    ["1,000", "JPY"],
    ["1.", "USD"],
    [".5", "USD"],
    ["1e3", "USD"],
    ["+1", "USD"],
    ["--1", "USD"],
    [Number.NaN, "USD"],
    [Number.POSITIVE_INFINITY, "USD"],
    ["1", "XX"],
  ])("%j %s throws", (amount, currency) => {
    expect(() => toMinorUnits(amount, currency)).toThrow(MoneyError);
  });
});

describe("formatMinorUnits", () => {
  it.each<[bigint, string, string]>([
    [1980n, "JPY", "1980"],
    [0n, "JPY", "0"],
    [1250n, "USD", "12.50"],
    [5n, "USD", "0.05"],
    [0n, "USD", "0.00"],
    [-5n, "USD", "-0.05"],
    [-1250n, "USD", "-12.50"],
    [1234n, "BHD", "1.234"],
    [1n, "BHD", "0.001"],
  ])("%s %s → %j", (minor, currency, expected) => {
    expect(formatMinorUnits(minor, currency)).toBe(expected);
  });

  it.each<[bigint, string]>([
    [0n, "JPY"],
    [1980n, "JPY"],
    [-1980n, "JPY"],
    [1n, "USD"],
    [1250n, "USD"],
    [-99n, "USD"],
    [1234567n, "BHD"],
    [-1n, "BHD"],
    [123456789012345678901234567890n, "USD"],
  ])("round trips %s %s", (minor, currency) => {
    expect(toMinorUnits(formatMinorUnits(minor, currency), currency)).toBe(minor);
  });
});

describe("displayMoney", () => {
  it.each([
    [1341840n, "JPY", "ja", "1,341,840円"],
    [1341840n, "JPY", "en", "¥1,341,840"],
    [1250n, "USD", "en", "$12.50"],
    [123456789012345678n, "USD", "en", "$1,234,567,890,123,456.78"],
  ] as const)("%s %s in %s → %s", (minor, currency, locale, expected) => {
    expect(displayMoney(minor, currency, locale)).toBe(expected);
  });
});

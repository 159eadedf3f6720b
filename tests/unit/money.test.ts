import { describe, expect, it } from "vitest";
import { GraphQLEnumType } from "graphql";
import { currencyDigits, displayMoney, formatMinorUnits, MoneyError, toMinorUnits } from "~/domain/money";
import { adminSchema } from "../helpers/admin-schema";

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

  // ISO 4217's minor units, not ICU's display digits (which are 0 for the first five here).
  it.each([
    ["HUF", 2],
    ["IDR", 2],
    ["COP", 2],
    ["PKR", 2],
    ["IQD", 3],
    ["ISK", 0],
    ["KRW", 0],
    ["CLP", 0],
    ["TWD", 2],
    ["CLF", 4],
  ])("%s has ISO 4217's %i minor digits", (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits);
  });

  it("answers for every currency code in Shopify's Admin schema, never with fewer digits than Intl displays", () => {
    const currencyCode = adminSchema().getType("CurrencyCode");
    if (!(currencyCode instanceof GraphQLEnumType)) throw new Error("CurrencyCode is not an enum in the Admin schema");
    const codes = currencyCode.getValues().map((value) => value.name).filter((code) => code.length === 3);
    expect(codes.length).toBeGreaterThan(150);
    const icuDigits = (code: string) =>
      new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    // Fewer digits than Intl shows would turn a displayed amount into an error.
    expect(codes.filter((code) => currencyDigits(code) < icuDigits(code))).toEqual([]);
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
    ["1990.50", "HUF", 199050n], // Shopify settles HUF in fillér though nobody displays them
    ["15000.00", "IDR", 1500000n],
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

describe("toMinorUnits on generated amounts", () => {
  // The general rule, written plainly: what the fast path for unsigned amounts must agree with.
  const expected = (text: string, digits: number): bigint | "throws" => {
    const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
    if (!match) return "throws";
    const fraction = match[2] ?? "";
    if (/[1-9]/.test(fraction.slice(digits))) return "throws";
    return BigInt(match[1]! + fraction.slice(0, digits).padEnd(digits, "0"));
  };
  let seed = 42;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const digitString = (length: number) => Array.from({ length }, () => "0123456789"[random(10)]).join("");
  const amounts = Array.from({ length: 3000 }, () => {
    const whole = digitString(1 + random(19));
    const form = random(6);
    if (form === 0) return whole;
    if (form === 1) return `${whole}.${"0".repeat(1 + random(4))}`; // zeros past the precision
    if (form === 2) return `${whole}.${digitString(1 + random(5))}`;
    if (form === 3) return `${whole}.${digitString(random(3))}${"0".repeat(random(3))}`; // may end in "."
    if (form === 4) return `.${digitString(1 + random(3))}`;
    return `${whole}${".x "[random(3)]}${digitString(random(3))}`;
  });

  it.each(["JPY", "USD", "BHD", "CLF"])("agree with the general rule in %s", (currency) => {
    const digits = { JPY: 0, USD: 2, BHD: 3, CLF: 4 }[currency]!;
    for (const amount of amounts) {
      const want = expected(amount, digits);
      if (want === "throws") expect(() => toMinorUnits(amount, currency), amount).toThrow(MoneyError);
      else expect(toMinorUnits(amount, currency), amount).toBe(want);
    }
  });

  it("checks the amount before the currency, as the general path words it", () => {
    expect(() => toMinorUnits("abc", "XX")).toThrow(/not a decimal amount/);
    expect(() => toMinorUnits("12", "XX")).toThrow(/not an ISO 4217 currency code/);
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
    [199050n, "HUF", "en", "HUF\u00a01,991"], // Intl rounds to whole forint for display
    [123456789012345678n, "USD", "en", "$1,234,567,890,123,456.78"],
  ] as const)("%s %s in %s → %s", (minor, currency, locale, expected) => {
    expect(displayMoney(minor, currency, locale)).toBe(expected);
  });
});

import { describe, expect, it } from "vitest";
import { fieldErrors, parseOptionalAmount, parseOptionalWholeNumber, parseWholeNumber } from "~/domain/form-input";

describe("parseOptionalAmount: typed amounts to minor units, never through a float", () => {
  it.each<[string, string, bigint | null]>([
    ["", "JPY", null],
    ["   ", "JPY", null],
    ["12000", "JPY", 12000n],
    ["12,000", "JPY", 12000n],
    ["１２，０００", "JPY", 12000n], // full-width, as Japanese IMEs type it
    ["¥12,000", "JPY", 12000n],
    ["12000円", "JPY", 12000n],
    ["12000.0", "JPY", 12000n],
    ["12.5", "USD", 1250n],
    ["$1,000.05", "USD", 100005n],
    ["0.1", "USD", 10n], // 0.1 is not a float's 0.1000000000000000055…
    ["9007199254740993", "JPY", 9007199254740993n], // beyond 2^53
    ["1.234", "BHD", 1234n],
  ])("%j %s → %s", (text, currency, minor) => {
    expect(parseOptionalAmount(text, currency)).toEqual({ ok: true, value: minor });
  });

  it.each<[string, string, RegExp]>([
    ["12000.5", "JPY", /JPY amounts have no decimals/],
    ["12.345", "USD", /at most 2 decimals/],
    ["twelve", "USD", /such as 12\.50/],
    ["1e3", "JPY", /such as 12000/],
    ["12.", "USD", /such as/],
  ])("refuses %j %s", (text, currency, message) => {
    const result = parseOptionalAmount(text, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message.en).toMatch(message);
      expect(result.message.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });
});

describe("whole numbers", () => {
  it.each<[string, number | null | "error"]>([
    ["", null],
    ["3", 3],
    [" 10 ", 10],
    ["１０", 10],
    ["1,000", 1000],
    ["-2", -2], // range checks belong to the validators, which say what range
    ["2.5", "error"],
    ["abc", "error"],
    ["99999999999999999999", "error"],
  ])("%j → %s", (text, expected) => {
    const result = parseOptionalWholeNumber(text);
    if (expected === "error") expect(result.ok).toBe(false);
    else expect(result).toEqual({ ok: true, value: expected });
  });

  it("requires a value where one is needed", () => {
    expect(parseWholeNumber("").ok).toBe(false);
    expect(parseWholeNumber("7")).toEqual({ ok: true, value: 7 });
  });
});

it("fieldErrors joins several messages for one field", () => {
  expect(
    fieldErrors([
      { field: "a", message: { en: "One.", ja: "一。" } },
      { field: "b", message: { en: "Two.", ja: "二。" } },
      { field: "a", message: { en: "Three.", ja: "三。" } },
    ]),
  ).toEqual({ a: { en: "One. Three.", ja: "一。三。" }, b: { en: "Two.", ja: "二。" } });
});

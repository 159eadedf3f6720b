/**
 * What merchants type into the admin forms, read into domain values. Pure and shared by the
 * Ranks and Rewards editors. Numbers arrive as text and stay text until here: amounts go
 * through toMinorUnits (bigint), never through a float.
 */
import type { Localized } from "./messages";
import { currencyDigits, MoneyError, toMinorUnits } from "./money";

/** Field path ("tiers[2].minOrders") → message in both admin languages. */
export type FieldErrors = Record<string, Localized>;

/** Several problems with one field become one message. */
export function fieldErrors(errors: readonly { field: string; message: Localized }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const { field, message } of errors) {
    const seen = out[field];
    out[field] = seen ? { en: `${seen.en} ${message.en}`, ja: `${seen.ja}${message.ja}` } : { ...message };
  }
  return out;
}

/**
 * Full-width digits and separators as Japanese IMEs type them (１２，０００), grouping commas and
 * spaces: all become plain ASCII digits.
 */
function normalizeNumber(text: string): string {
  return text.normalize("NFKC").replace(/[\s,_]/g, "");
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: Localized };

/** "" → null (not set); "3" → 3; "3.5", "abc" → an error. */
export function parseOptionalWholeNumber(text: string): Parsed<number | null> {
  const clean = normalizeNumber(text);
  if (clean === "") return { ok: true, value: null };
  if (!/^-?\d+$/.test(clean) || !Number.isSafeInteger(Number(clean))) {
    return { ok: false, message: { en: "Enter a whole number.", ja: "整数で入力してください。" } };
  }
  return { ok: true, value: Number(clean) };
}

export function parseWholeNumber(text: string): Parsed<number> {
  const parsed = parseOptionalWholeNumber(text);
  if (parsed.ok && parsed.value === null) return { ok: false, message: { en: "Enter a number.", ja: "数値を入力してください。" } };
  return parsed as Parsed<number>;
}

const CURRENCY_SIGNS = /[¥$€£円]/g;

/**
 * An amount in the shop currency as typed ("12,000", "¥12000", "12.50") → minor units; "" → null.
 * Too many decimals for the currency is an error, never a rounding.
 */
export function parseOptionalAmount(text: string, currency: string): Parsed<bigint | null> {
  const clean = normalizeNumber(text).replace(CURRENCY_SIGNS, "");
  if (clean === "") return { ok: true, value: null };
  const digits = currencyDigits(currency);
  try {
    return { ok: true, value: toMinorUnits(clean, currency) };
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    if (/^-?\d+\.\d+$/.test(clean)) {
      return {
        ok: false,
        message:
          digits === 0
            ? { en: `${currency} amounts have no decimals.`, ja: `${currency}の金額には小数点以下を入力できません。` }
            : { en: `${currency} amounts have at most ${digits} decimals.`, ja: `${currency}の金額は小数点以下${digits}桁までです。` },
      };
    }
    const example = digits === 0 ? "12000" : `12.${"5".padEnd(digits, "0")}`;
    return {
      ok: false,
      message: { en: `Enter an amount such as ${example}.`, ja: `${example} のように金額を入力してください。` },
    };
  }
}

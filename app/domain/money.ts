/**
 * Money as integer minor units (bigint). Shopify sends decimal strings ("1980.0", "12.50");
 * floats never touch an amount. The number of minor digits per currency comes from ICU
 * (JPY 0, USD 2, BHD 3), which Node ships.
 */

const digitsCache = new Map<string, number>();

// An import asks for one currency 80,000 times: compare before hashing.
let last: { currency: string; digits: number } | null = null;

export function currencyDigits(currency: string): number {
  if (currency === last?.currency) return last.digits;
  const cached = digitsCache.get(currency); // as written: no case folding on every amount
  if (cached !== undefined) {
    last = { currency, digits: cached };
    return cached;
  }
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    if (!/^[A-Z]{3}$/.test(code)) throw new MoneyError(`not an ISO 4217 currency code: "${currency}"`);
    digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
      .maximumFractionDigits ?? 2;
    digitsCache.set(code, digits);
  }
  digitsCache.set(currency, digits);
  return digits;
}

export class MoneyError extends Error {
  override name = "MoneyError";
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * "1980.0" JPY → 1980n; "12.5" USD → 1250n. Digits beyond the currency's precision must be
 * zeros: "12.345" USD is an error rather than a silent rounding.
 */
export function toMinorUnits(amount: string | number, currency: string): bigint {
  const text = typeof amount === "number" ? numberToPlainString(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError(`not a decimal amount: "${amount}"`);
  const [, sign, whole, fraction = ""] = match;
  const digits = currencyDigits(currency);
  const kept = fraction.slice(0, digits).padEnd(digits, "0");
  const dropped = fraction.slice(digits);
  if (/[1-9]/.test(dropped)) {
    throw new MoneyError(`${currency} has ${digits} decimal places; "${amount}" has more`);
  }
  const minor = BigInt(whole + kept);
  return sign ? -minor : minor;
}

/** 1250n USD → "12.50"; 1980n JPY → "1980". */
export function formatMinorUnits(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? "" : `.${text.slice(-digits)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

// JSON numbers (never for money we compute) may arrive from a payload; avoid "1e21" forms.
function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyError(`not a finite amount: ${value}`);
  return value.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * For people: 1250n USD → "$12.50"; 1341840n JPY → "¥1,341,840" (en) and "1,341,840円" (ja, as
 * Japanese shops write yen). Intl formats the exact decimal string, so no float is involved.
 */
export function displayMoney(minor: bigint, currency: string, locale: "ja" | "en"): string {
  const decimal = formatMinorUnits(minor, currency) as unknown as number; // Intl accepts decimal strings
  if (locale === "ja" && currency.toUpperCase() === "JPY") return `${new Intl.NumberFormat("ja-JP").format(decimal)}円`;
  return new Intl.NumberFormat(locale === "ja" ? "ja-JP" : "en-US", { style: "currency", currency }).format(decimal);
}

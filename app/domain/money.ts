/**
 * Money as integer minor units (bigint). Shopify sends decimal strings ("1980.0", "12.50");
 * floats never touch an amount. The number of minor digits per currency is ISO 4217's (JPY 0,
 * USD 2, HUF 2, BHD 3): the precision amounts are settled in, so a valid amount is never
 * rejected. Display is Intl's business (displayMoney), and may show fewer (HUF without fillér).
 */

/**
 * ISO 4217's minor units where they are not 2 (ISO 4217 list one, 2024). Not ICU's: ICU gives
 * its *display* digits, 0 for HUF, IDR, COP, PKR and IQD among others, and an order of
 * "1990.50" HUF would have been rejected as too precise. Codes ISO does not list (Shopify's
 * legacy ones) take 2.
 */
export const NON_TWO_DIGIT_CURRENCIES: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(" ").map((code) => [code, 0]),
  ),
  ...Object.fromEntries("BHD IQD JOD KWD LYD OMR TND".split(" ").map((code) => [code, 3])),
  ...Object.fromEntries("CLF UYW".split(" ").map((code) => [code, 4])),
};

const CURRENCY_CODE = /^[A-Z]{3}$/;

const digitsCache = new Map<string, number>();
// An import asks for one currency 80,000 times: compare before hashing.
let last: { currency: string; digits: number } | null = null;

export function currencyDigits(currency: string): number {
  if (currency === last?.currency) return last.digits;
  let digits = digitsCache.get(currency); // as written: no case folding on every amount
  if (digits === undefined) {
    const code = currency.toUpperCase();
    if (!CURRENCY_CODE.test(code)) throw new MoneyError(`not an ISO 4217 currency code: "${currency}"`);
    digits = NON_TWO_DIGIT_CURRENCIES[code] ?? 2;
    digitsCache.set(currency, digits);
  }
  last = { currency, digits };
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
  if (typeof amount === "string") {
    const minor = plainMinorUnits(amount, currency);
    if (minor !== null) return BigInt(minor);
  }
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

/**
 * The common case without a regular expression or string slicing (an import converts ~80,000
 * amounts): unsigned digits with at most `digits` significant decimals, whose minor units fit a
 * double exactly. Anything else (a sign, spaces, too many decimals, huge) is null: toMinorUnits'
 * general path decides, and writes the error.
 */
function plainMinorUnits(text: string, currency: string): number | null {
  const length = text.length;
  if (length === 0) return null;
  let digits: number;
  try {
    digits = currencyDigits(currency);
  } catch {
    return null; // the general path checks the amount first, then says what is wrong
  }
  let value = 0;
  let decimals = -1; // -1 until the decimal point
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e) {
      if (decimals >= 0 || i === 0 || i === length - 1) return null;
      decimals = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      if (decimals >= digits) {
        if (code !== 0x30) return null; // "12.345" USD: an error the general path words
        continue; // a trailing zero beyond the precision: "1980.0" JPY
      }
      value = value * 10 + (code - 0x30);
      if (decimals >= 0) decimals++;
    } else {
      return null;
    }
  }
  for (let d = Math.max(decimals, 0); d < digits; d++) value *= 10;
  // Every step only grew, so a final value within 2^53 was exact all along.
  return value <= Number.MAX_SAFE_INTEGER ? value : null;
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

/**
 * Webhook bodies (REST-style JSON, webhooks api_version 2026-04) → the normalized snapshots of
 * app/domain/types.ts. Parse, don't trust: every field we use is checked, everything else is
 * ignored, and any problem becomes one PayloadError that names the field.
 *
 * Numeric ids: JSON.parse rounds integers above Number.MAX_SAFE_INTEGER (820982911946154508 →
 * 820982911946154500), and Shopify's ids are that large. We prefer the `admin_graphql_api_id`
 * strings; where a payload has only a number (refunds' order_id, line items' product_id, the
 * compliance topics), a safe integer or a digit string is used and an unsafe number is never
 * turned into a GID. Parse raw bodies with `parseWebhookJson` to keep those digits.
 */
import { z } from "zod";
import { MoneyError, formatMinorUnits, toMinorUnits } from "../domain/money";
import type { CustomerRef, Gid, OrderLineSnapshot, OrderSnapshot, RefundSnapshot, UnpricedRefund } from "../domain/types";

export class PayloadError extends Error {
  override name = "PayloadError";
}

// A number literal (after ':', '[' or ',') of 16 or more digits: Number.MAX_SAFE_INTEGER has 16.
const UNSAFE_INTEGER_LITERAL = /[:[,]\s*-?\d{16,}/;

/**
 * JSON.parse that keeps the digits of integers above Number.MAX_SAFE_INTEGER by returning them
 * as strings (uses the reviver's `context.source`, Node ≥ 21). Use it on raw webhook bodies.
 */
export function parseWebhookJson(raw: string): unknown {
  // The reviver costs ~5× a plain parse; only a bare integer of 16+ digits can be unsafe.
  if (!UNSAFE_INTEGER_LITERAL.test(raw)) return JSON.parse(raw);
  return JSON.parse(raw, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(context?.source ?? "")
      ? context?.source
      : value,
  );
}

// ---------------------------------------------------------------------------------------------
// Field schemas shared with bulk-import.ts

export const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, "expected a decimal string");

export const currencyCode = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code");

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** ISO-8601 date-time with an offset (Z or ±hh:mm) and a real calendar date → Date. */
export const isoDateTime = z
  .string()
  .refine(isIsoDateTime, "expected an ISO-8601 date-time with offset")
  .transform(isoDateTimeValue);

/**
 * The shape by the regular expression, then the numbers read at their fixed places (every
 * order has four of these: no capture groups or Date allocated per check).
 */
export function isIsoDateTime(text: string): boolean {
  if (!ISO_DATE_TIME.test(text)) return false;
  const year = digitsAt(text, 0, 4), month = digitsAt(text, 5, 2), day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2), minute = digitsAt(text, 14, 2);
  const second = text.charCodeAt(16) === 0x3a ? digitsAt(text, 17, 2) : 0;
  const zulu = text.charCodeAt(text.length - 1) === 0x5a; // "Z"
  const offH = zulu ? 0 : digitsAt(text, text.length - 5, 2), offM = zulu ? 0 : digitsAt(text, text.length - 2, 2);
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) &&
    hour < 24 && minute < 60 && second < 60 && offH < 24 && offM < 60
  );
}

/**
 * `new Date(text)` for a text isIsoDateTime accepts, computed from the digits at their fixed
 * places: V8's date parser costs ~0.3 µs a call and an import makes ~60,000. Milliseconds are
 * the fraction's first three digits, the rest dropped, as V8 reads them. tests/unit/payloads.test.ts
 * compares the two on thousands of texts.
 */
export function isoDateTimeValue(text: string): Date {
  const year = digitsAt(text, 0, 4);
  if (year < 100) return new Date(text); // Date.UTC would read 0–99 as 1900–1999
  const hasSeconds = text.charCodeAt(16) === 0x3a;
  let milliseconds = 0;
  if (hasSeconds && text.charCodeAt(19) === 0x2e) {
    for (let i = 20, scale = 100; scale >= 1; i++, scale /= 10) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) break;
      milliseconds += digit * scale;
    }
  }
  const end = text.length;
  const offsetMinutes =
    text.charCodeAt(end - 1) === 0x5a // "Z"
      ? 0
      : (text.charCodeAt(end - 6) === 0x2d ? -1 : 1) * (digitsAt(text, end - 5, 2) * 60 + digitsAt(text, end - 2, 2));
  const utc = Date.UTC(year, digitsAt(text, 5, 2) - 1, digitsAt(text, 8, 2), digitsAt(text, 11, 2), digitsAt(text, 14, 2), hasSeconds ? digitsAt(text, 17, 2) : 0, milliseconds);
  return new Date(utc - offsetMinutes * 60_000);
}

const digitsAt = (text: string, from: number, count: number): number => {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + text.charCodeAt(i) - 0x30;
  return n;
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Proleptic Gregorian, as `new Date(text)` reads the text (year 0000 is a leap year). */
const daysInMonth = (year: number, month: number): number =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1]!;

/** `gid://shopify/<type>/<digits>` */
export function gidOf(type: string) {
  const pattern = new RegExp(`^gid://shopify/${type}/\\d+$`);
  return z.string().regex(pattern, `expected a gid://shopify/${type}/… id`);
}

/** A REST numeric id: `{ digits }` when exact (safe integer or digit string), `{ unsafe }` when JSON.parse has rounded it. */
type RestId = { digits: string } | { unsafe: number };

const restId = z.unknown().transform((value, ctx): RestId => {
  if (typeof value === "string" && /^\d+$/.test(value)) return { digits: value };
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
    return Number.isSafeInteger(value) ? { digits: String(value) } : { unsafe: value };
  }
  ctx.addIssue({ code: "custom", message: value === undefined ? "required" : "expected a numeric id" });
  return z.NEVER;
});

/** The exact digits of a required id; a rounded number is an error, never a silently wrong id. */
function exactDigits(id: RestId, path: string): string {
  if ("digits" in id) return id.digits;
  throw new PayloadError(
    `${path}: ${id.unsafe} is above Number.MAX_SAFE_INTEGER and has lost digits; ` +
      "parse the raw body with parseWebhookJson",
  );
}

/** The GID for an optional id, or null when it is absent or only a rounded number. */
function optionalGid(type: string, id: RestId | null | undefined): Gid | null {
  return id && "digits" in id ? `gid://shopify/${type}/${id.digits}` : null;
}

function requiredGid(type: string, id: RestId, path: string): Gid {
  return `gid://shopify/${type}/${exactDigits(id, path)}`;
}

const join = (path: string, field: string) => (path ? `${path}.${field}` : field);

/** zod issues → "line_items[0].price_set.shop_money.amount: expected a decimal string". */
function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = formatPath(issue.path) || "(body)";
      if (issue.code === "invalid_type") {
        const message = issue.received === "undefined" ? "required" : `expected ${issue.expected}, got ${issue.received}`;
        return `${path}: ${message}`;
      }
      return `${path}: ${issue.message}`;
    })
    .join("; ");
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    "",
  );
}

export function parseWith<T extends z.ZodTypeAny>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw new PayloadError(describeZodError(result.error));
  return result.data;
}

/** Decimal string → minor units; MoneyError (e.g. "12.345" USD) is reported against `path`. */
export function minorUnits(amount: string, currency: string, path: string): bigint {
  try {
    return toMinorUnits(amount, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new PayloadError(`${path}: ${error.message}`);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// orders/create, orders/updated, orders/paid, orders/cancelled

const moneySet = z.object({
  shop_money: z.object({ amount: decimalString, currency_code: currencyCode }),
});
type MoneySet = z.output<typeof moneySet>;

const lineItemSchema = z.object({
  admin_graphql_api_id: gidOf("LineItem").optional(),
  id: restId.optional(),
  title: z.string(),
  quantity: z.number().int().nonnegative(),
  sku: z.string().nullish(),
  product_id: restId.nullish(),
  variant_id: restId.nullish(),
  price: decimalString.optional(),
  price_set: moneySet.optional(),
});

const customerSchema = z.object({
  admin_graphql_api_id: gidOf("Customer").optional(),
  id: restId.optional(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email: z.string().nullish(),
  default_address: z.object({ country_code: z.string().nullish(), province_code: z.string().nullish() }).nullish(),
  tags: z.string().nullish(),
  // Webhook versions before 2025-01 (later ones send customers/email_marketing_consent_update instead).
  email_marketing_consent: z
    .object({ state: z.string().nullish(), opt_in_level: z.string().nullish(), consent_updated_at: isoDateTime.nullish() })
    .nullish(),
  locale: z.string().nullish(),
});

const orderSchema = z.object({
  admin_graphql_api_id: gidOf("Order").optional(),
  id: restId.optional(),
  name: z.string().nullish(),
  created_at: isoDateTime,
  processed_at: isoDateTime.nullish(),
  updated_at: isoDateTime,
  cancelled_at: isoDateTime.nullish(),
  /** The shop currency (presentment_currency is the buyer's). */
  currency: currencyCode,
  total_price: decimalString.optional(),
  total_price_set: moneySet.optional(),
  current_total_price: decimalString.optional(),
  current_total_price_set: moneySet.optional(),
  customer: customerSchema.nullish(),
  line_items: z.array(lineItemSchema),
  // Codes used on this order: a milestone coupon among them marks its reward redeemed.
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
});

/** Prefer the GID string; fall back to an exact numeric id; a missing or rounded one is an error. */
function resolveGid(type: string, gid: string | undefined, id: RestId | undefined, path: string): Gid {
  if (gid) return gid;
  if (!id) throw new PayloadError(`${join(path, "admin_graphql_api_id")}: required`);
  return requiredGid(type, id, join(path, "id"));
}

/** Amount in shop money from `<field>_set`, else `<field>` in the order currency. */
function shopMoney(set: MoneySet | undefined, plain: string | undefined, currency: string, path: string): bigint {
  if (set) {
    const { amount, currency_code } = set.shop_money;
    if (currency_code !== currency) {
      throw new PayloadError(`${path}_set.shop_money.currency_code: ${currency_code} is not the shop currency ${currency}`);
    }
    return minorUnits(amount, currency, `${path}_set.shop_money.amount`);
  }
  if (plain === undefined) throw new PayloadError(`${path}_set: required (and no plain ${path} either)`);
  return minorUnits(plain, currency, path);
}

export function parseOrderWebhook(body: unknown): OrderSnapshot {
  const order = parseWith(orderSchema, body);
  const currency = order.currency;
  const createdAt = order.created_at;
  const processedAt = order.processed_at ?? createdAt;

  return {
    gid: resolveGid("Order", order.admin_graphql_api_id, order.id, ""),
    name: order.name ?? null,
    customer: order.customer ? toCustomerRef(order.customer) : null,
    createdAt,
    processedAt,
    updatedAt: order.updated_at,
    cancelledAt: order.cancelled_at ?? null,
    currency,
    totalPrice: shopMoney(order.total_price_set, order.total_price, currency, "total_price"),
    currentTotalPrice: shopMoney(
      order.current_total_price_set,
      order.current_total_price,
      currency,
      "current_total_price",
    ),
    lines: order.line_items.map((line, i) => toLine(line, currency, `line_items[${i}]`)),
    discountCodes: (order.discount_codes ?? []).map((d) => d.code),
  };
}

/**
 * ISO 3166-2 subdivision ("JP-13", "US-CA") so one region filter works for every country:
 * Shopify writes Japanese prefectures as "JP-13" but US states as plain "CA".
 */
export function regionCode(countryCode: string | null | undefined, provinceCode: string | null | undefined): string | null {
  if (!provinceCode) return null;
  if (provinceCode.includes("-") || !countryCode) return provinceCode.toUpperCase();
  return `${countryCode}-${provinceCode}`.toUpperCase();
}

function toCustomerRef(customer: z.output<typeof customerSchema>): CustomerRef {
  // undefined = the payload did not say (e.g. no protected-data access); null = known empty.
  const address = customer.default_address;
  return {
    gid: resolveGid("Customer", customer.admin_graphql_api_id, customer.id, "customer"),
    firstName: customer.first_name,
    lastName: customer.last_name,
    email: customer.email,
    countryCode: address === undefined ? undefined : address === null ? null : address.country_code,
    provinceCode: address === undefined ? undefined : address === null ? null : regionCode(address.country_code, address.province_code),
    tags: customer.tags,
    // A missing or empty consent object says nothing: keep what we hold.
    ...(customer.email_marketing_consent?.state
      ? {
          emailMarketingConsent: customer.email_marketing_consent.state.toUpperCase(),
          consentUpdatedAt: customer.email_marketing_consent.consent_updated_at ?? null,
        }
      : {}),
    locale: customer.locale,
  };
}

function toLine(line: z.output<typeof lineItemSchema>, currency: string, path: string): OrderLineSnapshot {
  return {
    gid: resolveGid("LineItem", line.admin_graphql_api_id, line.id, path),
    title: line.title,
    sku: line.sku || null, // Shopify sends "" for "no SKU"
    productGid: optionalGid("Product", line.product_id),
    variantGid: optionalGid("ProductVariant", line.variant_id),
    quantity: line.quantity,
    unitPrice: shopMoney(line.price_set, line.price, currency, `${path}.price`),
  };
}

// ---------------------------------------------------------------------------------------------
// refunds/create

const money = z.object({ amount: decimalString, currency_code: currencyCode });
/** A refund's money in shop_money and, where Shopify sends it, presentment_money (the buyer's). */
const moneyBag = z.object({ shop_money: money, presentment_money: money.nullish() });
type MoneyBag = z.output<typeof moneyBag>;

const refundTransactionSchema = z.object({
  kind: z.string(),
  status: z.string(),
  amount: decimalString.optional(),
  // The payment's currency, i.e. the buyer's (presentment) one; null in Shopify's own sample.
  currency: currencyCode.nullish(),
  amount_set: moneyBag.optional(),
});

const refundSchema = z.object({
  admin_graphql_api_id: gidOf("Refund").optional(),
  id: restId.optional(),
  // The only reference to the order in refunds/create: a bare number, no admin_graphql_api_id.
  order_id: restId,
  created_at: isoDateTime.nullish(),
  processed_at: isoDateTime.nullish(),
  transactions: z.array(refundTransactionSchema).default([]),
  // Shopify's valuation of what the refund gives back, in both currencies …
  refund_line_items: z.array(z.object({ subtotal_set: moneyBag.optional(), total_tax_set: moneyBag.optional() })).nullish(),
  refund_shipping_lines: z.array(z.object({ subtotal_amount_set: moneyBag.optional(), tax_amount_set: moneyBag.optional() })).nullish(),
  total_duties_set: moneyBag.nullish(),
  total_additional_fees_set: moneyBag.nullish(),
  // … less the discrepancy between that and what was actually paid back.
  order_adjustments: z.array(z.object({ amount_set: moneyBag.optional(), tax_amount_set: moneyBag.optional() })).nullish(),
});
type RefundPayload = z.output<typeof refundSchema>;

/** One money bag of the refund's valuation, added (lines, shipping, duties, fees) or subtracted (adjustments). */
interface RefundPart {
  bag: MoneyBag;
  sign: 1n | -1n;
  tax: boolean;
  shop: bigint;
  presentment: bigint | null;
}

function nonNegative(value: bigint, path: string): bigint {
  if (value < 0n) throw new PayloadError(`${path}: must not be negative`);
  return value;
}

function refundParts(refund: RefundPayload): RefundPart[] {
  const parts: RefundPart[] = [];
  const add = (bag: MoneyBag | null | undefined, path: string, sign: 1n | -1n, tax: boolean) => {
    if (!bag) return;
    const shop = minorUnits(bag.shop_money.amount, bag.shop_money.currency_code, `${path}.shop_money.amount`);
    const p = bag.presentment_money;
    const presentment = p ? minorUnits(p.amount, p.currency_code, `${path}.presentment_money.amount`) : null;
    // Adjustments go either way; what is given back never is negative.
    if (sign > 0n && (shop < 0n || (presentment ?? 0n) < 0n)) throw new PayloadError(`${path}: must not be negative`);
    parts.push({ bag, sign, tax, shop, presentment });
  };
  refund.refund_line_items?.forEach((l, i) => {
    add(l.subtotal_set, `refund_line_items[${i}].subtotal_set`, 1n, false);
    add(l.total_tax_set, `refund_line_items[${i}].total_tax_set`, 1n, true);
  });
  refund.refund_shipping_lines?.forEach((l, i) => {
    add(l.subtotal_amount_set, `refund_shipping_lines[${i}].subtotal_amount_set`, 1n, false);
    add(l.tax_amount_set, `refund_shipping_lines[${i}].tax_amount_set`, 1n, true);
  });
  add(refund.total_duties_set, "total_duties_set", 1n, false);
  add(refund.total_additional_fees_set, "total_additional_fees_set", 1n, false);
  refund.order_adjustments?.forEach((a, i) => {
    add(a.amount_set, `order_adjustments[${i}].amount_set`, -1n, false);
    add(a.tax_amount_set, `order_adjustments[${i}].tax_amount_set`, -1n, true);
  });
  return parts;
}

/**
 * The refund in shop money, from the parts, when their presentment side adds up to exactly what
 * was paid back in `currency`: Shopify's own shop-money figure for that money, not a conversion
 * of ours. Tax is tried included and excluded, as the refund does not say whether the shop's
 * prices include it (Japan's do: then the subtotal already holds the tax split out beside it).
 */
function shopMoneyOfPresentment(parts: RefundPart[], shopCurrency: string, currency: string, paidBack: bigint): bigint | null {
  const usable = parts.every(
    (p) => p.bag.shop_money.currency_code === shopCurrency && p.bag.presentment_money?.currency_code === currency,
  );
  if (!usable) return null;
  for (const withTax of [true, false]) {
    const counted = parts.filter((p) => withTax || !p.tax);
    const presentment = counted.reduce((sum, p) => sum + p.sign * p.presentment!, 0n);
    const shop = counted.reduce((sum, p) => sum + p.sign * p.shop, 0n);
    if (presentment === paidBack && shop >= 0n) return shop;
  }
  return null;
}

/**
 * refunds/create → the money given back, in minor units of the shop's currency: the successful
 * "refund" transactions. Shopify's REST transactions carry `amount` and `currency` — the buyer's
 * (presentment) currency, null in Shopify's sample — and no amount_set. A transaction in the shop's
 * currency (or without one, when the refund's presentment currency is the shop's) counts as it
 * is. One in another currency is never added as shop money: the refund's shop_money sets give
 * the figure when their presentment side matches it (shopMoneyOfPresentment); if nothing does,
 * the refund comes back unpriced (amount null) and the order's next snapshot —
 * orders/updated's current_total_price_set, in shop money — brings the refunded total instead.
 *
 * `shopCurrency` is the Shop row's (the worker passes it); without it, the refund's shop_money
 * currency. Malformed or impossible amounts are PayloadErrors; an unknown currency is not.
 */
export function parseRefundWebhook(body: unknown, options: { shopCurrency?: string } = {}): RefundSnapshot | UnpricedRefund {
  const refund = parseWith(refundSchema, body);
  const createdAt = refund.created_at ?? refund.processed_at;
  if (!createdAt) throw new PayloadError("created_at: required (or processed_at)");
  const ids = {
    gid: resolveGid("Refund", refund.admin_graphql_api_id, refund.id, ""),
    orderGid: requiredGid("Order", refund.order_id, "order_id"),
    createdAt,
  };
  const unpriced = (reason: string): UnpricedRefund => ({ ...ids, amount: null, currency: null, reason });

  const parts = refundParts(refund);
  const shopCurrency =
    options.shopCurrency ??
    [...refund.transactions.map((t) => t.amount_set), ...parts.map((p) => p.bag)].find((bag) => bag)?.shop_money.currency_code;
  const presentmentCurrency = parts.find((p) => p.bag.presentment_money)?.bag.presentment_money?.currency_code;

  let inShopMoney = 0n;
  const foreign = new Map<string, bigint>(); // paid back in another currency, by currency
  const problems: string[] = [];
  refund.transactions.forEach((t, i) => {
    const path = `transactions[${i}]`;
    const paid = t.kind === "refund" && t.status === "success";
    if (t.amount_set) {
      const { amount, currency_code } = t.amount_set.shop_money;
      const value = nonNegative(minorUnits(amount, currency_code, `${path}.amount_set.shop_money.amount`), `${path}.amount_set.shop_money.amount`);
      if (!paid) return;
      if (currency_code === shopCurrency) inShopMoney += value;
      else problems.push(`${path}.amount_set.shop_money is in ${currency_code}, the shop's currency is ${shopCurrency ?? "unknown"}`);
      return;
    }
    if (t.amount === undefined) {
      if (paid) throw new PayloadError(`${path}.amount: required`);
      return;
    }
    const currency = t.currency ?? presentmentCurrency ?? shopCurrency;
    if (!currency) {
      // Only the acknowledgement's check gets here for a known shop; the worker passes its currency.
      if (paid) problems.push(`${path} names no currency and neither does the refund`);
      return;
    }
    const value = nonNegative(minorUnits(t.amount, currency, `${path}.amount`), `${path}.amount`);
    if (!paid) return;
    if (currency === shopCurrency) inShopMoney += value;
    else foreign.set(currency, (foreign.get(currency) ?? 0n) + value);
  });

  if (!shopCurrency) return unpriced("the shop's currency is unknown and the refund has no shop_money to tell it");
  if (problems.length > 0) return unpriced(problems.join("; "));
  if (foreign.size === 0) return { ...ids, amount: inShopMoney, currency: shopCurrency };
  const [currency, paidBack] = [...foreign][0]!;
  const paid = `${formatMinorUnits(paidBack, currency)} ${currency}`;
  if (foreign.size > 1 || inShopMoney !== 0n) return unpriced(`paid back in several currencies (${paid} among them)`);
  const amount = shopMoneyOfPresentment(parts, shopCurrency, currency, paidBack);
  if (amount === null) return unpriced(`${paid} paid back, and the refund's ${shopCurrency} shop_money sets do not add up to it`);
  return { ...ids, amount, currency: shopCurrency };
}

// ---------------------------------------------------------------------------------------------
// Mandatory compliance topics. Their ids are bare numbers. A rounded one is an error here, not a
// null: silently skipping a customer or an order would leave data that we promised to redact.

const shopDomain = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "expected a <shop>.myshopify.com domain");

const complianceCustomer = z.object({ id: restId }).nullish();

const customersRedactSchema = z.object({
  shop_domain: shopDomain,
  customer: complianceCustomer,
  orders_to_redact: z.array(restId).default([]),
});

const shopRedactSchema = z.object({ shop_domain: shopDomain });

const shopUpdateSchema = z.object({ name: z.string().min(1), iana_timezone: z.string().nullish() });

/** shop/update: the shop's name (mail, unsubscribe page) and time zone (sending hours, months). */
export function parseShopUpdate(body: unknown): { name: string; ianaTimezone: string | null | undefined } {
  const payload = parseWith(shopUpdateSchema, body);
  return { name: payload.name, ianaTimezone: payload.iana_timezone };
}

const customersDataRequestSchema = z.object({
  shop_domain: shopDomain,
  customer: complianceCustomer,
  orders_requested: z.array(restId).default([]),
  data_request: z.object({ id: restId }),
});

function complianceCustomerGid(customer: z.output<typeof complianceCustomer>): Gid | null {
  return customer ? requiredGid("Customer", customer.id, "customer.id") : null;
}

function orderGids(ids: RestId[], field: string): Gid[] {
  return ids.map((id, i) => requiredGid("Order", id, `${field}[${i}]`));
}

export function parseCustomersRedact(body: unknown): {
  shopDomain: string;
  customerGid: Gid | null;
  ordersToRedact: Gid[];
} {
  const payload = parseWith(customersRedactSchema, body);
  return {
    shopDomain: payload.shop_domain,
    customerGid: complianceCustomerGid(payload.customer),
    ordersToRedact: orderGids(payload.orders_to_redact, "orders_to_redact"),
  };
}

// customers/email_marketing_consent_update (since API 2025-01 the only webhook that says a
// customer's email marketing consent changed).
const emailMarketingConsentUpdateSchema = z.object({
  customer_id: restId,
  email_address: z.string().nullish(),
  email_marketing_consent: z.object({
    state: z.string().min(1),
    opt_in_level: z.string().nullish(),
    consent_updated_at: isoDateTime.nullish(),
  }),
});

/** The customer's new consent; consentUpdatedAt null when Shopify gave no date (the caller dates it). */
export function parseEmailMarketingConsentUpdate(body: unknown): { customerGid: Gid; emailMarketingConsent: string; consentUpdatedAt: Date | null } {
  const payload = parseWith(emailMarketingConsentUpdateSchema, body);
  return {
    customerGid: requiredGid("Customer", payload.customer_id, "customer_id"),
    emailMarketingConsent: payload.email_marketing_consent.state.toUpperCase(),
    consentUpdatedAt: payload.email_marketing_consent.consent_updated_at ?? null,
  };
}

export function parseShopRedact(body: unknown): { shopDomain: string } {
  return { shopDomain: parseWith(shopRedactSchema, body).shop_domain };
}

export function parseCustomersDataRequest(body: unknown): {
  shopDomain: string;
  customerGid: Gid | null;
  ordersRequested: Gid[];
  dataRequestId: string;
} {
  const payload = parseWith(customersDataRequestSchema, body);
  return {
    shopDomain: payload.shop_domain,
    customerGid: complianceCustomerGid(payload.customer),
    ordersRequested: orderGids(payload.orders_requested, "orders_requested"),
    dataRequestId: exactDigits(payload.data_request.id, "data_request.id"),
  };
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  isIsoDateTime,
  isoDateTimeValue,
  regionCode,
  PayloadError,
  parseCustomersDataRequest,
  parseCustomersRedact,
  parseOrderWebhook,
  parseRefundWebhook,
  parseShopRedact,
  parseWebhookJson,
} from "~/shopify/payloads";

const raw = (name: string) => readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), "utf8");
/** As the route would receive it: raw body through the digit-preserving parser. */
const fixture = (name: string) => parseWebhookJson(raw(name)) as Record<string, unknown>;

function payloadError(parse: () => unknown): PayloadError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as Error).name).toBe("PayloadError");
    return error as PayloadError;
  }
  throw new Error("expected a PayloadError");
}

describe("parseWebhookJson", () => {
  it("keeps integers above MAX_SAFE_INTEGER as digit strings, and everything else as JSON.parse does", () => {
    expect(parseWebhookJson('{"a":820982911946154508,"b":9007199254740991,"c":-12,"d":0.1,"e":"820982911946154508"}')).toEqual({
      a: "820982911946154508",
      b: 9007199254740991,
      c: -12,
      d: 0.1,
      e: "820982911946154508",
    });
    expect(JSON.parse("820982911946154508")).toBe(820982911946154500); // why it exists
  });

  it.each([
    ['{"a": 820982911946154508}', { a: "820982911946154508" }],
    ['{"a":[1,\n  820982911946154508]}', { a: [1, "820982911946154508"] }],
    ['{"a":-820982911946154508}', { a: "-820982911946154508" }],
    ['{"a":123,"b":"x"}', { a: 123, b: "x" }],
  ])("finds unsafe integers wherever JSON allows a number: %s", (raw, expected) => {
    expect(parseWebhookJson(raw)).toEqual(expected);
  });
});

describe("regionCode", () => {
  it.each([
    ["JP", "JP-13", "JP-13"],
    ["US", "CA", "US-CA"],
    ["ca", "on", "CA-ON"],
    ["JP", null, null],
    ["JP", "", null],
    [null, "ON", "ON"],
  ])("%s + %s → %s", (country, province, expected) => {
    expect(regionCode(country, province)).toBe(expected);
  });
});

describe("parseOrderWebhook", () => {
  it("orders/create (JPY, customer, two lines) field by field", () => {
    const order = parseOrderWebhook(fixture("orders-create.json"));
    expect(order).toEqual({
      gid: "gid://shopify/Order/6012345678901",
      name: "#1042",
      customer: {
        gid: "gid://shopify/Customer/7409876543210",
        firstName: "花子",
        lastName: "山田",
        email: "hanako.yamada@example.jp",
        countryCode: "JP",
        provinceCode: "JP-13",
        tags: undefined,
      },
      createdAt: new Date("2026-05-12T01:15:30Z"),
      processedAt: new Date("2026-05-12T01:15:29Z"),
      updatedAt: new Date("2026-05-12T01:15:31Z"),
      cancelledAt: null,
      currency: "JPY",
      totalPrice: 5160n,
      currentTotalPrice: 5160n,
      lines: [
        {
          gid: "gid://shopify/LineItem/15012345678901",
          title: "ほうじ茶 200g",
          sku: "HOJI-200",
          productGid: "gid://shopify/Product/8123456789012",
          variantGid: "gid://shopify/ProductVariant/45123456789012",
          quantity: 2,
          unitPrice: 1980n,
        },
        {
          gid: "gid://shopify/LineItem/15012345678902",
          title: "ギフト包装",
          sku: null, // "" in the payload
          productGid: null,
          variantGid: null,
          quantity: 1,
          unitPrice: 600n, // "600.0"
        },
      ],
      discountCodes: [],
    });
  });

  it("a guest checkout has customer null, whether the key is absent or null", () => {
    const body = fixture("orders-create-guest.json");
    expect("customer" in body).toBe(false);
    const order = parseOrderWebhook(body);
    expect(order.customer).toBeNull();
    expect(order).toMatchObject({ gid: "gid://shopify/Order/6012345678950", name: "#1043", totalPrice: 2580n });
    expect(parseOrderWebhook({ ...body, customer: null }).customer).toBeNull();
  });

  it("a USD order: cents, shop money rather than presentment (CAD) money", () => {
    const order = parseOrderWebhook(fixture("orders-paid-usd.json"));
    expect(order.currency).toBe("USD");
    expect(order.totalPrice).toBe(3745n);
    expect(order.currentTotalPrice).toBe(3745n);
    expect(order.lines.map((l) => [l.unitPrice, l.quantity, l.sku])).toEqual([
      [1250n, 2, "SEN-TIN"],
      [445n, 1, null],
    ]);
    expect(order.createdAt).toEqual(new Date("2026-04-30T20:45:00Z"));
    // first_name present, last_name null, no email key, no default_address: known vs unknown.
    expect(order.customer).toEqual({
      gid: "gid://shopify/Customer/6634567890123",
      firstName: "Sam",
      lastName: null,
      email: "sam.lee@example.com",
      countryCode: undefined,
      provinceCode: undefined,
      tags: undefined,
    });
  });

  it("ids above MAX_SAFE_INTEGER: GIDs from admin_graphql_api_id; product ids exact only with parseWebhookJson", () => {
    const exact = parseOrderWebhook(fixture("orders-create-unsafe-ids.json"));
    expect(exact.gid).toBe("gid://shopify/Order/820982911946154508");
    expect(exact.customer?.gid).toBe("gid://shopify/Customer/115310627314723954");
    expect(exact.lines.map((l) => [l.gid, l.productGid, l.variantGid])).toEqual([
      ["gid://shopify/LineItem/487817672276298554", "gid://shopify/Product/788032119674292922", null],
      ["gid://shopify/LineItem/789012345678901234", null, null],
    ]);
    expect(exact.cancelledAt).toEqual(new Date("2022-01-01T00:00:00Z"));
    expect(exact.customer?.countryCode).toBe("CA");
    expect(exact.customer?.provinceCode).toBe("CA-ON");

    // Plain JSON.parse has already rounded product_id: it must become null, never a wrong GID.
    const rounded = parseOrderWebhook(JSON.parse(raw("orders-create-unsafe-ids.json")));
    expect(rounded.gid).toBe(exact.gid);
    expect(rounded.customer?.gid).toBe(exact.customer?.gid);
    expect(rounded.lines[0]?.gid).toBe("gid://shopify/LineItem/487817672276298554");
    expect(rounded.lines[0]?.productGid).toBeNull();
  });

  it("without admin_graphql_api_id, a safe numeric id builds the GID and an unsafe one is refused", () => {
    const { admin_graphql_api_id: _gid, ...body } = fixture("orders-create.json");
    expect(parseOrderWebhook(body).gid).toBe("gid://shopify/Order/6012345678901");
    const unsafe = JSON.parse(JSON.stringify({ ...body, id: 0 }).replace('"id":0', '"id":820982911946154508'));
    expect(payloadError(() => parseOrderWebhook(unsafe)).message).toMatch(/^id: 820982911946154500 is above Number.MAX_SAFE_INTEGER/);
  });

  it("a cancelled order", () => {
    const order = parseOrderWebhook(fixture("orders-cancelled.json"));
    expect(order.cancelledAt).toEqual(new Date("2026-05-14T00:30:00Z"));
    expect(order.totalPrice).toBe(3840n);
    expect(order.currentTotalPrice).toBe(0n);
    expect(order.updatedAt).toEqual(new Date("2026-05-14T00:30:02Z"));
  });

  it("falls back: processed_at → created_at, *_set → plain amount in the order currency, price_set → price", () => {
    const body = fixture("orders-paid-usd.json");
    const lines = body.line_items as Record<string, unknown>[];
    const order = parseOrderWebhook({
      ...body,
      processed_at: null,
      total_price_set: undefined,
      current_total_price_set: undefined,
      current_total_price: "30.00",
      line_items: lines.map(({ price_set: _drop, ...line }) => line),
    });
    expect(order.processedAt).toEqual(order.createdAt);
    expect(order.totalPrice).toBe(3745n);
    expect(order.currentTotalPrice).toBe(3000n);
    expect(order.lines.map((l) => l.unitPrice)).toEqual([1250n, 445n]);
  });

  it("ignores fields it does not know", () => {
    const body = { ...fixture("orders-create.json"), brand_new_field: { nested: [1, 2] } };
    expect(parseOrderWebhook(body).gid).toBe("gid://shopify/Order/6012345678901");
  });

  describe("malformed payloads → PayloadError naming the field", () => {
    const base = () => fixture("orders-create.json");
    const withLine = (patch: Record<string, unknown>) => {
      const body = base();
      const [first, ...rest] = body.line_items as Record<string, unknown>[];
      return { ...body, line_items: [{ ...first, ...patch }, ...rest] };
    };
    const setAmount = (amount: string) => ({ shop_money: { amount, currency_code: "JPY" } });

    it.each([
      ["missing ids", () => ({ ...base(), admin_graphql_api_id: undefined, id: undefined }), "admin_graphql_api_id: required"],
      ["amount abc", () => ({ ...base(), total_price_set: setAmount("abc") }), "total_price_set.shop_money.amount: expected a decimal string"],
      ["line amount abc", () => withLine({ price_set: setAmount("12a") }), "line_items[0].price_set.shop_money.amount: expected a decimal string"],
      ["bad date", () => ({ ...base(), created_at: "2026-02-30T10:00:00+09:00" }), "created_at: expected an ISO-8601 date-time with offset"],
      ["date without offset", () => ({ ...base(), updated_at: "2026-05-12T10:15:31" }), "updated_at: expected an ISO-8601 date-time with offset"],
      ["missing updated_at", () => ({ ...base(), updated_at: undefined }), "updated_at: required"],
      ["quantity as string", () => withLine({ quantity: "2" }), "line_items[0].quantity: expected number, got string"],
      ["line_items not an array", () => ({ ...base(), line_items: {} }), "line_items: expected array, got object"],
      ["bad gid", () => ({ ...base(), admin_graphql_api_id: "gid://shopify/Product/1" }), "admin_graphql_api_id: expected a gid://shopify/Order/… id"],
      ["customer without ids", () => ({ ...base(), customer: { first_name: "X" } }), "customer.admin_graphql_api_id: required"],
      ["bad currency", () => ({ ...base(), currency: "yen" }), "currency: expected an ISO 4217 currency code"],
      ["shop money in another currency", () => ({ ...base(), total_price_set: { shop_money: { amount: "50", currency_code: "USD" } } }), "total_price_set.shop_money.currency_code: USD is not the shop currency JPY"],
      ["no body", () => null, "(body): expected object, got null"],
    ])("%s", (_name, body, message) => {
      const error = payloadError(() => parseOrderWebhook(body()));
      expect(error.message).toContain(message);
    });

    it("MoneyError surfaces as a PayloadError with the field", () => {
      const error = payloadError(() => parseOrderWebhook(withLine({ price_set: setAmount("1980.5") })));
      expect(error.message).toBe('line_items[0].price_set.shop_money.amount: JPY has 0 decimal places; "1980.5" has more');
    });
  });
});

describe("parseRefundWebhook (Shopify's sample shape: transactions with currency null)", () => {
  it("sums successful refund transactions in the refund's shop currency", () => {
    expect(parseRefundWebhook(fixture("refunds-create.json"))).toEqual({
      gid: "gid://shopify/Refund/890088186047892319",
      orderGid: "gid://shopify/Order/820982911946154508",
      createdAt: new Date("2022-01-01T00:00:00Z"),
      amount: 8500n, // 75.00 + 10.00; the failed 4.99 is left out
      currency: "USD",
    });
  });

  it("order_id is a bare number: rounded by JSON.parse, it is refused rather than guessed", () => {
    const error = payloadError(() => parseRefundWebhook(JSON.parse(raw("refunds-create.json"))));
    expect(error.message).toMatch(/^order_id: 820982911946154500 is above Number.MAX_SAFE_INTEGER/);
  });

  it("a safe numeric order_id is fine with plain JSON.parse", () => {
    const body = { ...fixture("refunds-create.json"), order_id: 6012345678901 };
    expect(parseRefundWebhook(body).orderGid).toBe("gid://shopify/Order/6012345678901");
  });

  describe("which money is shop money (the worker passes options.shopCurrency, the Shop row's)", () => {
    const base = fixture("refunds-create.json");
    const ok = { kind: "refund", status: "success" };
    const noHints = { ...base, refund_line_items: [], total_duties_set: null };
    const bag = (shop: string, shopCurrency: string, presentment: string, presentmentCurrency: string) => ({
      shop_money: { amount: shop, currency_code: shopCurrency },
      presentment_money: { amount: presentment, currency_code: presentmentCurrency },
    });
    const jpyUsd = (jpy: string, usd: string) => bag(jpy, "JPY", usd, "USD");
    const cadUsd = (cad: string, usd: string) => bag(cad, "CAD", usd, "USD");
    /** A JPY shop's refund of one ¥33,000 line (tax included, ¥3,000 of it) presented as $220.00. */
    const jpyLine = { subtotal_set: jpyUsd("33000", "220.00"), total_tax_set: jpyUsd("3000", "20.00") };
    const jpyRefund = (patch: Record<string, unknown>) => ({
      ...base,
      refund_line_items: [jpyLine],
      total_duties_set: jpyUsd("0", "0.00"),
      total_additional_fees_set: jpyUsd("0", "0.00"),
      ...patch,
    });
    // A CAD shop's refund, as Shopify delivered it for a USD buyer (tax on top of the subtotal).
    const cadRefund = (status: string, patch: Record<string, unknown> = {}) => ({
      ...base,
      refund_line_items: [{ subtotal_set: cadUsd("1240.71", "919.80"), total_tax_set: cadUsd("125.31", "92.90") }],
      total_duties_set: cadUsd("0.00", "0.00"),
      transactions: [{ ...ok, status, amount: "1012.70", currency: "USD" }],
      ...patch,
    });

    it.each<[string, Record<string, unknown>, string | undefined, { amount: bigint; currency: string }]>([
      ["Shopify's sample: currency null, the sets say USD", base, undefined, { amount: 8500n, currency: "USD" }],
      ["Shopify's sample with the shop's currency passed", base, "USD", { amount: 8500n, currency: "USD" }],
      ["amount_set.shop_money wins over amount", { ...noHints, transactions: [{ ...ok, amount: "9.99", amount_set: { shop_money: { amount: "1500", currency_code: "JPY" } } }] }, undefined, { amount: 1500n, currency: "JPY" }],
      ["a transaction in the shop's currency", { ...noHints, transactions: [{ ...ok, amount: "1500", currency: "JPY" }] }, "JPY", { amount: 1500n, currency: "JPY" }],
      ["currency null and no hint: the shop's currency (production path)", { ...noHints, transactions: [{ ...ok, amount: "1500", currency: null }] }, "JPY", { amount: 1500n, currency: "JPY" }],
      ["USD paid back, tax-inclusive yen: the subtotal's shop_money", jpyRefund({ transactions: [{ ...ok, amount: "220.00", currency: "USD" }] }), "JPY", { amount: 33000n, currency: "JPY" }],
      ["the same without the shop's currency passed (the acknowledgement's check)", jpyRefund({ transactions: [{ ...ok, amount: "220.00", currency: "USD" }] }), undefined, { amount: 33000n, currency: "JPY" }],
      ["USD paid back with currency null: the sets' presentment currency", jpyRefund({ transactions: [{ ...ok, amount: "220.00", currency: null }] }), "JPY", { amount: 33000n, currency: "JPY" }],
      ["USD paid back, CAD shop, tax on top: subtotal + tax", cadRefund("success"), "CAD", { amount: 136602n, currency: "CAD" }],
      ["the CAD refund as delivered: transaction pending, an adjustment of all of it", cadRefund("pending", { order_adjustments: [{ amount_set: cadUsd("1366.02", "1012.70"), tax_amount_set: cadUsd("0.00", "0.00") }] }), "CAD", { amount: 0n, currency: "CAD" }],
      ["an amount-only refund: the discrepancy adjustment (negative) is the refund", jpyRefund({ refund_line_items: [], order_adjustments: [{ amount_set: jpyUsd("-1500", "-10.00") }], transactions: [{ ...ok, amount: "10.00", currency: "USD" }] }), "JPY", { amount: 1500n, currency: "JPY" }],
      ["line and shipping refunded in USD", jpyRefund({ refund_shipping_lines: [{ subtotal_amount_set: jpyUsd("800", "5.00") }], transactions: [{ ...ok, amount: "225.00", currency: "USD" }] }), "JPY", { amount: 33800n, currency: "JPY" }],
      ["two USD transactions, one failed", jpyRefund({ transactions: [{ ...ok, amount: "200.00", currency: "USD" }, { ...ok, amount: "20.00", currency: "USD" }, { ...ok, status: "failure", amount: "5.00", currency: "USD" }] }), "JPY", { amount: 33000n, currency: "JPY" }],
    ])("%s", (_name, body, shopCurrency, expected) => {
      expect(parseRefundWebhook(body, { shopCurrency })).toMatchObject(expected);
    });

    it.each<[string, Record<string, unknown>, string | undefined, string]>([
      ["currency null and no hint, shop currency not passed", { ...noHints, transactions: [{ ...ok, amount: "1500", currency: null }] }, undefined, "the shop's currency is unknown"],
      ["a transaction's currency alone does not tell the shop's", { ...noHints, transactions: [{ ...ok, amount: "1500", currency: "USD" }] }, undefined, "the shop's currency is unknown"],
      ["USD paid back that no set adds up to", jpyRefund({ transactions: [{ ...ok, amount: "50.00", currency: "USD" }] }), "JPY", "50.00 USD paid back, and the refund's JPY shop_money sets do not add up to it"],
      ["CAD paid back, the sets presented in USD", { ...base, transactions: [{ ...ok, amount: "12.00", currency: "CAD" }] }, undefined, "12.00 CAD paid back, and the refund's USD shop_money sets do not add up to it"],
      ["the sets in another shop currency than the Shop row's", jpyRefund({ transactions: [{ ...ok, amount: "220.00", currency: "USD" }] }), "EUR", "220.00 USD paid back, and the refund's EUR shop_money sets do not add up to it"],
      ["paid back in two currencies", jpyRefund({ transactions: [{ ...ok, amount: "220.00", currency: "USD" }, { ...ok, amount: "100", currency: "JPY" }] }), "JPY", "paid back in several currencies (220.00 USD among them)"],
    ])("unpriced, not refused: %s", (_name, body, shopCurrency, reason) => {
      const refund = parseRefundWebhook(body, { shopCurrency });
      expect(refund).toMatchObject({ gid: "gid://shopify/Refund/890088186047892319", amount: null, currency: null });
      expect(refund.amount === null && refund.reason).toContain(reason);
    });

    it.each<[string, Record<string, unknown>, string | undefined, string]>([
      ["a negative transaction", { ...base, transactions: [{ ...ok, amount: "-75.00", currency: "USD" }] }, undefined, "transactions[0].amount: must not be negative"],
      ["a negative line subtotal", jpyRefund({ refund_line_items: [{ subtotal_set: jpyUsd("-33000", "-220.00") }] }), "JPY", "refund_line_items[0].subtotal_set: must not be negative"],
      ["a presentment amount that is not a number", jpyRefund({ refund_line_items: [{ subtotal_set: jpyUsd("33000", "lots") }] }), "JPY", "refund_line_items[0].subtotal_set.presentment_money.amount: expected a decimal string"],
      ["sen on a yen amount", jpyRefund({ refund_line_items: [{ subtotal_set: jpyUsd("33000.5", "220.00") }] }), "JPY", 'refund_line_items[0].subtotal_set.shop_money.amount: JPY has 0 decimal places; "33000.5" has more'],
      ["currency null read in the shop's USD, too precise", { ...noHints, transactions: [{ ...ok, amount: "1.005", currency: null }] }, "USD", 'transactions[0].amount: USD has 2 decimal places; "1.005" has more'],
      ["a successful transaction without amount", { ...base, transactions: [{ ...ok, currency: "USD" }] }, undefined, "transactions[0].amount: required"],
    ])("bad input is still a PayloadError: %s", (_name, body, shopCurrency, message) => {
      expect(payloadError(() => parseRefundWebhook(body, { shopCurrency })).message).toBe(message);
    });
  });

  it("a refund without money (restock only) is 0; created_at falls back to processed_at", () => {
    const body = { ...fixture("refunds-create.json"), transactions: [], created_at: null, processed_at: "2026-05-14T09:30:00+09:00" };
    expect(parseRefundWebhook(body)).toMatchObject({ amount: 0n, currency: "USD", createdAt: new Date("2026-05-14T00:30:00Z") });
  });

  it.each([
    ["missing order_id", { order_id: undefined }, "order_id: required"],
    ["order_id not a number", { order_id: "#1042" }, "order_id: expected a numeric id"],
    ["amount abc", { transactions: [{ kind: "refund", status: "success", amount: "abc", currency: "USD" }] }, "transactions[0].amount: expected a decimal string"],
    ["bad date", { created_at: "yesterday" }, "created_at: expected an ISO-8601 date-time with offset"],
    ["no date at all", { created_at: null, processed_at: null }, "created_at: required (or processed_at)"],
    ["transactions not an array", { transactions: "none" }, "transactions: expected array, got string"],
    ["cents on USD beyond 2 places", { transactions: [{ kind: "refund", status: "success", amount: "1.005", currency: "USD" }] }, 'transactions[0].amount: USD has 2 decimal places; "1.005" has more'],
  ])("%s → PayloadError", (_name, patch, message) => {
    const error = payloadError(() => parseRefundWebhook({ ...fixture("refunds-create.json"), ...patch }));
    expect(error.message).toBe(message);
  });
});

describe("compliance topics", () => {
  it("customers/redact", () => {
    expect(parseCustomersRedact(fixture("customers-redact.json"))).toEqual({
      shopDomain: "tokui-dev.myshopify.com",
      customerGid: "gid://shopify/Customer/7409876543210",
      ordersToRedact: ["gid://shopify/Order/6012345678901", "gid://shopify/Order/6012345678977"],
    });
  });

  it("customers/redact without customer or orders", () => {
    const body = { shop_id: 1, shop_domain: "tokui-dev.myshopify.com", customer: null };
    expect(parseCustomersRedact(body)).toEqual({ shopDomain: "tokui-dev.myshopify.com", customerGid: null, ordersToRedact: [] });
  });

  it("shop/redact", () => {
    expect(parseShopRedact(fixture("shop-redact.json"))).toEqual({ shopDomain: "tokui-dev.myshopify.com" });
  });

  it("customers/data_request", () => {
    expect(parseCustomersDataRequest(fixture("customers-data-request.json"))).toEqual({
      shopDomain: "tokui-dev.myshopify.com",
      customerGid: "gid://shopify/Customer/7409876543210",
      ordersRequested: ["gid://shopify/Order/6012345678901", "gid://shopify/Order/6012345678977"],
      dataRequestId: "9999",
    });
  });

  it("keeps the digits of large ids through parseWebhookJson, and refuses rounded ones", () => {
    const text = raw("customers-redact.json").replace("7409876543210", "115310627314723954").replace("6012345678977", "820982911946154508");
    expect(parseCustomersRedact(parseWebhookJson(text))).toMatchObject({
      customerGid: "gid://shopify/Customer/115310627314723954",
      ordersToRedact: ["gid://shopify/Order/6012345678901", "gid://shopify/Order/820982911946154508"],
    });
    expect(payloadError(() => parseCustomersRedact(JSON.parse(text))).message).toMatch(/^customer\.id: 115310627314723950 is above/);
    const ordersOnly = JSON.parse(raw("customers-redact.json").replace("6012345678977", "820982911946154508"));
    expect(payloadError(() => parseCustomersRedact(ordersOnly)).message).toMatch(/^orders_to_redact\[1\]: 820982911946154500 is above/);
  });

  it.each([
    ["shop_domain missing", () => parseShopRedact({ shop_id: 1 }), "shop_domain: required"],
    ["shop_domain not myshopify", () => parseShopRedact({ shop_domain: "evil.example.com" }), "shop_domain: expected a <shop>.myshopify.com domain"],
    ["order id as text", () => parseCustomersRedact({ ...fixture("customers-redact.json"), orders_to_redact: ["#1042"] }), "orders_to_redact[0]: expected a numeric id"],
    ["data_request missing", () => parseCustomersDataRequest({ ...fixture("customers-data-request.json"), data_request: undefined }), "data_request: required"],
    ["customer id wrong type", () => parseCustomersDataRequest({ ...fixture("customers-data-request.json"), customer: { id: true } }), "customer.id: expected a numeric id"],
  ])("%s → PayloadError", (_name, parse, message) => {
    expect(payloadError(parse).message).toBe(message);
  });
});

describe("discount codes on an order", () => {
  it("reads the codes used, so a milestone coupon can be marked redeemed", () => {
    const order = parseOrderWebhook({ ...fixture("orders-create.json"), discount_codes: [{ code: "TOKUI-5TH-7KQ4-M9XD", amount: "300", type: "percentage" }] });
    expect(order.discountCodes).toEqual(["TOKUI-5TH-7KQ4-M9XD"]);
  });
});

describe("isIsoDateTime", () => {
  it.each([
    ["2026-05-12T01:15:30Z", true],
    ["2026-05-12T01:15:30.123Z", true],
    ["2026-05-12T01:15:30+09:00", true],
    ["2026-05-12T01:15-05:30", true],
    ["2024-02-29T00:00:00Z", true], // leap year
    ["2000-02-29T00:00:00Z", true], // divisible by 400
    ["1900-02-29T00:00:00Z", false], // divisible by 100
    ["2026-02-29T00:00:00Z", false],
    ["2026-04-31T00:00:00Z", false],
    ["2026-12-31T23:59:59Z", true],
    ["2026-13-01T00:00:00Z", false],
    ["2026-00-10T00:00:00Z", false],
    ["2026-01-00T00:00:00Z", false],
    ["2026-01-01T24:00:00Z", false],
    ["2026-01-01T00:60:00Z", false],
    ["2026-01-01T00:00:60Z", false],
    ["2026-01-01T00:00:00+24:00", false],
    ["2026-01-01T00:00:00+09:60", false],
    ["2026-01-01T00:00:00", false], // no offset
    ["2026-01-01 00:00:00Z", false],
    ["2026-1-01T00:00:00Z", false],
    ["２０２６-01-01T00:00:00Z", false], // full-width digits are not \d
    ["", false],
  ])("%s → %s", (text, valid) => {
    expect(isIsoDateTime(text)).toBe(valid);
  });

  it("agrees with the calendar of new Date() on every day of four years and past each month's end", () => {
    // Reference: a date is real when Date.UTC (year set exactly, no 19xx mapping) keeps its day.
    const real = (y: number, m: number, d: number) => {
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
    };
    let checked = 0;
    for (const year of [1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 32; day++) {
          const text = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}T12:00:00+09:00`;
          expect(isIsoDateTime(text), text).toBe(real(year, month, day));
          checked++;
        }
      }
    }
    expect(checked).toBe(8 * 12 * 32);
  });
});

describe("isoDateTimeValue", () => {
  it("is new Date(text) for every text isIsoDateTime accepts: fractions of any length, offsets, no seconds, years 0000–9999", () => {
    let seed = 20261125;
    const next = (n: number) => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % n;
    };
    const two = (n: number) => String(n).padStart(2, "0");
    const texts = ["0000-01-01T00:00:00Z", "0099-12-31T23:59:59.999Z", "0100-01-01T00:00:00+14:00", "9999-12-31T23:59:59.9999-12:00", "1970-01-01T00:00Z", "2026-11-25T09:05:03.1+09:00", "2026-11-25T09:05:03.12-00:30"];
    for (let i = 0; i < 20_000; i++) {
      const year = String(next(10_000)).padStart(4, "0");
      const seconds = next(3) === 0 ? "" : `:${two(next(60))}${next(2) === 0 ? "" : `.${String(next(10 ** 9)).padStart(1 + next(9), "0")}`}`;
      const offset = next(3) === 0 ? "Z" : `${next(2) === 0 ? "+" : "-"}${two(next(24))}:${two(next(60))}`;
      texts.push(`${year}-${two(1 + next(12))}-${two(1 + next(31))}T${two(next(24))}:${two(next(60))}${seconds}${offset}`);
    }
    const accepted = texts.filter(isIsoDateTime);
    expect(accepted.length).toBeGreaterThan(18_000); // the 29th–31st of short months fall out
    const wrong = accepted.filter((text) => !Object.is(isoDateTimeValue(text).getTime(), new Date(text).getTime()));
    expect(wrong).toEqual([]);
  });
});

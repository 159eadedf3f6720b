import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  FLOW_PAYLOAD_LIMIT_BYTES,
  FLOW_TRIGGERS,
  FOLLOW_UP_DUE_TRIGGER,
  RANK_CHANGED_TRIGGER,
  daysSince,
  flowCustomerId,
  flowDecimal,
  flowPayloadBytes,
  flowTriggerHandleFor,
  followUpDuePayload,
  parseFlowLifecycle,
  rankChangedPayload,
  rankMove,
} from "~/domain/flow-payloads";
import { defaultRankTiers } from "~/domain/rank";
import { deployedFlowTriggers } from "../mocks/admin-flow";

const HANAKO = "gid://shopify/Customer/7409876543210";
const tiers = defaultRankTiers("JPY");

describe("the trigger extensions", () => {
  const toml = (dir: string) => readFileSync(resolve(__dirname, "../../extensions", dir, "shopify.extension.toml"), "utf8");
  const dirs = { [RANK_CHANGED_TRIGGER]: "flow-rank-changed", [FOLLOW_UP_DUE_TRIGGER]: "flow-followup-due" };

  it.each(Object.values(FLOW_TRIGGERS))("$handle declares exactly the fields the payload builder sends", (trigger) => {
    const text = toml(dirs[trigger.handle]);
    expect(text).toMatch(/^type = "flow_trigger"$/m);
    expect(text).toContain(`handle = "${trigger.handle}"`);
    expect(text).toContain(`name = "${trigger.name}"`);
    expect(text).toContain(`description = "${trigger.description}"`);
    expect(deployedFlowTriggers().get(trigger.handle)).toEqual(
      trigger.fields.map((f) => ({ key: f.key ?? "customer_id", type: f.type })),
    );
    for (const field of trigger.fields) expect(text).toContain(`description = "${field.description}"`);
  });

  it.each(Object.values(FLOW_TRIGGERS))("$handle follows Flow's rules for handles, names, keys and types", (trigger) => {
    expect(trigger.handle).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(trigger.handle.length).toBeLessThanOrEqual(30);
    // Sentence case, no punctuation.
    expect(trigger.name).toMatch(/^[A-Z][a-z ]+$/);
    expect(trigger.fields.filter((f) => f.type === "customer_reference")).toHaveLength(1);
    for (const field of trigger.fields) {
      if (field.key !== null) expect(field.key).toMatch(/^[a-zA-Z\s]+$/);
      expect(["customer_reference", "single_line_text_field", "number_decimal"]).toContain(field.type);
    }
  });

  it("has a lifecycle callback extension pointing at the route", () => {
    const text = toml("flow-lifecycle");
    expect(text).toMatch(/^type = "flow_trigger_lifecycle_callback"$/m);
    expect(text).toMatch(/^url = "\/flow\/lifecycle"$/m);
  });
});

describe("flowCustomerId", () => {
  it("takes the numeric id of a customer GID", () => {
    expect(flowCustomerId(HANAKO)).toBe(7409876543210);
  });

  it.each([
    ["an order GID", "gid://shopify/Order/1", /not a customer GID/],
    ["a bare number", "7409876543210", /not a customer GID/],
    ["an id beyond 2^53", "gid://shopify/Customer/9007199254740993", /too large for a JSON number/],
  ])("refuses %s", (_name, gid, message) => {
    expect(() => flowCustomerId(gid)).toThrow(message);
  });
});

describe("flowDecimal", () => {
  it.each([
    ["1980", 1980],
    ["12.50", 12.5],
    ["0.05", 0.05],
    ["0.00", 0],
    ["007", 7],
    ["-3.5", -3.5],
    ["123456789012.34", 123456789012.34],
  ])("%s → %d", (decimal, number) => {
    expect(flowDecimal(decimal)).toBe(number);
  });

  it.each([
    ["more digits than a JSON number holds", "12345678901234567.89"],
    ["an integer beyond 2^53", "9007199254740993"],
    ["exponent notation", "1e3"],
    ["grouping", "1,980"],
    ["nothing", ""],
  ])("refuses %s", (_name, decimal) => {
    expect(() => flowDecimal(decimal)).toThrow(/decimal|exactly/);
  });
});

describe("rankMove", () => {
  it.each([
    ["a first order", null, "first", "ja", { from: null, to: { key: "first", label: "初回" }, direction: "up" }],
    ["second → regular", "second", "regular", "en", { from: { key: "second", label: "Second purchase" }, to: { key: "regular", label: "Regular" }, direction: "up" }],
    ["vip → regular (window moved on)", "vip", "regular", "ja", { from: { key: "vip", label: "VIP" }, to: { key: "regular", label: "常連" }, direction: "down" }],
    ["the only order cancelled", "first", null, "en", { from: { key: "first", label: "First purchase" }, to: null, direction: "down" }],
    ["from a tier deleted since", "gold", "regular", "ja", { from: { key: "gold", label: "gold" }, to: { key: "regular", label: "常連" }, direction: "up" }],
    ["from a deleted tier to none", "gold", null, "ja", { from: { key: "gold", label: "gold" }, to: null, direction: "down" }],
    ["an unknown locale (ja is the default)", null, "first", "fr", { from: null, to: { key: "first", label: "初回" }, direction: "up" }],
  ] as const)("%s", (_name, from, to, locale, expected) => {
    expect(rankMove(from, to, tiers, locale)).toEqual(expected);
  });
});

describe("rankChangedPayload", () => {
  it("carries the customer, both ranks, direction, count and window spend of a JPY shop", () => {
    const payload = rankChangedPayload({ customerGid: HANAKO, ...rankMove("regular", "vip", tiers, "ja"), orderCount: 10, windowSpent: 105_800n, currency: "JPY" });
    expect(payload).toEqual({
      customer_id: 7409876543210,
      "From rank key": "regular",
      "From rank label": "常連",
      "To rank key": "vip",
      "To rank label": "VIP",
      Direction: "up",
      "Order count": 10,
      "Window spend": 105800,
      Currency: "JPY",
    });
    // Keys in the order the trigger declares them.
    expect(Object.keys(payload)).toEqual(FLOW_TRIGGERS[RANK_CHANGED_TRIGGER].fields.map((f) => f.key ?? "customer_id"));
  });

  it("sends cents as a decimal and no rank as empty text", () => {
    const payload = rankChangedPayload({
      customerGid: HANAKO,
      from: { key: "first", label: "First\npurchase" },
      to: null,
      direction: "down",
      orderCount: 0,
      windowSpent: 1250n,
      currency: "usd",
    });
    expect(payload).toMatchObject({ "From rank label": "First purchase", "To rank key": "", "To rank label": "", "Window spend": 12.5, Currency: "USD", "Order count": 0 });
  });

  it("refuses a fractional order count", () => {
    expect(() => rankChangedPayload({ customerGid: HANAKO, ...rankMove(null, "first", tiers, "ja"), orderCount: 1.5, windowSpent: 0n, currency: "JPY" })).toThrow(/order count/);
  });
});

describe("followUpDuePayload", () => {
  it("carries the customer, journey, phase with its label, step and days", () => {
    const payload = followUpDuePayload({ customerGid: HANAKO, journeyKey: "after-first", phase: "first", phaseLabel: "初回購入後", stepNumber: 1, daysSinceLastOrder: 21 });
    expect(payload).toEqual({
      customer_id: 7409876543210,
      "Journey key": "after-first",
      Phase: "first",
      "Phase label": "初回購入後",
      "Step number": 1,
      "Days since last order": 21,
    });
    expect(Object.keys(payload)).toEqual(FLOW_TRIGGERS[FOLLOW_UP_DUE_TRIGGER].fields.map((f) => f.key ?? "customer_id"));
  });

  it.each([
    ["step 0", { stepNumber: 0 }, /step number/],
    ["a negative day count", { daysSinceLastOrder: -1 }, /days since last order/],
  ])("refuses %s", (_name, change, message) => {
    const facts = { customerGid: HANAKO, journeyKey: "after-first", phase: "first", phaseLabel: "x", stepNumber: 1, daysSinceLastOrder: 21 };
    expect(() => followUpDuePayload({ ...facts, ...change })).toThrow(message);
  });
});

describe("daysSince", () => {
  const order = new Date("2026-11-01T10:00:00Z");
  it.each([
    ["the same moment", "2026-11-01T10:00:00Z", 0],
    ["one second short of a day", "2026-11-02T09:59:59Z", 0],
    ["exactly 21 days", "2026-11-22T10:00:00Z", 21],
    ["a clock slightly behind the order", "2026-11-01T09:59:00Z", 0],
  ])("%s → %d", (_name, now, days) => {
    expect(daysSince(order, new Date(now))).toBe(days);
  });
});

describe("flowPayloadBytes", () => {
  it("counts UTF-8 bytes of the JSON: a kanji is 3", () => {
    expect(flowPayloadBytes({ a: "初回" })).toBe('{"a":""}'.length + 6);
    expect(FLOW_PAYLOAD_LIMIT_BYTES).toBe(50_000);
  });
});

describe("parseFlowLifecycle", () => {
  const body = {
    flow_trigger_definition_id: "tokui-rank-changed",
    has_enabled_flow: true,
    shop_id: "690933842",
    shopify_domain: "Tokui-Test.myshopify.com",
    timestamp: "2026-11-20T16:44:10.999Z",
  };

  it("reads Shopify's callback (shop domain lower-cased)", () => {
    expect(parseFlowLifecycle(body)).toEqual({
      ok: true,
      event: { shop: "tokui-test.myshopify.com", handle: "tokui-rank-changed", enabled: true, timestamp: new Date("2026-11-20T16:44:10.999Z") },
    });
  });

  it.each([
    ["our handle", "tokui-follow-up-due", "tokui-follow-up-due"],
    ["our trigger's name (Shopify's example names the trigger by its title)", "Customer rank changed", "tokui-rank-changed"],
    ["the name in another case, with spaces around", "  customer follow up due ", "tokui-follow-up-due"],
    ["someone else's id, kept as sent", "Add row to spreadsheet", "Add row to spreadsheet"],
  ])("maps %s", (_name, id, handle) => {
    expect(flowTriggerHandleFor(id)).toBe(handle);
  });

  it.each([
    ["an array", [], /not a JSON object/],
    ["no trigger id", { ...body, flow_trigger_definition_id: "" }, /flow_trigger_definition_id/],
    ["has_enabled_flow as text", { ...body, has_enabled_flow: "true" }, /has_enabled_flow/],
    ["a shop outside myshopify.com", { ...body, shopify_domain: "shop.example.com" }, /shopify_domain/],
    ["a date without time", { ...body, timestamp: "2026-11-20" }, /timestamp/],
    ["an impossible date", { ...body, timestamp: "2026-13-40T00:00:00Z" }, /timestamp/],
  ])("refuses %s", (_name, input, reason) => {
    const result = parseFlowLifecycle(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

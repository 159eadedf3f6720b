/**
 * planRankSync: what one customer's rank looks like in Shopify (RANK_SYNC_MUTATION's
 * variables), for the default ladder (初回 1 order, 2回目 2, 常連 3, VIP 10 orders or ¥100,000
 * over the window), and that every plan is a valid set of variables for the mutation.
 */
import { Kind, getVariableValues, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { defaultRankTiers, type RankTier } from "~/domain/rank";
import { RANK_SYNC_MUTATION } from "~/shopify/graphql/documents";
import { planRankSync, rankSyncFields, rankSyncFingerprint, type RankSyncCustomer } from "~/shopify/rank-sync-plan";
import { adminSchema } from "../helpers/admin-schema";

const GID = "gid://shopify/Customer/7409876543210";
const JPY = defaultRankTiers("JPY");
const USD = defaultRankTiers("USD");
const ja = { currency: "JPY", locale: "ja" } as const;

const customer = (orderCount: number, windowSpent: bigint): RankSyncCustomer => ({ gid: GID, orderCount, windowSpent });

/** The plan in a readable form: metafield key → value, keys to delete, tags. */
function summary(plan: ReturnType<typeof planRankSync>) {
  return {
    set: Object.fromEntries(plan.metafields.map((m) => [m.key, m.value])),
    delete: plan.staleMetafields.map((m) => m.key),
    addTags: plan.addTags,
    removeTags: plan.removeTags,
  };
}

describe("planRankSync", () => {
  it.each([
    {
      name: "no order yet: no rank, the rank tag and rank metafields go",
      orders: 0,
      spent: 0n,
      tags: ["tokui-rank:first", "newsletter"],
      expected: {
        set: { order_count: "0", next_rank: "first", next_rank_label: "初回", orders_to_next: "1" },
        delete: ["rank", "rank_label", "amount_to_next"],
        addTags: [],
        removeTags: ["tokui-rank:first"],
      },
    },
    {
      name: "first order",
      orders: 1,
      spent: 5160n,
      tags: [],
      expected: {
        set: { rank: "first", rank_label: "初回", order_count: "1", next_rank: "second", next_rank_label: "2回目", orders_to_next: "1" },
        delete: ["amount_to_next"],
        addTags: ["tokui-rank:first"],
        removeTags: [],
      },
    },
    {
      name: "second order",
      orders: 2,
      spent: 10320n,
      tags: ["tokui-rank:first"],
      expected: {
        set: { rank: "second", rank_label: "2回目", order_count: "2", next_rank: "regular", next_rank_label: "常連", orders_to_next: "1" },
        delete: ["amount_to_next"],
        addTags: ["tokui-rank:second"],
        removeTags: ["tokui-rank:first"],
      },
    },
    {
      name: "regular: VIP is 7 orders or ¥91,000 away",
      orders: 3,
      spent: 9000n,
      tags: ["tokui-rank:second"],
      expected: {
        set: {
          rank: "regular",
          rank_label: "常連",
          order_count: "3",
          next_rank: "vip",
          next_rank_label: "VIP",
          orders_to_next: "7",
          amount_to_next: "91000",
        },
        delete: [],
        addTags: ["tokui-rank:regular"],
        removeTags: ["tokui-rank:second"],
      },
    },
    {
      name: "VIP by order count: the top rank has no next rank, its metafields go",
      orders: 10,
      spent: 30000n,
      tags: ["tokui-rank:regular"],
      expected: {
        set: { rank: "vip", rank_label: "VIP", order_count: "10" },
        delete: ["next_rank", "next_rank_label", "orders_to_next", "amount_to_next"],
        addTags: ["tokui-rank:vip"],
        removeTags: ["tokui-rank:regular"],
      },
    },
    {
      name: "VIP by spend on a first order",
      orders: 1,
      spent: 120000n,
      tags: [],
      expected: {
        set: { rank: "vip", rank_label: "VIP", order_count: "1" },
        delete: ["next_rank", "next_rank_label", "orders_to_next", "amount_to_next"],
        addTags: ["tokui-rank:vip"],
        removeTags: [],
      },
    },
    {
      name: "regular ¥1 short of VIP",
      orders: 9,
      spent: 99999n,
      tags: ["tokui-rank:regular"],
      expected: {
        set: {
          rank: "regular",
          rank_label: "常連",
          order_count: "9",
          next_rank: "vip",
          next_rank_label: "VIP",
          orders_to_next: "1",
          amount_to_next: "1",
        },
        delete: [],
        addTags: [],
        removeTags: [],
      },
    },
  ])("$name", ({ orders, spent, tags, expected }) => {
    const plan = planRankSync(customer(orders, spent), JPY, tags, ja);
    expect(summary(plan)).toEqual(expected);
    expect(plan).toMatchObject({
      id: GID,
      deleteStale: expected.delete.length > 0,
      add: expected.addTags.length > 0,
      remove: expected.removeTags.length > 0,
    });
  });

  it("builds typed $app metafields owned by the customer", () => {
    const plan = planRankSync(customer(3, 9000n), JPY, [], ja);
    expect(plan.metafields).toEqual([
      { ownerId: GID, namespace: "$app", key: "rank", type: "single_line_text_field", value: "regular" },
      { ownerId: GID, namespace: "$app", key: "rank_label", type: "single_line_text_field", value: "常連" },
      { ownerId: GID, namespace: "$app", key: "order_count", type: "number_integer", value: "3" },
      { ownerId: GID, namespace: "$app", key: "next_rank", type: "single_line_text_field", value: "vip" },
      { ownerId: GID, namespace: "$app", key: "next_rank_label", type: "single_line_text_field", value: "VIP" },
      { ownerId: GID, namespace: "$app", key: "orders_to_next", type: "number_integer", value: "7" },
      { ownerId: GID, namespace: "$app", key: "amount_to_next", type: "number_decimal", value: "91000" },
    ]);
    const top = planRankSync(customer(10, 0n), JPY, [], ja);
    expect(top.staleMetafields).toEqual(
      ["next_rank", "next_rank_label", "orders_to_next", "amount_to_next"].map((key) => ({ ownerId: GID, namespace: "$app", key })),
    );
  });

  it.each([
    ["ja", 1, { rank_label: "初回", next_rank_label: "2回目" }],
    ["en", 1, { rank_label: "First purchase", next_rank_label: "Second purchase" }],
    ["ja", 2, { rank_label: "2回目", next_rank_label: "常連" }],
    ["en", 2, { rank_label: "Second purchase", next_rank_label: "Regular" }],
  ] as const)("labels in the shop's locale (%s, %i orders)", (locale, orders, labels) => {
    const plan = planRankSync(customer(orders, 5000n * BigInt(orders)), JPY, [], { currency: "JPY", locale });
    expect(summary(plan).set).toMatchObject(labels);
    // Keys and tags never depend on the locale.
    expect(summary(plan).set.rank).toBe(orders === 1 ? "first" : "second");
    expect(plan.addTags).toEqual([orders === 1 ? "tokui-rank:first" : "tokui-rank:second"]);
  });

  it.each([
    [12_345n, "876.55"],
    [99_950n, "0.50"],
    [0n, "1000.00"],
  ])("formats a USD amount to the next rank in dollars and cents (spent %i cents → %s)", (spent, amount) => {
    // USD ladder: VIP at $1,000.00 = 100000 cents.
    const plan = planRankSync(customer(3, spent), USD, [], { currency: "USD", locale: "en" });
    expect(summary(plan).set).toMatchObject({ rank: "regular", next_rank: "vip", amount_to_next: amount });
  });

  it("removes every other tokui-rank tag, also of tiers that no longer exist, and keeps the merchant's tags", () => {
    const plan = planRankSync(customer(2, 8000n), JPY, ["wholesale", "tokui-rank:gold", "tokui-rank:first", "tokui-rank:second", "VIP-manual"], ja);
    expect(plan.addTags).toEqual([]);
    expect(plan.add).toBe(false);
    expect(plan.removeTags).toEqual(["tokui-rank:gold", "tokui-rank:first"]);
    expect(plan.remove).toBe(true);
  });

  it("treats tags case-insensitively, as Shopify does", () => {
    const plan = planRankSync(customer(2, 8000n), JPY, ["Tokui-Rank:Second", "TOKUI-RANK:FIRST"], ja);
    expect(plan).toMatchObject({ addTags: [], add: false, removeTags: ["TOKUI-RANK:FIRST"], remove: true });
  });

  it("asks for no tag change when the tags are already right", () => {
    const plan = planRankSync(customer(2, 8000n), JPY, ["tokui-rank:second", "wholesale"], ja);
    expect(plan).toMatchObject({ addTags: [], add: false, removeTags: [], remove: false });
  });

  it("follows the merchant's own ladder", () => {
    const tiers: RankTier[] = [
      { key: "bronze", position: 1, labelJa: "ブロンズ", labelEn: "Bronze", minOrders: null, minWindowSpent: 10_000n, combine: "any" },
      { key: "gold", position: 2, labelJa: "ゴールド", labelEn: "Gold", minOrders: 5, minWindowSpent: 50_000n, combine: "all" },
    ];
    const plan = planRankSync(customer(6, 20_000n), tiers, ["tokui-rank:first"], ja);
    expect(summary(plan)).toEqual({
      set: { rank: "bronze", rank_label: "ブロンズ", order_count: "6", next_rank: "gold", next_rank_label: "ゴールド", orders_to_next: "0", amount_to_next: "30000" },
      delete: [],
      addTags: ["tokui-rank:bronze"],
      removeTags: ["tokui-rank:first"],
    });
  });
});

describe("planRankSync's output as RANK_SYNC_MUTATION variables (Admin schema 2026-04)", () => {
  const operation = parse(RANK_SYNC_MUTATION).definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error("RANK_SYNC_MUTATION is not an operation");
  /** Coerced as Shopify would, after the JSON round trip the HTTP request makes. */
  const errorsOf = (variables: unknown) =>
    (getVariableValues(adminSchema(), operation.variableDefinitions ?? [], JSON.parse(JSON.stringify(variables)) as Record<string, unknown>)
      .errors ?? []).map((e) => e.message);

  it.each([
    ["no rank", 0, 0n, ["tokui-rank:first"], JPY, "JPY", "ja"],
    ["first", 1, 5160n, [], JPY, "JPY", "ja"],
    ["second", 2, 10320n, ["tokui-rank:first", "tokui-rank:gold"], JPY, "JPY", "ja"],
    ["regular", 3, 9000n, [], JPY, "JPY", "en"],
    ["vip", 10, 300000n, ["tokui-rank:regular"], JPY, "JPY", "ja"],
    ["USD regular", 3, 12_345n, [], USD, "USD", "en"],
  ] as const)("%s: the variables coerce", (_name, orders, spent, tags, tiers, currency, locale) => {
    const plan = planRankSync(customer(orders, spent), [...tiers], [...tags], { currency, locale });
    expect(errorsOf(plan)).toEqual([]);
  });

  it("rejects a broken plan (negative control)", () => {
    const plan = planRankSync(customer(1, 5160n), JPY, [], ja);
    expect(errorsOf({ ...plan, add: undefined })).toEqual([expect.stringMatching(/"\$add" of required type "Boolean!" was not provided/)]);
    expect(errorsOf({ ...plan, metafields: [{ ...plan.metafields[0], value: null }] })).not.toEqual([]);
  });
});

/**
 * The fingerprint the recompute's sweep compares with what the last sync wrote: it must move
 * whenever a value Shopify shows moves, and only then (or every customer would be synced daily).
 */
describe("rankSyncFingerprint", () => {
  const fingerprint = (orders: number, spent: bigint, tiers: RankTier[] = JPY, options: { currency: string; locale: "ja" | "en" } = ja) =>
    rankSyncFingerprint(rankSyncFields({ orderCount: orders, windowSpent: spent }, tiers, options));
  const relabelled = JPY.map((t) => (t.key === "regular" ? { ...t, labelJa: "お得意様" } : t));
  const vipAtEight = JPY.map((t) => (t.key === "vip" ? { ...t, minOrders: 8 } : t));

  it("records exactly the values the sync writes, in a fixed order", () => {
    expect(fingerprint(3, 9000n)).toBe(JSON.stringify(["regular", "常連", 3, "vip", "VIP", 7, "91000"]));
    expect(fingerprint(0, 0n)).toBe(JSON.stringify([null, "", 0, "first", "初回", 1, null]));
  });

  it.each([
    ["another order", () => fingerprint(4, 9000n)],
    ["more spend in the window (the amount to VIP)", () => fingerprint(3, 9001n)],
    ["the tier relabelled", () => fingerprint(3, 9000n, relabelled)],
    ["the next tier's threshold lowered (orders to VIP), same rank", () => fingerprint(3, 9000n, vipAtEight)],
    ["the shop's language", () => fingerprint(3, 9000n, JPY, { currency: "JPY", locale: "en" })],
  ])("changes with %s", (_name, changed) => {
    expect(changed()).not.toBe(fingerprint(3, 9000n));
  });

  it.each([
    ["a relabelled tier the customer is neither in nor next to", 1, 5160n, relabelled],
    ["spend that moves nothing shown (next tier has no spend condition)", 1, 9999n, JPY],
  ] as const)("stays the same for %s", (_name, orders, spent, tiers) => {
    expect(fingerprint(orders, spent, [...tiers])).toBe(fingerprint(1, 5160n));
  });

  it("agrees with planRankSync: the same fields it writes as metafields", () => {
    const plan = planRankSync(customer(3, 9000n), JPY, [], ja);
    const written = Object.fromEntries(plan.metafields.map((m) => [m.key, m.value]));
    const [rank, label, orders, next, nextLabel, toNext, amount] = JSON.parse(fingerprint(3, 9000n)) as unknown[];
    expect(written).toEqual({
      rank, rank_label: label, order_count: String(orders), next_rank: next, next_rank_label: nextLabel, orders_to_next: String(toNext), amount_to_next: amount,
    });
  });
});

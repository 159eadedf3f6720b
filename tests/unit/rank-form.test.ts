import { describe, expect, it } from "vitest";
import { defaultRankTiers } from "~/domain/rank";
import { parseRankForm, rankFormFrom, sameRankSettings, tiersFromWire, tiersToWire, type RankForm, type TierRow } from "~/domain/rank-form";

const JPY_FORM = rankFormFrom(defaultRankTiers("JPY"), 12, "JPY");

function edit(over: Partial<RankForm> & { rows?: Record<number, Partial<TierRow>> } = {}): RankForm {
  const { rows = {}, ...rest } = over;
  return { ...JPY_FORM, ...rest, tiers: (rest.tiers ?? JPY_FORM.tiers).map((r, i) => ({ ...r, ...rows[i] })) };
}

describe("rankFormFrom / parseRankForm", () => {
  it("shows the defaults as the merchant types them and reads them back unchanged", () => {
    expect(JPY_FORM.tiers[3]).toEqual({ key: "vip", labelJa: "VIP", labelEn: "VIP", minOrders: "10", minWindowSpent: "100000", combine: "any" });
    expect(parseRankForm(JPY_FORM, "JPY")).toEqual({ ok: true, tiers: defaultRankTiers("JPY"), windowMonths: 12 });
  });

  it("formats and reads amounts in the shop currency's decimals", () => {
    const usd = rankFormFrom(defaultRankTiers("USD"), 6, "USD");
    expect(usd.tiers[3]!.minWindowSpent).toBe("1000.00");
    const parsed = parseRankForm({ ...usd, tiers: usd.tiers.map((r, i) => (i === 3 ? { ...r, minWindowSpent: "1,234.5" } : r)) }, "USD");
    expect(parsed.ok && parsed.tiers[3]!.minWindowSpent).toBe(123450n);
  });

  it("numbers positions by row order, so reordering rows reorders the ladder", () => {
    const reversed = parseRankForm(edit({ tiers: [...JPY_FORM.tiers].reverse() }), "JPY");
    // VIP (10 orders) now sits lowest: every rank above it asks for fewer orders.
    expect(reversed.ok).toBe(false);
    if (!reversed.ok) expect(Object.keys(reversed.errors)).toEqual(["tiers[1].minOrders", "tiers[2].minOrders", "tiers[3].minOrders"]);
  });

  it.each<[string, Parameters<typeof edit>[0], string[]]>([
    ["a window of 0 months", { windowMonths: "0" }, ["windowMonths"]],
    ["a window of 37 months", { windowMonths: "37" }, ["windowMonths"]],
    ["an empty window", { windowMonths: "" }, ["windowMonths"]],
    ["a window in full-width digits", { windowMonths: "２４" }, []],
    ["a fractional order count", { rows: { 1: { minOrders: "2.5" } } }, ["tiers[1].minOrders"]],
    ["order count text", { rows: { 1: { minOrders: "two" } } }, ["tiers[1].minOrders"]],
    ["yen with decimals", { rows: { 3: { minWindowSpent: "100000.5" } } }, ["tiers[3].minWindowSpent"]],
    ["a spend that is not a number", { rows: { 3: { minWindowSpent: "lots" } } }, ["tiers[3].minWindowSpent"]],
    // An unreadable value is not also reported as "no condition".
    ["unreadable orders on an orders-only rank", { rows: { 2: { minOrders: "x" } } }, ["tiers[2].minOrders"]],
    ["no condition at all", { rows: { 2: { minOrders: "" } } }, ["tiers[2].conditions"]],
    ["spend only", { rows: { 3: { minOrders: "" } } }, []],
    ["the same order count as the rank below", { rows: { 2: { minOrders: "2" } } }, ["tiers[2].minOrders"]],
    ["an empty Japanese name", { rows: { 0: { labelJa: " " } } }, ["tiers[0].labelJa"]],
    ["both names empty", { rows: { 0: { labelJa: "", labelEn: "" } } }, ["tiers[0].labelJa", "tiers[0].labelEn"]],
    ["an uppercase key", { rows: { 0: { key: "First" } } }, ["tiers[0].key"]],
    ["a duplicate key", { rows: { 1: { key: "first" } } }, ["tiers[1].key"]],
    ["the key reserved for guests", { rows: { 0: { key: "guest" } } }, ["tiers[0].key"]],
    ["the key reserved for unranked customers", { rows: { 0: { key: "none" } } }, ["tiers[0].key"]],
    ["no ranks", { tiers: [] }, ["tiers"]],
  ])("%s", (_name, over, fields) => {
    const result = parseRankForm(edit(over), "JPY");
    expect(result.ok ? [] : Object.keys(result.errors)).toEqual(fields);
  });

  it("keys and trims what the merchant typed", () => {
    const result = parseRankForm(edit({ rows: { 0: { key: " first ", labelJa: " 初回 " } } }), "JPY");
    expect(result.ok && result.tiers[0]).toMatchObject({ key: "first", labelJa: "初回" });
  });

  it("refuses to remove a rank a reward is triggered by", () => {
    const withoutVip = edit({ tiers: JPY_FORM.tiers.slice(0, 3) });
    const result = parseRankForm(withoutVip, "JPY", { vip: ["vip-welcome"] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.tiers?.en).toMatch(/"vip" is the trigger of the reward vip-welcome/);
    expect(parseRankForm(withoutVip, "JPY", { regular: ["regular-gift"] }).ok).toBe(true);
  });

  it("words every error in English and Japanese", () => {
    const result = parseRankForm(edit({ windowMonths: "x", rows: { 0: { key: "BAD", minOrders: "1.5", labelEn: "" }, 3: { minWindowSpent: "1.5" } } }), "JPY");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      for (const message of Object.values(result.errors)) {
        expect(message.en).toMatch(/^[\x20-\x7e]+$/);
        expect(message.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      }
    }
  });
});

describe("tiers on the wire and change detection", () => {
  it("round-trips tiers through JSON with exact amounts", () => {
    const tiers = defaultRankTiers("JPY").map((t) => (t.key === "vip" ? { ...t, minWindowSpent: 9007199254740993n } : t));
    expect(tiersFromWire(JSON.parse(JSON.stringify(tiersToWire(tiers))))).toEqual(tiers);
  });

  it.each<[string, (t: ReturnType<typeof defaultRankTiers>) => ReturnType<typeof defaultRankTiers>, number, boolean]>([
    ["identical", (t) => t, 12, true],
    ["in another array order", (t) => [...t].reverse(), 12, true],
    ["another window", (t) => t, 6, false],
    ["another threshold", (t) => t.map((x) => (x.key === "vip" ? { ...x, minWindowSpent: 1n } : x)), 12, false],
    ["another name", (t) => t.map((x) => (x.key === "vip" ? { ...x, labelEn: "V.I.P." } : x)), 12, false],
  ])("%s", (_name, change, months, same) => {
    const tiers = defaultRankTiers("JPY");
    expect(sameRankSettings({ tiers, windowMonths: 12 }, { tiers: change(tiers), windowMonths: months })).toBe(same);
  });
});

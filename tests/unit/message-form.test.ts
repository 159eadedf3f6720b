import { describe, expect, it } from "vitest";
import {
  defaultTemplateFor,
  previewSamples,
  sampleStatsFor,
  templateKeys,
  templatesForEditing,
  validateTemplates,
} from "~/domain/message-form";
import { defaultMessageTemplates, type MessageTemplates } from "~/domain/messages";
import { postPurchaseView } from "~/domain/post-purchase";
import { defaultRankTiers, rankFor, type RankTier } from "~/domain/rank";

const TIERS = defaultRankTiers("JPY");
const DEFAULTS: MessageTemplates = defaultMessageTemplates();
const tier = (key: string, position: number, over: Partial<RankTier> = {}): RankTier => ({
  key, position, labelJa: key, labelEn: key, minOrders: null, minWindowSpent: null, combine: "any", ...over,
});

describe("sampleStatsFor: a customer exactly on each rank", () => {
  it.each<[string, RankTier[], string, { orderCount: number; windowSpent: bigint } | null]>([
    ["orders only", TIERS, "second", { orderCount: 2, windowSpent: 0n }],
    ["either condition: orders alone", TIERS, "vip", { orderCount: 10, windowSpent: 0n }],
    ["both needed", [tier("a", 1, { minOrders: 1 }), tier("b", 2, { minOrders: 3, minWindowSpent: 5000n, combine: "all" })], "b", { orderCount: 3, windowSpent: 5000n }],
    ["spend only", [tier("a", 1, { minOrders: 1 }), tier("b", 2, { minWindowSpent: 5000n })], "b", { orderCount: 1, windowSpent: 5000n }],
    // A spend-only rank under an orders rank that one order reaches: only 0 orders stay on it.
    ["spend only, below a 1-order rank", [tier("s", 1, { minWindowSpent: 500n }), tier("o", 2, { minOrders: 1 })], "s", { orderCount: 0, windowSpent: 500n }],
    ["shadowed by a higher rank", [tier("a", 1, { minOrders: 3 }), tier("b", 2, { minOrders: 1 })], "a", null],
  ])("%s", (_name, tiers, key, expected) => {
    const stats = sampleStatsFor(tiers.find((t) => t.key === key)!, tiers);
    expect(stats).toEqual(expected);
    if (stats) expect(rankFor(stats, tiers)?.key).toBe(key);
  });
});

describe("previewSamples", () => {
  it("is postPurchaseView itself, for every rank and the guest, in both languages", () => {
    for (const locale of ["ja", "en"] as const) {
      const samples = previewSamples(TIERS, DEFAULTS, "JPY", locale, { withName: true });
      expect(samples.map((s) => s.key)).toEqual(["first", "second", "regular", "vip", "guest"]);
      for (const sample of samples) {
        const customer = sample.stats === null ? null : { firstName: locale === "ja" ? "花子" : "Alex", ...sample.stats };
        expect(sample.view).toEqual(postPurchaseView({ locale, customer, tiers: TIERS, templates: DEFAULTS, currency: "JPY", rewards: [] }));
      }
    }
  });

  it.each<["ja" | "en", boolean, string, string]>([
    ["ja", true, "second", "花子様、2度目のご購入、誠にありがとうございます。またお選びいただけたこと、スタッフ一同とても嬉しく思っております。"],
    ["ja", false, "second", "2度目のご購入、誠にありがとうございます。またお選びいただけたこと、スタッフ一同とても嬉しく思っております。"],
    ["en", true, "vip", "Thank you, Alex, for your continued support. As one of our VIP customers, you have our special thanks."],
    ["en", false, "guest", "Thank you for choosing us out of so many shops today. We'll pack your order with care."],
  ])("%s, with name %s: %s", (locale, withName, key, message) => {
    const sample = previewSamples(TIERS, DEFAULTS, "JPY", locale, { withName }).find((s) => s.key === key)!;
    expect(sample.view?.message).toBe(message);
  });

  it("shows the merchant's edit, progress values included, as plain text", () => {
    const templates = { ...DEFAULTS, regular: { ja: "<b>{{rank}}</b>：あと{{orders_to_next}}回、{{amount_to_next}}で{{next_rank}}", en: "x" } };
    const regular = previewSamples(TIERS, templates, "JPY", "ja", { withName: true }).find((s) => s.key === "regular")!;
    expect(regular.view?.message).toBe("<b>常連</b>：あと7回、100,000円でVIP"); // escaped by React when shown
    expect(regular.view?.progress?.text).toBe("あと7回のご購入、または100,000円のお買い上げでVIP");
  });

  it("marks a rank nobody can have", () => {
    const tiers = [tier("a", 1, { minOrders: 3 }), tier("b", 2, { minOrders: 1 })];
    expect(previewSamples(tiers, DEFAULTS, "JPY", "en", { withName: true }).map((s) => [s.key, s.view === null])).toEqual([
      ["a", true],
      ["b", false],
      ["guest", false],
    ]);
  });
});

describe("templates for editing", () => {
  it("gives every rank and the guest a template, the merchant's over the defaults", () => {
    const tiers = [...TIERS, tier("gold", 5, { minOrders: 20 })];
    expect(templateKeys(tiers)).toEqual(["first", "second", "regular", "vip", "gold", "guest"]);
    const editing = templatesForEditing({ ...DEFAULTS, vip: { ja: "VIP様", en: "Dear VIP" }, old: { ja: "x", en: "x" } }, tiers);
    expect(Object.keys(editing)).toEqual(["first", "second", "regular", "vip", "gold", "guest"]);
    expect(editing.vip).toEqual({ ja: "VIP様", en: "Dear VIP" });
    // A rank without its own text starts from the greeting it falls back to (20 orders: regular).
    expect(editing.gold).toEqual(DEFAULTS.regular);
  });

  it.each<[string, RankTier[], string, keyof typeof DEFAULTS]>([
    ["a built-in key", TIERS, "vip", "vip"],
    ["the guest", TIERS, "guest", "guest"],
    ["a new rank reached by a first order", [tier("starter", 1, { minOrders: 1 })], "starter", "guest"],
    ["a new rank reached by repeat orders", [...TIERS, tier("gold", 5, { minOrders: 20 })], "gold", "regular"],
  ])("reset to default for %s", (_name, tiers, key, expected) => {
    expect(defaultTemplateFor(key, tiers)).toEqual(DEFAULTS[expected]);
  });

  it("validates each template and language, keyed for the editor", () => {
    const templates = { ...templatesForEditing(DEFAULTS, TIERS), vip: { ja: "{{#first_name}}", en: "{{nickname}} hi" }, second: { ja: "", en: "ok" } };
    const errors = validateTemplates(templates, templateKeys(TIERS));
    expect(Object.keys(errors).sort()).toEqual(["templates.second.ja", "templates.vip.en", "templates.vip.ja"]);
    expect(errors["templates.vip.en"]?.en).toMatch(/Unknown variable “nickname”/);
    expect(validateTemplates({}, ["first"])).toHaveProperty(["templates.first.ja"]);
  });
});

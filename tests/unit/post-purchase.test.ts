import { describe, expect, it } from "vitest";
import { defaultMessageTemplates, type MessageTemplates } from "~/domain/messages";
import { messageTemplateFor, postPurchaseView, type GrantedReward, type PostPurchaseInput } from "~/domain/post-purchase";
import { defaultRankTiers, type RankTier } from "~/domain/rank";

const TIERS = defaultRankTiers("JPY");
const TEMPLATES = defaultMessageTemplates();

function input(over: Partial<PostPurchaseInput> = {}): PostPurchaseInput {
  return {
    locale: "ja",
    customer: { firstName: "花子", orderCount: 1, windowSpent: 5_000n },
    tiers: TIERS,
    templates: TEMPLATES,
    currency: "JPY",
    rewards: [],
    ...over,
  };
}

const customer = (orderCount: number, windowSpent = 0n, firstName: string | null = "花子") => ({ firstName, orderCount, windowSpent });

describe("postPurchaseView: every rank in both languages", () => {
  it.each<[number, bigint, "ja" | "en", object]>([
    [
      1, 5_000n, "ja",
      {
        rank: { key: "first", label: "初回" },
        message: "花子様、本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。",
        progress: { text: "あと1回のご購入で2回目", nextRank: { key: "second", label: "2回目" }, ordersToNext: 1, amountToNext: null },
      },
    ],
    [
      1, 5_000n, "en",
      {
        rank: { key: "first", label: "First purchase" },
        message: "Thank you, 花子, for choosing us out of so many shops today. We'll pack your order with care.",
        progress: { text: "1 more order to Second purchase", nextRank: { key: "second", label: "Second purchase" }, ordersToNext: 1, amountToNext: null },
      },
    ],
    [
      2, 9_000n, "ja",
      {
        rank: { key: "second", label: "2回目" },
        message: "花子様、2度目のご購入、誠にありがとうございます。またお選びいただけたこと、スタッフ一同とても嬉しく思っております。",
        progress: { text: "あと1回のご購入で常連", nextRank: { key: "regular", label: "常連" }, ordersToNext: 1, amountToNext: null },
      },
    ],
    [
      2, 9_000n, "en",
      {
        rank: { key: "second", label: "Second purchase" },
        message: "Welcome back, 花子! Thank you for your second order — we're so glad you chose us again.",
        progress: { text: "1 more order to Regular", nextRank: { key: "regular", label: "Regular" }, ordersToNext: 1, amountToNext: null },
      },
    ],
    [
      8, 88_000n, "ja",
      {
        rank: { key: "regular", label: "常連" },
        message: "花子様、いつも、ご愛顧いただき誠にありがとうございます。今後とも変わらぬお引き立てのほど、よろしくお願い申し上げます。",
        progress: { text: "あと2回のご購入、または12,000円のお買い上げでVIP", nextRank: { key: "vip", label: "VIP" }, ordersToNext: 2, amountToNext: "12000" },
      },
    ],
    [
      8, 88_000n, "en",
      {
        rank: { key: "regular", label: "Regular" },
        message: "Thank you, 花子, for your continued support. It's always a pleasure to see you again.",
        progress: { text: "2 more orders or ¥12,000 more to VIP", nextRank: { key: "vip", label: "VIP" }, ordersToNext: 2, amountToNext: "12000" },
      },
    ],
    [
      10, 0n, "ja",
      {
        rank: { key: "vip", label: "VIP" },
        message: "花子様、いつも、ご愛顧いただき誠にありがとうございます。VIPのお客様へ、スタッフ一同、感謝の気持ちを込めてお届けいたします。",
        progress: { text: "最上位ランクです", nextRank: null, ordersToNext: null, amountToNext: null },
      },
    ],
    [
      10, 0n, "en",
      {
        rank: { key: "vip", label: "VIP" },
        message: "Thank you, 花子, for your continued support. As one of our VIP customers, you have our special thanks.",
        progress: { text: "You're at our top rank", nextRank: null, ordersToNext: null, amountToNext: null },
      },
    ],
  ])("%i orders, ¥%s, %s", (orderCount, windowSpent, locale, expected) => {
    expect(postPurchaseView(input({ locale, customer: customer(orderCount, windowSpent) }))).toEqual({ ...expected, rewards: [] });
  });
});

describe("postPurchaseView: guests and names", () => {
  it.each<["ja" | "en", string]>([
    ["ja", "本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["en", "Thank you for choosing us out of so many shops today. We'll pack your order with care."],
  ])("a guest (%s) gets the first-purchase greeting and nothing else", (locale, message) => {
    const reward: GrantedReward = { kind: "freeSample", trigger: { kind: "orderCount", count: 10 } };
    expect(postPurchaseView(input({ locale, customer: null, rewards: [reward] }))).toEqual({
      rank: null,
      message,
      progress: null,
      rewards: [],
    });
  });

  it("uses the merchant's guest template", () => {
    const templates = { ...TEMPLATES, guest: { ja: "ゲストさま、ありがとう", en: "Thanks, guest" } };
    expect(postPurchaseView(input({ customer: null, templates })).message).toBe("ゲストさま、ありがとう");
  });

  it.each<[string | null, string]>([
    [null, "いつも、ご愛顧いただき誠にありがとうございます。"],
    ["", "いつも、ご愛顧いただき誠にありがとうございます。"],
    ["   ", "いつも、ご愛顧いただき誠にありがとうございます。"],
    [" 太郎 ", "太郎様、いつも、ご愛顧いただき誠にありがとうございます。"],
  ])("first name %j", (firstName, start) => {
    const view = postPurchaseView(input({ customer: customer(3, 0n, firstName) }));
    expect(view.message.startsWith(start)).toBe(true);
  });

  it("keeps a hostile name as plain text (the extension renders text nodes)", () => {
    const view = postPurchaseView(input({ customer: customer(3, 0n, "<img src=x onerror=alert(1)>") }));
    expect(view.message.startsWith("<img src=x onerror=alert(1)>様、")).toBe(true);
  });
});

describe("postPurchaseView: templates and tiers", () => {
  const custom: RankTier[] = [
    { key: "bronze", position: 1, labelJa: "ブロンズ", labelEn: "Bronze", minOrders: 1, minWindowSpent: null, combine: "any" },
    { key: "gold", position: 2, labelJa: "ゴールド", labelEn: "Gold", minOrders: 3, minWindowSpent: 30_000n, combine: "all" },
  ];

  it.each<[number, bigint, MessageTemplates, string]>([
    [1, 0n, TEMPLATES, "花子様、本日は多くの店舗の中から"], // no "bronze" template: first purchase by count
    [2, 0n, TEMPLATES, "花子様、いつも、ご愛顧いただき"], // no "bronze" template: a repeat customer
    [3, 30_000n, TEMPLATES, "花子様、いつも、ご愛顧いただき"],
    [3, 30_000n, { ...TEMPLATES, gold: { ja: "{{rank}}会員の{{first_name}}様へ", en: "x" } }, "ゴールド会員の花子様へ"],
    [2, 0n, {}, "花子様、いつも、ご愛顧いただき"], // no templates at all: the built-in ones
  ])("custom tiers: %i orders, %s spent", (orderCount, windowSpent, templates, start) => {
    const view = postPurchaseView(input({ tiers: custom, templates, customer: customer(orderCount, windowSpent) }));
    expect(view.message.startsWith(start)).toBe(true);
  });

  it("fills every variable", () => {
    const templates = { regular: { ja: "{{first_name}}|{{rank}}|{{next_rank}}|{{orders_to_next}}|{{amount_to_next}}", en: "" } };
    expect(postPurchaseView(input({ templates, customer: customer(8, 88_000n) })).message).toBe("花子|常連|VIP|2|12,000円");
  });

  it("shows what is still missing when both conditions are needed", () => {
    const view = postPurchaseView(input({ locale: "en", tiers: custom, customer: customer(1, 5_000n) }));
    expect(view.rank).toEqual({ key: "bronze", label: "Bronze" });
    expect(view.progress).toEqual({
      text: "2 more orders and ¥25,000 more to Gold",
      nextRank: { key: "gold", label: "Gold" },
      ordersToNext: 2,
      amountToNext: "25000",
    });
  });

  it("has no rank or progress without tiers", () => {
    const view = postPurchaseView(input({ tiers: [], customer: customer(4) }));
    expect(view.rank).toBeNull();
    expect(view.progress).toBeNull();
    expect(view.message).toContain("いつも、ご愛顧いただき誠にありがとうございます。");
  });

  it("amounts are decimal strings in the shop currency", () => {
    const view = postPurchaseView(input({ locale: "en", currency: "USD", tiers: defaultRankTiers("USD"), customer: customer(3, 12_345n) }));
    expect(view.progress?.amountToNext).toBe("876.55");
    expect(view.progress?.text).toBe("7 more orders or $876.55 more to VIP");
  });

  it.each<[string | null, number, keyof typeof TEMPLATES]>([
    [null, 0, "guest"],
    [null, 1, "guest"],
    [null, 2, "regular"],
    ["vip", 1, "vip"], // the rank's own template wins
    ["bronze", 1, "guest"],
    ["bronze", 7, "regular"],
  ])("messageTemplateFor(rank %s, %i orders) uses %s", (rankKey, orderCount, key) => {
    expect(messageTemplateFor(TEMPLATES, rankKey, orderCount)).toEqual(TEMPLATES[key]);
  });
});

describe("postPurchaseView: rewards", () => {
  const expiresAt = new Date("2026-09-30T14:59:59.000Z");
  const fivePercent: GrantedReward = {
    kind: "discount",
    trigger: { kind: "orderCount", count: 5 },
    code: "TOKUI-5TH-7KQ4-M9XD",
    expiresAt,
    value: { type: "percentage", percent: 10 },
    minimumSubtotal: null,
  };
  const fixedForRank: GrantedReward = {
    kind: "discount",
    trigger: { kind: "rank", rankKey: "vip" },
    code: "TOKUI-VIP-ABCD-EFGH",
    expiresAt,
    value: { type: "fixed", amount: 500n },
    minimumSubtotal: 3_000n,
  };
  const sample: GrantedReward = { kind: "freeSample", trigger: { kind: "orderCount", count: 10 } };

  it.each<["ja" | "en", GrantedReward, object]>([
    [
      "ja", fivePercent,
      {
        kind: "discount", title: "5回目のご購入記念", text: "次回のお買い物で使える10%OFFクーポンをお贈りします。",
        code: "TOKUI-5TH-7KQ4-M9XD", expiresAt: "2026-09-30T14:59:59.000Z", valueText: "10%OFF", minimumSubtotal: null, conditionText: null,
      },
    ],
    [
      "en", fivePercent,
      {
        kind: "discount", title: "A thank-you for your 5th order", text: "Here's 10% off your next order.",
        code: "TOKUI-5TH-7KQ4-M9XD", expiresAt: "2026-09-30T14:59:59.000Z", valueText: "10% off", minimumSubtotal: null, conditionText: null,
      },
    ],
    [
      "ja", fixedForRank,
      {
        kind: "discount", title: "VIPランク到達記念", text: "次回のお買い物で使える500円OFFクーポンをお贈りします。",
        code: "TOKUI-VIP-ABCD-EFGH", expiresAt: "2026-09-30T14:59:59.000Z", valueText: "500円OFF", minimumSubtotal: "3000",
        conditionText: "3,000円以上のご注文でご利用いただけます。",
      },
    ],
    [
      "en", fixedForRank,
      {
        kind: "discount", title: "Welcome to VIP", text: "Here's ¥500 off your next order.",
        code: "TOKUI-VIP-ABCD-EFGH", expiresAt: "2026-09-30T14:59:59.000Z", valueText: "¥500 off", minimumSubtotal: "3000",
        conditionText: "On orders of ¥3,000 or more.",
      },
    ],
    ["ja", sample, { kind: "freeSample", title: "10回目のご購入記念", text: "感謝の気持ちを込めて、今回のご注文に無料サンプルを同梱してお届けします。" }],
    ["en", sample, { kind: "freeSample", title: "A thank-you for your 10th order", text: "As a thank-you, we'll include a free sample with this order." }],
    [
      "en", { kind: "freeSample", trigger: { kind: "rank", rankKey: "deleted-tier" } },
      { kind: "freeSample", title: "Welcome to deleted-tier", text: "As a thank-you, we'll include a free sample with this order." },
    ],
  ])("%s reward #%#", (locale, reward, expected) => {
    expect(postPurchaseView(input({ locale, customer: customer(10), rewards: [reward] })).rewards).toEqual([expected]);
  });

  it("keeps the order of the rewards", () => {
    const view = postPurchaseView(input({ customer: customer(10), rewards: [sample, fivePercent] }));
    expect(view.rewards.map((r) => r.kind)).toEqual(["freeSample", "discount"]);
  });
});

describe("postPurchaseView: the JSON the extensions receive", () => {
  it("survives JSON unchanged (no bigint, no Date)", () => {
    const view = postPurchaseView(
      input({
        customer: customer(9, 99_000n),
        rewards: [
          {
            kind: "discount",
            trigger: { kind: "orderCount", count: 5 },
            code: "TOKUI-5TH-AAAA-BBBB",
            expiresAt: new Date("2026-01-01T00:00:00Z"),
            value: { type: "fixed", amount: 1_000n },
            minimumSubtotal: 5_000n,
          },
        ],
      }),
    );
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });
});

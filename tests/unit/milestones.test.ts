import { describe, expect, it } from "vitest";
import {
  CODE_ALPHABET,
  codeInfix,
  defaultMilestones,
  discountCode,
  milestonesReached,
  ordinalEn,
  rewardOnOrderReversed,
  SAMPLE_ORDER_TAG,
  validateMilestones,
  type Milestone,
  type ReversedGrant,
} from "~/domain/milestones";
import { defaultRankTiers } from "~/domain/rank";

const TIERS = defaultRankTiers("JPY");
const DEFAULTS = defaultMilestones("JPY");

const regularMilestone: Milestone = {
  key: "reach-regular",
  trigger: { kind: "rank", rankKey: "regular" },
  reward: { kind: "discount", value: { type: "fixed", amount: 500n }, expiresInDays: 30, minimumSubtotal: 3_000n },
};

describe("defaultMilestones", () => {
  it("is a coupon with the 5th order and a free sample with the 10th", () => {
    expect(DEFAULTS).toEqual([
      {
        key: "order-5",
        trigger: { kind: "orderCount", count: 5 },
        reward: { kind: "discount", value: { type: "percentage", percent: 10 }, expiresInDays: 60, minimumSubtotal: null },
      },
      {
        key: "order-10",
        trigger: { kind: "orderCount", count: 10 },
        reward: {
          kind: "freeSample",
          packerNote: {
            ja: "10回目のご購入記念：無料サンプルを同梱してください。",
            en: "10th-order thank-you: please include a free sample.",
          },
          orderTag: "tokui-sample",
        },
      },
    ]);
    expect(SAMPLE_ORDER_TAG).toBe("tokui-sample");
  });

  it.each(["JPY", "USD", undefined])("is valid (%s)", (currency) => {
    expect(validateMilestones(defaultMilestones(currency), TIERS)).toEqual([]);
  });
});

describe("milestonesReached: order counts", () => {
  const state = (orderCount: number) => ({ orderCount, rankKey: null });

  it.each<[number, number, string[], string[]]>([
    [4, 5, [], ["order-5"]], // the 5th order
    [5, 5, [], []], // an update to the 5th order, not a new one
    [5, 6, [], []],
    [3, 6, [], ["order-5"]], // skipped over (orders arrived together)
    [9, 10, [], ["order-10"]],
    [4, 11, [], ["order-5", "order-10"]],
    [0, 1, [], []],
    [6, 5, [], []], // a cancellation lowers the count: nothing to grant
    [4, 5, ["order-5"], []], // already granted (retry, or 5 → 4 → 5 after a cancellation)
    [4, 11, ["order-10"], ["order-5"]],
    [10, 10, [], []],
  ])("%i → %i orders, granted %j → %j", (before, after, granted, expected) => {
    const reached = milestonesReached(state(before), state(after), DEFAULTS, new Set(granted), TIERS);
    expect(reached.map((m) => m.key)).toEqual(expected);
  });

  it("is idempotent: granting what it returned leaves nothing more", () => {
    const first = milestonesReached(state(4), state(11), DEFAULTS, new Set(), TIERS);
    const again = milestonesReached(state(4), state(11), DEFAULTS, new Set(), TIERS);
    expect(again).toEqual(first);
    const granted = new Set(first.map((m) => m.key));
    expect(milestonesReached(state(4), state(11), DEFAULTS, granted, TIERS)).toEqual([]);
  });

  it("keeps the merchant's order and ignores a duplicated key", () => {
    const list = [DEFAULTS[1]!, DEFAULTS[0]!, { ...DEFAULTS[0]!, trigger: { kind: "orderCount" as const, count: 2 } }];
    expect(milestonesReached(state(0), state(12), list, new Set(), TIERS).map((m) => m.key)).toEqual([
      "order-10",
      "order-5",
    ]);
  });
});

describe("milestonesReached: ranks", () => {
  const list = [regularMilestone];
  it.each<[string | null, string | null, string[], string[]]>([
    ["second", "regular", [], ["reach-regular"]],
    [null, "regular", [], ["reach-regular"]],
    ["second", "vip", [], ["reach-regular"]], // promoted past it in one order
    [null, "vip", [], ["reach-regular"]],
    ["regular", "regular", [], []],
    ["regular", "vip", [], []], // already at or above it before
    ["vip", "regular", [], []], // demoted
    ["first", "second", [], []],
    ["second", "regular", ["reach-regular"], []], // regained after a demotion: once only
    ["gone", "regular", [], ["reach-regular"]], // a deleted tier sits below every tier
  ])("%s → %s, granted %j → %j", (before, after, granted, expected) => {
    const reached = milestonesReached(
      { orderCount: 3, rankKey: before },
      { orderCount: 3, rankKey: after },
      list,
      new Set(granted),
      TIERS,
    );
    expect(reached.map((m) => m.key)).toEqual(expected);
  });

  it("never fires for a milestone on a deleted tier", () => {
    const orphan = { ...regularMilestone, trigger: { kind: "rank" as const, rankKey: "gold" } };
    const reached = milestonesReached(
      { orderCount: 0, rankKey: null },
      { orderCount: 99, rankKey: "vip" },
      [orphan],
      new Set(),
      TIERS,
    );
    expect(reached).toEqual([]);
  });

  it("mixes count and rank milestones from one order", () => {
    const reached = milestonesReached(
      { orderCount: 4, rankKey: "regular" },
      { orderCount: 5, rankKey: "vip" },
      [...DEFAULTS, { ...regularMilestone, key: "reach-vip", trigger: { kind: "rank", rankKey: "vip" } }],
      new Set(),
      TIERS,
    );
    expect(reached.map((m) => m.key)).toEqual(["order-5", "reach-vip"]);
  });
});

describe("rewardOnOrderReversed", () => {
  type Row = [ReversedGrant["kind"], ReversedGrant["status"], ReversedGrant["earningOrder"], boolean, "keep" | "revoke"];
  it.each<Row>([
    // An unused code goes only when its own order is undone and the customer fell below.
    ["discount", "issued", "cancelled", false, "revoke"],
    ["discount", "issued", "fullyRefunded", false, "revoke"],
    ["discount", "issued", "cancelled", true, "keep"], // a later order keeps the count at the milestone
    ["discount", "issued", "partiallyRefunded", false, "keep"], // never punish a partial refund
    ["discount", "issued", "unchanged", false, "keep"], // another order was reversed
    ["discount", "redeemed", "cancelled", false, "keep"], // already used: nothing to take back
    ["discount", "redeemed", "fullyRefunded", false, "keep"],
    // A sample travels with its order: unshipped and that order is undone → remove the tag.
    ["freeSample", "issued", "cancelled", false, "revoke"],
    ["freeSample", "issued", "cancelled", true, "revoke"],
    ["freeSample", "issued", "fullyRefunded", false, "revoke"],
    ["freeSample", "issued", "partiallyRefunded", false, "keep"],
    ["freeSample", "issued", "unchanged", false, "keep"],
    ["freeSample", "redeemed", "cancelled", false, "keep"], // already shipped
    ["freeSample", "redeemed", "fullyRefunded", false, "keep"],
  ])("%s %s, earning order %s, still qualifies %s → %s", (kind, status, earningOrder, stillQualifies, expected) => {
    expect(rewardOnOrderReversed({ kind, status, earningOrder, stillQualifies })).toBe(expected);
  });
});

describe("discountCode", () => {
  const RANDOM = new RegExp(`^[${CODE_ALPHABET}]{4}$`);

  it("has the documented shape", () => {
    const code = discountCode("shop.myshopify.com:gid://shopify/Customer/1:order-5:grant-1", "5TH");
    expect(code).toMatch(/^TOKUI-5TH-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  });

  it("avoids look-alike characters in its alphabet", () => {
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
  });

  it("draws the random part from the alphabet and stays within 24 characters", () => {
    for (let i = 0; i < 500; i++) {
      const code = discountCode(`seed-${i}`, "VIPGOLD");
      const parts = code.split("-");
      expect(parts).toHaveLength(4);
      expect(parts[2]).toMatch(RANDOM);
      expect(parts[3]).toMatch(RANDOM);
      expect(code).toBe(code.toUpperCase());
      expect(code.length).toBeLessThanOrEqual(24);
    }
  });

  it("is deterministic and depends on the seed", () => {
    expect(discountCode("a", "5TH")).toBe(discountCode("a", "5TH"));
    expect(discountCode("a", "5TH")).not.toBe(discountCode("b", "5TH"));
    const codes = new Set(Array.from({ length: 1000 }, (_, i) => discountCode(`grant-${i}`)));
    expect(codes.size).toBe(1000);
  });

  it.each<[string, RegExp]>([
    ["", /^TOKUI-[A-Z2-9]{4}-[A-Z2-9]{4}$/],
    ["5th", /^TOKUI-5TH-/],
    ["v-i p!", /^TOKUI-VIP-/],
    ["toolongword", /^TOKUI-TOOLON-/],
    ["ランク", /^TOKUI-[A-Z2-9]{4}-[A-Z2-9]{4}$/], // nothing usable left
  ])("infix %j → %s", (infix, shape) => {
    expect(discountCode("seed", infix)).toMatch(shape);
  });

  it.each<[Milestone["trigger"], string]>([
    [{ kind: "orderCount", count: 5 }, "5TH"],
    [{ kind: "orderCount", count: 10 }, "10TH"],
    [{ kind: "orderCount", count: 21 }, "21ST"],
    [{ kind: "rank", rankKey: "vip" }, "VIP"],
    [{ kind: "rank", rankKey: "gold-member" }, "GOLDME"],
  ])("codeInfix(%j) = %s", (trigger, infix) => {
    expect(codeInfix(trigger)).toBe(infix);
  });
});

describe("ordinalEn", () => {
  it.each([
    [1, "1st"],
    [2, "2nd"],
    [3, "3rd"],
    [4, "4th"],
    [5, "5th"],
    [10, "10th"],
    [11, "11th"],
    [12, "12th"],
    [13, "13th"],
    [21, "21st"],
    [22, "22nd"],
    [101, "101st"],
    [111, "111th"],
  ])("%i → %s", (n, text) => {
    expect(ordinalEn(n)).toBe(text);
  });
});

describe("validateMilestones", () => {
  type Edit = (m: Milestone[]) => Milestone[];
  const at =
    (index: number, over: (m: Milestone) => Milestone): Edit =>
    (list) =>
      list.map((m, i) => (i === index ? over(m) : m));
  const discount = (over: object) => at(0, (m) => ({ ...m, reward: { ...(m.reward as object), ...over } as Milestone["reward"] }));
  const sample = (over: object) => at(1, (m) => ({ ...m, reward: { ...(m.reward as object), ...over } as Milestone["reward"] }));

  it.each<[string, Edit, string[]]>([
    ["the defaults", (m) => m, []],
    ["none at all", () => [], []],
    ["a rank milestone", (m) => [...m, regularMilestone], []],
    [
      "an unknown rank",
      (m) => [...m, { ...regularMilestone, trigger: { kind: "rank", rankKey: "gold" } }],
      ["milestones[2].trigger.rankKey"],
    ],
    ["a duplicate key", at(1, (m) => ({ ...m, key: "order-5" })), ["milestones[1].key"]],
    ["an uppercase key", at(0, (m) => ({ ...m, key: "Order-5" })), ["milestones[0].key"]],
    ["an empty key", at(0, (m) => ({ ...m, key: "" })), ["milestones[0].key"]],
    ["a 41-character key", at(0, (m) => ({ ...m, key: "k".repeat(41) })), ["milestones[0].key"]],
    ["count 0", at(0, (m) => ({ ...m, trigger: { kind: "orderCount", count: 0 } })), ["milestones[0].trigger.count"]],
    ["count 1", at(0, (m) => ({ ...m, trigger: { kind: "orderCount", count: 1 } })), []],
    ["fractional count", at(0, (m) => ({ ...m, trigger: { kind: "orderCount", count: 2.5 } })), ["milestones[0].trigger.count"]],
    ["0%", discount({ value: { type: "percentage", percent: 0 } }), ["milestones[0].reward.value"]],
    ["100%", discount({ value: { type: "percentage", percent: 100 } }), []],
    ["101%", discount({ value: { type: "percentage", percent: 101 } }), ["milestones[0].reward.value"]],
    ["12.5%", discount({ value: { type: "percentage", percent: 12.5 } }), ["milestones[0].reward.value"]],
    ["fixed ¥500", discount({ value: { type: "fixed", amount: 500n } }), []],
    ["fixed 0", discount({ value: { type: "fixed", amount: 0n } }), ["milestones[0].reward.value"]],
    ["fixed negative", discount({ value: { type: "fixed", amount: -1n } }), ["milestones[0].reward.value"]],
    ["expiry 0 days", discount({ expiresInDays: 0 }), ["milestones[0].reward.expiresInDays"]],
    ["expiry 1 day", discount({ expiresInDays: 1 }), []],
    ["expiry 365 days", discount({ expiresInDays: 365 }), []],
    ["expiry 366 days", discount({ expiresInDays: 366 }), ["milestones[0].reward.expiresInDays"]],
    ["minimum 0", discount({ minimumSubtotal: 0n }), ["milestones[0].reward.minimumSubtotal"]],
    ["minimum ¥3,000", discount({ minimumSubtotal: 3_000n }), []],
    ["empty Japanese note", sample({ packerNote: { ja: " ", en: "x" } }), ["milestones[1].reward.packerNote"]],
    ["empty English note", sample({ packerNote: { ja: "x", en: "" } }), ["milestones[1].reward.packerNote"]],
    ["empty tag", sample({ orderTag: "" }), ["milestones[1].reward.orderTag"]],
    ["tag with a comma", sample({ orderTag: "sample,vip" }), ["milestones[1].reward.orderTag"]],
    ["tag with outer spaces", sample({ orderTag: " sample" }), ["milestones[1].reward.orderTag"]],
    ["tag of 40 characters", sample({ orderTag: "t".repeat(40) }), []],
    ["tag of 41 characters", sample({ orderTag: "t".repeat(41) }), ["milestones[1].reward.orderTag"]],
    ["Japanese tag", sample({ orderTag: "サンプル同梱" }), []],
    [
      "several problems at once",
      at(0, (m) => ({ ...m, key: "X", trigger: { kind: "orderCount", count: -1 } })),
      ["milestones[0].key", "milestones[0].trigger.count"],
    ],
  ])("%s", (_name, edit, fields) => {
    expect(validateMilestones(edit(defaultMilestones()), TIERS).map((e) => e.field)).toEqual(fields);
  });

  it("words every message in English and Japanese", () => {
    const pct = (percent: number) => ({ type: "percentage" as const, percent });
    const broken: Milestone[] = [
      {
        key: "BAD",
        trigger: { kind: "orderCount", count: 0 },
        reward: { kind: "discount", value: pct(0), expiresInDays: 0, minimumSubtotal: 0n },
      },
      {
        key: "BAD2",
        trigger: { kind: "rank", rankKey: "nope" },
        reward: { kind: "discount", value: { type: "fixed", amount: 0n }, expiresInDays: 400, minimumSubtotal: null },
      },
      {
        key: "s",
        trigger: { kind: "orderCount", count: 3 },
        reward: { kind: "freeSample", packerNote: { ja: "", en: "" }, orderTag: "a,b" },
      },
      {
        key: "s",
        trigger: { kind: "orderCount", count: 3 },
        reward: { kind: "freeSample", packerNote: { ja: "x", en: "x" }, orderTag: "ok" },
      },
    ];
    const errors = validateMilestones(broken, TIERS);
    expect(errors.length).toBe(12);
    for (const { message } of errors) {
      expect(message.en).toMatch(/^[\x20-\x7e–]+$/);
      expect(message.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });
});

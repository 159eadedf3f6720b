import { describe, expect, it } from "vitest";
import {
  defaultRankTiers,
  describeRankChange,
  RANK_TAG_PREFIX,
  rankFor,
  rankProgress,
  rankTag,
  validateRankTiers,
  type RankTier,
} from "~/domain/rank";

const JPY = defaultRankTiers("JPY");

function tier(key: string, position: number, over: Partial<RankTier> = {}): RankTier {
  return {
    key,
    position,
    labelJa: key,
    labelEn: key,
    minOrders: null,
    minWindowSpent: null,
    combine: "any",
    ...over,
  };
}

function byKey(key: string): RankTier {
  const found = JPY.find((t) => t.key === key);
  if (!found) throw new Error(`no tier ${key}`);
  return found;
}

const tierOf = (key: string | null) => (key === null ? null : byKey(key));

describe("defaultRankTiers", () => {
  it("is the four-phase ladder, lowest first", () => {
    expect(JPY).toEqual([
      tier("first", 1, { labelJa: "初回", labelEn: "First purchase", minOrders: 1 }),
      tier("second", 2, { labelJa: "2回目", labelEn: "Second purchase", minOrders: 2 }),
      tier("regular", 3, { labelJa: "常連", labelEn: "Regular", minOrders: 3 }),
      tier("vip", 4, { labelJa: "VIP", labelEn: "VIP", minOrders: 10, minWindowSpent: 100_000n }),
    ]);
  });

  it.each([
    ["JPY", 100_000n], // ¥100,000
    ["jpy", 100_000n],
    ["USD", 100_000n], // $1,000.00
    ["EUR", 100_000n],
    ["BHD", 1_000_000n], // 1,000.000 BHD
    ["KRW", 1_000n], // zero-decimal, not JPY: 1,000 major units
  ])("VIP spend threshold for %s is %s minor units", (currency, minor) => {
    expect(defaultRankTiers(currency).find((t) => t.key === "vip")?.minWindowSpent).toBe(minor);
  });

  it.each(["JPY", "USD", "BHD"])("is valid for %s", (currency) => {
    expect(validateRankTiers(defaultRankTiers(currency))).toEqual([]);
  });

  it("returns a fresh array each call", () => {
    const a = defaultRankTiers("JPY");
    a[0]!.minOrders = 99;
    expect(defaultRankTiers("JPY")[0]!.minOrders).toBe(1);
  });
});

describe("rankFor with the default JPY tiers", () => {
  it.each<[number, bigint, string | null]>([
    [0, 0n, null],
    [1, 0n, "first"],
    [2, 0n, "second"],
    [3, 0n, "regular"],
    [9, 0n, "regular"],
    [10, 0n, "vip"],
    [11, 0n, "vip"],
    [9, 99_999n, "regular"], // one yen short
    [9, 100_000n, "vip"], // exactly at the threshold
    [1, 99_999n, "first"],
    [1, 100_000n, "vip"], // spend alone reaches VIP ("any")
    [2, 250_000n, "vip"],
    [0, 99_999n, null],
  ])("%i orders, ¥%s in window → %s", (orderCount, windowSpent, expected) => {
    expect(rankFor({ orderCount, windowSpent }, JPY)?.key ?? null).toBe(expected);
  });
});

describe("rankFor: combine any vs all", () => {
  const ladder = (combine: "any" | "all") => [
    tier("base", 1, { minOrders: 1 }),
    tier("gold", 2, { minOrders: 5, minWindowSpent: 50_000n, combine }),
  ];

  it.each<["any" | "all", number, bigint, string]>([
    ["any", 5, 0n, "gold"],
    ["any", 4, 50_000n, "gold"],
    ["any", 4, 49_999n, "base"],
    ["any", 5, 50_000n, "gold"],
    ["all", 5, 49_999n, "base"],
    ["all", 4, 50_000n, "base"],
    ["all", 5, 50_000n, "gold"],
    ["all", 12, 900_000n, "gold"],
  ])("%s: %i orders, %s spent → %s", (combine, orderCount, windowSpent, expected) => {
    expect(rankFor({ orderCount, windowSpent }, ladder(combine))?.key).toBe(expected);
  });

  it.each<["any" | "all", number, bigint, string | null]>([
    ["any", 0, 0n, null],
    ["all", 0, 0n, null],
    ["any", 0, 7n, "spend"],
    ["all", 0, 7n, "spend"], // combine is irrelevant with one condition
    ["all", 0, 6n, null],
  ])("single spend condition, %s: %i orders, %s spent → %s", (combine, orderCount, windowSpent, expected) => {
    const tiers = [tier("spend", 1, { minWindowSpent: 7n, combine })];
    expect(rankFor({ orderCount, windowSpent }, tiers)?.key ?? null).toBe(expected);
  });
});

describe("rankFor: tier shapes", () => {
  it("never matches a tier without conditions", () => {
    const tiers = [tier("base", 1, { minOrders: 1 }), tier("empty", 2)];
    expect(rankFor({ orderCount: 100, windowSpent: 10n ** 12n }, tiers)?.key).toBe("base");
  });

  it("returns null for no tiers", () => {
    expect(rankFor({ orderCount: 5, windowSpent: 5n }, [])).toBeNull();
  });

  it("orders by position, not array order, and leaves the input alone", () => {
    const shuffled = [byKey("regular"), byKey("vip"), byKey("first"), byKey("second")];
    expect(rankFor({ orderCount: 2, windowSpent: 0n }, shuffled)?.key).toBe("second");
    expect(rankFor({ orderCount: 10, windowSpent: 0n }, shuffled)?.key).toBe("vip");
    expect(shuffled.map((t) => t.key)).toEqual(["regular", "vip", "first", "second"]);
  });
});

describe("rankProgress with the default JPY tiers", () => {
  it.each<[number, bigint, string | null, string | null, number | null, bigint | null]>([
    [0, 0n, null, "first", 1, null],
    [1, 0n, "first", "second", 1, null],
    [2, 500n, "second", "regular", 1, null],
    [3, 0n, "regular", "vip", 7, 100_000n],
    [3, 40_000n, "regular", "vip", 7, 60_000n],
    [9, 99_999n, "regular", "vip", 1, 1n],
    [10, 0n, "vip", null, null, null],
    [5, 100_000n, "vip", null, null, null],
  ])(
    "%i orders, ¥%s → %s, next %s, %s orders / %s yen to go",
    (orderCount, windowSpent, current, next, ordersToNext, amountToNext) => {
      const p = rankProgress({ orderCount, windowSpent }, JPY);
      expect({
        current: p.current?.key ?? null,
        next: p.next?.key ?? null,
        ordersToNext: p.ordersToNext,
        amountToNext: p.amountToNext,
      }).toEqual({ current, next, ordersToNext, amountToNext });
    },
  );
});

describe("rankProgress: combine all and single conditions", () => {
  const tiers = [
    tier("base", 1, { minOrders: 1 }),
    tier("gold", 2, { minOrders: 5, minWindowSpent: 50_000n, combine: "all" }),
    tier("diamond", 3, { minWindowSpent: 200_000n }),
  ];

  it.each<[number, bigint, string | null, string | null, number | null, bigint | null]>([
    [0, 0n, null, "base", 1, null],
    [5, 20_000n, "base", "gold", 0, 30_000n], // orders already met, spend still missing
    [2, 60_000n, "base", "gold", 3, 0n], // spend already met, orders still missing
    [1, 0n, "base", "gold", 4, 50_000n],
    [5, 50_000n, "gold", "diamond", null, 150_000n], // spend-only next tier
    [5, 199_999n, "gold", "diamond", null, 1n],
    [1, 200_000n, "diamond", null, null, null],
  ])(
    "%i orders, %s spent → %s, next %s (%s / %s)",
    (orderCount, windowSpent, current, next, ordersToNext, amountToNext) => {
      const p = rankProgress({ orderCount, windowSpent }, tiers);
      expect([p.current?.key ?? null, p.next?.key ?? null, p.ordersToNext, p.amountToNext]).toEqual([
        current,
        next,
        ordersToNext,
        amountToNext,
      ]);
    },
  );

  it("has nothing to show without tiers", () => {
    expect(rankProgress({ orderCount: 3, windowSpent: 1n }, [])).toEqual({
      current: null,
      next: null,
      ordersToNext: null,
      amountToNext: null,
    });
  });
});

describe("rank tags", () => {
  it.each([
    ["vip", "tokui-rank:vip"],
    ["first", "tokui-rank:first"],
    ["gold-2", "tokui-rank:gold-2"],
  ])("rankTag(%s) = %s", (key, tag) => {
    expect(rankTag(key)).toBe(tag);
    expect(tag.startsWith(RANK_TAG_PREFIX)).toBe(true);
  });

  it("has the documented prefix", () => {
    expect(RANK_TAG_PREFIX).toBe("tokui-rank:");
  });
});

describe("describeRankChange", () => {
  it.each<[string | null, string | null, "up" | "down" | "same"]>([
    [null, null, "same"],
    [null, "first", "up"],
    [null, "vip", "up"],
    ["first", null, "down"],
    ["vip", null, "down"],
    ["first", "second", "up"],
    ["regular", "vip", "up"],
    ["first", "vip", "up"],
    ["vip", "regular", "down"],
    ["second", "first", "down"],
    ["regular", "regular", "same"],
  ])("%s → %s is %s", (from, to, expected) => {
    expect(describeRankChange(tierOf(from), tierOf(to))).toBe(expected);
  });

  it("compares positions, not object identity", () => {
    expect(describeRankChange(byKey("vip"), { ...byKey("vip") })).toBe("same");
  });
});

describe("validateRankTiers", () => {
  type Edit = (tiers: RankTier[]) => RankTier[];
  const set =
    (index: number, over: Partial<RankTier>): Edit =>
    (tiers) =>
      tiers.map((t, i) => (i === index ? { ...t, ...over } : t));

  it.each<[string, Edit, string[]]>([
    ["the defaults", (t) => t, []],
    ["the defaults in reverse array order", (t) => [...t].reverse(), []],
    ["no tiers", () => [], ["tiers"]],
    ["an uppercase key", set(3, { key: "VIP" }), ["tiers[3].key"]],
    ["a key with a space", set(0, { key: "first time" }), ["tiers[0].key"]],
    ["an empty key", set(0, { key: "" }), ["tiers[0].key"]],
    ["a key with an underscore", set(0, { key: "first_time" }), ["tiers[0].key"]],
    ["a key with digits and hyphens", set(0, { key: "tier-1" }), []],
    ["the reserved key", set(2, { key: "none" }), ["tiers[2].key"]],
    ["a duplicate key", set(1, { key: "first" }), ["tiers[1].key"]],
    ["a duplicate position", set(1, { position: 1 }), ["tiers[1].position"]],
    ["position 0", set(0, { position: 0 }), ["tiers[0].position"]],
    ["a fractional position", set(3, { position: 4.5 }), ["tiers[3].position"]],
    ["an empty Japanese label", set(0, { labelJa: " " }), ["tiers[0].label"]],
    ["an empty English label", set(1, { labelEn: "" }), ["tiers[1].label"]],
    ["no condition", set(2, { minOrders: null }), ["tiers[2].conditions"]],
    ["minOrders 0", set(0, { minOrders: 0 }), ["tiers[0].minOrders"]],
    ["negative minOrders", set(0, { minOrders: -1 }), ["tiers[0].minOrders"]],
    ["fractional minOrders", set(1, { minOrders: 2.5 }), ["tiers[1].minOrders"]],
    ["minWindowSpent 0", set(3, { minWindowSpent: 0n }), ["tiers[3].minWindowSpent"]],
    ["negative minWindowSpent", set(3, { minWindowSpent: -1n }), ["tiers[3].minWindowSpent"]],
    ["spend-only tier", set(3, { minOrders: null }), []],
    ["a higher tier with the same order count", set(2, { minOrders: 2 }), ["tiers[2].minOrders"]],
    ["a higher tier with fewer orders", set(3, { minOrders: 2 }), ["tiers[3].minOrders"]],
    [
      "a higher tier with the same spend",
      set(2, { minWindowSpent: 100_000n }),
      ["tiers[3].minWindowSpent"],
    ],
    ["a lower tier with less spend is fine", set(2, { minWindowSpent: 99_999n }), []],
    ["several problems at once", set(0, { key: "First", minOrders: null }), ["tiers[0].key", "tiers[0].conditions"]],
  ])("%s", (_name, edit, fields) => {
    const errors = validateRankTiers(edit(defaultRankTiers("JPY")));
    expect(errors.map((e) => e.field)).toEqual(fields);
  });

  it.each<[string, RankTier[], string[]]>([
    [
      "compares with the hardest lower tier, not only the neighbour",
      [tier("a", 1, { minOrders: 5 }), tier("b", 2, { minOrders: 3 }), tier("c", 3, { minOrders: 4 })],
      ["tiers[1].minOrders", "tiers[2].minOrders"],
    ],
    [
      "skips tiers that do not set the condition",
      [tier("a", 1, { minOrders: 1 }), tier("b", 2, { minWindowSpent: 50n }), tier("c", 3, { minOrders: 2 })],
      [],
    ],
    [
      "spend must increase across spend-only tiers",
      [tier("a", 1, { minOrders: 1 }), tier("b", 2, { minWindowSpent: 100n }), tier("c", 3, { minWindowSpent: 50n })],
      ["tiers[2].minWindowSpent"],
    ],
    [
      "uses positions, reporting the input index",
      [tier("top", 2, { minOrders: 2 }), tier("low", 1, { minOrders: 5 })],
      ["tiers[0].minOrders"],
    ],
    [
      "positions with a gap",
      [tier("a", 1, { minOrders: 1 }), tier("b", 2, { minOrders: 2 }), tier("c", 4, { minOrders: 3 })],
      ["tiers[2].position"],
    ],
    [
      "positions 1…n in any array order",
      [tier("c", 3, { minOrders: 3 }), tier("a", 1, { minOrders: 1 }), tier("b", 2, { minOrders: 2 })],
      [],
    ],
  ])("%s", (_name, tiers, fields) => {
    expect(validateRankTiers(tiers).map((e) => e.field)).toEqual(fields);
  });

  it("words every message in English and Japanese", () => {
    const broken = [
      tier("BAD", 1),
      tier("dup", 0, { minOrders: 0, minWindowSpent: 0n, labelJa: "" }),
      tier("dup", 0, { minOrders: 5 }),
      tier("none", 2, { minOrders: 3, minWindowSpent: 10n }),
      tier("z", 3, { minOrders: 3, minWindowSpent: 10n }),
    ];
    const errors = validateRankTiers(broken);
    expect(errors.length).toBeGreaterThanOrEqual(8);
    for (const { message } of [...errors, ...validateRankTiers([])]) {
      expect(message.en).toMatch(/^[\x20-\x7e]+$/); // plain English
      expect(message.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/); // kana or kanji
    }
  });
});

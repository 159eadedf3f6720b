import { describe, expect, it } from "vitest";
import { milestoneRowFrom, newMilestoneRow, parseMilestoneForm, rankKeysUsedByMilestones, type MilestoneRow } from "~/domain/milestone-form";
import { defaultMilestones, type Milestone } from "~/domain/milestones";
import { defaultRankTiers } from "~/domain/rank";

const TIERS = defaultRankTiers("JPY");

const vipCoupon: Milestone = {
  key: "vip-coupon",
  trigger: { kind: "rank", rankKey: "vip" },
  reward: { kind: "discount", value: { type: "fixed", amount: 1500n }, expiresInDays: 30, minimumSubtotal: 5000n },
};

describe("milestoneRowFrom / parseMilestoneForm", () => {
  it.each<[string, Milestone[], string]>([
    ["the defaults", defaultMilestones(), "JPY"],
    ["a fixed-amount coupon for reaching a rank, with a minimum", [vipCoupon], "JPY"],
    [
      "a USD amount with cents",
      [{ ...vipCoupon, reward: { ...vipCoupon.reward, value: { type: "fixed", amount: 1250n }, minimumSubtotal: null } as Milestone["reward"] }],
      "USD",
    ],
  ])("round-trips %s", (_name, milestones, currency) => {
    const rows = milestones.map((m) => milestoneRowFrom(m, currency));
    expect(parseMilestoneForm(rows, currency, TIERS)).toEqual({ ok: true, milestones });
  });

  it("shows amounts as decimals in the shop currency", () => {
    expect(milestoneRowFrom({ ...vipCoupon, reward: { ...vipCoupon.reward, value: { type: "fixed", amount: 1250n } } as Milestone["reward"] }, "USD")).toMatchObject({
      discountType: "fixed",
      amount: "12.50",
      minimumSubtotal: "50.00",
    });
  });

  it("keeps the fields of the kind not chosen, and ignores them", () => {
    const row: MilestoneRow = { ...milestoneRowFrom(defaultMilestones()[0]!, "JPY"), packerNoteJa: "", orderTag: "", amount: "garbage" };
    const result = parseMilestoneForm([row], "JPY", TIERS);
    expect(result).toEqual({ ok: true, milestones: [defaultMilestones()[0]] });
  });

  const base = (over: Partial<MilestoneRow>): MilestoneRow => ({ ...milestoneRowFrom(defaultMilestones()[0]!, "JPY"), ...over });
  const sample = (over: Partial<MilestoneRow>): MilestoneRow => ({ ...milestoneRowFrom(defaultMilestones()[1]!, "JPY"), ...over });

  it.each<[string, MilestoneRow[], string[]]>([
    ["an empty order count", [base({ count: "" })], ["milestones[0].trigger.count"]],
    ["order count 0", [base({ count: "0" })], ["milestones[0].trigger.count"]],
    ["a fractional order count", [base({ count: "5.5" })], ["milestones[0].trigger.count"]],
    ["an unknown rank", [base({ triggerKind: "rank", rankKey: "gold" })], ["milestones[0].trigger.rankKey"]],
    ["no rank chosen", [base({ triggerKind: "rank", rankKey: "" })], ["milestones[0].trigger.rankKey"]],
    ["a rank", [base({ triggerKind: "rank", rankKey: "vip" })], []],
    ["101 percent", [base({ percent: "101" })], ["milestones[0].reward.value"]],
    ["a fractional percent", [base({ percent: "12.5" })], ["milestones[0].reward.value"]],
    ["no fixed amount", [base({ discountType: "fixed", amount: "" })], ["milestones[0].reward.value"]],
    ["yen with decimals", [base({ discountType: "fixed", amount: "500.5" })], ["milestones[0].reward.value"]],
    ["a fixed amount of 0", [base({ discountType: "fixed", amount: "0" })], ["milestones[0].reward.value"]],
    ["a fixed amount", [base({ discountType: "fixed", amount: "1,000" })], []],
    ["0 days", [base({ expiresInDays: "0" })], ["milestones[0].reward.expiresInDays"]],
    ["366 days", [base({ expiresInDays: "366" })], ["milestones[0].reward.expiresInDays"]],
    ["no days", [base({ expiresInDays: "" })], ["milestones[0].reward.expiresInDays"]],
    ["a minimum of 0", [base({ minimumSubtotal: "0" })], ["milestones[0].reward.minimumSubtotal"]],
    ["an unreadable minimum", [base({ minimumSubtotal: "some" })], ["milestones[0].reward.minimumSubtotal"]],
    ["an empty packing note", [sample({ packerNoteEn: " " })], ["milestones[0].reward.packerNote"]],
    ["an order tag with a comma", [sample({ orderTag: "a,b" })], ["milestones[0].reward.orderTag"]],
    ["an order tag with spaces around", [sample({ orderTag: " sample" })], ["milestones[0].reward.orderTag"]],
    ["a bad key", [base({ key: "Order 5" })], ["milestones[0].key"]],
    ["a duplicate key", [base({}), base({ count: "7" })], ["milestones[1].key"]],
    ["no milestones at all", [], []],
  ])("%s", (_name, rows, fields) => {
    const result = parseMilestoneForm(rows, "JPY", TIERS);
    expect(result.ok ? [] : Object.keys(result.errors)).toEqual(fields);
  });
});

describe("newMilestoneRow", () => {
  it("starts as a 10%, 60-day coupon with a key not yet used", () => {
    const first = newMilestoneRow([], "first");
    expect(first).toMatchObject({ key: "milestone-1", triggerKind: "orderCount", rankKey: "first", percent: "10", expiresInDays: "60" });
    expect(newMilestoneRow([first]).key).toBe("milestone-2");
  });
});

it("rankKeysUsedByMilestones lists the rewards triggered by each rank", () => {
  expect(rankKeysUsedByMilestones([...defaultMilestones(), vipCoupon, { ...vipCoupon, key: "vip-2" }])).toEqual({ vip: ["vip-coupon", "vip-2"] });
});

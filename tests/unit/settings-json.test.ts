import { describe, expect, it } from "vitest";
import { defaultMessageTemplates } from "~/domain/messages";
import { defaultMilestones, type Milestone } from "~/domain/milestones";
import { milestoneFromJson, milestonesFromJson, milestonesToJson, milestoneToJson, templatesFromJson, templatesToJson } from "~/domain/settings-json";

const fixed: Milestone = {
  key: "vip-coupon",
  trigger: { kind: "rank", rankKey: "vip" },
  reward: { kind: "discount", value: { type: "fixed", amount: 9007199254740993n }, expiresInDays: 30, minimumSubtotal: 500000n },
};

describe("milestones as JSON", () => {
  it("round-trips every reward kind, amounts exactly (beyond 2^53)", () => {
    const milestones = [...defaultMilestones(), fixed];
    expect(milestonesFromJson(milestonesToJson(milestones))).toEqual(milestones);
    expect(milestonesToJson([fixed])).toContain('"amount":"9007199254740993"');
    expect(milestoneFromJson(milestoneToJson(fixed))).toEqual(fixed);
  });

  it("gives the defaults when nothing is stored, and [] when the merchant removed them all", () => {
    expect(milestonesFromJson(null)).toEqual(defaultMilestones());
    expect(milestonesFromJson("[]")).toEqual([]);
  });

  it.each([
    ["not JSON", "{"],
    ["an amount as a float", JSON.stringify([{ ...JSON.parse(milestoneToJson(fixed)), reward: { ...JSON.parse(milestoneToJson(fixed)).reward, value: { type: "fixed", amount: 12.5 } } }])],
    ["an unknown reward", JSON.stringify([{ key: "x", trigger: { kind: "orderCount", count: 3 }, reward: { kind: "pony" } }])],
  ])("refuses %s instead of falling back to the defaults", (_label, text) => {
    expect(() => milestonesFromJson(text)).toThrow();
  });
});

describe("message templates as JSON", () => {
  it("merges stored templates over the defaults", () => {
    const stored = templatesToJson({ vip: { ja: "VIPの{{first_name}}様", en: "Dear VIP {{first_name}}" } });
    const templates = templatesFromJson(stored);
    expect(templates.vip).toEqual({ ja: "VIPの{{first_name}}様", en: "Dear VIP {{first_name}}" });
    expect(templates.first).toEqual(defaultMessageTemplates().first);
  });

  it("refuses a template without both languages", () => {
    expect(() => templatesFromJson(JSON.stringify({ vip: { ja: "だけ" } }))).toThrow();
  });
});

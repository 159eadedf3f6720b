import { describe, expect, it } from "vitest";
import { parseRewardHoldouts, rewardHoldoutForm, REWARD_HOLDOUT_DEFAULT } from "~/domain/reward-holdout";

describe("reward holdout form", () => {
  it("defaults to the issue's 10% holdout and a 14-day window when the milestone has no campaign row", () => {
    expect(REWARD_HOLDOUT_DEFAULT).toBe(10);
    expect(rewardHoldoutForm(undefined)).toEqual({ holdoutPercent: "10", attributionDays: "14" });
    expect(rewardHoldoutForm({ holdoutPercent: 0, attributionDays: 14 })).toEqual({ holdoutPercent: "0", attributionDays: "14" });
    expect(rewardHoldoutForm({ holdoutPercent: 25, attributionDays: 30 })).toEqual({ holdoutPercent: "25", attributionDays: "30" });
  });

  it.each([
    ["0", "14", { holdoutPercent: 0, attributionDays: 14 }],
    ["50", "90", { holdoutPercent: 50, attributionDays: 90 }],
    ["１０％", "７", { holdoutPercent: 10, attributionDays: 7 }],
    ["10%", "1", { holdoutPercent: 10, attributionDays: 1 }],
  ])("reads %s%% and %s days", (holdoutPercent, attributionDays, expected) => {
    expect(parseRewardHoldouts([{ key: "order-5", holdoutPercent, attributionDays }])).toEqual({
      ok: true,
      settings: [{ milestoneKey: "order-5", ...expected }],
    });
  });

  it.each([
    ["51", "14", ["milestones[1].holdoutPercent"]],
    ["-1", "14", ["milestones[1].holdoutPercent"]],
    ["2.5", "14", ["milestones[1].holdoutPercent"]],
    ["", "14", ["milestones[1].holdoutPercent"]],
    ["10", "0", ["milestones[1].attributionDays"]],
    ["10", "91", ["milestones[1].attributionDays"]],
    ["x", "", ["milestones[1].holdoutPercent", "milestones[1].attributionDays"]],
  ])("refuses %s%% / %s days, keyed by the row's index, in ja and en", (holdoutPercent, attributionDays, fields) => {
    const result = parseRewardHoldouts([
      { key: "order-5", holdoutPercent: "10", attributionDays: "14" },
      { key: "order-10", holdoutPercent, attributionDays },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual([...fields].sort());
    for (const message of Object.values(result.errors)) {
      expect(message.en).not.toBe("");
      expect(message.ja).not.toBe("");
    }
  });
});

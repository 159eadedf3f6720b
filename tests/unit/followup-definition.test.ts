/** The Follow-up mail page's form and the stored Campaign definitions (pure). */
import { describe, expect, it } from "vitest";
import {
  defaultJourneyDefinition,
  journeyDefinitionJson,
  journeysFromRows,
  journeyToForm,
  parseJourneyDefinition,
  parseJourneysForm,
  parseReplenishmentDefinition,
  replenishmentFromRows,
  replenishmentToForm,
} from "~/services/followup-settings/definition";
import { totalsFromRows } from "~/services/followup-results/results.server";

const forms = () => ({ journeys: journeysFromRows([]).map(journeyToForm), replenishment: replenishmentToForm(replenishmentFromRows([])) });

describe("campaign definitions", () => {
  it("round-trips a journey and refuses what is not one", () => {
    const d = defaultJourneyDefinition("second");
    expect(parseJourneyDefinition(journeyDefinitionJson(d))).toEqual(d);
    for (const bad of ["", "{}", '{"v":2,"phase":"first","steps":[]}', '{"v":1,"phase":"later","steps":[]}', '{"v":1,"phase":"first","steps":[{"key":"s","delayDays":"21"}]}', '{"v":1,"phase":"first","steps":[null]}']) {
      expect(parseJourneyDefinition(bad)).toBeNull();
    }
    expect(parseReplenishmentDefinition('{"v":1,"leadDays":7}')).toBeNull();
  });

  it("rows → defaults for missing or broken definitions, keyed journey:<phase>", () => {
    const rows = journeysFromRows([{ key: "journey:vip", enabled: true, holdoutPercent: 30, attributionDays: 7, definition: "not json" }]);
    expect(rows.map((r) => r.key)).toEqual(["journey:first", "journey:second", "journey:regular", "journey:vip"]);
    expect(rows[3]).toMatchObject({ enabled: true, holdoutPercent: 30, attributionDays: 7 });
    expect(rows[3]!.definition.steps.map((s) => s.delayDays)).toEqual([21, 42, 63]);
  });
});

describe("the journeys form", () => {
  it("parses the defaults, with full-width digits and a % sign, into step-<n> keys", () => {
    const input = forms();
    input.journeys[0]!.holdoutPercent = "２０％";
    input.journeys[0]!.steps[2]!.delayDays = "７０";
    const parsed = parseJourneysForm(input);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.journeys[0]).toMatchObject({ key: "journey:first", holdoutPercent: 20 });
    expect(parsed.journeys[0]!.definition.steps.map((s) => [s.key, s.delayDays])).toEqual([["step-1", 21], ["step-2", 42], ["step-3", 70]]);
    expect(parsed.replenishment.definition.leadDays).toBe(7);
  });

  it("keys every error by field, in both languages", () => {
    const input = forms();
    input.journeys[1]!.steps = [];
    input.journeys[2]!.attributionDays = "0";
    input.journeys[3]!.steps[0]!.body.ja = "{{#rank}}未完";
    input.replenishment.holdoutPercent = "51";
    input.replenishment.attributionDays = "abc";
    const parsed = parseJourneysForm(input);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual([
      "journeys[1].steps",
      "journeys[2].attributionDays",
      "journeys[3].steps[0].body.ja",
      "replenishment.attributionDays",
      "replenishment.holdoutPercent",
    ]);
    expect(parsed.errors["journeys[3].steps[0].body.ja"]!.ja).toContain("{{/rank}}");
  });

  it("needs each phase exactly once", () => {
    const input = forms();
    input.journeys[1]!.phase = "first";
    const parsed = parseJourneysForm(input);
    expect(parsed.ok ? null : Object.keys(parsed.errors).sort()).toEqual(["journeys", "journeys[1].phase"]);
  });
});

describe("results totals", () => {
  it("sums grouped rows exactly in bigint (revenue and its squares)", () => {
    const totals = totalsFromRows([
      { campaignKey: "journey:first", step: 1n, grp: "treated", converted: 1n, revenue: 3000n, n: 2n },
      { campaignKey: "journey:first", step: 1n, grp: "treated", converted: 0n, revenue: 0n, n: 5n },
      { campaignKey: "journey:first", step: 1, grp: "holdout", converted: 1, revenue: "9007199254740993", n: 1 },
    ]);
    expect(totals.get("journey:first\n1")).toEqual({
      treated: { customers: 7, converted: 2, revenue: 6000n, revenueSquares: 18_000_000n },
      holdout: { customers: 1, converted: 1, revenue: 9007199254740993n, revenueSquares: 9007199254740993n ** 2n },
    });
  });
});

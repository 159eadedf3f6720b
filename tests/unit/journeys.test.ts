import { describe, expect, it } from "vitest";
import {
  customerPhase,
  defaultJourneys,
  dueSteps,
  holdoutCampaignKey,
  nextSendTime,
  validateJourney,
  validateJourneys,
  zonedTime,
  type Journey,
  type JourneyCustomer,
  type SentStep,
} from "~/domain/journeys";

const at = (iso: string) => new Date(iso);

describe("customerPhase", () => {
  it.each<[number, string | null, string | null]>([
    [0, null, null],
    [1, "first", "first"],
    [2, "second", "second"],
    [3, "regular", "regular"],
    [12, "regular", "regular"], // order count alone never makes a VIP: the rank does
    [12, "vip", "vip"],
    [1, "vip", "vip"], // one big first order can reach VIP by spend
    [2, null, "second"], // unranked (e.g. a ladder without order tiers)
  ])("%d orders, rank %s → %s", (orderCount, rankKey, phase) => {
    expect(customerPhase({ orderCount, rankKey })).toBe(phase);
  });

  it("takes the merchant's VIP ranks", () => {
    expect(customerPhase({ orderCount: 4, rankKey: "gold" }, ["gold", "platinum"])).toBe("vip");
    expect(customerPhase({ orderCount: 4, rankKey: "vip" }, ["gold", "platinum"])).toBe("regular");
  });
});

describe("journey definitions", () => {
  it("defaults to one journey per phase, a mail at 21, 42 and 63 days, 10% held out", () => {
    const journeys = defaultJourneys();
    expect(journeys.map((j) => j.phase)).toEqual(["first", "second", "regular", "vip"]);
    expect(journeys[0]).toEqual({
      key: "first-follow-up",
      phase: "first",
      steps: [
        { key: "step-1", delayDays: 21 },
        { key: "step-2", delayDays: 42 },
        { key: "step-3", delayDays: 63 },
      ],
      holdoutPercent: 10,
      attributionDays: 14,
    });
    expect(validateJourneys(journeys)).toEqual({});
    expect(holdoutCampaignKey(journeys[0]!)).toBe("journey:first-follow-up");
  });

  const base = defaultJourneys()[0]!;
  const edit = (over: Partial<Journey>): Journey => ({ ...base, ...over });
  it.each<[string, Journey, string[]]>([
    ["a key with capitals", edit({ key: "First" }), ["key"]],
    ["an unknown phase", edit({ phase: "lapsed" as Journey["phase"] }), ["phase"]],
    ["no mails", edit({ steps: [] }), ["steps"]],
    ["11 mails", edit({ steps: Array.from({ length: 11 }, (_, i) => ({ key: `s${i}`, delayDays: i + 1 })) }), ["steps"]],
    ["a delay of 0 days", edit({ steps: [{ key: "a", delayDays: 0 }] }), ["steps[0].delayDays"]],
    ["a delay of 366 days", edit({ steps: [{ key: "a", delayDays: 366 }] }), ["steps[0].delayDays"]],
    ["half a day", edit({ steps: [{ key: "a", delayDays: 1.5 }] }), ["steps[0].delayDays"]],
    ["a mail before the one above it", edit({ steps: [{ key: "a", delayDays: 21 }, { key: "b", delayDays: 21 }] }), ["steps[1].delayDays"]],
    ["two mails with one key", edit({ steps: [{ key: "a", delayDays: 21 }, { key: "a", delayDays: 42 }] }), ["steps[1].key"]],
    ["a holdout of 60%", edit({ holdoutPercent: 60 }), ["holdoutPercent"]],
    ["no holdout", edit({ holdoutPercent: 0 }), []],
    ["an attribution window of 0 days", edit({ attributionDays: 0 }), ["attributionDays"]],
  ])("%s", (_name, journey, fields) => {
    const errors = validateJourney(journey);
    expect(Object.keys(errors)).toEqual(fields);
    for (const message of Object.values(errors)) expect(message.ja).toMatch(/[ぁ-んァ-ン一-龥]/);
  });

  it("refuses two journeys for one phase and two with one key", () => {
    const [first, second] = defaultJourneys();
    expect(Object.keys(validateJourneys([first!, { ...second!, phase: "first" }]))).toEqual(["journeys[1].phase"]);
    expect(validateJourneys([first!, { ...second!, key: first!.key }])).toEqual({
      "journeys[1].key": { en: "Another journey has this key.", ja: "このキーは他のシナリオで使われています。" },
    });
  });
});

describe("dueSteps", () => {
  const [firstJourney, secondJourney, regularJourney] = defaultJourneys() as [Journey, Journey, Journey, Journey];
  const firstOrder = at("2026-04-01T05:00:00Z");
  const newcomer: JourneyCustomer = {
    gid: "gid://shopify/Customer/1",
    orderCount: 1,
    rankKey: "first",
    lastOrderAt: firstOrder,
    emailMarketingConsent: true,
  };
  const sent = (stepKey: string, referenceOrderAt = firstOrder, journeyKey = firstJourney.key): SentStep => ({
    journeyKey,
    stepKey,
    referenceOrderAt,
  });
  const step = (n: number) => firstJourney.steps[n - 1]!;

  // Steps are due 21, 42 and 63 days after 2026-04-01T05:00Z: Apr 22, May 13 and Jun 3, 05:00Z.
  it.each<[string, SentStep[], string, unknown]>([
    ["before the first mail", [], "2026-04-11T00:00:00Z", { kind: "later", step: step(1), stepIndex: 0, dueAt: at("2026-04-22T05:00:00Z"), referenceOrderAt: firstOrder }],
    ["at 21 days", [], "2026-04-22T05:00:00Z", { kind: "due", step: step(1), stepIndex: 0, dueAt: at("2026-04-22T05:00:00Z"), referenceOrderAt: firstOrder }],
    ["after the first mail", [sent("step-1")], "2026-04-30T00:00:00Z", { kind: "later", step: step(2), stepIndex: 1, dueAt: at("2026-05-13T05:00:00Z"), referenceOrderAt: firstOrder }],
    ["at 42 days", [sent("step-1")], "2026-05-13T06:00:00Z", { kind: "due", step: step(2), stepIndex: 1, dueAt: at("2026-05-13T05:00:00Z"), referenceOrderAt: firstOrder }],
    // Scheduler down from before day 21 to day 45: only the latest mail (3 days late) goes.
    ["catching up", [], "2026-05-16T05:00:00Z", { kind: "due", step: step(2), stepIndex: 1, dueAt: at("2026-05-13T05:00:00Z"), referenceOrderAt: firstOrder }],
    // Day 55: mail 2 is 12 days late (> 7), so it is skipped; mail 3 keeps its own day.
    ["too late for mail 2", [sent("step-1")], "2026-05-25T05:00:00Z", { kind: "later", step: step(3), stepIndex: 2, dueAt: at("2026-06-03T05:00:00Z"), referenceOrderAt: firstOrder }],
    ["too late for the last mail", [], "2026-06-20T05:00:00Z", { kind: "none", reason: "missed" }],
    ["all sent", [sent("step-1"), sent("step-2"), sent("step-3")], "2026-07-01T00:00:00Z", { kind: "none", reason: "finished" }],
    // A send log entry of another journey for the same order is not this journey's.
    ["another journey's send", [sent("step-1", firstOrder, "other")], "2026-04-22T05:00:00Z", { kind: "due", step: step(1), stepIndex: 0, dueAt: at("2026-04-22T05:00:00Z"), referenceOrderAt: firstOrder }],
  ])("%s", (_name, sentSteps, now, expected) => {
    expect(dueSteps(newcomer, firstJourney, sentSteps, at(now))).toEqual(expected);
  });

  it("stops as soon as the customer orders again: the next phase's journey starts from the new order", () => {
    const secondOrder = at("2026-04-25T00:00:00Z");
    const returned = { ...newcomer, orderCount: 2, rankKey: "second", lastOrderAt: secondOrder };
    expect(dueSteps(returned, firstJourney, [sent("step-1")], at("2026-05-13T05:00:00Z"))).toEqual({ kind: "none", reason: "other-phase" });
    expect(dueSteps(returned, secondJourney, [sent("step-1")], at("2026-05-13T05:00:00Z"))).toMatchObject({
      kind: "later",
      stepIndex: 0,
      dueAt: at("2026-05-16T00:00:00Z"),
      referenceOrderAt: secondOrder,
    });
  });

  it("restarts a regular's journey from step 1 after a new order (sends for the old order do not count)", () => {
    const oldOrder = at("2026-01-10T00:00:00Z");
    const newOrder = at("2026-03-01T00:00:00Z");
    const regular: JourneyCustomer = { ...newcomer, orderCount: 6, rankKey: "regular", lastOrderAt: newOrder };
    const log = [sent("step-1", oldOrder, regularJourney.key), sent("step-2", oldOrder, regularJourney.key)];
    expect(dueSteps(regular, regularJourney, log, at("2026-03-22T00:00:00Z"))).toMatchObject({
      kind: "due",
      step: { key: "step-1" },
      referenceOrderAt: newOrder,
    });
  });

  it.each<[string, Partial<JourneyCustomer>, string]>([
    ["without email marketing consent", { emailMarketingConsent: false }, "no-consent"],
    ["without a counted order", { orderCount: 0, lastOrderAt: null, rankKey: null }, "no-order"],
    ["in another phase", { orderCount: 3, rankKey: "regular" }, "other-phase"],
  ])("nothing is due %s", (_name, over, reason) => {
    expect(dueSteps({ ...newcomer, ...over }, firstJourney, [], at("2026-04-22T05:00:00Z"))).toEqual({ kind: "none", reason });
  });

  it("uses the merchant's VIP ranks", () => {
    const vipJourney = defaultJourneys()[3]!;
    const gold = { ...newcomer, orderCount: 4, rankKey: "gold" };
    expect(dueSteps(gold, vipJourney, [], at("2026-04-22T05:00:00Z"), { vipRankKeys: ["gold"] }).kind).toBe("due");
    expect(dueSteps(gold, vipJourney, [], at("2026-04-22T05:00:00Z")).kind).toBe("none");
  });
});

describe("nextSendTime", () => {
  // Expected instants checked with python3 zoneinfo, e.g.
  //   datetime(2026,3,8,9, tzinfo=ZoneInfo("America/New_York")).astimezone(timezone.utc)
  it.each([
    // Asia/Tokyo (UTC+9, no daylight saving), sending 9:00–20:00
    ["Asia/Tokyo", "2026-03-02T03:00:00Z", "2026-03-02T03:00:00Z"], // 12:00 JST: inside
    ["Asia/Tokyo", "2026-03-01T12:00:00Z", "2026-03-02T00:00:00Z"], // 21:00 JST → 09:00 next day
    ["Asia/Tokyo", "2026-03-01T23:30:00Z", "2026-03-02T00:00:00Z"], // 08:30 JST (already Mar 2) → 09:00 the same local day
    ["Asia/Tokyo", "2026-03-01T11:00:00Z", "2026-03-02T00:00:00Z"], // exactly 20:00 JST: the end is exclusive
    // America/New_York: clocks go forward on 2026-03-08 and back on 2026-11-01.
    ["America/New_York", "2026-03-08T03:00:00Z", "2026-03-08T13:00:00Z"], // Sat 22:00 EST → Sun 09:00 EDT (UTC−4, not −5)
    ["America/New_York", "2026-03-08T14:00:00Z", "2026-03-08T14:00:00Z"], // 10:00 EDT: inside
    ["America/New_York", "2026-11-01T01:00:00Z", "2026-11-01T14:00:00Z"], // Sat 21:00 EDT → Sun 09:00 EST (UTC−5)
    ["America/New_York", "2026-11-01T04:30:00Z", "2026-11-01T14:00:00Z"], // 00:30 EDT → 09:00 EST the same day
  ])("%s: %s → %s", (zone, due, expected) => {
    expect(nextSendTime(at(due), zone, { from: 9, to: 20 }).toISOString()).toBe(new Date(expected).toISOString());
  });

  it("moves a start hour that does not exist that day past the gap, and takes the first of a repeated hour", () => {
    // 2026-03-08 02:00 New York does not exist (02:00 EST → 03:00 EDT = 07:00Z).
    expect(nextSendTime(at("2026-03-08T05:00:00Z"), "America/New_York", { from: 2, to: 5 })).toEqual(at("2026-03-08T07:00:00Z"));
    // 2026-11-01 01:00 New York happens twice: 01:00 EDT (05:00Z) first, 01:00 EST (06:00Z) after.
    expect(nextSendTime(at("2026-11-01T04:30:00Z"), "America/New_York", { from: 1, to: 5 })).toEqual(at("2026-11-01T05:00:00Z"));
    expect(zonedTime(2026, 11, 1, 1, "America/New_York")).toEqual(at("2026-11-01T05:00:00Z"));
  });

  it("sends around the clock with 0–24", () => {
    expect(nextSendTime(at("2026-03-01T18:00:00Z"), "Asia/Tokyo", { from: 0, to: 24 })).toEqual(at("2026-03-01T18:00:00Z"));
  });

  it.each([
    [{ from: 20, to: 9 }],
    [{ from: 9, to: 9 }],
    [{ from: 9.5, to: 20 }],
    [{ from: -1, to: 20 }],
    [{ from: 9, to: 25 }],
  ])("refuses sending hours %j", (hours) => {
    expect(() => nextSendTime(at("2026-03-01T00:00:00Z"), "Asia/Tokyo", hours)).toThrow(RangeError);
  });

  it("refuses an unknown time zone", () => {
    expect(() => nextSendTime(at("2026-03-01T00:00:00Z"), "Asia/Edo", { from: 9, to: 20 })).toThrow(/Asia\/Edo/);
  });
});

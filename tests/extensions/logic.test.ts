/** Table tests for the extensions' pure logic (extensions/shared). */
import { describe, expect, it, vi } from "vitest";
import { postPurchaseEndpoint } from "../../extensions/shared/app-url";
import { toDisplay } from "../../extensions/shared/display";
import { formatExpiry, messageParagraphs } from "../../extensions/shared/format";
import { loadPostPurchase, PENDING_RETRY_DELAYS_MS, sleep } from "../../extensions/shared/load";
import { formattingLocale, pickLocale } from "../../extensions/shared/locale";
import { parsePostPurchaseView, type PostPurchaseView } from "../../extensions/shared/post-purchase";
import { couponReward, guestView, rankView, sampleReward } from "./fixtures";

describe("pickLocale", () => {
  it.each<[string | null | undefined, "ja" | "en"]>([
    ["ja", "ja"],
    ["ja-JP", "ja"],
    ["JA", "ja"],
    [" ja ", "ja"],
    ["en", "en"],
    ["en-US", "en"],
    ["fr", "en"],
    ["zh-TW", "en"],
    ["", "en"],
    [null, "en"],
    [undefined, "en"],
  ])("%j → %s", (isoCode, locale) => expect(pickLocale(isoCode)).toBe(locale));
});

describe("formattingLocale", () => {
  it.each<[string | undefined, "ja" | "en", string]>([
    ["ja-JP", "ja", "ja-JP"],
    ["en-GB", "en", "en-GB"],
    ["en", "en", "en"],
    ["fr-FR", "en", "en"], // English text, English date
    ["de", "en", "en"],
    [undefined, "ja", "ja"],
  ])("%j with %s text → %s", (isoCode, locale, tag) => expect(formattingLocale(isoCode, locale)).toBe(tag));
});

describe("formatExpiry", () => {
  const at = "2026-09-30T05:05:00.000Z";
  it.each<[string, string, string | undefined, string | null]>([
    [at, "ja", "Asia/Tokyo", "2026年9月30日 14:05"],
    [at, "ja-JP", "UTC", "2026年9月30日 5:05"],
    [at, "en", "Asia/Tokyo", "September 30, 2026 at 2:05 PM"],
    [at, "en-US", "America/Los_Angeles", "September 29, 2026 at 10:05 PM"],
    [at, "en-GB", "Europe/London", "30 September 2026 at 06:05"],
    [at, "en", "Not/AZone", expect.stringContaining("2026") as unknown as string], // bad zone: still a date
    ["not a date", "ja", "Asia/Tokyo", null],
    ["", "en", undefined, null],
  ])("%s in %s (%s) → %j", (iso, tag, zone, expected) => expect(formatExpiry(iso, tag, zone)).toEqual(expected));
});

describe("messageParagraphs", () => {
  it.each<[string, string[]]>([
    ["いつもありがとうございます。", ["いつもありがとうございます。"]],
    ["一行目\n二行目", ["一行目", "二行目"]],
    ["a\r\n\r\n  b  \rc", ["a", "b", "c"]],
    ["  \n \n", []],
    ["", []],
  ])("%j → %j", (message, paragraphs) => expect(messageParagraphs(message)).toEqual(paragraphs));
});

describe("postPurchaseEndpoint", () => {
  it.each<[string | null | undefined, string | null]>([
    ["https://tokui.example.com", "https://tokui.example.com/api/post-purchase"],
    ["https://tokui.example.com/", "https://tokui.example.com/api/post-purchase"],
    [" https://abc-def.trycloudflare.com ", "https://abc-def.trycloudflare.com/api/post-purchase"],
    ["https://example.com/tokui//", "https://example.com/tokui/api/post-purchase"],
    ["https://tokui.example.com:8443", "https://tokui.example.com:8443/api/post-purchase"],
    ["http://localhost:3000", "http://localhost:3000/api/post-purchase"],
    ["http://tokui.example.com", null], // mixed content on a checkout page
    ["https://user:pw@tokui.example.com", null],
    ["tokui.example.com", null],
    ["ftp://tokui.example.com", null],
    ["", null],
    [undefined, null],
  ])("%j → %j", (appUrl, endpoint) => expect(postPurchaseEndpoint(appUrl)).toBe(endpoint));
});

describe("parsePostPurchaseView", () => {
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

  it.each<[string, PostPurchaseView]>([
    ["a first purchase", rankView("first", "ja")],
    ["a VIP with a coupon and a sample", rankView("vip", "en", [couponReward(5_000n), sampleReward])],
    ["a guest", guestView("ja")],
  ])("keeps the server's view of %s intact", (_, view) => expect(parsePostPurchaseView(json(view))).toEqual(view));

  const valid = json(rankView("regular", "ja", [couponReward()])) as Record<string, unknown>;
  it.each<[string, unknown]>([
    ["null", null],
    ["an array", []],
    ["a pending marker", { status: "pending" }],
    ["no message", { ...valid, message: undefined }],
    ["rewards not a list", { ...valid, rewards: {} }],
    ["a broken rank", { ...valid, rank: { key: "vip" } }],
    ["a broken progress", { ...valid, progress: { text: 3 } }],
    ["a fractional order count", { ...valid, progress: { text: "x", nextRank: null, ordersToNext: 1.5, amountToNext: null } }],
  ])("rejects %s", (_, body) => expect(parsePostPurchaseView(body)).toBeNull());

  it("drops rewards it cannot show and keeps the rest", () => {
    const body = {
      ...valid,
      rewards: [
        { kind: "points", title: "t", text: "x", points: 100 }, // a kind from a newer server
        { kind: "discount", title: "t", text: "x" }, // no code
        { kind: "freeSample", title: "サンプル", text: "同梱します" },
      ],
    };
    expect(parsePostPurchaseView(body)?.rewards).toEqual([{ kind: "freeSample", title: "サンプル", text: "同梱します" }]);
  });
});

describe("toDisplay", () => {
  const shopper = { language: "ja-JP", timeZone: "Asia/Tokyo" };

  it("shows rank, greeting, progress and a coupon with its expiry and condition", () => {
    expect(toDisplay(rankView("regular", "ja", [couponReward(5_000n)]), shopper)).toEqual({
      rankLabel: "常連",
      paragraphs: ["花子様、いつも、ご愛顧いただき誠にありがとうございます。今後とも変わらぬお引き立てのほど、よろしくお願い申し上げます。"],
      progressText: "あと2回のご購入、または60,000円のお買い上げでVIP",
      rewards: [
        {
          kind: "discount",
          title: "5回目のご購入記念",
          text: "次回のお買い物で使える10%OFFクーポンをお贈りします。",
          code: "TOKUI-5TH-7KQ4-M9XD",
          expires: "2026年9月30日 14:05",
          conditionText: "5,000円以上のご注文でご利用いただけます。",
        },
      ],
    });
  });

  it("shows a guest only the greeting", () => {
    expect(toDisplay(guestView("en"), { language: "en" })).toEqual({
      rankLabel: null,
      paragraphs: ["Thank you for choosing us out of so many shops today. We'll pack your order with care."],
      progressText: null,
      rewards: [],
    });
  });

  it.each<[string, Partial<PostPurchaseView>, unknown]>([
    ["no greeting and no reward → no block", { message: " \n ", rewards: [] }, null],
    ["a blank rank label → no badge", { rank: { key: "x", label: " " } }, expect.objectContaining({ rankLabel: null })],
    ["blank progress → no progress line", { progress: { text: "", nextRank: null, ordersToNext: null, amountToNext: null } }, expect.objectContaining({ progressText: null })],
    [
      "a coupon with an unreadable expiry → no expiry line",
      { rewards: [{ kind: "discount", title: "t", text: "x", code: " C1 ", expiresAt: "soon", valueText: "10%", minimumSubtotal: null, conditionText: null }] },
      expect.objectContaining({ rewards: [{ kind: "discount", title: "t", text: "x", code: "C1", expires: null, conditionText: null }] }),
    ],
    [
      "a coupon without a code → left out",
      { message: "", rewards: [{ kind: "discount", title: "t", text: "x", code: "", expiresAt: "2026-01-01T00:00:00Z", valueText: "10%", minimumSubtotal: null, conditionText: null }] },
      null,
    ],
  ])("%s", (_, patch, expected) => expect(toDisplay({ ...rankView("first", "ja"), ...patch }, shopper)).toEqual(expected));
});

describe("loadPostPurchase", () => {
  const endpoint = "https://tokui.example.com/api/post-purchase";
  const request = { orderId: "gid://shopify/OrderIdentity/1", locale: "ja" as const };
  const view = rankView("second", "ja");
  const reply = (status: number, body: unknown = {}) => new Response(JSON.stringify(body), { status });

  function deps(...responses: Array<Response | Error>) {
    const fetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => {
      const next = responses.shift();
      if (next instanceof Error) throw next;
      return next ?? reply(500);
    });
    const slept: number[] = [];
    const warn = vi.fn();
    return { fetch, slept, warn, deps: { fetch, getToken: async () => "tok", sleep: async (ms: number) => void slept.push(ms), warn } };
  }

  it.each<[string, Array<Response | Error>, PostPurchaseView | null, number[]]>([
    ["200 → the view", [reply(200, view)], view, []],
    ["202, 202, 200 → the view after 1 s and 2 s", [reply(202), reply(202), reply(200, view)], view, [1000, 2000]],
    ["202 ×4 → null after 1 s, 2 s, 4 s", [reply(202), reply(202), reply(202), reply(202)], null, [1000, 2000, 4000]],
    ["401 → null, no retry", [reply(401)], null, []],
    ["404 → null", [reply(404)], null, []],
    ["429 → null", [reply(429)], null, []],
    ["500 → null", [reply(500)], null, []],
    ["503 → null", [reply(503)], null, []],
    ["network error → null", [new TypeError("Failed to fetch")], null, []],
    ["200 with garbage → null", [new Response("oops", { status: 200 })], null, []],
  ])("%s", async (_, responses, expected, sleeps) => {
    const t = deps(...responses);
    await expect(loadPostPurchase(endpoint, request, t.deps)).resolves.toEqual(expected);
    expect(t.slept).toEqual(sleeps);
    if (expected === null) expect(t.warn).toHaveBeenCalled();
  });

  it("sends the order and locale with a bearer token, fresh for each attempt", async () => {
    const t = deps(reply(202), reply(200, view));
    let n = 0;
    await loadPostPurchase(endpoint, request, { ...t.deps, getToken: async () => `tok-${++n}` });
    expect(t.fetch.mock.calls.map(([url, init]) => [url, init?.headers])).toEqual([
      [endpoint, { Authorization: "Bearer tok-1", "Content-Type": "application/json" }],
      [endpoint, { Authorization: "Bearer tok-2", "Content-Type": "application/json" }],
    ]);
    const init = t.fetch.mock.calls[0]![1]!;
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ orderId: "gid://shopify/OrderIdentity/1", locale: "ja" });
  });

  it("stops when aborted while waiting for a pending order", async () => {
    const controller = new AbortController();
    const t = deps(reply(202), reply(200, view));
    const result = loadPostPurchase(endpoint, request, {
      ...t.deps,
      signal: controller.signal,
      sleep: (ms, signal) => sleep(ms, signal),
    });
    controller.abort();
    await expect(result).resolves.toBeNull();
    expect(t.fetch).toHaveBeenCalledTimes(1);
  });

  it("waits 1 s, 2 s, 4 s by default", () => expect(PENDING_RETRY_DELAYS_MS).toEqual([1000, 2000, 4000]));
});

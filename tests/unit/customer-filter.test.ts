import { describe, expect, it } from "vitest";
import {
  containsPattern,
  dayIn,
  decodeCursor,
  defaultOrder,
  emptyFilter,
  encodeCursor,
  filterFromJson,
  filterParams,
  filterToJson,
  lastOrderRange,
  parseCustomerQuery,
  searchTerms,
  startOfDay,
  withListParams,
  type CustomerFilter,
} from "~/domain/customer-filter";
import { parseNote } from "~/domain/customer-notes";
import { applyTagChange, parseTag } from "~/domain/customer-tag";
import { regionName } from "~/domain/prefectures";

const parse = (search: string) => parseCustomerQuery(new URLSearchParams(search));
const filter = (patch: Partial<CustomerFilter>): CustomerFilter => ({ ...emptyFilter(), ...patch });

describe("parseCustomerQuery: accepted input", () => {
  it.each<[string, string, Partial<CustomerFilter>]>([
    ["nothing", "", {}],
    ["a Japanese name with an ideographic space", "q=%E5%B1%B1%E7%94%B0%E3%80%80%E8%8A%B1%E5%AD%90", { terms: ["山田", "花子"] }],
    ["search words trimmed and split", "q=%20hanako%20%20tea%20", { terms: ["hanako", "tea"] }],
    ["ranks repeated and comma-separated, deduplicated", "rank=vip&rank=regular,vip&rank=none", { ranks: ["vip", "regular", "none"] }],
    ["segments", "segment=champions&segment=atRisk", { segments: ["champions", "atRisk"] }],
    ["order count range, full-width digits", "minOrders=%EF%BC%92&maxOrders=10", { minOrders: 2, maxOrders: 10 }],
    ["order count equal bounds", "minOrders=3&maxOrders=3", { minOrders: 3, maxOrders: 3 }],
    ["last order dates (slashes accepted)", "lastFrom=2026/01/05&lastTo=2026-02-28", { lastOrderFrom: "2026-01-05", lastOrderTo: "2026-02-28" }],
    ["product by GID", "product=gid%3A%2F%2Fshopify%2FProduct%2F123", { product: { kind: "gid", gid: "gid://shopify/Product/123" } }],
    ["product by numeric id", "product=456", { product: { kind: "gid", gid: "gid://shopify/Product/456" } }],
    ["product by title words", "product=%E7%85%8E%E8%8C%B6", { product: { kind: "title", text: "煎茶" } }],
    ["country upper-cased", "country=jp", { country: "JP" }],
    ["region implies its country", "region=jp-13", { country: "JP", region: "JP-13" }],
    ["region inside the country", "country=JP&region=JP-27", { country: "JP", region: "JP-27" }],
    ["note category", "note=complaint", { note: "complaint" }],
    ["any note", "note=any", { note: "any" }],
    ["unknown parameters (the admin's) ignored", "embedded=1&shop=x.myshopify.com&host=abc&locale=ja&id_token=t", {}],
  ])("%s", (_name, search, expected) => {
    const parsed = parse(search);
    expect(parsed.errors).toEqual([]);
    expect(parsed.filter).toEqual(filter(expected));
  });

  it("orders: last order newest first by default; name ascending by default; explicit direction wins", () => {
    expect(parse("").order).toEqual({ sort: "lastOrder", direction: "desc" });
    expect(parse("sort=name").order).toEqual({ sort: "name", direction: "asc" });
    expect(parse("sort=lifetimeSpent&dir=asc").order).toEqual({ sort: "lifetimeSpent", direction: "asc" });
  });
});

describe("parseCustomerQuery: refused input, in both languages, left out of the filter", () => {
  it.each<[string, string, string, RegExp, RegExp]>([
    ["a search over 200 characters", `q=${"a".repeat(201)}`, "q", /at most 200 characters/, /200文字まで/],
    ["more than 10 words", `q=${Array.from({ length: 11 }, (_, i) => `w${i}`).join("+")}`, "q", /at most 10 words/, /10語まで/],
    ["a rank key with spaces", "rank=v%20ip", "rank", /Unknown rank: v ip/, /ランクが正しくありません/],
    ["a segment with SQL in it", "segment=x'%20OR%201=1", "segment", /Unknown RFM segment/, /RFMセグメント/],
    ["a negative order count", "minOrders=-1", "minOrders", /Minimum orders must be a whole number/, /注文回数（以上）/],
    ["a fractional order count", "maxOrders=2.5", "maxOrders", /Maximum orders must be a whole number/, /注文回数（以下）/],
    ["min above max", "minOrders=5&maxOrders=2", "maxOrders", /below the minimum/, /上限が下限より小さく/],
    ["an impossible date", "lastFrom=2026-02-30", "lastFrom", /"2026-02-30" is not a date/, /日付（YYYY-MM-DD）ではありません/],
    ["a date as text", "lastTo=yesterday", "lastTo", /not a date/, /日付/],
    ["a period that ends before it starts", "lastFrom=2026-03-01&lastTo=2026-02-01", "lastTo", /ends before it starts/, /終わりが始まりより前/],
    ["a country name instead of a code", "country=Japan", "country", /not a country code/, /国コード/],
    ["a malformed region", "region=Tokyo", "region", /not a region code/, /地域コード/],
    ["a region outside the country", "country=US&region=JP-13", "region", /not in US/, /US にありません/],
    ["an unknown note category", "note=gossip", "note", /Unknown note category/, /メモの分類/],
    ["an unknown sort", "sort=email", "sort", /Cannot sort by email/, /並べ替えできません/],
    ["a bad direction", "dir=up", "dir", /asc or desc/, /asc か desc/],
    ["a forged cursor", "after=not-a-cursor", "after", /out of date/, /古い/],
  ])("%s", (_name, search, param, en, ja) => {
    const parsed = parse(search);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]!.param).toBe(param);
    expect(parsed.errors[0]!.message.en).toMatch(en);
    expect(parsed.errors[0]!.message.ja).toMatch(ja);
    // The refused part is not applied.
    const { filter: f } = parsed;
    expect([f.terms.length, f.ranks.length, f.segments.length, f.minOrders, f.maxOrders, f.lastOrderFrom, f.lastOrderTo, f.region, f.note]).toEqual([
      0, 0, 0, null, null, null, null, null, null,
    ]);
  });

  it("keeps the valid parts beside a refused one", () => {
    const parsed = parse("q=hanako&minOrders=abc&rank=vip");
    expect(parsed.errors.map((e) => e.param)).toEqual(["minOrders"]);
    expect(parsed.filter).toEqual(filter({ terms: ["hanako"], ranks: ["vip"] }));
  });
});

describe("canonical parameters", () => {
  const everything = filter({
    terms: ["山田", "tea"],
    ranks: ["vip", "none"],
    segments: ["champions"],
    minOrders: 2,
    maxOrders: 9,
    lastOrderFrom: "2026-01-01",
    lastOrderTo: "2026-06-30",
    product: { kind: "title", text: "煎茶 100g" },
    country: "JP",
    region: "JP-13",
    note: "praise",
  });

  it("round-trips through the URL and through TagSyncRun's JSON", () => {
    expect(parse(filterParams(everything).toString()).filter).toEqual(everything);
    expect(filterFromJson(filterToJson(everything))).toMatchObject({ filter: everything, errors: [] });
    expect(JSON.parse(filterToJson(filter({ ranks: ["vip", "regular"] })))).toEqual({ rank: ["vip", "regular"] });
  });

  it("carries the order when asked, and keeps the admin's own parameters when links are made", () => {
    const params = filterParams(filter({ minOrders: 2 }), defaultOrder("orderCount"));
    expect(params.toString()).toBe("minOrders=2&sort=orderCount&dir=desc");
    const current = new URLSearchParams("embedded=1&shop=s.myshopify.com&host=h&locale=ja&id_token=old&q=x&after=c");
    expect(withListParams(current, params).toString()).toBe("embedded=1&shop=s.myshopify.com&host=h&locale=ja&minOrders=2&sort=orderCount&dir=desc");
  });
});

describe("cursors", () => {
  it.each([
    { sort: "lastOrder", direction: "desc", value: "2026-03-01T10:00:00.000Z", id: 17 },
    { sort: "lastOrder", direction: "asc", value: null, id: 3 },
    { sort: "orderCount", direction: "desc", value: 12, id: 9 },
    { sort: "lifetimeSpent", direction: "asc", value: "123456789012345678901", id: 1 },
    { sort: "name", direction: "asc", value: "山田 花子", id: 42 },
  ] as const)("round-trips %o and is honoured only with the same order", (cursor) => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
    expect(parse(`sort=${cursor.sort}&dir=${cursor.direction}&after=${text}`)).toMatchObject({ after: cursor, errors: [] });
    const other = cursor.direction === "asc" ? "desc" : "asc";
    expect(parse(`sort=${cursor.sort}&dir=${other}&after=${text}`)).toMatchObject({ after: null, errors: [{ param: "after" }] });
  });

  it("refuses cursors whose value does not fit the sort", () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(["orderCount", "desc", value, 1])).toString("base64url");
    expect(decodeCursor(forged("12; DROP TABLE"))).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(["lifetimeSpent", "desc", "1e9", 1])).toString("base64url"))).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(["lastOrder", "desc", "tomorrow", 1])).toString("base64url"))).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(["name", "asc", "x", -1])).toString("base64url"))).toBeNull();
  });
});

describe("search helpers", () => {
  it.each([
    ["hanako", "%hanako%"],
    ["HANAKO", "%hanako%"],
    ["100%", "%100\\%%"],
    ["a_b", "%a\\_b%"],
    ["c:\\x", "%c:\\\\x%"],
    ["山田", "%山田%"],
  ])("containsPattern(%s) = %s (LIKE wildcards literal)", (text, pattern) => {
    expect(containsPattern(text)).toBe(pattern);
  });

  it("splits on ASCII and ideographic spaces", () => {
    expect(searchTerms("山田\u3000花子  tea")).toEqual(["山田", "花子", "tea"]);
  });
});

describe("days in the shop's time zone", () => {
  it.each([
    ["2026-01-31", "Asia/Tokyo", "2026-01-30T15:00:00.000Z"],
    ["2026-01-31", "UTC", "2026-01-31T00:00:00.000Z"],
    // New York: EST (−5) in January, EDT (−4) from 8 March 2026.
    ["2026-01-15", "America/New_York", "2026-01-15T05:00:00.000Z"],
    ["2026-03-08", "America/New_York", "2026-03-08T05:00:00.000Z"],
    ["2026-03-09", "America/New_York", "2026-03-09T04:00:00.000Z"],
  ])("%s starts at … in %s", (day, zone, iso) => {
    expect(startOfDay(day, zone).toISOString()).toBe(iso);
  });

  it("the last-order range includes the whole last day", () => {
    const range = lastOrderRange(filter({ lastOrderFrom: "2026-02-01", lastOrderTo: "2026-02-28" }), "Asia/Tokyo");
    expect(range.from?.toISOString()).toBe("2026-01-31T15:00:00.000Z");
    expect(range.to?.toISOString()).toBe("2026-02-28T15:00:00.000Z");
    expect(dayIn(new Date("2026-02-28T14:59:59.999Z"), "Asia/Tokyo")).toBe("2026-02-28");
    expect(dayIn(new Date("2026-02-28T15:00:00.000Z"), "Asia/Tokyo")).toBe("2026-03-01");
  });
});

describe("tags the merchant may sync", () => {
  it.each([
    ["summer-campaign", "summer-campaign"],
    ["  常連様  ", "常連様"],
    ["x".repeat(255), "x".repeat(255)],
    ["tokui-rankx", "tokui-rankx"],
  ])("accepts %j", (input, tag) => {
    expect(parseTag(input)).toEqual({ ok: true, tag });
  });

  it.each([
    ["", /Enter a tag/, /タグを入力/],
    ["   ", /Enter a tag/, /タグを入力/],
    ["x".repeat(256), /at most 255/, /255文字まで/],
    ["a,b", /comma/, /カンマ/],
    ["line\nbreak", /line breaks/, /改行/],
    ["tokui-rank:vip", /rank sync/, /ランク同期/],
    ["TOKUI-RANK:vip", /rank sync/, /ランク同期/],
  ])("refuses %j", (input, en, ja) => {
    const check = parseTag(input);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.message.en).toMatch(en);
      expect(check.message.ja).toMatch(ja);
    }
  });

  it("applies Shopify's case-insensitive tag semantics locally (demo shop)", () => {
    expect(applyTagChange(null, "VIP-sale", "add")).toBe("VIP-sale");
    expect(applyTagChange("a, vip-sale", "VIP-sale", "add")).toBe("a, vip-sale");
    expect(applyTagChange("a, vip-sale, b", "VIP-SALE", "remove")).toBe("a, b");
    expect(applyTagChange("vip-sale", "vip-sale", "remove")).toBeNull();
  });
});

describe("notes", () => {
  it("accepts a category and text, trimmed, CRLF as LF", () => {
    expect(parseNote({ category: "praise", body: "  美味しかったです\r\nまた買います " })).toEqual({
      ok: true,
      value: { category: "praise", body: "美味しかったです\nまた買います" },
    });
  });

  it("refuses an unknown category and an empty or too long note, per field", () => {
    expect(parseNote({ category: "gossip", body: "" })).toEqual({
      ok: false,
      errors: { category: { en: "Choose a category.", ja: "分類を選んでください。" }, body: { en: "Write the note.", ja: "メモを入力してください。" } },
    });
    const long = parseNote({ category: "other", body: "あ".repeat(2001) });
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.errors.body!.ja).toBe("メモは2,000文字までです（現在2,001文字）。");
    // 2,000 characters (not UTF-16 units) are fine: 𠮷 is two code units.
    expect(parseNote({ category: "other", body: "𠮷".repeat(2000) }).ok).toBe(true);
  });
});

describe("prefectures", () => {
  it.each([
    ["JP-01", "ja", "北海道"],
    ["JP-13", "ja", "東京都"],
    ["JP-13", "en", "Tokyo"],
    ["jp-47", "en", "Okinawa"],
    ["US-CA", "en", "US-CA"],
  ] as const)("%s in %s is %s", (code, locale, name) => {
    expect(regionName(code, locale)).toBe(name);
  });
});

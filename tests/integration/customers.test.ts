/**
 * The customer workspace end to end: admin requests as Shopify's admin sends them (session token
 * → token exchange against the fake), through the real loaders and actions, on a seeded shop:
 * list search / filters / sort / keyset pages, the customer page's timeline, notes, the CSV
 * bytes, the tag sync through the durable queue against the fake Admin API (with a throttled
 * answer in between), MessageView from the post-purchase route, and another shop's data never
 * showing. Runs on SQLite and PostgreSQL.
 */
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseCustomerQuery, SORT_KEYS, type SortDirection, type SortKey } from "~/domain/customer-filter";
import { redactCustomer } from "~/models/customer.server";
import { deleteShopData, ensureShop } from "~/models/shop.server";
import { customerData } from "~/services/customer-data.server";
import { action as listAction, loader as listLoader } from "~/routes/app.customers._index";
import { action as customerAction, loader as customerLoader } from "~/routes/app.customers.$id";
import { loader as exportLoader } from "~/routes/app.customers.export";
import { action as postPurchaseAction } from "~/routes/api.post-purchase";
import { customerListPage, type CustomerListPage } from "~/services/customers/customer-list.server";
import type { CustomerDetail } from "~/services/customers/customer-detail.server";
import { messageViewsSettled, recordMessageView } from "~/services/customers/message-views.server";
import type { TagSyncRunView } from "~/services/customers/tag-sync.server";
import type { PrismaClient } from "~/db.server";
import { adminJsonPost, adminPageRequest, tokenExchange } from "../helpers/admin-request";
import { app } from "../helpers/app";
import { postPurchaseRequest, sessionToken as checkoutToken } from "../helpers/post-purchase";
import { adminApiMock } from "../mocks/admin-api";

const SHOP = "customers-page.myshopify.com";
const OTHER_SHOP = "another-shop.myshopify.com";
const ACCESS_TOKEN = "shpat_customerspage000000000000000";
const shopify = adminApiMock();
const exchange = tokenExchange(() => ACCESS_TOKEN);
const server = setupServer(...shopify.handlers, exchange.handler);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

const TABLES = [
  "messageView",
  "customerNote",
  "tagSyncRun",
  "rewardGrant",
  "rankChange",
  "refund",
  "orderLine",
  "order",
  "customer",
  "rankTier",
  "shop",
  "job",
  "session",
] as const;

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of TABLES) await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
  exchange.reset();
  for (const shop of [SHOP, OTHER_SHOP]) {
    shopify.install(shop, ACCESS_TOKEN);
    shopify.setShop(shop, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
    await ensureShop(prisma, shop, "JPY");
  }
});

afterEach(() => {
  expect(shopify.violations).toEqual([]);
  expect(exchange.refusals).toEqual([]);
});

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
const call = <T,>(handler: (args: Args) => Promise<T>, request: Request, params: Record<string, string> = {}) => handler({ request, params, context: {} });

interface ListPage {
  locale: string;
  listParams: string;
  errors: { param: string; message: { en: string; ja: string } }[];
  page: CustomerListPage;
  options: { ranks: { key: string }[]; segments: string[]; countries: string[]; regions: string[] };
  runs: TagSyncRunView[];
}

async function list(search: Record<string, string> = {}, options: { shop?: string; locale?: string } = {}): Promise<ListPage> {
  const response = await call(listLoader, adminPageRequest("/app/customers", options.shop ?? SHOP, { search, locale: options.locale ?? "en" }));
  expect(response.status).toBe(200);
  return (await response.json()) as ListPage;
}

const names = (page: ListPage) => page.page.rows.map((r) => [r.lastName, r.firstName].filter(Boolean).join(" "));


interface Seed {
  gid: number;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  countryCode?: string | null;
  provinceCode?: string | null;
  tags?: string | null;
  orderCount?: number;
  lifetimeSpent?: bigint;
  windowSpent?: bigint;
  firstOrderAt?: Date | null;
  lastOrderAt?: Date | null;
  rankKey?: string | null;
  rfmSegment?: string | null;
  redactedAt?: Date | null;
}

async function customer(seed: Seed, shop = SHOP) {
  const { prisma } = await app();
  const { gid, ...data } = seed;
  return prisma.customer.create({ data: { shop, gid: `gid://shopify/Customer/${gid}`, ...data } });
}

async function order(shop: string, customerId: number | null, n: number, at: Date, lines: { productId: number; title: string; price: bigint; quantity?: number }[], options: { cancelled?: boolean; currentTotal?: bigint } = {}) {
  const { prisma } = await app();
  const total = lines.reduce((sum, l) => sum + l.price * BigInt(l.quantity ?? 1), 0n);
  return prisma.order.create({
    data: {
      shop,
      gid: `gid://shopify/Order/${n}`,
      name: `#${n}`,
      customerId,
      processedAt: at,
      currency: "JPY",
      totalPrice: total,
      sourceCurrentTotal: options.currentTotal ?? total,
      currentTotal: options.currentTotal ?? total,
      cancelledAt: options.cancelled ? at : null,
      sourceUpdatedAt: at,
      lines: {
        create: lines.map((l, i) => ({
          shop,
          gid: `gid://shopify/LineItem/${n * 10 + i}`,
          title: l.title,
          productGid: `gid://shopify/Product/${l.productId}`,
          quantity: l.quantity ?? 1,
          unitPrice: l.price,
        })),
      },
    },
  });
}

const at = (iso: string) => new Date(iso);

/** A small shop: named customers with the cases the filters must tell apart. */
async function seedShop() {
  const hanako = await customer({
    gid: 1001, lastName: "山田", firstName: "花子", email: "hanako@example.jp", countryCode: "JP", provinceCode: "JP-13", tags: "tea, 常連",
    orderCount: 5, lifetimeSpent: 25_000n, windowSpent: 25_000n, firstOrderAt: at("2026-01-05T01:00:00Z"), lastOrderAt: at("2026-10-20T14:59:00Z"),
    rankKey: "regular", rfmSegment: "champions",
  });
  const taro = await customer({
    gid: 1002, lastName: "山本", firstName: "太郎", email: "taro@example.jp", countryCode: "JP", provinceCode: "JP-27",
    orderCount: 1, lifetimeSpent: 3_000n, windowSpent: 3_000n, firstOrderAt: at("2026-09-01T15:00:00Z"), lastOrderAt: at("2026-09-01T15:00:00Z"),
    rankKey: "first", rfmSegment: "new",
  });
  const alice = await customer({
    gid: 1003, lastName: "Smith", firstName: "Alice", email: "Alice.Smith@Example.com", countryCode: "US", provinceCode: "US-CA",
    orderCount: 2, lifetimeSpent: 8_000n, windowSpent: 8_000n, firstOrderAt: at("2026-05-01T00:00:00Z"), lastOrderAt: at("2026-10-01T00:00:00Z"),
    rankKey: "second", rfmSegment: "loyal",
  });
  const percent = await customer({
    gid: 1004, lastName: "Lover", firstName: "100%", email: "pct@example.com", countryCode: "JP", provinceCode: "JP-13",
    orderCount: 3, lifetimeSpent: 12_000n, windowSpent: 12_000n, firstOrderAt: at("2026-02-01T00:00:00Z"), lastOrderAt: at("2026-08-15T00:00:00Z"),
    rankKey: "regular", rfmSegment: "loyal",
  });
  const bob = await customer({
    gid: 1005, lastName: "Jones", firstName: "Bob", email: "bob_jones@example.com", countryCode: "JP", provinceCode: "JP-01",
    orderCount: 3, lifetimeSpent: 9_000n, windowSpent: 9_000n, firstOrderAt: at("2026-03-01T00:00:00Z"), lastOrderAt: at("2026-07-01T00:00:00Z"),
    rankKey: "regular", rfmSegment: "atRisk",
  });
  // Everything cancelled: no counted order, no rank.
  const none = await customer({ gid: 1006, lastName: "Cancel", firstName: "Carl", email: "carl@example.com", orderCount: 0, lifetimeSpent: 0n });
  // customers/redact erased this one: never listed, no page.
  await customer({ gid: 1007, orderCount: 4, lifetimeSpent: 40_000n, lastOrderAt: at("2026-10-30T00:00:00Z"), rankKey: "regular", redactedAt: at("2026-10-31T00:00:00Z") });
  // Another shop's customer with the same name and a bigger spend: must never appear here.
  const stranger = await customer(
    { gid: 2001, lastName: "山田", firstName: "花子", email: "hanako@other.jp", countryCode: "JP", provinceCode: "JP-13", tags: "tea", orderCount: 9, lifetimeSpent: 99_000n, lastOrderAt: at("2026-10-25T00:00:00Z"), rankKey: "regular" },
    OTHER_SHOP,
  );

  await order(SHOP, hanako.id, 1, at("2026-01-05T01:00:00Z"), [{ productId: 111, title: "煎茶 100g", price: 2_000n, quantity: 2 }]);
  await order(SHOP, hanako.id, 2, at("2026-10-20T14:59:00Z"), [{ productId: 333, title: "急須", price: 21_000n }], { currentTotal: 20_000n });
  await order(SHOP, taro.id, 3, at("2026-09-01T15:00:00Z"), [{ productId: 222, title: "ほうじ茶", price: 3_000n }]);
  // Alice bought 煎茶 only in a cancelled order: she did not buy it.
  await order(SHOP, alice.id, 4, at("2026-05-01T00:00:00Z"), [{ productId: 111, title: "煎茶 100g", price: 4_000n }], { cancelled: true });
  await order(SHOP, alice.id, 5, at("2026-10-01T00:00:00Z"), [{ productId: 222, title: "ほうじ茶", price: 8_000n }]);
  await order(OTHER_SHOP, stranger.id, 6, at("2026-10-25T00:00:00Z"), [{ productId: 111, title: "煎茶 100g", price: 99_000n }]);

  const { prisma } = await app();
  await prisma.customerNote.create({ data: { shop: SHOP, customerId: hanako.id, category: "complaint", body: "配送が遅かった（10日）", author: "店長" } });
  await prisma.customerNote.create({ data: { shop: OTHER_SHOP, customerId: stranger.id, category: "praise", body: "配送が早い" } });
  return { hanako, taro, alice, percent, bob, none, stranger };
}

describe("customer list", () => {
  it("lists the shop's live customers, last order first (no order last), with the filter controls' options", async () => {
    await seedShop();
    const page = await list();
    expect(exchange.exchanges).toHaveLength(1);
    expect(page.errors).toEqual([]);
    expect(names(page)).toEqual(["山田 花子", "Smith Alice", "山本 太郎", "Lover 100%", "Jones Bob", "Cancel Carl"]);
    expect(page.page).toMatchObject({ total: 6, next: null, previous: null, currency: "JPY", timeZone: "Asia/Tokyo" });
    expect(page.page.rows[0]).toMatchObject({ shopifyId: "1001", lifetimeSpent: "25000", rankKey: "regular", noteCount: 1, lastOrderAt: "2026-10-20T14:59:00.000Z" });
    expect(page.options).toEqual({
      ranks: [{ key: "first", labelJa: "初回", labelEn: "First purchase" }, { key: "second", labelJa: "2回目", labelEn: "Second purchase" }, { key: "regular", labelJa: "常連", labelEn: "Regular" }, { key: "vip", labelJa: "VIP", labelEn: "VIP" }],
      segments: ["atRisk", "champions", "loyal", "new"],
      countries: ["JP", "US"],
      regions: [],
    });
    expect((await list({ country: "JP" })).options.regions).toEqual(["JP-01", "JP-13", "JP-27"]);
  });

  it.each<[string, Record<string, string>, string[]]>([
    ["a family name (Japanese)", { q: "山田" }, ["山田 花子"]],
    ["a full name typed without a space", { q: "山田花子" }, ["山田 花子"]],
    ["family and given name with an ideographic space", { q: "山田\u3000花子" }, ["山田 花子"]],
    ["part of an email, any case", { q: "ALICE.smith@" }, ["Smith Alice"]],
    ["a given name in English", { q: "bob" }, ["Jones Bob"]],
    ["a tag", { q: "常連" }, ["山田 花子"]],
    ["note text", { q: "配送" }, ["山田 花子"]],
    ["% is a character, not a wildcard", { q: "%" }, ["Lover 100%"]],
    ["_ is a character, not a wildcard", { q: "_" }, ["Jones Bob"]],
    ["every word must match", { q: "山田 alice" }, []],
    ["rank", { rank: "regular" }, ["山田 花子", "Lover 100%", "Jones Bob"]],
    ["several ranks", { rank: "first,second" }, ["Smith Alice", "山本 太郎"]],
    ["no rank", { rank: "none" }, ["Cancel Carl"]],
    ["RFM segment", { segment: "loyal" }, ["Smith Alice", "Lover 100%"]],
    ["order count range", { minOrders: "2", maxOrders: "3" }, ["Smith Alice", "Lover 100%", "Jones Bob"]],
    ["at least one order", { minOrders: "1" }, ["山田 花子", "Smith Alice", "山本 太郎", "Lover 100%", "Jones Bob"]],
    // 14:59Z on 20 October is 23:59 in Tokyo; 15:00Z on 1 September is 00:00 on the 2nd.
    ["last order up to a Tokyo day (inclusive)", { lastTo: "2026-10-20", lastFrom: "2026-10-20" }, ["山田 花子"]],
    ["last order from a Tokyo day", { lastFrom: "2026-09-02", lastTo: "2026-09-02" }, ["山本 太郎"]],
    ["last order in a period", { lastFrom: "2026-07-01", lastTo: "2026-09-01" }, ["Lover 100%", "Jones Bob"]],
    ["product by id (a cancelled order does not count)", { product: "111" }, ["山田 花子"]],
    ["product by GID", { product: "gid://shopify/Product/222" }, ["Smith Alice", "山本 太郎"]],
    ["product by title words", { product: "ほうじ" }, ["Smith Alice", "山本 太郎"]],
    ["country", { country: "US" }, ["Smith Alice"]],
    ["prefecture", { region: "JP-13" }, ["山田 花子", "Lover 100%"]],
    ["has a complaint", { note: "complaint" }, ["山田 花子"]],
    ["has praise", { note: "praise" }, []],
    ["has any note", { note: "any" }, ["山田 花子"]],
    ["filters combine", { region: "JP-13", rank: "regular", minOrders: "4" }, ["山田 花子"]],
  ])("search and filter: %s", async (_name, search, expected) => {
    await seedShop();
    const page = await list(search);
    expect(page.errors).toEqual([]);
    expect(names(page)).toEqual(expected);
    expect(page.page.total).toBe(expected.length);
  });

  it("reports refused filters in the admin's language and applies the rest", async () => {
    await seedShop();
    const page = await list({ rank: "regular", minOrders: "three", lastFrom: "2026-13-01" }, { locale: "ja" });
    expect(page.errors.map((e) => [e.param, e.message.ja])).toEqual([
      ["minOrders", "注文回数（以上）は0〜1,000,000の整数で入力してください。"],
      ["lastFrom", "「2026-13-01」は日付（YYYY-MM-DD）ではありません。"],
    ]);
    expect(names(page)).toEqual(["山田 花子", "Lover 100%", "Jones Bob"]);
    // The applied filter, not the refused text, is what export and tag sync get.
    expect(page.listParams).toBe("rank=regular&sort=lastOrder&dir=desc");
  });

  it("never shows another shop's customers, and that shop sees only its own", async () => {
    await seedShop();
    expect(names(await list({ q: "hanako" }))).toEqual(["山田 花子"]);
    const other = await list({}, { shop: OTHER_SHOP });
    expect(other.page.rows.map((r) => r.email)).toEqual(["hanako@other.jp"]);
    expect(names(await list({ q: "早い" }))).toEqual([]);
  });
});

/** Many customers with ties and missing values, for sort and keyset pagination. */
async function seedMany(n: number) {
  const { prisma } = await app();
  const family = ["佐藤", "鈴木", "高橋", "Tanaka", "ito", "渡辺"];
  await prisma.customer.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      shop: SHOP,
      gid: `gid://shopify/Customer/${5000 + i}`,
      lastName: family[i % family.length]!,
      firstName: i % 7 === 0 ? null : `名${i % 5}`,
      email: `c${i}@example.jp`,
      orderCount: i % 4,
      lifetimeSpent: BigInt((i * 7919) % 13) * 1000n,
      firstOrderAt: i % 4 === 0 ? null : new Date(Date.UTC(2026, 0, 1 + (i % 9))),
      lastOrderAt: i % 4 === 0 ? null : new Date(Date.UTC(2026, 5, 1 + (i % 6))),
      rankKey: i % 4 === 0 ? null : "first",
    })),
  });
  return prisma.customer.findMany({ where: { shop: SHOP, redactedAt: null } });
}

type Row = Awaited<ReturnType<typeof seedMany>>[number];

/** The order the list must have, computed here in plain JavaScript. */
function expectedOrder(rows: Row[], sort: SortKey, direction: SortDirection): number[] {
  const key = (r: Row): string | number | bigint | null => {
    switch (sort) {
      case "lastOrder":
        return r.lastOrderAt?.getTime() ?? null;
      case "firstOrder":
        return r.firstOrderAt?.getTime() ?? null;
      case "orderCount":
        return r.orderCount;
      case "lifetimeSpent":
        return r.lifetimeSpent;
      case "name":
        return `${r.lastName ?? ""} ${r.firstName ?? ""}`.toLowerCase();
    }
  };
  const sign = direction === "asc" ? 1 : -1;
  return [...rows]
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      if (x === null || y === null) return x === y ? sign * (a.id - b.id) : x === null ? 1 : -1; // missing values last
      if (x !== y) return sign * (x < y ? -1 : 1);
      return sign * (a.id - b.id);
    })
    .map((r) => r.id);
}

describe("sort and keyset pagination", () => {
  it.each(SORT_KEYS.flatMap((sort) => (["asc", "desc"] as const).map((dir) => [sort, dir] as const)))(
    "%s %s: walking forwards and backwards visits every customer once, in order",
    async (sort, dir) => {
      const rows = await seedMany(37);
      const { prisma } = await app();
      const expected = expectedOrder(rows, sort, dir);
      const idOf = new Map(rows.map((r) => [r.gid.split("/").pop(), r.id]));
      const forward: number[][] = [];
      let search = `sort=${sort}&dir=${dir}`;
      for (;;) {
        const page = await customerListPage(prisma, SHOP, parseCustomerQuery(new URLSearchParams(search)), 5);
        forward.push(page.rows.map((r) => idOf.get(r.shopifyId)!));
        expect(page.total).toBe(37);
        if (!page.next) break;
        search = `sort=${sort}&dir=${dir}&after=${page.next}`;
        expect(page.next).not.toBeNull();
      }
      expect(forward.flat()).toEqual(expected);
      expect(forward.map((p) => p.length)).toEqual([5, 5, 5, 5, 5, 5, 5, 2]);

      // And back from the last page to the first.
      const backward: number[][] = [forward[forward.length - 1]!];
      let page = await customerListPage(prisma, SHOP, parseCustomerQuery(new URLSearchParams(search)), 5);
      while (page.previous) {
        page = await customerListPage(prisma, SHOP, parseCustomerQuery(new URLSearchParams(`sort=${sort}&dir=${dir}&before=${page.previous}`)), 5);
        backward.unshift(page.rows.map((r) => idOf.get(r.shopifyId)!));
      }
      expect(backward).toEqual(forward);
    },
  );

  it("pages through the loader with 50 a page, keeping the filter in the links", async () => {
    await seedShop();
    await seedMany(60);
    const first = await list({ sort: "orderCount", dir: "desc", minOrders: "1" });
    expect(first.page.total).toBe(50); // 45 of the 60 have orders, and 5 named ones
    expect(first.page.rows).toHaveLength(50);
    expect(first.page.next).toBeNull();
    const all = await list({ sort: "orderCount", dir: "desc" });
    expect(all.page.total).toBe(66);
    expect(all.page.rows.map((r) => r.orderCount)).toEqual([...all.page.rows.map((r) => r.orderCount)].sort((a, b) => b - a));
    const second = await list({ sort: "orderCount", dir: "desc", after: all.page.next! });
    expect(second.page.rows).toHaveLength(16);
    expect(second.page.previous).not.toBeNull();
    expect(new Set([...all.page.rows, ...second.page.rows].map((r) => r.shopifyId)).size).toBe(66);
    // A cursor made for another order is refused and the first page shown.
    const stale = await list({ sort: "name", after: all.page.next! });
    expect(stale.errors.map((e) => e.param)).toEqual(["after"]);
    expect(stale.page.previous).toBeNull();
  });
});

async function customerPage(id: string, options: { shop?: string; locale?: string } = {}): Promise<{ status: number; body: { locale: string; customer: CustomerDetail } }> {
  try {
    const response = await call(customerLoader, adminPageRequest(`/app/customers/${id}`, options.shop ?? SHOP, { locale: options.locale ?? "en" }), { id });
    return { status: response.status, body: (await response.json()) as { locale: string; customer: CustomerDetail } };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: (await thrown.json()) as never };
    throw thrown;
  }
}

describe("customer page", () => {
  it("shows the header, progress to the next rank and one timeline, newest first, in Japanese", async () => {
    const { hanako } = await seedShop();
    const { prisma } = await app();
    await prisma.refund.create({ data: { shop: SHOP, gid: "gid://shopify/Refund/1", orderGid: "gid://shopify/Order/2", amount: 1_000n, currency: "JPY", createdAt: at("2026-10-22T00:00:00Z") } });
    await prisma.rankChange.create({ data: { shop: SHOP, customerId: hanako.id, fromRank: "second", toRank: "regular", reason: "order #2 (orders/create)", orderCount: 3, windowSpent: 6_000n, createdAt: at("2026-10-20T14:59:01Z") } });
    await prisma.rankChange.create({ data: { shop: SHOP, customerId: hanako.id, fromRank: null, toRank: "first", reason: "history import", orderCount: 1, windowSpent: 4_000n, createdAt: at("2026-01-05T01:00:01Z") } });
    await prisma.rewardGrant.create({
      data: {
        shop: SHOP, customerId: hanako.id, milestoneKey: "fifth-order", activeSlot: "fifth-order", milestone: "{}", kind: "discount", orderGid: "gid://shopify/Order/2",
        status: "redeemed", code: "TOKUI-ABC", createdAt: at("2026-10-20T14:59:02Z"), issuedAt: at("2026-10-20T14:59:03Z"), redeemedAt: at("2026-10-28T00:00:00Z"),
      },
    });
    await prisma.messageView.create({ data: { shop: SHOP, customerId: hanako.id, orderGid: "gid://shopify/Order/2", surface: "thank-you", rankKey: "regular", locale: "ja", shownAt: at("2026-10-20T14:59:30Z") } });
    await prisma.customerNote.updateMany({ where: { shop: SHOP }, data: { createdAt: at("2026-10-25T00:00:00Z") } });

    const { status, body } = await customerPage("1001", { locale: "ja" });
    expect(status).toBe(200);
    const c = body.customer;
    expect(c).toMatchObject({
      shopifyId: "1001", lastName: "山田", firstName: "花子", orderCount: 5, lifetimeSpent: "25000", windowSpent: "25000", windowMonths: 12,
      rank: { key: "regular", label: "常連" },
      // VIP: 10 orders or ¥100,000 — 5 more orders (half way) or ¥75,000 (a quarter).
      next: { key: "vip", label: "VIP", ordersToNext: 5, amountToNext: "75000", percent: 50 },
    });
    expect(c.timeline.map((e) => [e.kind, e.at])).toEqual([
      ["reward", "2026-10-28T00:00:00.000Z"],
      ["note", "2026-10-25T00:00:00.000Z"],
      ["refund", "2026-10-22T00:00:00.000Z"],
      ["message", "2026-10-20T14:59:30.000Z"],
      ["reward", "2026-10-20T14:59:03.000Z"],
      ["rank", "2026-10-20T14:59:01.000Z"],
      ["order", "2026-10-20T14:59:00.000Z"],
      ["rank", "2026-01-05T01:00:01.000Z"],
      ["order", "2026-01-05T01:00:00.000Z"],
    ]);
    expect(c.timeline).toContainEqual(expect.objectContaining({ kind: "rank", from: "2回目", to: "常連", direction: "up", reason: "注文 #2（新規注文）" }));
    expect(c.timeline).toContainEqual(expect.objectContaining({ kind: "rank", from: null, to: "初回", reason: "注文履歴の取り込み" }));
    expect(c.timeline).toContainEqual(expect.objectContaining({ kind: "reward", event: "redeemed", code: "TOKUI-ABC", milestoneKey: "fifth-order" }));
    expect(c.timeline).toContainEqual(expect.objectContaining({ kind: "message", surface: "thank-you", rank: "常連", orderName: "#2" }));
    expect(c.timeline).toContainEqual(expect.objectContaining({ kind: "refund", orderName: "#2", amount: "1000" }));
    expect(c.timeline).toContainEqual(
      expect.objectContaining({ kind: "order", name: "#1", total: "4000", cancelled: false, lines: [{ title: "煎茶 100g", sku: null, quantity: 2, unitPrice: "2000" }] }),
    );
    expect(c.timeline).toContainEqual(expect.objectContaining({ kind: "note", note: expect.objectContaining({ category: "complaint", author: "店長" }) }));
  });

  it.each([
    ["another shop's customer", "2001"],
    ["a redacted customer", "1007"],
    ["an unknown id", "999999"],
    ["not an id", "gid:%2F%2Fshopify%2FCustomer%2F1001"],
  ])("answers 404 for %s", async (_name, id) => {
    await seedShop();
    const page = await customerPage(id, { locale: "ja" });
    expect(page.status).toBe(404);
    expect(page.body).toEqual({ locale: "ja" });
  });
});

async function noteAction(id: string, body: unknown, shop = SHOP): Promise<{ status: number; body: unknown }> {
  try {
    const response = await call(customerAction, adminJsonPost(`/app/customers/${id}`, shop, body), { id });
    return { status: response.status, body: await response.json() };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: await thrown.text() };
    throw thrown;
  }
}

describe("notes (お客様の声)", () => {
  it("adds, edits and deletes a note; the author is the session's staff member; the list finds it", async () => {
    const { taro } = await seedShop();
    await list(); // first contact: token exchange
    expect(await noteAction("1002", { intent: "addNote", category: "request", body: "  ギフト包装を希望  " })).toEqual({ status: 200, body: { ok: true, intent: "addNote" } });
    const { prisma } = await app();
    const [note] = await prisma.customerNote.findMany({ where: { shop: SHOP, customerId: taro.id } });
    expect(note).toMatchObject({ category: "request", body: "ギフト包装を希望", author: "staff:42" });
    expect(names(await list({ q: "ギフト" }))).toEqual(["山本 太郎"]);
    expect(names(await list({ note: "request" }))).toEqual(["山本 太郎"]);

    expect(await noteAction("1002", { intent: "editNote", noteId: note!.id, category: "praise", body: "包装がきれい" })).toEqual({ status: 200, body: { ok: true, intent: "editNote" } });
    expect(await prisma.customerNote.findUniqueOrThrow({ where: { id: note!.id } })).toMatchObject({ category: "praise", body: "包装がきれい", author: "staff:42" });
    expect(names(await list({ note: "request" }))).toEqual([]);

    const page = await customerPage("1002");
    expect(page.body.customer.notes).toEqual([expect.objectContaining({ id: note!.id, category: "praise", body: "包装がきれい" })]);

    expect(await noteAction("1002", { intent: "deleteNote", noteId: note!.id })).toEqual({ status: 200, body: { ok: true, intent: "deleteNote" } });
    expect(await prisma.customerNote.count({ where: { customerId: taro.id } })).toBe(0);
    expect(await noteAction("1002", { intent: "deleteNote", noteId: note!.id })).toEqual({
      status: 404,
      body: { ok: false, errors: { note: { en: "That note no longer exists.", ja: "そのメモはもうありません。" } } },
    });
  });

  it("refuses bad input with field errors in both languages, and saves nothing", async () => {
    await seedShop();
    await list();
    const { prisma } = await app();
    const before = await prisma.customerNote.count();
    expect(await noteAction("1002", { intent: "addNote", category: "gossip", body: "   " })).toEqual({
      status: 422,
      body: { ok: false, errors: { category: { en: "Choose a category.", ja: "分類を選んでください。" }, body: { en: "Write the note.", ja: "メモを入力してください。" } } },
    });
    const long = (await noteAction("1002", { intent: "addNote", category: "other", body: "x".repeat(2001) })) as { status: number; body: { errors: { body: { en: string } } } };
    expect(long.status).toBe(422);
    expect(long.body.errors.body.en).toMatch(/at most 2,000 characters/);
    expect((await noteAction("1002", { intent: "addNote", category: "other" })).status).toBe(400);
    expect(await prisma.customerNote.count()).toBe(before);
  });

  it("cannot touch another customer's or another shop's note", async () => {
    const { hanako } = await seedShop();
    await list();
    const { prisma } = await app();
    const hanakosNote = await prisma.customerNote.findFirstOrThrow({ where: { customerId: hanako.id } });
    const strangersNote = await prisma.customerNote.findFirstOrThrow({ where: { shop: OTHER_SHOP } });
    // Through Taro's page, Hanako's note id; through this shop, the other shop's note id.
    expect((await noteAction("1002", { intent: "editNote", noteId: hanakosNote.id, category: "other", body: "x" })).status).toBe(404);
    expect((await noteAction("1002", { intent: "deleteNote", noteId: strangersNote.id })).status).toBe(404);
    expect((await noteAction("2001", { intent: "addNote", category: "other", body: "x" })).status).toBe(404);
    expect(await prisma.customerNote.findUniqueOrThrow({ where: { id: hanakosNote.id } })).toMatchObject({ body: "配送が遅かった（10日）" });
    expect(await prisma.customerNote.findUniqueOrThrow({ where: { id: strangersNote.id } })).toMatchObject({ body: "配送が早い" });
  });
});

async function exportCsv(search: Record<string, string>, locale = "en"): Promise<{ response: Response; bytes: Uint8Array; text: string }> {
  const response = await call(exportLoader, adminPageRequest("/app/customers/export", SHOP, { search, locale }));
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { response, bytes, text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes) };
}

/** RFC 4180 records back into cells (for checking what a spreadsheet would read). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  return rows;
}

describe("CSV export", () => {
  it("streams UTF-8 with BOM, Japanese headers, RFC 4180 quoting, defused formulas and plain amounts", async () => {
    await seedShop();
    const { prisma } = await app();
    await prisma.customer.update({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/1005" } }, data: { firstName: '=HYPERLINK("http://evil","Bob")', lastName: "Jones, Jr." } });
    const { response, bytes, text } = await exportCsv({ rank: "regular", sort: "lifetimeSpent", dir: "desc" }, "ja");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.startsWith("\uFEFF顧客ID,姓,名,メールアドレス,ランク,RFMセグメント,注文回数,累計購入金額（JPY）,初回注文日,最終注文日,国,都道府県・地域,タグ,メモ件数\r\n")).toBe(true);
    expect(text.split("\r\n")[1]).toBe('1001,山田,花子,hanako@example.jp,常連,champions,5,25000,2026-01-05,2026-10-20,JP,東京都,"tea, 常連",1');
    expect(text.split("\r\n")[3]).toBe('1005,"Jones, Jr.","\'=HYPERLINK(""http://evil"",""Bob"")",bob_jones@example.com,常連,atRisk,3,9000,2026-03-01,2026-07-01,JP,北海道,,0');
    expect(parseCsv(text.slice(1)).map((r) => r[0])).toEqual(["顧客ID", "1001", "1004", "1005"]);
    expect(text.endsWith("\r\n")).toBe(true);
  });

  it("writes English headers and non-JPY amounts with their decimals", async () => {
    const { prisma } = await app();
    await prisma.shop.update({ where: { shop: SHOP }, data: { currency: "USD" } });
    shopify.setShop(SHOP, { currencyCode: "USD", ianaTimezone: "Asia/Tokyo" }); // what afterAuth reads on first contact
    await customer({ gid: 1101, firstName: "Ann", lastName: "Lee", orderCount: 1, lifetimeSpent: 1250n, lastOrderAt: at("2026-10-01T00:00:00Z"), firstOrderAt: at("2026-10-01T00:00:00Z") });
    const { text } = await exportCsv({});
    expect(parseCsv(text.slice(1))).toEqual([
      ["Customer ID", "Last name", "First name", "Email", "Rank", "RFM segment", "Orders", "Lifetime spend (USD)", "First order", "Last order", "Country", "Region", "Tags", "Notes"],
      ["1101", "Lee", "Ann", "", "", "", "1", "12.50", "2026-10-01", "2026-10-01", "", "", "", "0"],
    ]);
  });

  it("exports more customers than one page, each once, in the list's order", async () => {
    const rows = await seedMany(1234);
    const { text } = await exportCsv({ sort: "name", dir: "asc" });
    const ids = parseCsv(text.slice(1)).slice(1).map((r) => Number(r[0]));
    const byGid = new Map(rows.map((r) => [Number(r.gid.split("/").pop()), r.id]));
    expect(ids.map((id) => byGid.get(id))).toEqual(expectedOrder(rows, "name", "asc"));
  });

  it("refuses a refused filter (400, in the admin's language) instead of exporting more than asked", async () => {
    await seedShop();
    const { response, text } = await exportCsv({ rank: "regular", maxOrders: "x" }, "ja");
    expect(response.status).toBe(400);
    expect(text).toBe("注文回数（以下）は0〜1,000,000の整数で入力してください。");
  });
});

/** Time travel: every waiting job is due now. */
async function makeJobsDue() {
  const { db, prisma } = await app();
  if (db.kind === "sqlite") await prisma.job.updateMany({ where: { status: "queued" }, data: { runAt: new Date(Date.now() - 1000) } });
  else await prisma.$executeRawUnsafe("UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE state IN ('created', 'retry')");
}

async function tagSync(tag: string, action: "add" | "remove", params: string): Promise<{ status: number; body: { ok: boolean; runId?: number; total?: number; errors?: Record<string, { en: string; ja: string }> } }> {
  const response = await call(listAction, adminJsonPost("/app/customers", SHOP, { intent: "tagSync", tag, action, params }));
  return { status: response.status, body: (await response.json()) as never };
}

const taggedInShopify = (tag: string, gids: number[]) => gids.filter((g) => shopify.customer(SHOP, `gid://shopify/Customer/${g}`).tags.includes(tag));

describe("tag sync", () => {
  it("tags exactly the filtered customers in Shopify, in batches, through a throttled answer, and keeps local tags in step", async () => {
    const rows = await seedMany(120);
    await seedShop();
    const listed = await list({ minOrders: "1", maxOrders: "2" });
    expect(listed.listParams).toBe("minOrders=1&maxOrders=2&sort=lastOrder&dir=desc");
    const expectedIds = rows.filter((r) => r.orderCount >= 1 && r.orderCount <= 2).map((r) => Number(r.gid.split("/").pop()));
    expectedIds.push(1002, 1003); // Taro (1 order), Alice (2 orders)
    expect(listed.page.total).toBe(expectedIds.length);
    shopify.seedCustomer(SHOP, "gid://shopify/Customer/1003", { tags: ["existing"] });

    const started = await tagSync("夏のキャンペーン", "add", listed.listParams);
    expect(started).toEqual({ status: 200, body: { ok: true, runId: expect.any(Number), total: expectedIds.length } });
    // Shopify throttles the 61st tagsAdd (the 11th of the second batch of 50): the batch stops there and the run waits.
    shopify.failNext({ kind: "throttled" }, { operation: "CustomerTagsAdd", after: 60 });
    const { drain, prisma } = await app();
    await drain();
    const paused = (await list()).runs[0]!;
    expect(expectedIds).toHaveLength(62);
    expect(paused).toMatchObject({ tag: "夏のキャンペーン", action: "add", status: "running", done: 60, failed: 0, total: 62 });
    const { db } = await app();
    if (db.kind === "sqlite") {
      const waiting = await prisma.job.findFirstOrThrow({ where: { queue: "tag-sync", status: "queued" } });
      expect(JSON.parse(waiting.payload)).toMatchObject({ done: 60, failed: 0, throttles: 1 });
      expect(waiting.runAt.getTime()).toBeGreaterThan(Date.now() + 1000); // backoff: 2 s
    }
    expect(await drain()).toEqual({ done: 0, retried: 0, failed: 0 }); // not due yet

    await makeJobsDue();
    await drain();
    const done = (await list()).runs[0]!;
    expect(done).toMatchObject({ status: "done", done: expectedIds.length, failed: 0, error: null, finishedAt: expect.any(String) });
    const everyone = [...rows.map((r) => Number(r.gid.split("/").pop())), 1001, 1002, 1003, 1004, 1005, 1006];
    expect(taggedInShopify("夏のキャンペーン", everyone).sort()).toEqual([...expectedIds].sort());
    // Each customer was tagged once (plus the throttled attempt, answered before anything changed).
    const adds = shopify.calls.filter((c) => c.operationName === "CustomerTagsAdd");
    expect(adds.filter((c) => c.scripted === "throttled")).toHaveLength(1);
    expect(adds.filter((c) => c.scripted === null).map((c) => c.variables.id).sort()).toEqual(expectedIds.map((g) => `gid://shopify/Customer/${g}`).sort());
    // Local tags follow Shopify's answer, so search finds them at once.
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/1003" } } })).tags).toBe("existing, 夏のキャンペーン");
    expect((await list({ q: "夏のキャンペーン" })).page.total).toBe(expectedIds.length);

    // Removing the tag from the list filtered by that tag: the walk by id is not disturbed by the list shrinking.
    const removal = await tagSync("夏のキャンペーン", "remove", "q=夏のキャンペーン");
    expect(removal.body).toMatchObject({ ok: true, total: expectedIds.length });
    await drain();
    expect(taggedInShopify("夏のキャンペーン", everyone)).toEqual([]);
    expect(shopify.customer(SHOP, "gid://shopify/Customer/1003").tags).toEqual(["existing"]);
    expect((await list()).runs[0]).toMatchObject({ action: "remove", status: "done", done: expectedIds.length });
    expect((await list({ q: "夏のキャンペーン" })).page.total).toBe(0);
  });

  it("counts customers Shopify refuses and carries on", async () => {
    await seedShop();
    await list();
    shopify.deleteCustomer(SHOP, "gid://shopify/Customer/1004");
    const started = await tagSync("vip-sale", "add", "rank=regular");
    expect(started.body).toMatchObject({ ok: true, total: 3 });
    await (await app()).drain();
    expect((await list()).runs[0]).toMatchObject({ status: "done", done: 2, failed: 1, error: expect.stringContaining("gid://shopify/Customer/1004: Customer does not exist") });
    expect(taggedInShopify("vip-sale", [1001, 1004, 1005])).toEqual([1001, 1005]);
  });

  it.each([
    ["a rank tag", "tokui-rank:vip", "rank=regular", "tag", /rank sync/],
    ["a comma", "a,b", "rank=regular", "tag", /comma/],
    ["an empty tag", " ", "rank=regular", "tag", /Enter a tag/],
    ["an over-long tag", "x".repeat(256), "rank=regular", "tag", /at most 255/],
    ["a refused filter", "ok-tag", "rank=regular&minOrders=abc", "filter", /Fix the list's filters first/],
    ["a list with nobody", "ok-tag", "q=nobody-has-this", "filter", /No customers match/],
  ])("refuses %s (422, nothing queued)", async (_name, tag, params, field, message) => {
    await seedShop();
    await list();
    const result = await tagSync(tag, "add", params);
    expect(result.status).toBe(422);
    expect(result.body.errors?.[field]?.en).toMatch(message);
    expect(result.body.errors?.[field]?.ja).toBeTruthy();
    const { prisma } = await app();
    expect(await prisma.tagSyncRun.count()).toBe(0);
    expect(await (await app()).drain()).toEqual({ done: 0, retried: 0, failed: 0 });
  });
});

describe("one filter, three uses", () => {
  it.each([
    ["rank and region", "rank=regular&region=JP-13"],
    ["search in notes and names", "q=%E9%85%8D%E9%80%81"],
    ["order range and last order period", "minOrders=1&lastFrom=2026-06-01&lastTo=2026-06-04"],
    ["product bought", "product=%E7%85%8E%E8%8C%B6"],
    ["everyone", ""],
  ])("%s: the list, the CSV and the tag sync select the same customers", async (_name, search) => {
    await seedMany(40);
    await seedShop();
    const params = new URLSearchParams(search);
    // The list, walked to the end through its keyset links.
    const listed: string[] = [];
    let page = await list(Object.fromEntries(params));
    for (;;) {
      listed.push(...page.page.rows.map((r) => r.shopifyId));
      if (!page.page.next) break;
      page = await list({ ...Object.fromEntries(params), after: page.page.next });
    }
    const { text } = await exportCsv(Object.fromEntries(params));
    const exported = parseCsv(text.slice(1)).slice(1).map((r) => r[0]!);
    await tagSync("same-list", "add", page.listParams);
    await (await app()).drain();
    const everyone = (await (await app()).prisma.customer.findMany({ where: { shop: SHOP } })).map((c) => Number(c.gid.split("/").pop()));
    const tagged = taggedInShopify("same-list", everyone).map(String);
    expect(listed.length).toBeGreaterThan(0);
    expect(exported).toEqual(listed);
    expect([...tagged].sort()).toEqual([...listed].sort());
  });
});

describe("MessageView from the thank-you and order status pages", () => {
  it("records one row per order and surface, for a customer's order, without delaying the answer", async () => {
    const { hanako } = await seedShop();
    const { prisma } = await app();
    await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: ACCESS_TOKEN } });
    const recent = new Date(Date.now() - 60_000);
    await order(SHOP, hanako.id, 70, recent, [{ productId: 111, title: "煎茶 100g", price: 2_000n }]);
    await order(SHOP, null, 71, recent, [{ productId: 111, title: "煎茶 100g", price: 2_000n }]);
    const token = () => checkoutToken({ shop: SHOP, customer: "gid://shopify/Customer/1001" });
    const ask = (orderId: string, t = token()) => call(postPurchaseAction, postPurchaseRequest({ orderId, locale: "ja" }, t));

    expect((await ask("gid://shopify/OrderIdentity/70")).status).toBe(200);
    expect((await ask("gid://shopify/OrderIdentity/70")).status).toBe(200); // the page rendered again
    expect((await ask("gid://shopify/Order/70")).status).toBe(200);
    // A guest checkout's order: a greeting, but no customer to record it for.
    expect((await ask("gid://shopify/OrderIdentity/71", checkoutToken({ shop: SHOP }))).status).toBe(200);
    await messageViewsSettled();

    const views = await prisma.messageView.findMany({ where: { shop: SHOP }, orderBy: { surface: "desc" } });
    expect(views.map((v) => ({ customerId: v.customerId, orderGid: v.orderGid, surface: v.surface, rankKey: v.rankKey, locale: v.locale }))).toEqual([
      { customerId: hanako.id, orderGid: "gid://shopify/Order/70", surface: "thank-you", rankKey: "regular", locale: "ja" },
      { customerId: hanako.id, orderGid: "gid://shopify/Order/70", surface: "order-status", rankKey: "regular", locale: "ja" },
    ]);
    const page = await customerPage("1001");
    expect(page.body.customer.timeline.filter((e) => e.kind === "message").map((e) => e.kind === "message" && e.surface)).toEqual(["order-status", "thank-you"]);
  });

  it("a failing write is logged and dropped, never thrown", async () => {
    const broken = {
      _activeProvider: "sqlite",
      $executeRawUnsafe: () => Promise.reject(new Error("database is locked")),
    } as unknown as PrismaClient;
    await expect(recordMessageView(broken, { shop: SHOP, orderGid: "gid://shopify/Order/1", surface: "thank-you", rankKey: "first", locale: "en", shownAt: new Date() })).resolves.toBeUndefined();
  });
});

describe("notes are personal data", () => {
  it("customers/data_request includes the customer's notes; customers/redact deletes them (only theirs)", async () => {
    const { hanako, taro } = await seedShop();
    const { prisma } = await app();
    await prisma.customerNote.create({ data: { shop: SHOP, customerId: taro.id, category: "question", body: "定期便はありますか" } });
    const data = await customerData(prisma, SHOP, "gid://shopify/Customer/1001");
    expect(data?.notes).toEqual([{ category: "complaint", note: "配送が遅かった（10日）", author: "店長", createdAt: expect.any(Date), updatedAt: expect.any(Date) }]);

    await prisma.$transaction((tx) => redactCustomer(tx, SHOP, "gid://shopify/Customer/1001", new Date()));
    expect(await prisma.customerNote.count({ where: { customerId: hanako.id } })).toBe(0);
    expect(await prisma.customerNote.count({ where: { customerId: taro.id } })).toBe(1);
    expect(await prisma.customerNote.count({ where: { shop: OTHER_SHOP } })).toBe(1);
    expect(names(await list({ q: "配送" }))).toEqual([]);
  });

  it("shop/redact removes the shop's notes, message views and tag sync runs (their filters may hold a name)", async () => {
    const { hanako } = await seedShop();
    const { prisma } = await app();
    await prisma.messageView.create({ data: { shop: SHOP, customerId: hanako.id, orderGid: "gid://shopify/Order/2", surface: "thank-you" } });
    await prisma.tagSyncRun.create({ data: { shop: SHOP, tag: "x", filter: JSON.stringify({ q: ["山田"] }) } });
    await prisma.tagSyncRun.create({ data: { shop: OTHER_SHOP, tag: "x", filter: "{}" } });
    await prisma.$transaction((tx) => deleteShopData(tx, SHOP));
    expect(await prisma.customerNote.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.messageView.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.tagSyncRun.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.tagSyncRun.count({ where: { shop: OTHER_SHOP } })).toBe(1);
    expect(await prisma.customerNote.count({ where: { shop: OTHER_SHOP } })).toBe(1);
  });
});

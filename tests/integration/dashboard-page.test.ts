/**
 * The dashboard page (app/routes/app._index.tsx) as the merchant's browser gets it: a document
 * request from the Shopify admin (session token in the URL, exchanged for the shop's offline
 * token at the fake Shopify on first contact) through Remix's real request handler — root,
 * the app layout, the dashboard route, entry.server's streaming render — so the assertions are
 * on the HTML itself. Orders arrive through the real import path. Runs on SQLite and PostgreSQL.
 */
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { documentHandler } from "../helpers/remix-document";
import * as dashboardRoute from "~/routes/app._index";
import { formatMonth } from "~/components/dashboard/format";
import { runRfmRefreshJob } from "~/services/analytics/refresh.server";
import { importOrdersJsonl } from "~/services/import-orders.server";
import { adminPageRequest, sessionToken, tokenExchange } from "../helpers/admin-request";
import { app } from "../helpers/app";
import { TEST_SHOPIFY_ENV } from "../helpers/shopify";
import { adminApiMock } from "../mocks/admin-api";

const SHOP = "dashboard-page.myshopify.com";
const EMPTY_SHOP = "dashboard-empty.myshopify.com";
const shopify = adminApiMock();
const exchange = tokenExchange((shop) => `shpat_${shop.split(".")[0]!.replace(/-/g, "")}`);
const server = setupServer(...shopify.handlers, exchange.handler);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

afterEach(() => {
  expect(shopify.violations).toEqual([]);
  expect(exchange.refusals).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// The app's route tree for these URLs, as the Vite build would assemble it.

const handle = documentHandler([{ id: "routes/app._index", index: true, module: dashboardRoute }]);

/** The dashboard's HTML as the admin's iframe receives it. */
async function page(shop: string, options: { locale?: string; search?: Record<string, string> } = {}): Promise<string> {
  const response = await handle(adminPageRequest("/app", shop, { locale: options.locale ?? "en", search: options.search }));
  const html = await response.text();
  expect(response.status, html.slice(0, 2000)).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("text/html");
  return html;
}

interface DashboardJson {
  locale: string;
  period: { kind: string; fromDate: string; toDate: string; start: string; end: string; timeZone: string };
  problem: { code: string } | null;
  empty: boolean;
  data: { summary: { orders: number; customers: number; revenue: string } };
}

/** What the page fetches when the merchant picks another period (a Remix data request, bearer token). */
async function dataRequest(shop: string, search: Record<string, string>): Promise<DashboardJson> {
  const url = new URL("/app", TEST_SHOPIFY_ENV.SHOPIFY_APP_URL);
  for (const [k, v] of Object.entries(search)) url.searchParams.set(k, v);
  url.searchParams.set("_data", "routes/app._index");
  const response = await handle(new Request(url, { headers: { Authorization: `Bearer ${sessionToken(shop)}` } }));
  expect(response.status).toBe(200);
  return (await response.json()) as DashboardJson;
}

/** The text of the page's body: tags dropped, the entities React writes decoded, whitespace squeezed. */
function text(html: string): string {
  return strip(html.slice(html.indexOf("<body"), html.indexOf("<script>window.__remixContext")));
}

function strip(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

function figure(html: string, id: string): string {
  const start = html.indexOf(`data-figure="${id}"`);
  expect(start, `figure ${id}`).toBeGreaterThan(-1);
  return strip(html.slice(start, html.indexOf("</section>", start)));
}

// ---------------------------------------------------------------------------------------------
// Orders, as Shopify's bulk export writes them, through the import.

const DAY = 86_400_000;
let orderNumber = 1;

interface SeedOrder {
  customer: string | null;
  at: Date;
  amount: number;
  cancelled?: boolean;
  product?: string;
}

async function importOrders(shop: string, orders: SeedOrder[]) {
  const lines: string[] = [];
  for (const o of orders) {
    const n = orderNumber++;
    const gid = `gid://shopify/Order/${9_000_000 + n}`;
    const money = { shopMoney: { amount: `${o.amount}.0`, currencyCode: "JPY" } };
    lines.push(
      JSON.stringify({
        id: gid,
        name: `#${1000 + n}`,
        createdAt: o.at.toISOString(),
        processedAt: o.at.toISOString(),
        updatedAt: o.at.toISOString(),
        cancelledAt: o.cancelled ? o.at.toISOString() : null,
        currencyCode: "JPY",
        customer: o.customer ? { id: `gid://shopify/Customer/${o.customer}` } : null,
        totalPriceSet: money,
        currentTotalPriceSet: money,
      }),
      JSON.stringify({
        id: `gid://shopify/LineItem/${7_000_000 + n}`,
        title: o.product ?? "煎茶 100g",
        quantity: 1,
        sku: null,
        product: { id: `gid://shopify/Product/${o.product === "Hojicha" ? 2 : 1}` },
        variant: null,
        originalUnitPriceSet: money,
        __parentId: gid,
      }),
    );
  }
  const { db, queue } = await app();
  async function* iterate() {
    yield* lines;
  }
  const progress = await importOrdersJsonl(db, queue, { lines: iterate() }, { shop });
  expect(progress.badLines).toBe(0);
}

const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

beforeAll(async () => {
  for (const shop of [SHOP, EMPTY_SHOP]) {
    shopify.install(shop, `shpat_${shop.split(".")[0]!.replace(/-/g, "")}`);
    shopify.setShop(shop, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
  }
  // A small shop (customer: days ago × yen):
  //   A 100 d × 5,000 and 20 d × 3,000 · B 10 d × 12,000 (+ a cancelled 1 d × 99,999)
  //   C 5 d × 2,000 and 3 d × 2,000 · D 200 d × 7,000 · E 50 d × 6,000 · a guest 2 d × 1,500.
  await importOrders(SHOP, [
    { customer: "1001", at: daysAgo(100), amount: 5000 },
    { customer: "1001", at: daysAgo(20), amount: 3000 },
    { customer: "1002", at: daysAgo(10), amount: 12000 },
    { customer: "1002", at: daysAgo(1), amount: 99999, cancelled: true },
    { customer: "1003", at: daysAgo(5), amount: 2000, product: "Hojicha" },
    { customer: "1003", at: daysAgo(3), amount: 2000, product: "Hojicha" },
    { customer: "1004", at: daysAgo(200), amount: 7000 },
    { customer: "1005", at: daysAgo(50), amount: 6000 },
    { customer: null, at: daysAgo(2), amount: 1500 },
  ]);
});

beforeEach(() => {
  shopify.reset();
  exchange.reset();
  for (const shop of [SHOP, EMPTY_SHOP]) {
    shopify.install(shop, `shpat_${shop.split(".")[0]!.replace(/-/g, "")}`);
    shopify.setShop(shop, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
  }
});

// ---------------------------------------------------------------------------------------------

describe("a small shop, last 12 months (the default)", () => {
  it("shows the figures in Japanese, money in 円, F2 and the funnel first", async () => {
    const html = await page(SHOP, { locale: "ja" });
    expect(html).toMatch(/<html lang="ja">/); // Japanese glyph forms, a Japanese screen-reader voice
    expect(html.indexOf('data-figure="f2"')).toBeLessThan(html.indexOf('data-figure="funnel"'));
    expect(html.indexOf('data-figure="funnel"')).toBeLessThan(html.indexOf('data-figure="summary"'));
    expect(html).toMatch(/<option value="12m" selected="">過去12か月<\/option>/);

    // F2: all five bought for the first time in the last 12 months. Eligible for N days: first
    // order at least N days ago — 30: A (100), D (200), E (50); 60: A, D; 90: A, D; 180: D.
    // A's second order came 80 days after the first: within 90, not within 60; C's came after 2 days.
    const f2 = figure(html, "f2");
    expect(f2).toContain("期間内の初回購入者：5人");
    expect(f2).toMatch(/30日以内 0\.0% 3人中0人/);
    expect(f2).toMatch(/60日以内 0\.0% 2人中0人/);
    expect(f2).toMatch(/90日以内 50\.0% 2人中1人/);
    expect(f2).toMatch(/180日以内 0\.0% 1人中0人/);
    expect(f2).toMatch(/これまで 40\.0% 5人中2人/);

    // Funnel over all customers: A to E reached 1; A and C reached 2.
    const funnel = figure(html, "funnel");
    expect(funnel).toMatch(/1回目 5 — — 3/);
    expect(funnel).toMatch(/2回目 2 40\.0% 3 2/);
    expect(funnel).toMatch(/3回目 0 0\.0% 2 0/);

    // Every counted order; B's cancelled one counts nowhere.
    const summary = figure(html, "summary");
    expect(summary).toMatch(/顧客数 5 うち初回購入 5人/);
    expect(summary).toMatch(/注文数 8 ゲスト注文 1件/);
    expect(summary).toMatch(/売上 38,500円/);
    expect(summary).toMatch(/リピート率 40\.0% 5人中2人/);
    expect(summary).toMatch(/平均購入間隔 41\.0日 2回の購入間隔の平均/); // (80 + 2) / 2
    expect(summary).toMatch(/平均LTV 7,400円/); // 37,000 / 5

    // Pareto: B's 12,000 of 37,000 (top ceil(20 % of 5) = 1 customer).
    const pareto = figure(html, "pareto");
    expect(pareto).toContain("上位20%（1人）のお客様が売上の32.4%を占めています");
    expect(pareto).toContain("5人の累計購入額 37,000円 のうち 12,000円。");

    // Ranks as the import set them with the default ladder: A and C 2回目, B, D and E 初回.
    expect(figure(html, "ranks")).toMatch(/初回 3 2回目 2 常連 0 VIP 0/);

    // The period is read in the shop's zone, and said so.
    expect(text(html)).toMatch(/\d{4}\/\d{2}\/\d{2}〜\d{4}\/\d{2}\/\d{2}（ストアのタイムゾーン Asia\/Tokyo の日付）/);
    // Every figure carries its explanation.
    expect(figure(html, "f2")).toContain("この期間に初めて購入したお客様のうち");
  });

  it("shows the figures in English, money as ¥", async () => {
    const html = await page(SHOP, { locale: "en" });
    const summary = figure(html, "summary");
    expect(summary).toMatch(/Customers 5 First-time buyers: 5/);
    expect(summary).toMatch(/Orders 8 Guest orders: 1/);
    expect(summary).toMatch(/Revenue ¥38,500/);
    expect(summary).toMatch(/Repeat rate 40\.0% 2 of 5 customers/);
    expect(summary).toMatch(/Average days between orders 41\.0 days/);
    expect(summary).toMatch(/Average LTV ¥7,400/);
    expect(figure(html, "f2")).toMatch(/Within 90 days 50\.0% 1 of 2 customers/);
    expect(figure(html, "funnel")).toMatch(/Order 2 2 40\.0% 3 2/);
    expect(figure(html, "pareto")).toContain("The top 20% of customers (1) bring 32.4% of revenue");
  });
});

describe("figures computed in the background (RFM, cohorts, products)", () => {
  it("say they are not computed yet, then show the figures with when they were computed", async () => {
    const before = await page(SHOP, { locale: "en" });
    for (const id of ["rfm", "cohorts", "products"]) {
      expect(figure(before, id)).toContain("Not computed yet: it is being computed in the background.");
    }
    expect(figure(before, "rfm")).toContain("No customer has been scored yet.");
    expect(before).not.toContain('data-figure-table="cohorts"');

    // The job the import queued (and the page asks for again while the figures are missing).
    const refreshedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const { prisma } = await app();
    await runRfmRefreshJob(prisma, SHOP, () => refreshedAt);

    const html = await page(SHOP, { locale: "en" });
    // Tokyo is UTC+9 all year.
    const tokyoClock = new Date(refreshedAt.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
    const asOf = `Computed in the background; as of ${tokyoClock} (Asia/Tokyo).`;
    for (const id of ["rfm", "cohorts", "products"]) expect(figure(html, id)).toContain(asOf);

    // Recency ranks D < E < A < B < C (scores 1–5); frequency: A and C (2 orders) score 4, the rest 1.
    const rfm = figure(html, "rfm");
    expect(rfm).toMatch(/Champions Bought very recently and often 1 ¥4,000/); // C: R5 F4
    expect(rfm).toMatch(/Loyal Buy often, fairly recently 1 ¥8,000/); // A: R3 F4
    expect(rfm).toMatch(/Promising First order, recently 1 ¥12,000/); // B: R4 F1
    expect(rfm).toMatch(/Hibernating Few orders, a while ago 1 ¥6,000/); // E: R2 F1
    expect(rfm).toMatch(/Lost Few orders, long ago 1 ¥7,000/); // D: R1 F1
    expect(rfm).toMatch(/New First order, very recently 0 ¥0/);

    // Cohorts by first-purchase month in Tokyo: A 100, B 10, C 5, D 200 and E 50 days ago.
    const firstMonths = new Map<string, number>();
    for (const days of [100, 10, 5, 200, 50]) {
      const month = new Date(Date.now() - days * DAY + 9 * 3_600_000).toISOString().slice(0, 7);
      firstMonths.set(month, (firstMonths.get(month) ?? 0) + 1);
    }
    const cohorts = figure(html, "cohorts");
    for (const [month, customers] of firstMonths) expect(cohorts).toContain(` ${formatMonth(month, "en")} ${customers} `);

    expect(figure(html, "products")).toContain("No product has 10 buyers yet.");
  });

  it("renders without App Bridge: the charts wait for the browser, their numbers are on the page", async () => {
    const html = await page(SHOP);
    // App Bridge's script is referenced (the admin loads it), but nothing on the page needs it to render.
    expect(html).toContain("https://cdn.shopify.com/shopifycloud/app-bridge.js");
    // Funnel, Pareto, ranks, RFM: a skeleton each, hidden from screen readers; the tables are there.
    expect(html.match(/<div aria-hidden="true" data-chart=""/g)).toHaveLength(4);
    expect(html).toContain("Polaris-SkeletonBodyText");
    expect(html).toContain('data-figure-table="cohorts"');
  });
});

describe("the period in the URL", () => {
  it("takes a preset: the last 30 days", async () => {
    const html = await page(SHOP, { locale: "ja", search: { period: "30d" } });
    // A (20 d), B, C twice and the guest.
    const summary = figure(html, "summary");
    expect(summary).toMatch(/顧客数 3 うち初回購入 2人/);
    expect(summary).toMatch(/注文数 5 ゲスト注文 1件/);
    expect(summary).toMatch(/売上 20,500円/);
    expect(summary).toMatch(/リピート率 66\.7% 3人中2人/); // A and C had a second order by the end
    expect(summary).toMatch(/平均LTV 8,000円/); // (8,000 + 12,000 + 4,000) / 3
    // B and C bought for the first time; neither has had 30 days yet; C came back.
    const f2 = figure(html, "f2");
    expect(f2).toContain("期間内の初回購入者：2人");
    expect(f2).toMatch(/30日以内 — 初回購入から30日たったお客様はまだいません/);
    expect(f2).toMatch(/これまで 50\.0% 2人中1人/);
    // The chooser shows the URL's choice (so a reload or a shared link keeps it).
    expect(html).toMatch(/<option value="30d" selected="">過去30日<\/option>/);
    expect(text(html)).not.toContain("リンクの期間を使えませんでした");
  });

  it("takes a custom range, both days inclusive", async () => {
    const from = new Date(Date.now() - 6 * DAY).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
    const json = await dataRequest(SHOP, { period: "custom", from, to });
    expect(json.period).toMatchObject({ kind: "custom", fromDate: from, toDate: to, timeZone: "Asia/Tokyo" });
    expect(json.problem).toBeNull();
    // C twice and the guest (5, 3 and 2 days ago); B's cancelled order 1 day ago is not counted.
    expect(json.data.summary).toMatchObject({ orders: 3, customers: 1, revenue: "5500" });
  });

  it.each([
    ["period=7d", "\"7d\" is not a period this page knows (use 30d, 90d, 12m, ytd or custom). Showing the last 12 months instead."],
    ["period=custom&from=2026-02-30&to=2026-03-31", "The start date \"2026-02-30\" is not a date (YYYY-MM-DD). Showing the last 12 months instead."],
    ["period=custom&from=2026-03-31&to=2026-03-01", "The start date 2026-03-31 is after the end date 2026-03-01. Showing the last 12 months instead."],
  ])("says what is wrong with %s and shows the last 12 months", async (query, message) => {
    const html = await page(SHOP, { locale: "en", search: Object.fromEntries(new URLSearchParams(query)) });
    expect(text(html)).toContain("The period in the link could not be used");
    expect(text(html)).toContain(message);
    expect(figure(html, "summary")).toMatch(/Orders 8 Guest orders: 1/);
    expect(html).toMatch(/<option value="12m" selected="">/);
  });

  it("explains a bad period in Japanese too", async () => {
    const html = await page(SHOP, { locale: "ja", search: { period: "last-week" } });
    expect(text(html)).toContain("「last-week」はこのページで使える期間ではありません（30d、90d、12m、ytd、custom のいずれか）。代わりに過去12か月を表示しています。");
  });

  it("answers the page's own period change (a data request with the session token)", async () => {
    const json = await dataRequest(SHOP, { period: "90d" });
    expect(json.period.kind).toBe("90d");
    expect(json.data.summary.orders).toBe(6); // E's order of 50 days ago joins; A's of 100 days ago stays outside
  });
});

describe("the shop's time zone", () => {
  const TZ_SHOP = "dashboard-zone.myshopify.com";
  // 2025-06-30T16:00Z is 1 July 01:00 in Tokyo but still 30 June (09:00) in Los Angeles.
  const BOUNDARY = new Date("2025-06-30T16:00:00Z");
  const JULY = { period: "custom", from: "2025-07-01", to: "2025-07-31" };

  beforeAll(async () => {
    await importOrders(TZ_SHOP, [{ customer: "2001", at: BOUNDARY, amount: 4000 }]);
  });
  beforeEach(() => {
    shopify.install(TZ_SHOP, "shpat_dashboardzone");
    shopify.setShop(TZ_SHOP, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
  });

  it("counts an order in the month it was placed in the shop's calendar", async () => {
    // The first request installs the shop's settings from Shopify (Asia/Tokyo).
    const tokyo = await page(TZ_SHOP, { locale: "en", search: JULY });
    expect(figure(tokyo, "summary")).toMatch(/Orders 1 Guest orders: 0/);
    expect(text(tokyo)).toContain("2025-07-01 – 2025-07-31, days in the shop's time zone (Asia/Tokyo).");
    expect((await dataRequest(TZ_SHOP, JULY)).period).toMatchObject({ start: "2025-06-30T15:00:00.000Z", end: "2025-07-31T15:00:00.000Z" });

    const { prisma } = await app();
    await prisma.shop.update({ where: { shop: TZ_SHOP }, data: { ianaTimezone: "America/Los_Angeles" } });
    const la = await page(TZ_SHOP, { locale: "en", search: JULY });
    expect(figure(la, "summary")).toMatch(/Orders 0 Guest orders: 0/);
    expect(text(la)).toContain("(America/Los_Angeles)");
    expect((await dataRequest(TZ_SHOP, JULY)).period).toMatchObject({ start: "2025-07-01T07:00:00.000Z", end: "2025-08-01T07:00:00.000Z" });
  });

  it("falls back to Asia/Tokyo when the stored zone is unknown", async () => {
    await page(TZ_SHOP); // settings stored
    const { prisma } = await app();
    await prisma.shop.update({ where: { shop: TZ_SHOP }, data: { ianaTimezone: "Mars/Olympus_Mons" } });
    expect((await dataRequest(TZ_SHOP, JULY)).period.timeZone).toBe("Asia/Tokyo");
  });
});

describe("a shop without orders", () => {
  it.each([
    ["ja", "注文が入ると、ここに数値が表示されます", "過去の注文を取り込む"],
    ["en", "Your figures appear here as orders arrive", "Import order history"],
  ])("invites the merchant (%s) to import the order history", async (locale, heading, action) => {
    const html = await page(EMPTY_SHOP, { locale });
    expect(text(html)).toContain(heading);
    expect(text(html)).toContain(action);
    expect(html).toMatch(/<a [^>]*href="\/app\/backfill"/);
    expect(html).not.toContain("data-figure=");
  });
});

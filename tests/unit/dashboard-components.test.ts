/**
 * The dashboard components rendered to HTML (as the server renders them) from a hand-made
 * DashboardData: every figure written the way a merchant reads it, in Japanese and English.
 */
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import { Dashboard, describeProblem, type DashboardProps } from "~/components/dashboard/Dashboard";
import { formatCount, formatDays, formatMoney, formatMonth, formatShare } from "~/components/dashboard/format";
import { presetPeriod } from "~/components/dashboard/period";
import type { Locale } from "~/locales";
import { dashboardFixture } from "../fixtures/dashboard-data";

const NOW = new Date("2026-03-16T03:00:00Z");
const PERIOD = presetPeriod("30d", NOW, "Asia/Tokyo");

/** Rendered as in the server render: a static router (Remix's), Polaris around it. */
async function render(locale: Locale, over: Partial<DashboardProps> = {}): Promise<string> {
  const props: DashboardProps = { data: dashboardFixture(), period: PERIOD, problem: null, locale, empty: false, backfillUrl: "/app/backfill", ...over };
  const handler = createStaticHandler([{ path: "/app", element: h(Dashboard, props) }]);
  const context = await handler.query(new Request("https://tokui.test/app?period=30d"));
  if (context instanceof Response) throw new Error("unexpected redirect");
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToString(h(AppProvider, { i18n: enTranslations }, h(StaticRouterProvider, { router, context })));
}

/** The text of the HTML, tags dropped and entities for & < > " decoded, whitespace squeezed. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** The markup of one figure block (data-figure="…"). */
function figure(html: string, id: string): string {
  const start = html.indexOf(`data-figure="${id}"`);
  expect(start, `figure ${id}`).toBeGreaterThan(-1);
  const end = html.indexOf("</section>", start);
  return html.slice(start, end);
}

describe("formatting", () => {
  it.each([
    ["ja", "456789", "456,789円"],
    ["en", "456789", "¥456,789"],
    ["ja", "0", "0円"],
  ] as const)("JPY in %s: %s → %s", (locale, minor, expected) => {
    expect(formatMoney(minor, "JPY", locale)).toBe(expected);
  });

  it("keeps cents for USD", () => {
    expect(formatMoney("123456", "USD", "en")).toBe("$1,234.56");
  });

  it("writes a share without denominator as —, not 0%", () => {
    expect(formatShare({ num: 0, den: 0 }, "en")).toBe("—");
    expect(formatShare({ num: 0, den: 4 }, "en")).toBe("0.0%");
    expect(formatShare({ num: 7, den: 44 }, "ja")).toBe("15.9%");
    expect(formatShare({ num: 2, den: 3 }, "en")).toBe("66.7%");
  });

  it("writes counts, days and months for people", () => {
    expect(formatCount(1234567, "ja")).toBe("1,234,567");
    expect(formatDays("27.5", "ja")).toBe("27.5日");
    expect(formatDays("27.5", "en")).toBe("27.5 days");
    expect(formatDays(null, "en")).toBe("—");
    expect(formatMonth("2026-03", "ja")).toBe("2026年3月");
    expect(formatMonth("2026-03", "en")).toBe("Mar 2026");
  });
});

describe("the dashboard in Japanese", () => {
  let html = "";
  let all = "";
  beforeAll(async () => {
    html = await render("ja");
    all = text(html);
  });

  it("puts F2 conversion and the order-count funnel first", () => {
    const f2 = html.indexOf('data-figure="f2"');
    const funnel = html.indexOf('data-figure="funnel"');
    const others = ["summary", "pareto", "ranks", "rfm", "cohorts", "products"].map((id) => html.indexOf(`data-figure="${id}"`));
    expect(Math.min(...others)).toBeGreaterThan(Math.max(f2, funnel));
    expect(f2).toBeGreaterThan(-1);
  });

  it("shows F2 per horizon with its denominator, and — for a horizon nobody has reached", () => {
    const f2 = text(figure(html, "f2"));
    expect(f2).toContain("F2転換率（初回 → 2回目購入）");
    expect(f2).toContain("期間内の初回購入者：50人");
    expect(f2).toMatch(/30日以内 15\.9% 44人中7人/);
    expect(f2).toMatch(/60日以内 23\.7% 38人中9人/);
    expect(f2).toMatch(/90日以内 37\.9% 29人中11人/);
    expect(f2).toMatch(/180日以内 — 初回購入から180日たったお客様はまだいません/);
    expect(f2).toMatch(/これまで 26\.0% 50人中13人/);
  });

  it("shows the funnel with conversion and drop-off per step", () => {
    const funnel = text(figure(html, "funnel"));
    expect(funnel).toMatch(/1回目 40 — — 21/);
    expect(funnel).toMatch(/2回目 19 47\.5% 21 8/);
    expect(funnel).toMatch(/3回目 11 57\.9% 8 5/);
    expect(funnel).toMatch(/5回目以上 4 66\.7% 2 4/);
  });

  it("shows the period's figures, money as 円", () => {
    const summary = text(figure(html, "summary"));
    expect(summary).toMatch(/顧客数 23 うち初回購入 17人/);
    expect(summary).toMatch(/注文数 31 ゲスト注文 2件 · JPY以外の通貨 1件（売上に含めず）/);
    expect(summary).toMatch(/売上 456,789円/);
    expect(summary).toMatch(/リピート率 39\.1% 23人中9人/);
    expect(summary).toMatch(/平均購入間隔 27\.5日 12回の購入間隔の平均/);
    expect(summary).toMatch(/平均LTV 30,850円/);
  });

  it("shows the 20/80 check", () => {
    const pareto = text(figure(html, "pareto"));
    expect(pareto).toContain("上位20%（8人）のお客様が売上の62.0%を占めています");
    expect(pareto).toContain("40人の累計購入額 1,234,000円 のうち 765,080円。");
  });

  it("shows ranks by the merchant's labels, and the moves in the period", () => {
    const ranks = text(figure(html, "ranks"));
    expect(ranks).toMatch(/ランクなし 1 初回 21 2回目 9 常連 6 VIP 3/);
    expect(ranks).toMatch(/ランクアップ 14/);
    expect(ranks).toMatch(/ランクダウン 4/);
    expect(ranks).not.toContain("その他 0");
    expect(ranks).toMatch(/VIP 常連 ダウン 4/);
  });

  it("shows RFM segments with counts, spend and when they were computed (shop time)", () => {
    const rfm = text(figure(html, "rfm"));
    expect(rfm).toContain("バックグラウンドで集計：2026/03/16 03:05（Asia/Tokyo）時点");
    expect(rfm).toContain("前回の集計後に初めて購入したお客様 2人は、まだどのグループにも入っていません。");
    expect(rfm).not.toContain("1日以上前");
    expect(rfm).toMatch(/最優良顧客 ごく最近、何度も購入 3 110,000円/);
    expect(rfm).toMatch(/離反顧客 購入回数が少なく、長く購入なし 3 11,000円/);
  });

  it("shades the cohort table by retention and leaves an empty month unshaded", () => {
    const cohorts = figure(html, "cohorts");
    expect(text(cohorts)).toMatch(/2025年4月 10 40\.0% 30\.0% 20\.0% 10\.0% 0\.0%/);
    expect(text(cohorts)).toMatch(/2025年8月 0 — — —/);
    expect(cohorts).toContain("rgba(4, 123, 93, 0.340)"); // 40 % × 0.85
    expect(cohorts).toContain('title="10人中4人"');
    expect(cohorts).toContain('<th scope="row"');
  });

  it("lists products by repeat rate with the text escaped", () => {
    const products = figure(html, "products");
    expect(text(products)).toMatch(/煎茶 100g 25 15 60\.0%/);
    expect(products).toContain("Hojicha &lt;b&gt;roasted&lt;/b&gt;");
  });

  it("explains every figure", () => {
    for (const id of ["f2", "funnel", "summary", "pareto", "ranks", "rfm", "cohorts", "products"]) {
      expect(figure(html, id)).toContain("Polaris-Text--subdued");
    }
    expect(all).toContain("期間内に1回以上注文したお客様");
  });

  it("renders no chart on the server: a skeleton hidden from screen readers, the numbers as tables", () => {
    expect(html).not.toContain("<svg role");
    const frames = [...html.matchAll(/<div aria-hidden="true" data-chart=""[^>]*>([\s\S]*?)<\/div><\/div>/g)];
    expect(frames.length).toBe(4); // funnel, pareto, ranks, rfm
    for (const frame of frames) expect(frame[0]).toContain("Polaris-SkeletonBodyText");
    // The Pareto curve's numbers for screen readers: every tenth percent.
    expect(text(figure(html, "pareto"))).toMatch(/20% 8 765,080円 62\.0%/);
  });

  it("shows the period in the shop's time zone", () => {
    expect(all).toContain("2026/02/15〜2026/03/16（ストアのタイムゾーン Asia/Tokyo の日付）");
  });
});

describe("the dashboard in English", () => {
  let html = "";
  beforeAll(async () => {
    html = await render("en");
  });

  it("writes yen with the ¥ sign and English labels", () => {
    const summary = text(figure(html, "summary"));
    expect(summary).toMatch(/Revenue ¥456,789/);
    expect(summary).toMatch(/Repeat rate 39\.1% 9 of 23 customers/);
    expect(summary).toMatch(/Average days between orders 27\.5 days/);
    expect(text(figure(html, "f2"))).toMatch(/Within 30 days 15\.9% 7 of 44 customers/);
    expect(text(figure(html, "funnel"))).toMatch(/Order 2 19 47\.5% 21 8/);
    expect(text(figure(html, "rfm"))).toContain("Computed in the background; as of 2026-03-16 03:05 (Asia/Tokyo).");
  });
});

describe("states", () => {
  it("an empty shop gets the import invitation and no figures", async () => {
    const html = await render("ja", { empty: true });
    expect(text(html)).toContain("注文が入ると、ここに数値が表示されます");
    expect(html).toContain('href="/app/backfill"');
    expect(text(html)).toContain("過去の注文を取り込む");
    expect(html).not.toContain("data-figure=");
  });

  it("says when a period has no orders while showing the all-time figures", async () => {
    const data = dashboardFixture();
    const html = await render("en", { data: { ...data, summary: { ...data.summary, orders: 0, customers: 0 } } });
    expect(text(html)).toContain("No orders in this period.");
    expect(html).toContain('data-figure="pareto"');
  });

  it("warns when the RFM scores are stale or were never computed", async () => {
    const data = dashboardFixture();
    const stale = text(await render("en", { data: { ...data, rfm: { ...data.rfm, stale: true } } }));
    expect(stale).toContain("These scores are more than a day old; fresh ones are being computed in the background.");
    const never = text(await render("ja", { data: { ...data, rfm: { ...data.rfm, asOf: null, stale: true, scored: 0 } } }));
    expect(never).toContain("まだ集計されていません。");
    expect(never).toContain("まだ評価されたお客様はいません。");
  });

  it("says that background figures are not computed yet instead of showing empty ones", async () => {
    const data = dashboardFixture();
    const html = await render("en", {
      data: { ...data, cohorts: { asOf: null, rows: [] }, products: { asOf: null, minBuyers: 10, items: [] } },
    });
    expect(figure(html, "cohorts")).toContain("Not computed yet");
    expect(figure(html, "cohorts")).not.toContain("<table");
    expect(text(figure(html, "products"))).toContain("Not computed yet");
    expect(text(figure(html, "products"))).not.toContain("No product has");
    // Computed, and no product has enough buyers: that is said.
    const computed = await render("en", { data: { ...data, products: { asOf: "2026-03-15T18:05:00.000Z", minBuyers: 10, items: [] } } });
    expect(text(figure(computed, "products"))).toContain("No product has 10 buyers yet.");
  });

  it("names the period problem and the fallback", async () => {
    const html = await render("en", { problem: { code: "unknownPeriod", value: "7d" } });
    expect(text(html)).toContain("The period in the link could not be used");
    expect(text(html)).toContain('"7d" is not a period this page knows (use 30d, 90d, 12m, ytd or custom). Showing the last 12 months instead.');
    expect(describeProblem({ code: "fromAfterTo", from: "2026-03-01", to: "2026-01-01" }, "ja")).toBe(
      "開始日 2026-03-01 が終了日 2026-01-01 より後になっています。代わりに過去12か月を表示しています。",
    );
  });
});

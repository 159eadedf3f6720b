/**
 * The Import history page renders on the server for every state a run can be in (the e2e run
 * screenshots it in Chromium): Remix's hooks are stood in for by the loader data under test.
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { describe, expect, it, vi } from "vitest";
import type { BackfillPage } from "~/services/backfill-page.server";

const state = vi.hoisted(() => ({ data: null as unknown }));
vi.mock("@remix-run/react", () => ({
  useLoaderData: () => state.data,
  useFetcher: () => ({ state: "idle", data: undefined, submit: () => undefined }),
  useRevalidator: () => ({ revalidate: () => undefined, state: "idle" }),
}));
vi.mock("@shopify/app-bridge-react", () => ({ TitleBar: () => null }));
// The loader's and action's server side is not rendered.
vi.mock("~/shopify.server", () => ({ authenticate: {} }));
vi.mock("~/context.server", () => ({ appContext: () => undefined }));
vi.mock("~/services/backfill-page.server", () => ({}));

const { default: Backfill } = await import("~/routes/app.backfill");

type Run = BackfillPage["runs"][number];
const run = (patch: Partial<Run>): Run => ({
  id: 3,
  status: "importing",
  downloading: true,
  objectCount: 30000,
  linesDone: 12000,
  ordersImported: 4000,
  customersImported: 2500,
  badLines: 0,
  badLineSamples: [],
  error: null,
  allOrdersScope: true,
  createdAt: "2026-11-24T01:00:00.000Z",
  startedAt: "2026-11-24T01:00:01.000Z",
  finishedAt: null,
  startedLabel: "2026-11-24 10:00",
  finishedLabel: "",
  ...patch,
});

function render(locale: "en" | "ja", scope: BackfillPage["scope"], runs: Run[]): string {
  state.data = { locale, scope, runs };
  return renderToString(createElement(AppProvider, { i18n: en }, createElement(Backfill)));
}

describe("Import history page", () => {
  it("shows the progress of a running import and disables the button", () => {
    const html = render("en", { granted: true, source: "session" }, [run({})]);
    expect(html).toContain("Importing orders: 12,000 of 30,000 lines.");
    expect(html).toContain("2,500 customers · 4,000 orders imported · 0 unreadable lines skipped");
    expect(html).toContain('<progress class="Polaris-ProgressBar__Progress" value="62" max="100">'); // 40 + 55 × 0.4
    expect(html).toContain("read_all_orders is granted");
    expect(html).toMatch(/<button[^>]*disabled[^>]*>.*Start import/s);
  });

  it("explains the 60-day limit, a failure with its detail, bad lines, and offers Retry (ja)", () => {
    const failed = run({
      status: "failed",
      downloading: false,
      error: "accessDenied: Shopify refused the orders export (ACCESS_DENIED)",
      badLines: 1,
      badLineSamples: ["orders line 2: invalid JSON"],
      allOrdersScope: false,
      finishedLabel: "2026-11-24 10:05",
    });
    const html = render("ja", { granted: false, source: "shopify" }, [failed, run({ id: 2, status: "done" })]);
    expect(html).toContain("直近60日間の注文しかインポートできません");
    expect(html).toContain("パートナーダッシュボード");
    expect(html).toContain("Shopifyが書き出しを拒否しました");
    expect(html).toContain("詳細：Shopify refused the orders export (ACCESS_DENIED)");
    expect(html).toContain("orders line 2: invalid JSON");
    expect(html).toContain("再試行");
    expect(html).toContain("この実行では直近60日間の注文しか読み取れませんでした。");
    expect(html).toContain("最近のインポート");
  });

  it("renders a shop that never imported, and an unknown scope", () => {
    const html = render("en", { granted: null, source: "unknown" }, []);
    expect(html).toContain("No import has run yet.");
    expect(html).toContain("could not check whether read_all_orders is granted");
  });
});

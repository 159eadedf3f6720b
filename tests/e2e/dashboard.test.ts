/**
 * The dashboard (/app) in Chromium: every figure block renders with its help text, the period
 * chooser changes the figures through the URL, and over a range that covers the whole history
 * the period's customers, orders and revenue are exactly what the seeded shop holds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startE2E, type E2E } from "./harness";
import { expectNoRawKeys, expectPagesClean, pageOpener } from "./pages";
import { seedShop } from "./seed";

let e2e: E2E;
const { open, closeAll } = pageOpener(() => e2e);

beforeAll(async () => {
  e2e = await startE2E({ seed: async (e) => void (await seedShop(e)) });
});
afterAll(async () => {
  await e2e?.stop();
});
afterEach(async () => {
  await expectPagesClean(e2e, await closeAll(), {
    // Reported: on each load the order-count funnel chart (polaris-viz) is first drawn with negative
    // SVG heights (viewBox "0 0 918 -236", rect height -265), which Chromium logs; it then draws right.
    consoleErrors: [/Error: <(rect|svg)> attribute (height|viewBox): A negative value is not valid/],
  });
});

/** A figure's value as shown (the StatTile's number). */
const stat = (page: Page, id: string) => page.locator(`[data-stat="${id}"]`).innerText();

/** Today in the shop's time zone (Asia/Tokyo), as the date fields take it. */
const todayInTokyo = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());

// Counted orders: not cancelled, not fully refunded (app/domain/customer-stats.ts isCountedOrder).
const COUNTED = `"cancelledAt" IS NULL AND NOT ("totalPrice" > 0 AND "currentTotal" <= 0)`;

describe("Dashboard", () => {
  it("shows every figure with its explanation, and follows the period the merchant picks (ja)", async () => {
    const { page } = await open("/app", "ja");
    for (const title of ["期間のまとめ", "F2転換率（初回 → 2回目購入）", "購入回数ファネル", "パレート分析：売上を支えるお客様"]) {
      await page.getByRole("heading", { name: title }).waitFor();
    }
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "dashboard-ja");

    // Another preset: the URL and the dates shown follow.
    const showing = () => page.getByText(/（ストアのタイムゾーン Asia\/Tokyo の日付）$/).innerText();
    const before = await showing();
    const periodSelect = page.getByLabel("期間", { exact: true });
    await periodSelect.selectOption("30d");
    await page.waitForURL(/[?&]period=30d(&|$)/);
    await page.waitForFunction((text) => !document.body.innerText.includes(text), before);
    expect(await showing()).not.toBe(before);

    // A range over the whole history: the period's figures are the shop's totals.
    await periodSelect.selectOption("custom");
    await page.getByLabel("開始日").fill("2020-01-01");
    await page.getByLabel("終了日（この日を含む）").fill(todayInTokyo());
    await page.getByRole("button", { name: "表示", exact: true }).click();
    await page.waitForURL(/[?&]period=custom&from=2020-01-01&to=\d{4}-\d{2}-\d{2}/);

    const orders = e2e.count(`SELECT count(*) FROM "Order" WHERE ${COUNTED}`);
    const customers = e2e.count(`SELECT count(DISTINCT "customerId") FROM "Order" WHERE ${COUNTED} AND "customerId" IS NOT NULL`);
    const revenue = e2e.count(`SELECT sum("currentTotal") FROM "Order" WHERE ${COUNTED}`);
    await page.waitForFunction((n) => document.querySelector('[data-stat="orders"]')?.textContent === n, orders.toLocaleString("en-US"));
    expect(await stat(page, "customers")).toBe(customers.toLocaleString("en-US"));
    expect(await stat(page, "revenue")).toBe(`${revenue.toLocaleString("en-US")}円`);
    await e2e.screenshot(page, "dashboard-custom-ja");

    // The period lives in the URL: a reload shows the same figures.
    const search = Object.fromEntries(new URL(page.url()).searchParams);
    const { page: again } = await open("/app", "ja", { period: search.period!, from: search.from!, to: search.to! });
    expect(await stat(again, "orders")).toBe(orders.toLocaleString("en-US"));
  });

  it("renders in English", async () => {
    const { page } = await open("/app", "en", { period: "12m" });
    await page.getByRole("heading", { name: "Order-count funnel" }).waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "dashboard-en");
  });
});

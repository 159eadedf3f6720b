/**
 * The customer workspace in Chromium: the list (search by name, tag and note text; filters;
 * opening a customer by a client-side navigation) and the customer page (figures, timeline, a
 * note added and found again), ja and en.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startE2E, type E2E } from "./harness";
import { expectNoRawKeys, expectPagesClean, pageOpener, textOf } from "./pages";
import { CHIHIRO, EMILY, seedShop } from "./seed";

let e2e: E2E;
const { open, closeAll } = pageOpener(() => e2e);
const chihiroPath = `/app/customers/${CHIHIRO.id}`;

beforeAll(async () => {
  e2e = await startE2E({ seed: async (e) => void (await seedShop(e)) });
});
afterAll(async () => {
  await e2e?.stop();
});
afterEach(async () => {
  await expectPagesClean(e2e, await closeAll());
});

/** The customers the table shows, by their first cell's first line (the name). */
async function listedNames(page: Page): Promise<string[]> {
  const rows = await page.locator("tbody tr").all();
  return Promise.all(rows.map(async (row) => (await row.locator("td").first().innerText()).split("\n")[0]!.trim()));
}

/** Waits for the list to show its count (the heading above the table, e.g. "3人" / "3 customers"). */
async function waitForCount(page: Page, text: string | RegExp) {
  await page.getByRole("heading", { name: text, exact: typeof text === "string" }).waitFor();
}

describe("Customers list", () => {
  it("lists every customer, finds one by name, tag and filters, and opens her page (ja)", async () => {
    const total = e2e.count(`SELECT count(*) FROM "Customer"`);
    const { page } = await open("/app/customers", "ja");
    await waitForCount(page, `${total}人`);
    expect(await page.locator("tbody tr").count()).toBeGreaterThan(0);
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "customers-ja");

    // The full name as one word, as a Japanese merchant types it.
    const search = page.getByLabel("検索", { exact: true });
    await search.fill("森千尋");
    await search.press("Enter");
    await waitForCount(page, "1人");
    expect(await listedNames(page)).toEqual(["森 千尋"]);
    expect(new URL(page.url()).searchParams.get("q")).toBe("森千尋");

    // A tag finds her too. The count reads "1人" before this search as well: wait for its
    // navigation to land first, or the filters below are set on a page about to re-render.
    await search.fill("静岡茶ファン");
    await search.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("q") === "静岡茶ファン");
    await waitForCount(page, "1人");
    expect(await listedNames(page)).toEqual(["森 千尋"]);

    // Filters: at least 4 orders, in Tokyo.
    await search.fill("");
    await page.getByLabel("注文回数（以上）").fill("4");
    await page.getByLabel("国", { exact: true }).selectOption("JP");
    await page.getByLabel("都道府県・地域").selectOption("JP-13");
    await page.getByRole("button", { name: "絞り込む" }).click();
    await page.waitForURL((url) => [...url.searchParams.values()].includes("JP-13"));
    const expected = e2e.count(`SELECT count(*) FROM "Customer" WHERE "orderCount" >= 4 AND "provinceCode" = 'JP-13'`);
    await waitForCount(page, `${expected}人`);
    expect(await listedNames(page)).toContain("森 千尋");
    await e2e.screenshot(page, "customers-filtered-ja");

    // Opening her page is a client-side navigation: its data comes with App Bridge's session token.
    await page.getByRole("link", { name: "森 千尋" }).click();
    await page.waitForURL(new RegExp(`/app/customers/${CHIHIRO.id}(\\?|$)`));
    await page.getByText("タイムライン").waitFor();
    expect(await textOf(page)).toContain("森 千尋");
  });

  it("renders in English, names given name first", async () => {
    const { page } = await open("/app/customers", "en", { q: "emily.clark@example.com" });
    await waitForCount(page, /^1 customers?$/); // "1 customers" today (reported)
    expect(await listedNames(page)).toEqual([`${EMILY.firstName} ${EMILY.lastName}`]);
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "customers-en");
  });
});

describe("Customer page", () => {
  it("shows the figures and the timeline, and keeps a note the merchant adds (ja)", async () => {
    const { page } = await open(chihiroPath, "ja");
    await page.getByText("タイムライン").waitFor();
    const body = await textOf(page);
    for (const n of [9001, 9002, 9003, 9004]) expect(body).toContain(`注文 #${n}`);
    expect(body).toMatch(/ランク .+ → 常連/);
    await expectNoRawKeys(page);

    const note = "抹茶の定期便を月2回に増やしたいとのこと。";
    await page.getByLabel("分類").selectOption({ label: "要望" });
    await page.getByLabel("メモ", { exact: true }).fill(note);
    await page.getByRole("button", { name: "メモを追加" }).click();
    await page.getByText("メモを保存しました。").waitFor();
    await page.getByText(note).waitFor();
    await e2e.screenshot(page, "customer-ja");

    const { page: again } = await open(chihiroPath, "ja");
    await again.getByText(note).waitFor();
    expect(await textOf(again)).toContain("メモ・要望");

    // The note's words and its category find her in the list.
    const { page: list } = await open("/app/customers", "ja", { q: "月2回" });
    await waitForCount(list, "1人");
    expect(await listedNames(list)).toEqual(["森 千尋"]);
  });

  it("renders in English", async () => {
    const { page } = await open(chihiroPath, "en");
    await page.getByText("Timeline").waitFor();
    expect(await textOf(page)).toContain("Order #9004");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "customer-en");
  });
});

/**
 * The settings pages in Chromium, built app, seeded shop: Ranks (change a tier, save, the
 * recompute runs, the value is there after a reload), Messages (the live preview follows the
 * typing), Rewards (issued rewards listed, status tabs, a changed reward saved).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startE2E, type E2E } from "./harness";
import { seedShop } from "./seed";
import { expectNoRawKeys, expectPagesClean, pageOpener, textOf } from "./pages";

let e2e: E2E;
const { open, closeAll } = pageOpener(() => e2e);

beforeAll(async () => {
  e2e = await startE2E({ seed: async (e) => void (await seedShop(e)) });
});
afterAll(async () => {
  await e2e?.stop();
});
afterEach(async () => {
  await expectPagesClean(e2e, await closeAll());
});

describe("Ranks", () => {
  it("changes a tier, saves it, recomputes every customer, and shows the saved value after a reload (ja)", async () => {
    const { page } = await open("/app/ranks", "ja");
    await page.getByText("ランク一覧").first().waitFor();
    await expectNoRawKeys(page);
    expect(await page.getByLabel("名前（日本語）").nth(2).inputValue()).toBe("常連");
    expect(await textOf(page)).toContain("まだ再計算していません。ランクを保存すると、42人のお客様全員を再計算します。");
    await e2e.screenshot(page, "ranks-ja");

    const minOrders = page.getByLabel("購入回数（通算）").nth(2);
    expect(await minOrders.inputValue()).toBe("3");
    await minOrders.fill("4");
    // App Bridge's save bar opens for the unsaved change; its Save button submits.
    await page.locator("ui-save-bar[data-open]").waitFor();
    await page.locator("ui-save-bar button[variant=primary]").click();
    await page.getByText("ランクを保存しました。全顧客のランクを再計算しています…").waitFor();
    // The progress card polls until the background recompute is done.
    await page.getByText("完了", { exact: true }).waitFor({ timeout: 30_000 });
    expect(await textOf(page)).toMatch(/42人中42人完了・ランク変動\d+件/);
    await e2e.screenshot(page, "ranks-saved-ja");

    const { page: again } = await open("/app/ranks", "ja");
    expect(await again.getByLabel("購入回数（通算）").nth(2).inputValue()).toBe("4");
    expect(await again.locator("ui-save-bar[data-open]").count()).toBe(0);
  });

  // After a save the editor shows the reloaded data (a reset from the action's answer alone took
  // the values from before the save: app/components/use-after-save.ts).
  it("after a save the editor shows the saved value and the save bar closes", async () => {
    const { page } = await open("/app/ranks", "ja");
    await page.getByLabel("購入回数（通算）").nth(3).fill("12");
    await page.getByRole("button", { name: "保存", exact: true }).first().click();
    await page.getByText("ランクを保存しました。全顧客のランクを再計算しています…").waitFor();
    await page.getByText("完了", { exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.getByLabel("購入回数（通算）").nth(3).inputValue()).toBe("12");
    expect(await page.locator("ui-save-bar[data-open]").count()).toBe(0);
  });

  it("renders in English", async () => {
    const { page } = await open("/app/ranks", "en");
    await page.getByText("Rank ladder").waitFor();
    expect(await page.getByLabel("Name (English)").first().inputValue()).toBe("First purchase");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "ranks-en");
  });
});

describe("Messages", () => {
  const text = "{{#first_name}}{{first_name}}様、{{/first_name}}e2e確認：{{rank}}のお客様へ。";

  it("previews the thank-you text as it is typed, with and without a first name, and saves it (ja)", async () => {
    const { page } = await open("/app/messages", "ja");
    await page.getByText("メッセージの書き方").waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "messages-ja");

    // The first tier's card: its Japanese text and, below it, the shopper's view.
    const japanese = page.getByLabel("日本語", { exact: true }).first();
    await japanese.fill(text);
    await page.getByText("花子様、e2e確認：初回のお客様へ。").waitFor();
    await page.getByLabel(/お名前ありでプレビュー/).uncheck();
    await page.getByText("e2e確認：初回のお客様へ。", { exact: true }).waitFor();
    expect(await page.getByText("花子様、e2e確認").count()).toBe(0);
    await e2e.screenshot(page, "messages-preview-ja");

    await page.locator("ui-save-bar button[variant=primary]").click();
    await page.getByText("メッセージを保存しました").waitFor();
    const { page: again } = await open("/app/messages", "ja");
    expect(await again.getByLabel("日本語", { exact: true }).first().inputValue()).toBe(text);
  });

  it("after a save the editor shows the saved text and the save bar closes", async () => {
    const { page } = await open("/app/messages", "ja");
    const japanese = page.getByLabel("日本語", { exact: true }).nth(1);
    await japanese.fill("2回目のご購入ありがとうございます。");
    await page.locator("ui-save-bar button[variant=primary]").click();
    await page.getByText("メッセージを保存しました").waitFor();
    expect(await japanese.inputValue()).toBe("2回目のご購入ありがとうございます。");
    expect(await page.locator("ui-save-bar[data-open]").count()).toBe(0);
  });

  it("renders in English with an English preview", async () => {
    const { page } = await open("/app/messages", "en");
    await page.getByText("How messages work").waitFor();
    const english = page.getByLabel("English", { exact: true }).first();
    await english.fill("{{#first_name}}Dear {{first_name}}, {{/first_name}}welcome as a {{rank}} customer.");
    await page.getByText("Dear Alex, welcome as a First purchase customer.").waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "messages-en");
  });
});

describe("Rewards", () => {
  it("lists the rewards the seeded orders earned, filters them by status, and saves a changed reward (ja)", async () => {
    const grants = e2e.count(`SELECT count(*) FROM "RewardGrant" WHERE status = 'issued'`);
    const all = e2e.count(`SELECT count(*) FROM "RewardGrant"`);
    expect(grants).toBeGreaterThan(0); // the seeded shop has customers past their 5th order

    const { page } = await open("/app/rewards", "ja");
    await page.getByText("贈った特典").waitFor();
    await expectNoRawKeys(page);
    const body = await textOf(page);
    expect(body).toContain("発行済み");
    // Issued count, then every grant listed (all statuses) (one page holds them all).
    expect(body).toMatch(new RegExp(`発行済み\\s*${grants}\\b`));
    expect(await page.locator("tbody tr").count()).toBe(Math.min(all, 25));
    await e2e.screenshot(page, "rewards-ja");

    await page.getByRole("tab", { name: /利用済み/ }).click();
    await page.getByText("該当する特典はまだありません。").waitFor();
    expect(new URL(page.url()).searchParams.get("status")).toBe("redeemed");

    const percent = page.getByLabel("割引率", { exact: true }).first();
    expect(await percent.inputValue()).toBe("10");
    await percent.fill("15");
    await page.getByRole("button", { name: "保存", exact: true }).first().click();
    await page.getByText("記念特典を保存しました").waitFor();
    const { page: again } = await open("/app/rewards", "ja");
    expect(await again.getByLabel("割引率", { exact: true }).first().inputValue()).toBe("15");
  });

  it("after a save the editor shows the saved reward and the save bar closes", async () => {
    const { page } = await open("/app/rewards", "ja");
    const days = page.getByLabel("有効期間", { exact: true }).first();
    await days.fill("90");
    await page.locator("ui-save-bar button[variant=primary]").click();
    await page.getByText("記念特典を保存しました").waitFor();
    expect(await days.inputValue()).toBe("90");
    expect(await page.locator("ui-save-bar[data-open]").count()).toBe(0);
  });

  it("renders in English", async () => {
    const { page } = await open("/app/rewards", "en");
    await page.getByText("Rewards given").waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "rewards-en");
  });
});

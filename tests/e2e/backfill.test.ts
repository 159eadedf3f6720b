/**
 * The order history import (/app/backfill) in Chromium: the merchant starts it, Shopify's two
 * bulk exports (customers, then orders) run and finish — driven here through the fake Admin API
 * in the server, with the bulk_operations/finish webhook Shopify sends — and the page follows the
 * progress until the import is done, with the counts of what Shopify exported.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startE2E, type E2E } from "./harness";
import { expectNoRawKeys, expectPagesClean, pageOpener, textOf } from "./pages";
import { seedShop, seedShopifyOnlyHistory } from "./seed";

let e2e: E2E;
let shopify: { orders: number; customers: number };
const { open, closeAll } = pageOpener(() => e2e);

beforeAll(async () => {
  e2e = await startE2E({
    seed: async (e) => {
      const live = await seedShop(e);
      const onlyInShopify = await seedShopifyOnlyHistory(e);
      shopify = { orders: live.orders + onlyInShopify.orders, customers: onlyInShopify.customers };
    },
  });
});
afterAll(async () => {
  await e2e?.stop();
});
afterEach(async () => {
  await expectPagesClean(e2e, await closeAll());
});

/** Waits until the app has started a new bulk export (the fake lists it as CREATED). */
async function nextExport(kind: "customers" | "orders"): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { bulkOperations } = await e2e.fakeState();
    const created = bulkOperations.find((op) => op.status === "CREATED" && new RegExp(`^\\s*\\{\\s*${kind}\\b`).test(op.query));
    if (created) return created.id;
    if (Date.now() > deadline) throw new Error(`the app started no ${kind} export; operations: ${JSON.stringify(bulkOperations)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Shopify finishes the export and tells the app with the bulk_operations/finish webhook. */
async function finishExport(id: string): Promise<void> {
  const webhook = await e2e.fake("/bulk/finish", { id });
  expect(await e2e.webhook("bulk_operations/finish", webhook)).toBe(200);
}

describe("Order history import", () => {
  it("starts, shows Shopify's export progress, imports customers and orders, and ends done (ja)", async () => {
    const { page } = await open("/app/backfill", "ja");
    await page.getByText("過去の注文をすべて取り込みます").waitFor();
    const before = await textOf(page);
    expect(before).toContain("注文履歴のすべてを読み取れます（read_all_orders が許可されています）。");
    expect(before).toContain("まだインポートしていません。");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "backfill-ja");

    await page.getByRole("button", { name: "インポートを開始" }).click();
    await page.getByText("インポートを開始しました。バックグラウンドで進みます。").waitFor();

    // Shopify reports progress on the customers export; the page polls it.
    const customersExport = await nextExport("customers");
    await e2e.fake("/bulk/run", { id: customersExport, objectCount: 2 });
    await page.getByText("Shopifyが顧客を書き出しています…（これまでに2件）").waitFor({ timeout: 30_000 });
    expect(await page.getByRole("button", { name: "インポートを開始" }).isDisabled()).toBe(true);
    await e2e.screenshot(page, "backfill-progress-ja");
    await finishExport(customersExport);

    const ordersExport = await nextExport("orders");
    await e2e.fake("/bulk/run", { id: ordersExport, objectCount: 120 });
    await page.getByText("Shopifyが注文を書き出しています…（注文と商品明細でこれまでに120件）").waitFor({ timeout: 30_000 });
    await finishExport(ordersExport);

    await page.getByText(/に完了しました。/).waitFor({ timeout: 60_000 });
    const done = await textOf(page);
    expect(done).toContain(`顧客${shopify.customers}件・注文${shopify.orders}件を取り込み・読めない行0件をスキップ`);
    expect(await page.getByRole("button", { name: "インポートを開始" }).isEnabled()).toBe(true);
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "backfill-done-ja");

    // The customer only Shopify knew is now in Tokui with her three orders.
    expect(e2e.count(`SELECT count(*) FROM "Order" o JOIN "Customer" c ON c.id = o."customerId" WHERE c.email = 'mizuki.ogawa@example.jp'`)).toBe(3);
  });

  it("shows the finished run in English", async () => {
    const { page } = await open("/app/backfill", "en");
    await page.getByText("Recent imports").waitFor();
    expect(await textOf(page)).toContain(`${shopify.customers} customers · ${shopify.orders} orders imported · 0 unreadable lines skipped`);
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "backfill-en");
  });
});

/**
 * The historical backfill, end to end: the Import history page (session token → token exchange →
 * loader/action), the "backfill" job chain drained from the durable queue, Shopify's bulk
 * operations faked at the HTTP boundary (every document and bulk query validated against the
 * 2026-04 schema; the JSONL made by executing the bulk query over the fake shop and flattening it
 * as Shopify does, served from a fake storage host with Range support), and the signed
 * bulk_operations/finish webhook through the real route. Runs on SQLite and PostgreSQL.
 */
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { action as backfillAction, loader as backfillLoader, type BackfillActionData } from "~/routes/app.backfill";
import { action as finishWebhook } from "~/routes/webhooks.bulk_operations.finish";
import { action as ordersUpdatedWebhook } from "~/routes/webhooks.orders.updated";
import { runBackfillJob, type BackfillDeps } from "~/services/backfill.server";
import { resumeBackfillRuns } from "~/services/backfill-run.server";
import type { BackfillPage } from "~/services/backfill-page.server";
import { CUSTOMERS_BULK_QUERY } from "~/shopify/bulk-operations";
import { ORDERS_BULK_QUERY } from "~/shopify/bulk-import";
import { adminJsonPost, adminPageRequest, tokenExchange } from "../helpers/admin-request";
import { app } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { webhookRequest } from "../helpers/shopify";
import { adminApiMock, type FakeOrder } from "../mocks/admin-api";
import type { FakeBulkCustomer } from "../mocks/admin-bulk";

const SHOP = "backfill-test.myshopify.com";
const ACCESS_TOKEN = "shpat_backfill000000000000000000000";
const WITHOUT_ALL_ORDERS = "read_orders,write_orders,read_customers,write_customers,write_discounts";
const shopify = adminApiMock();
const exchange = tokenExchange(() => ACCESS_TOKEN);
const limitedExchange = tokenExchange(() => ACCESS_TOKEN, WITHOUT_ALL_ORDERS);
const server = setupServer(...shopify.handlers);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of [
    "rewardGrant", "rankChange", "orderLine", "refund", "order", "customer", "rankTier", "backfillRun", "webhookEvent", "shop", "job", "session",
  ] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
  exchange.reset();
  limitedExchange.reset();
  server.resetHandlers(...shopify.handlers, exchange.handler);
  shopify.install(SHOP, ACCESS_TOKEN);
  shopify.setShop(SHOP, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
});

afterEach(() => {
  expect(shopify.violations).toEqual([]);
  expect(exchange.refusals).toEqual([]);
});

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
const call = <T,>(handler: (args: Args) => Promise<T>, request: Request) => handler({ request, params: {}, context: {} });

type Page = BackfillPage & { locale: string };

async function page(locale = "en"): Promise<Page> {
  const response = await call(backfillLoader, adminPageRequest("/app/backfill", SHOP, { locale }));
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

async function startImport(intent: "start" | "retry" = "start", locale = "en"): Promise<{ status: number; body: BackfillActionData }> {
  const response = await call(backfillAction, adminJsonPost("/app/backfill", SHOP, { intent }, { locale }));
  return { status: response.status, body: (await response.json()) as BackfillActionData };
}

async function run() {
  const { prisma } = await app();
  return prisma.backfillRun.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { id: "desc" } });
}

/** The job for the run's current step, now: what the queue does when a scheduled poll is due. */
async function stepNow(deps: Partial<BackfillDeps> = {}) {
  const { db, queue } = await app();
  const current = await run();
  await runBackfillJob(db, queue, SHOP, { runId: current.id, step: current.step }, deps);
}

/** The run's current bulk operation in the fake. */
async function currentOperation() {
  const { bulkOperationGid } = await run();
  const op = shopify.bulk.operations(SHOP).find((o) => o.id === bulkOperationGid);
  if (!op) throw new Error(`the run follows no operation (${bulkOperationGid})`);
  return op;
}

/** Shopify finishes the operation and sends the signed bulk_operations/finish webhook. */
async function finishAndNotify(outcome?: Parameters<typeof shopify.bulk.finish>[1]) {
  const op = await currentOperation();
  shopify.bulk.finish(op.id, outcome);
  const response = await call(finishWebhook, webhookRequest({ topic: "bulk_operations/finish", shop: SHOP, body: shopify.bulk.finishWebhook(op.id) }));
  expect(response.status).toBe(200);
  return (await app()).drain();
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function fakeOrder(id: number, customer: number | null, options: { total?: number; daysAgo?: number; lines?: number; cancelled?: boolean; updatedAt?: string } = {}): FakeOrder {
  const total = options.total ?? 3000;
  const at = iso(Date.now() - (options.daysAgo ?? 10) * DAY);
  const lines = options.lines ?? 1;
  const money = (amount: number) => ({ shopMoney: { amount: String(amount), currencyCode: "JPY" } });
  return {
    id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    createdAt: at,
    processedAt: at,
    updatedAt: options.updatedAt ?? at,
    cancelledAt: options.cancelled ? at : null,
    currencyCode: "JPY",
    customer: customer === null ? null : { id: `gid://shopify/Customer/${customer}`, firstName: null, lastName: null, defaultEmailAddress: null, defaultAddress: null },
    totalPriceSet: money(total),
    currentTotalPriceSet: money(options.cancelled ? 0 : total),
    lineItems: {
      edges: Array.from({ length: lines }, (_, i) => ({
        node: {
          id: `gid://shopify/LineItem/${id * 10 + i}`,
          title: `Tea ${i + 1}`,
          quantity: 1,
          sku: `TEA-${i + 1}`,
          product: { id: `gid://shopify/Product/${100 + i}` },
          variant: { id: `gid://shopify/ProductVariant/${200 + i}` },
          originalUnitPriceSet: money(Math.floor(total / lines)),
        },
      })),
    },
    note: null,
    tags: [],
  };
}

const customer = (id: number, firstName: string, extra: Partial<FakeBulkCustomer> = {}): FakeBulkCustomer => ({
  id: `gid://shopify/Customer/${id}`,
  firstName,
  lastName: "Tanaka",
  defaultEmailAddress: { emailAddress: `${firstName.toLowerCase()}@example.jp` },
  tags: ["newsletter"],
  defaultAddress: { countryCodeV2: "JP", provinceCode: "JP-13" },
  ...extra,
});

/**
 * A small tea shop: A 1 order, B 2, C 3 (one of them a year ago), D 6 (a 5th-order milestone in
 * the past: no reward for history), a guest order, a cancelled order of A, E without orders.
 */
function seedShop() {
  shopify.bulk.seedCustomers(SHOP, [
    customer(1, "Aiko"),
    customer(2, "Ben", { tags: [] }),
    customer(3, "Chie", { defaultAddress: { countryCodeV2: "US", provinceCode: "CA" } }),
    customer(4, "Daichi"),
    customer(5, "Emi", { defaultEmailAddress: null }),
  ]);
  let id = 1000;
  const orders: FakeOrder[] = [
    fakeOrder(id++, 1),
    fakeOrder(id++, 1, { cancelled: true }),
    fakeOrder(id++, 2),
    fakeOrder(id++, 2, { lines: 3 }),
    fakeOrder(id++, 3, { daysAgo: 365 }),
    fakeOrder(id++, 3),
    fakeOrder(id++, 3, { lines: 2 }),
    ...Array.from({ length: 6 }, (_, i) => fakeOrder(id + i, 4, { daysAgo: 100 - i * 10 })),
    fakeOrder(id + 6, null),
  ];
  for (const order of orders) shopify.seedOrder(SHOP, order);
  return { orders: orders.length, lineItems: orders.reduce((n, o) => n + o.lineItems.edges.length, 0) };
}

async function ranks(): Promise<Record<string, string | null>> {
  const { prisma } = await app();
  const rows = await prisma.customer.findMany({ where: { shop: SHOP }, select: { gid: true, rankKey: true }, orderBy: { gid: "asc" } });
  return Object.fromEntries(rows.map((r) => [r.gid.split("/").pop()!, r.rankKey]));
}

/** Page → start → customers export → orders export → import → ranks; returns the run. */
async function runToTheEnd() {
  await page();
  expect((await startImport()).status).toBe(200);
  await (await app()).drain();
  await finishAndNotify(); // customers
  await finishAndNotify(); // orders
  return run();
}

describe("happy path", () => {
  it("imports customers, then every order, then ranks — from the button to the last rank", async () => {
    const seeded = seedShop();
    const first = await page();
    expect(first.scope).toEqual({ granted: true, source: "session" });
    expect(first.runs).toEqual([]);

    const started = await startImport();
    expect(started).toEqual({ status: 200, body: { ok: true, runId: expect.any(Number) } });
    expect((await page()).runs[0]).toMatchObject({ id: started.body.runId, status: "queued", allOrdersScope: true });

    // The worker starts the customers export; its first status poll is scheduled a few seconds on.
    const { drain, prisma } = await app();
    await drain();
    const exporting = await run();
    expect(exporting).toMatchObject({ status: "customers", resultUrl: null, startedAt: expect.any(Date) });
    expect(shopify.bulk.operations(SHOP).map((o) => o.query)).toEqual([CUSTOMERS_BULK_QUERY]);
    expect((await page()).runs[0]).toMatchObject({ status: "customers", downloading: false });

    // Shopify finishes; the finish webhook wakes the run, which imports the customers and starts the orders export.
    await finishAndNotify();
    const afterCustomers = await run();
    expect(afterCustomers).toMatchObject({ status: "orders", customersImported: 5, badLines: 0, linesDone: 0, bulkOperationGid: expect.any(String) });
    expect(shopify.bulk.operations(SHOP).map((o) => o.query)).toEqual([CUSTOMERS_BULK_QUERY, ORDERS_BULK_QUERY]);
    const aiko = await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/1" } } });
    expect(aiko).toMatchObject({ firstName: "Aiko", lastName: "Tanaka", email: "aiko@example.jp", tags: "newsletter", countryCode: "JP", provinceCode: "JP-13", orderCount: 0 });
    const chie = await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/3" } } });
    expect(chie).toMatchObject({ countryCode: "US", provinceCode: "US-CA" });

    await finishAndNotify();
    const done = await run();
    const objects = seeded.orders + seeded.lineItems;
    expect(done).toMatchObject({
      status: "done",
      objectCount: objects,
      linesDone: objects,
      ordersImported: seeded.orders,
      customersImported: 5,
      badLines: 0,
      error: null,
      leaseUntil: null,
      finishedAt: expect.any(Date),
    });
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(seeded.orders);
    expect(await prisma.orderLine.count({ where: { order: { shop: SHOP } } })).toBe(seeded.lineItems);
    expect(await ranks()).toEqual({ "1": "first", "2": "second", "3": "regular", "4": "regular", "5": null });
    const daichi = await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/4" } } });
    expect(daichi).toMatchObject({ orderCount: 6, firstName: "Daichi" });
    // History grants no milestone reward, though Daichi passed his 5th order.
    expect(await prisma.rewardGrant.count()).toBe(0);
    expect(shopify.discounts(SHOP)).toEqual([]);
    // The ranks reached Shopify through the usual rank sync.
    expect(shopify.customer(SHOP, "gid://shopify/Customer/3").tags).toContain("tokui-rank:regular");

    const finished = (await page("ja")).runs[0]!;
    expect(finished).toMatchObject({ status: "done", ordersImported: seeded.orders, objectCount: objects, error: null, badLineSamples: [] });
    expect(finished.finishedLabel).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  it("follows the operation by polling when no webhook comes, showing Shopify's object count", async () => {
    seedShop();
    await page();
    await startImport();
    await (await app()).drain();
    await stepNow(); // CREATED: poll again later
    expect(await run()).toMatchObject({ status: "customers", polls: 1, objectCount: 0 });
    shopify.bulk.run((await currentOperation()).id, 3);
    await stepNow();
    expect((await page()).runs[0]).toMatchObject({ status: "customers", objectCount: 3, downloading: false });
    shopify.bulk.finish((await currentOperation()).id);
    await stepNow(); // COMPLETED → the import is due at once
    await (await app()).drain();
    expect(await run()).toMatchObject({ status: "orders", customersImported: 5, polls: 0 });
    shopify.bulk.finish((await currentOperation()).id);
    await stepNow();
    await (await app()).drain();
    expect(await run()).toMatchObject({ status: "done" });
    expect(shopify.succeeded("BulkOperationStatus").length).toBe(4);
  });

  it("imports a shop without orders (Shopify's export has no file) and without customers", async () => {
    const done = await runToTheEnd();
    expect(done).toMatchObject({ status: "done", objectCount: 0, ordersImported: 0, customersImported: 0, error: null });
    expect(shopify.bulk.operations(SHOP).map((o) => o.url)).toEqual([null, null]);
    expect(shopify.bulk.storage.requests).toEqual([]);
  });

  it("counts and reports malformed lines, and keeps every good one", async () => {
    seedShop();
    await page();
    await startImport();
    await (await app()).drain();
    await finishAndNotify();
    const op = await currentOperation();
    shopify.bulk.finish(op.id);
    const lines = shopify.bulk.file(op.url!)!.split("\n");
    // Line 2 (a line item) becomes invalid JSON; line 5 (Ben's first order) loses its currency.
    lines[1] = "{not json";
    expect(lines[4]).toContain('"id":"gid://shopify/Order/1002"');
    lines[4] = lines[4]!.replace(/"currencyCode":"JPY",/, "");
    shopify.bulk.setFile(op.url!, lines.join("\n"));
    const response = await call(finishWebhook, webhookRequest({ topic: "bulk_operations/finish", shop: SHOP, body: shopify.bulk.finishWebhook(op.id) }));
    expect(response.status).toBe(200);
    await (await app()).drain();

    const done = await run();
    expect(done.status).toBe("done");
    // Order 1000 loses the line item on line 2; order 1002 (line 5) and its line item (an orphan) are skipped.
    expect(done.badLines).toBe(3);
    expect((await page()).runs[0]!.badLineSamples).toEqual([
      "orders line 2: invalid JSON",
      "orders line 5: order gid://shopify/Order/1002: currencyCode: required",
      "orders line 6: orphan line item (parent gid://shopify/Order/1002): its order on line 5 was rejected",
    ]);
    const { prisma } = await app();
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(14 - 1);
    expect(await prisma.orderLine.count({ where: { order: { gid: "gid://shopify/Order/1000" } } })).toBe(0);
    expect((await ranks())["2"]).toBe("first");
  });
});

describe("resume after a crash", () => {
  // The process dies mid-import after some batches committed. Simulated by the download breaking
  // off: the step treats an unexpected failure exactly like a crash and cleans nothing up, so
  // the database is left as a killed process leaves it — lease held, progress at the last batch.
  it.each([
    ["HTTP Range from the byte offset", false, 206],
    ["skipping the imported lines when the host ignores Range", true, 200],
  ])("continues where it stopped, by %s", async (_how, ignoreRange, resumedStatus) => {
    const seeded = seedShop();
    for (let i = 0; i < 20; i++) shopify.seedOrder(SHOP, fakeOrder(2000 + i, 2 + (i % 3), { daysAgo: 200 + i }));
    const total = seeded.orders + 20;
    await page();
    await startImport();
    const { drain, prisma, queue } = await app();
    await drain();
    await finishAndNotify();
    const op = await currentOperation();
    shopify.bulk.finish(op.id);
    await stepNow(); // COMPLETED: the import is due

    shopify.bulk.storage.cutAfterLines = 23;
    await expect(stepNow({ batchSize: 4 })).rejects.toThrow(/terminated/);
    const crashed = await run();
    expect(crashed.status).toBe("importing");
    expect(crashed.linesDone).toBeGreaterThan(0);
    expect(crashed.linesDone).toBeLessThanOrEqual(23);
    expect(crashed.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(Number(crashed.bytesDone)).toBe(Buffer.byteLength(shopify.bulk.file(op.url!)!.split("\n").slice(0, crashed.linesDone).join("\n")) + 1);
    // Progress never runs ahead of the data: every order counted is stored.
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(crashed.ordersImported);

    // A worker that starts while the dead one's lease runs waits for it (the job is retried, not dropped).
    expect(await resumeBackfillRuns(prisma, queue)).toBe(1);
    expect(await drain()).toMatchObject({ done: 0, retried: 2 });
    expect(await run()).toMatchObject({ step: crashed.step, linesDone: crashed.linesDone });

    // The lease runs out; the next worker start takes the run over.
    await prisma.backfillRun.update({ where: { id: crashed.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    shopify.bulk.storage.ignoreRange = ignoreRange;
    await resumeBackfillRuns(prisma, queue);
    await drain();

    const resumed = shopify.bulk.storage.requests.at(-1)!;
    expect(resumed).toEqual({ url: op.url, range: `bytes=${Number(crashed.bytesDone)}-`, status: resumedStatus });
    const done = await run();
    expect(done).toMatchObject({ status: "done", ordersImported: total, linesDone: done.objectCount, badLines: 0 });
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(total);
    expect(await prisma.orderLine.count({ where: { order: { shop: SHOP } } })).toBe(seeded.lineItems + 20);
    expect((await ranks())["2"]).toBe("regular");
  });
});

describe("the finish webhook", () => {
  it("wakes the run only through a signed delivery; a forged one is 401 and changes nothing", async () => {
    seedShop();
    await page();
    await startImport();
    const { drain, prisma } = await app();
    await drain();
    const op = await currentOperation();
    shopify.bulk.finish(op.id);
    const body = shopify.bulk.finishWebhook(op.id);

    const forged = await call(finishWebhook, webhookRequest({ topic: "bulk_operations/finish", shop: SHOP, body, hmac: "bm90IHRoZSBzaWduYXR1cmU=" }));
    expect(forged.status).toBe(401);
    const unsigned = await call(finishWebhook, webhookRequest({ topic: "bulk_operations/finish", shop: SHOP, body, hmac: null }));
    expect(unsigned.status).toBe(401);
    expect(await prisma.webhookEvent.count()).toBe(0);
    expect(await drain()).toEqual({ done: 0, retried: 0, failed: 0 });
    expect(await run()).toMatchObject({ status: "customers", resultUrl: null });

    const signed = await call(finishWebhook, webhookRequest({ topic: "bulk_operations/finish", shop: SHOP, body, eventId: "finish-1" }));
    expect(signed.status).toBe(200);
    await drain();
    expect(await run()).toMatchObject({ status: "orders", customersImported: 5 });
    expect(await prisma.webhookEvent.findFirstOrThrow()).toMatchObject({ topic: "bulk_operations/finish", status: "processed", resourceGid: op.id });

    // A duplicate delivery, and one for an operation no run follows, change nothing.
    expect((await call(finishWebhook, webhookRequest({ topic: "bulk_operations/finish", shop: SHOP, body, eventId: "finish-1" }))).status).toBe(200);
    const other = { ...body, admin_graphql_api_id: "gid://shopify/BulkOperation/1" };
    expect((await call(finishWebhook, webhookRequest({ topic: "bulk_operations/finish", shop: SHOP, body: other }))).status).toBe(200);
    const before = await run();
    await drain();
    expect(await run()).toMatchObject({ step: before.step, status: "orders" });
    expect(await prisma.webhookEvent.findFirstOrThrow({ where: { resourceGid: other.admin_graphql_api_id } })).toMatchObject({
      status: "processed",
      error: "no history import follows gid://shopify/BulkOperation/1",
    });
  });
});

describe("live webhooks during the backfill", () => {
  it("never lets the older bulk snapshot overwrite a newer webhook state (orders and personal data)", async () => {
    seedShop();
    await page();
    await startImport();
    const { drain, prisma } = await app();
    await drain(); // the customers export has started: Shopify's snapshot is taken from here on

    // Between the export's start and its import, Aiko's order 1000 is cancelled, and her
    // name changes; the webhook arrives and is processed first.
    const later = new Date(Date.now() + 60_000).toISOString();
    const webhook = orderPayload({
      id: 1000,
      customerId: 1,
      total: "3000",
      currentTotal: "0",
      createdAt: iso(Date.now() - 10 * DAY),
      updatedAt: later,
      cancelledAt: later,
      firstName: "Aiko (new)",
    });
    expect((await call(ordersUpdatedWebhook, webhookRequest({ topic: "orders/updated", shop: SHOP, body: webhook }))).status).toBe(200);
    await drain();
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Order/1000" } } });
    expect(stored).toMatchObject({ cancelledAt: new Date(later), currentTotal: 0n });

    await finishAndNotify(); // customers: the export still says "Aiko"
    await finishAndNotify(); // orders: the export still has order 1000 as it was, not cancelled
    expect(await run()).toMatchObject({ status: "done", ordersImported: 14 });

    const after = await prisma.order.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Order/1000" } } });
    expect(after).toMatchObject({ cancelledAt: new Date(later), currentTotal: 0n, sourceUpdatedAt: new Date(later) });
    const aiko = await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/1" } } });
    // Both of Aiko's orders are cancelled now: no counted order, no rank; the newer name stays.
    expect(aiko).toMatchObject({ firstName: "Aiko (new)", orderCount: 0, rankKey: null });
    // Others got the export's personal data.
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/2" } } })).firstName).toBe("Ben");
  });

  it("leaves a redacted customer's personal data erased", async () => {
    seedShop();
    const { prisma } = await app();
    await prisma.shop.create({ data: { shop: SHOP, currency: "JPY" } });
    await prisma.customer.create({ data: { shop: SHOP, gid: "gid://shopify/Customer/2", redactedAt: new Date() } });
    await runToTheEnd();
    expect(await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/2" } } })).toMatchObject({
      firstName: null,
      email: null,
      tags: null,
      orderCount: 2,
    });
  });
});

describe("failures Shopify reports", () => {
  it("ACCESS_DENIED fails the run with the reason on the page; Retry starts a new run", async () => {
    seedShop();
    await page();
    await startImport();
    await (await app()).drain();
    await finishAndNotify({ status: "FAILED", errorCode: "ACCESS_DENIED" });
    const failed = (await page("ja")).runs[0]!;
    expect(failed).toMatchObject({ status: "failed", error: expect.stringMatching(/^accessDenied: .*ACCESS_DENIED/) });

    const retry = await startImport("retry");
    expect(retry).toEqual({ status: 200, body: { ok: true, runId: failed.id + 1 } });
    await (await app()).drain();
    expect((await page()).runs.map((r) => r.status)).toEqual(["customers", "failed"]);
  });

  it("runs a failed export again, and after the last failure imports its partial data and says so", async () => {
    seedShop();
    await page();
    await startImport();
    await (await app()).drain();
    await finishAndNotify(); // customers
    await finishAndNotify({ status: "FAILED", errorCode: "TIMEOUT" });
    await finishAndNotify({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR" });
    expect(await run()).toMatchObject({ status: "orders", restarts: 2 });
    await finishAndNotify({ status: "FAILED", errorCode: "TIMEOUT", partialLines: 5 });
    const failed = await run();
    expect(failed).toMatchObject({ status: "failed", linesDone: 5, error: expect.stringMatching(/^partialImported: the orders export failed 3 times \(TIMEOUT\)/) });
    expect(shopify.bulk.operations(SHOP).filter((o) => o.query === ORDERS_BULK_QUERY)).toHaveLength(3);
    const { prisma } = await app();
    // The partial file's complete orders are kept (the last one may lack line items it never got).
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
    expect((await page()).runs[0]).toMatchObject({ status: "failed", error: expect.stringMatching(/^partialImported/) });
  });

  it("a cancelled export ends the run as cancelled", async () => {
    await page();
    await startImport();
    await (await app()).drain();
    await finishAndNotify({ status: "CANCELED" });
    expect((await page()).runs[0]).toMatchObject({ status: "cancelled", error: expect.stringMatching(/^cancelled: /) });
  });

  it("an expired export, or a file whose URL has expired, is exported again", async () => {
    seedShop();
    await page();
    await startImport();
    await (await app()).drain();
    await finishAndNotify({ status: "EXPIRED" });
    expect(await run()).toMatchObject({ status: "customers", restarts: 1 });
    expect(shopify.bulk.operations(SHOP)).toHaveLength(2);

    const op = await currentOperation();
    shopify.bulk.finish(op.id);
    shopify.bulk.storage.expired.add(op.url!);
    await stepNow(); // COMPLETED → download → 403 → the operation's URL is the same → export again
    await (await app()).drain();
    expect(shopify.bulk.storage.requests.at(-1)).toMatchObject({ url: op.url, status: 403 });
    expect(await run()).toMatchObject({ status: "customers", restarts: 2, resultUrl: null });
    await finishAndNotify();
    await finishAndNotify();
    expect(await run()).toMatchObject({ status: "done", customersImported: 5, ordersImported: 14 });
  });
});

describe("one import at a time", () => {
  it("refuses a second start while a run is active, with a clear message", async () => {
    await page();
    const first = await startImport();
    const second = await startImport("start", "ja");
    expect(second).toEqual({ status: 409, body: { ok: false, runId: first.body.runId, message: `インポートはすでに実行中です（実行 #${first.body.runId}）。終わってから次を開始してください。` } });
    const { prisma } = await app();
    expect(await prisma.backfillRun.count()).toBe(1);
  });

  it("waits while another bulk export of the app runs in Shopify, then starts", async () => {
    seedShop();
    await page();
    const foreign = shopify.bulk.startForeign(SHOP, "{ products { edges { node { id } } } }");
    await startImport();
    await (await app()).drain();
    expect(await run()).toMatchObject({ status: "customers", bulkOperationGid: null, polls: 1, error: expect.stringMatching(/^busy: A bulk query operation/) });
    expect((await page()).runs[0]!.error).toMatch(/^busy/);
    shopify.bulk.finish(foreign.id);
    await stepNow();
    expect(await run()).toMatchObject({ status: "customers", bulkOperationGid: expect.any(String), error: null });
  });

  it("follows its own export when it died after starting it but before saving its id", async () => {
    await page();
    await startImport();
    const { drain, prisma } = await app();
    await drain();
    const started = await run();
    // As if the answer to bulkOperationRunQuery had been lost.
    await prisma.backfillRun.update({ where: { id: started.id }, data: { bulkOperationGid: null } });
    await stepNow();
    expect(await run()).toMatchObject({ bulkOperationGid: started.bulkOperationGid });
    expect(shopify.bulk.operations(SHOP)).toHaveLength(1);
  });
});

describe("read_all_orders", () => {
  it("explains the 60-day limit when the scope is missing, and records it on the run", async () => {
    server.resetHandlers(...shopify.handlers, limitedExchange.handler);
    shopify.setScopes(SHOP, WITHOUT_ALL_ORDERS.split(","));
    const shown = await page();
    expect(shown.scope).toEqual({ granted: false, source: "shopify" });
    await startImport();
    expect((await page()).runs[0]).toMatchObject({ allOrdersScope: false });
    expect(limitedExchange.refusals).toEqual([]);
  });

  it("asks Shopify when the session predates the grant", async () => {
    server.resetHandlers(...shopify.handlers, limitedExchange.handler);
    const shown = await page();
    expect(shown.scope).toEqual({ granted: true, source: "shopify" });
    expect(shopify.succeeded("AppAccessScopes").length).toBeGreaterThan(0);
  });
});

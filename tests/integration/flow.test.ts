/**
 * Shopify Flow triggers end to end: Flow's signed lifecycle callback → the real route → the
 * shop's trigger state; a signed orders/create webhook → ingestion → a "flow-trigger" job in the
 * same transaction → flowTriggerReceive through the real shopify-app-remix Admin client →
 * answered by the fake Admin API, which validates the document against the 2026-04 schema and
 * the payload against the deployed trigger TOMLs (tests/mocks/admin-flow.ts). Runs on SQLite
 * (table queue) and PostgreSQL (pg-boss).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { FOLLOW_UP_DUE_TRIGGER, RANK_CHANGED_TRIGGER } from "~/domain/flow-payloads";
import { ensureShop } from "~/models/shop.server";
import { action as flowLifecycle } from "~/routes/flow.lifecycle";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { importOrdersJsonl } from "~/services/import-orders.server";
import { recomputeShop } from "~/services/recompute.server";
import { fireFollowUpDue } from "~/shopify/flow.server";
import { app, customerByGid } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { TEST_SHOP, TEST_SHOPIFY_ENV, shopifyHmac, webhookRequest } from "../helpers/shopify";
import { adminApiMock } from "../mocks/admin-api";

const ACCESS_TOKEN = "shpat_0123456789abcdef0123456789abcdef";
const HANAKO_ID = 7409876543210;
const HANAKO = `gid://shopify/Customer/${HANAKO_ID}`;

const shopify = adminApiMock();
const server = setupServer(...shopify.handlers);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  // @shopify/shopify-api's node adapter keeps the fetch it found at import: hand it MSW's.
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of ["orderLine", "order", "refund", "rankChange", "customer", "rankTier", "shop", "webhookEvent", "job", "session", "flowTriggerState"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
});

// Anything the app sent that Shopify would have refused as malformed fails the test here.
afterEach(() => {
  expect(shopify.violations).toEqual([]);
});

async function installShop(shop = TEST_SHOP) {
  const { prisma } = await app();
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: ACCESS_TOKEN, scope: "read_orders,read_customers,write_customers" },
  });
  shopify.install(shop, ACCESS_TOKEN);
}

interface LifecycleOptions {
  enabled?: boolean;
  timestamp?: string;
  id?: string;
  shop?: string;
  /** Override the signature (forgeries); null leaves the header out. */
  hmac?: string | null;
  /** Change the body after signing it. */
  tamper?: (raw: string) => string;
}

/** Flow's trigger lifecycle callback, signed as Shopify signs it. */
function lifecycleRequest(options: LifecycleOptions = {}): Request {
  const raw = JSON.stringify({
    flow_trigger_definition_id: options.id ?? RANK_CHANGED_TRIGGER,
    has_enabled_flow: options.enabled ?? true,
    shop_id: "690933842",
    shopify_domain: options.shop ?? TEST_SHOP,
    timestamp: options.timestamp ?? "2026-11-20T16:44:10.999Z",
  });
  const headers = new Headers({ "Content-Type": "application/json" });
  const hmac = options.hmac === undefined ? shopifyHmac(raw) : options.hmac;
  if (hmac !== null) headers.set("X-Shopify-Hmac-Sha256", hmac);
  return new Request(`${TEST_SHOPIFY_ENV.SHOPIFY_APP_URL}/flow/lifecycle`, { method: "POST", headers, body: options.tamper?.(raw) ?? raw });
}

async function lifecycle(options: LifecycleOptions = {}): Promise<Response> {
  return (await flowLifecycle({ request: lifecycleRequest(options), params: {}, context: {} })) as Response;
}

async function enableTrigger(id: string = RANK_CHANGED_TRIGGER) {
  expect((await lifecycle({ id })).status).toBe(200);
}

async function triggerStates() {
  const { prisma } = await app();
  return prisma.flowTriggerState.findMany({ select: { shop: true, handle: true, enabled: true, updatedAt: true }, orderBy: { handle: "asc" } });
}

async function orderWebhook(id: number, options: { total?: string; createdAt?: string } = {}) {
  const body = orderPayload({ id, customerId: HANAKO_ID, total: options.total ?? "5160", createdAt: options.createdAt });
  const response = await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} });
  expect(response.status).toBe(200);
}

interface FlowJob {
  data: Record<string, unknown>;
  status: "queued" | "running" | "done" | "failed" | "cancelled";
  attempts: number;
  error: string | null;
}

const PG_STATUS: Record<string, FlowJob["status"]> = { created: "queued", retry: "queued", active: "running", completed: "done", failed: "failed", cancelled: "cancelled" };

/** The flow-trigger jobs, from the Job table (SQLite) or pgboss.job (PostgreSQL). */
async function flowJobs(): Promise<FlowJob[]> {
  const { db, prisma } = await app();
  if (db.kind === "sqlite") {
    const rows = await prisma.job.findMany({ where: { queue: "flow-trigger" }, orderBy: { id: "asc" } });
    return rows.map((r) => ({ data: JSON.parse(r.payload) as Record<string, unknown>, status: r.status as FlowJob["status"], attempts: r.attempts, error: r.lastError }));
  }
  const rows = await prisma.$queryRawUnsafe<{ data: Record<string, unknown>; state: string; retry_count: number; started_on: Date | null; output: { message?: string } | null }[]>(
    `SELECT data, state::text AS state, retry_count, started_on, output FROM pgboss.job WHERE name = 'flow-trigger' ORDER BY created_on, id`,
  );
  return rows.map((r) => {
    const { __shop: _shop, ...data } = r.data;
    return { data, status: PG_STATUS[r.state] ?? (r.state as FlowJob["status"]), attempts: r.started_on ? r.retry_count + 1 : 0, error: r.output?.message ?? null };
  });
}

async function makeRetriesDue() {
  const { db, prisma } = await app();
  if (db.kind === "sqlite") await prisma.job.updateMany({ where: { status: "queued" }, data: { runAt: new Date(Date.now() - 1000) } });
  else await prisma.$executeRawUnsafe("UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE state = 'retry'");
}

const flowCalls = () => shopify.calls.filter((c) => c.operationName === "FlowTriggerReceive");

const FIRST_ORDER_PAYLOAD = {
  customer_id: HANAKO_ID,
  "From rank key": "",
  "From rank label": "",
  "To rank key": "first",
  "To rank label": "初回",
  Direction: "up",
  "Order count": 1,
  "Window spend": 5160,
  Currency: "JPY",
};

describe("the trigger lifecycle callback", () => {
  it("stores a signed activation and answers 200", async () => {
    const response = await lifecycle();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ handle: RANK_CHANGED_TRIGGER, enabled: true, outcome: "updated" });
    expect(await triggerStates()).toEqual([{ shop: TEST_SHOP, handle: RANK_CHANGED_TRIGGER, enabled: true, updatedAt: new Date("2026-11-20T16:44:10.999Z") }]);
  });

  it.each<[string, LifecycleOptions]>([
    ["signed with another secret", { hmac: shopifyHmac("x", "someone-else") }],
    ["a signature of another body", { tamper: (raw) => raw.replace("true", "false") }],
    ["no signature", { hmac: null }],
    ["a signature that is not base64 of a digest", { hmac: "forged" }],
  ])("answers 401 to %s and stores nothing", async (_name, options) => {
    const response = await lifecycle(options);
    expect(response.status).toBe(401);
    expect(await triggerStates()).toEqual([]);
  });

  it("answers 400 with the reason to a signed body that is not a lifecycle callback", async () => {
    const response = await lifecycle({ shop: "tokui.example.com" });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/shopify_domain is not a myshopify domain/);
    expect(await triggerStates()).toEqual([]);
  });

  it("lets the newest timestamp win: a late, older callback changes nothing", async () => {
    expect((await lifecycle({ enabled: true, timestamp: "2026-11-20T10:00:00Z" })).status).toBe(200);
    const off = await lifecycle({ enabled: false, timestamp: "2026-11-21T10:00:00Z" });
    expect(await off.json()).toMatchObject({ enabled: false, outcome: "updated" });
    const late = await lifecycle({ enabled: true, timestamp: "2026-11-20T12:00:00Z" });
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ outcome: "stale" });
    expect(await triggerStates()).toEqual([{ shop: TEST_SHOP, handle: RANK_CHANGED_TRIGGER, enabled: false, updatedAt: new Date("2026-11-21T10:00:00Z") }]);
  });

  it("knows a trigger named by its title, as Shopify's example does", async () => {
    await enableTrigger("Customer follow up due");
    expect(await triggerStates()).toMatchObject([{ handle: FOLLOW_UP_DUE_TRIGGER, enabled: true }]);
  });
});

describe("Customer rank changed", () => {
  it("fires with the exact payload when a live order changes the rank", async () => {
    await installShop();
    await enableTrigger();
    await orderWebhook(1001);
    const { drain } = await app();
    // The webhook, the rank sync, the Flow trigger.
    expect(await drain()).toEqual({ done: 3, retried: 0, failed: 0 });

    expect(shopify.flow.received).toEqual([{ shop: TEST_SHOP, handle: RANK_CHANGED_TRIGGER, payload: FIRST_ORDER_PAYLOAD }]);
    const [call] = flowCalls();
    expect(call).toMatchObject({ accessToken: ACCESS_TOKEN, apiVersion: "2026-04", status: 200, variables: { handle: RANK_CHANGED_TRIGGER, payload: FIRST_ORDER_PAYLOAD } });
    expect(call!.response).toEqual({ data: { flowTriggerReceive: { userErrors: [] } } });
    expect(await flowJobs()).toMatchObject([{ status: "done", attempts: 1, error: null }]);

    // A second order moves first → second; labels follow the shop's language.
    const { prisma } = await app();
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { locale: "en" } });
    await orderWebhook(1002, { createdAt: "2026-11-08T10:00:00+09:00", total: "3000" });
    expect(await drain()).toEqual({ done: 3, retried: 0, failed: 0 });
    expect(shopify.flow.received.at(-1)!.payload).toEqual({
      customer_id: HANAKO_ID,
      "From rank key": "first",
      "From rank label": "First purchase",
      "To rank key": "second",
      "To rank label": "Second purchase",
      Direction: "up",
      "Order count": 2,
      "Window spend": 8160,
      Currency: "JPY",
    });
  });

  it("does not fire without an activation, nor after the workflow was deactivated", async () => {
    await installShop();
    const { drain } = await app();
    await orderWebhook(1001);
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 }); // the webhook and the rank sync only
    expect(await flowJobs()).toEqual([]);

    await enableTrigger();
    expect((await lifecycle({ enabled: false, timestamp: "2026-11-21T00:00:00Z" })).status).toBe(200);
    await orderWebhook(1002, { createdAt: "2026-11-08T10:00:00+09:00" });
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 });
    expect(await flowJobs()).toEqual([]);
    expect(flowCalls()).toEqual([]);
    expect(await customerByGid(HANAKO)).toMatchObject({ rankKey: "second" });
  });

  it("does not fire for the other trigger's activation", async () => {
    await installShop();
    await enableTrigger(FOLLOW_UP_DUE_TRIGGER);
    await orderWebhook(1001);
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 });
    expect(flowCalls()).toEqual([]);
  });

  it("does not fire for ranks set by the history import", async () => {
    await installShop();
    await enableTrigger();
    const { db, queue, drain } = await app();
    const order = (n: number, day: string) =>
      JSON.stringify({
        id: `gid://shopify/Order/60123456700${n}`,
        name: `#${n}`,
        createdAt: `${day}T01:00:00Z`,
        processedAt: `${day}T01:00:00Z`,
        updatedAt: `${day}T01:00:00Z`,
        cancelledAt: null,
        currencyCode: "JPY",
        customer: { id: HANAKO },
        totalPriceSet: { shopMoney: { amount: "5000.0", currencyCode: "JPY" } },
        currentTotalPriceSet: { shopMoney: { amount: "5000.0", currencyCode: "JPY" } },
      });
    const lines = [order(11, "2026-05-01"), order(12, "2026-07-01"), order(13, "2026-09-01")];
    async function* each() {
      yield* lines;
    }
    const progress = await importOrdersJsonl(db, queue, { lines: each() }, { shop: TEST_SHOP });
    expect(progress).toMatchObject({ orders: 3, applied: 3 });
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 3, rankKey: "regular" });
    expect(await flowJobs()).toEqual([]);
    await drain();
    expect(flowCalls()).toEqual([]);
  });

  it("fires for a recompute that moves a customer down as the spend window moves on", async () => {
    await installShop();
    await enableTrigger();
    const { db, queue, drain } = await app();
    await orderWebhook(1001, { total: "120000" }); // VIP by spend alone
    await drain();
    expect(shopify.flow.received.map((r) => r.payload["To rank key"])).toEqual(["vip"]);

    const summary = await recomputeShop(db, queue, TEST_SHOP, new Date("2027-11-02T00:00:00Z"));
    expect(summary).toEqual({ customers: 1, rankChanges: 1, rankSyncsQueued: 1 });
    await drain();
    expect(shopify.flow.received.at(-1)!.payload).toEqual({
      customer_id: HANAKO_ID,
      "From rank key": "vip",
      "From rank label": "VIP",
      "To rank key": "first",
      "To rank label": "初回",
      Direction: "down",
      "Order count": 1,
      "Window spend": 0,
      Currency: "JPY",
    });
  });

  it("fails the job for good with Shopify's message when Flow refuses the payload (userErrors)", async () => {
    await installShop();
    await enableTrigger();
    shopify.failNext({ kind: "userErrors", field: "flowTriggerReceive", userErrors: [{ field: ["payload", "Window spend"], message: "Window spend must be a number" }] });
    await orderWebhook(1001);
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 1 });
    expect(await flowJobs()).toEqual([
      {
        data: expect.objectContaining({ trigger: RANK_CHANGED_TRIGGER }),
        status: "failed",
        attempts: 1,
        error: `PermanentJobError: Shopify Flow refused trigger ${RANK_CHANGED_TRIGGER}: payload.Window spend: Window spend must be a number`,
      },
    ]);
    // Never retried.
    await makeRetriesDue();
    expect(await drain()).toEqual({ done: 0, retried: 0, failed: 0 });
    expect(flowCalls()).toHaveLength(1);
  });

  it("retries when Shopify throttles, then delivers once", async () => {
    await installShop();
    await enableTrigger();
    shopify.failNext({ kind: "throttled" }, { operation: "FlowTriggerReceive" });
    await orderWebhook(1001);
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 2, retried: 1, failed: 0 });
    expect(await flowJobs()).toMatchObject([{ status: "queued", attempts: 1, error: expect.stringMatching(/^RetryableJobError: .*THROTTLED/) }]);
    expect(shopify.flow.received).toEqual([]);

    await makeRetriesDue();
    expect(await drain()).toEqual({ done: 1, retried: 0, failed: 0 });
    expect(await flowJobs()).toMatchObject([{ status: "done", attempts: 2 }]);
    expect(shopify.flow.received).toEqual([{ shop: TEST_SHOP, handle: RANK_CHANGED_TRIGGER, payload: FIRST_ORDER_PAYLOAD }]);
    expect(flowCalls().map((c) => c.scripted)).toEqual(["throttled", null]);
  });

  it("retries a 503 too", async () => {
    await installShop();
    await enableTrigger();
    shopify.failNext({ kind: "http", status: 503 }, { operation: "FlowTriggerReceive" });
    await orderWebhook(1001);
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 2, retried: 1, failed: 0 });
    expect(await flowJobs()).toMatchObject([{ status: "queued", error: expect.stringMatching(/^RetryableJobError: Admin API \(HTTP 503\)/) }]);
  });

  it("refuses a payload over 50 KB without calling Shopify", async () => {
    await installShop();
    await enableTrigger();
    const { prisma, drain } = await app();
    await ensureShop(prisma, TEST_SHOP);
    // A rank name far beyond what the Ranks page accepts, written behind its back.
    await prisma.rankTier.updateMany({ where: { shop: TEST_SHOP, key: "first" }, data: { labelJa: "初".repeat(17_000) } });
    await orderWebhook(1001);
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 1 });
    expect(await flowJobs()).toMatchObject([{ status: "failed", error: expect.stringMatching(/payload is 51\d{3} bytes, over Shopify's limit of 50000 bytes \(50 KB\)$/) }]);
    expect(flowCalls()).toEqual([]);
  });

  it("sends nothing for a customer erased before the job ran", async () => {
    await installShop();
    await enableTrigger();
    await orderWebhook(1001);
    const { prisma, queue, drain } = await app();
    const [event] = await prisma.webhookEvent.findMany({ select: { id: true } });
    const { processWebhookEvent } = await import("~/services/process-webhook.server");
    await processWebhookEvent(prisma, queue, event!.id);
    await prisma.customer.updateMany({ where: { gid: HANAKO }, data: { redactedAt: new Date() } });
    await drain();
    expect(await flowJobs()).toMatchObject([{ status: "done" }]);
    expect(flowCalls()).toEqual([]);
  });
});

describe("Customer follow up due (fireFollowUpDue, for the scheduler)", () => {
  async function customerWithOrder() {
    await installShop();
    await orderWebhook(1001, { createdAt: "2026-11-01T10:00:00+09:00" });
    const { drain } = await app();
    await drain();
    return (await customerByGid(HANAKO))!;
  }

  const due = (customerId: number) => ({
    shop: TEST_SHOP,
    customerId,
    journeyKey: "after-first",
    phase: "first" as const,
    stepNumber: 1,
    lastOrderAt: new Date("2026-11-01T01:00:00Z"),
    now: new Date("2026-11-22T02:00:00Z"),
  });

  it("queues the trigger in the caller's transaction and sends the exact payload", async () => {
    const customer = await customerWithOrder();
    await enableTrigger(FOLLOW_UP_DUE_TRIGGER);
    const { prisma, queue, drain } = await app();
    expect(await prisma.$transaction((tx) => fireFollowUpDue(tx, queue, due(customer.id)))).toBe(true);
    expect(await drain()).toEqual({ done: 1, retried: 0, failed: 0 });
    expect(shopify.flow.received).toEqual([
      {
        shop: TEST_SHOP,
        handle: FOLLOW_UP_DUE_TRIGGER,
        payload: { customer_id: HANAKO_ID, "Journey key": "after-first", Phase: "first", "Phase label": "初回購入後", "Step number": 1, "Days since last order": 21 },
      },
    ]);
  });

  it("labels the phase in English for an English shop", async () => {
    const customer = await customerWithOrder();
    await enableTrigger(FOLLOW_UP_DUE_TRIGGER);
    const { prisma, queue, drain } = await app();
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { locale: "en" } });
    await prisma.$transaction((tx) => fireFollowUpDue(tx, queue, { ...due(customer.id), phase: "vip", stepNumber: 3 }));
    await drain();
    expect(shopify.flow.received[0]!.payload).toMatchObject({ Phase: "vip", "Phase label": "VIP customers", "Step number": 3 });
  });

  it("queues nothing when the shop has no active workflow on it", async () => {
    const customer = await customerWithOrder();
    await enableTrigger(RANK_CHANGED_TRIGGER); // the other trigger
    const { prisma, queue } = await app();
    expect(await prisma.$transaction((tx) => fireFollowUpDue(tx, queue, due(customer.id)))).toBe(false);
    expect(await flowJobs()).toEqual([]);
  });

  it("is rolled back with the transaction that would have recorded the step", async () => {
    const customer = await customerWithOrder();
    await enableTrigger(FOLLOW_UP_DUE_TRIGGER);
    const { prisma, queue } = await app();
    await expect(
      prisma.$transaction(async (tx) => {
        await fireFollowUpDue(tx, queue, due(customer.id));
        throw new Error("the send log could not be written");
      }),
    ).rejects.toThrow(/send log/);
    expect(await flowJobs()).toEqual([]);
  });
});

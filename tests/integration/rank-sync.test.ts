/**
 * The rank sync to Shopify, end to end: a signed order webhook → the real route → ingestion →
 * the durable queue → syncCustomerRankWithShopify → the real shopify-app-remix Admin client →
 * HTTP, answered by the fake Admin API (tests/mocks/admin-api.ts), which validates every
 * document and its variables against Shopify's 2026-04 schema. Runs on SQLite (table queue)
 * and PostgreSQL (pg-boss).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { jobHandlers } from "~/context.server";
import { createDatabase } from "~/db.server";
import { createJobQueue } from "~/queue/create-queue.server";
import type { JobHandler, JobHandlers } from "~/queue/types";
import { action as ordersCancelled } from "~/routes/webhooks.orders.cancelled";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { processWebhookEvent } from "~/services/process-webhook.server";
import { recomputeShop } from "~/services/recompute.server";
import { unauthenticated } from "~/shopify.server";
import { CUSTOMER_RANK_TAGS_QUERY } from "~/shopify/graphql/documents";
import { app, customerByGid } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { TEST_SHOP, webhookRequest } from "../helpers/shopify";
import { adminApiMock, type ScriptedFailure } from "../mocks/admin-api";

const DB_KIND = process.env.TOKUI_TEST_DB ?? "sqlite";
const ACCESS_TOKEN = "shpat_0123456789abcdef0123456789abcdef";
const HANAKO_ID = 7409876543210;
const HANAKO = `gid://shopify/Customer/${HANAKO_ID}`;

const shopify = adminApiMock();
const server = setupServer(...shopify.handlers);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  // @shopify/shopify-api's node adapter keeps the globalThis.fetch it found when shopify.server
  // was imported (above, through the routes): hand it MSW's.
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of ["orderLine", "order", "refund", "rankChange", "customer", "rankTier", "shop", "webhookEvent", "job", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
});

// Anything the app sent that Shopify would have refused as malformed fails the test here.
afterEach(() => {
  expect(shopify.violations).toEqual([]);
});

/** The shop installed the app: its offline session, whose token every Admin call must carry. */
async function installShop(shop = TEST_SHOP) {
  const { prisma } = await app();
  await prisma.session.create({
    data: {
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      accessToken: ACCESS_TOKEN,
      scope: "read_orders,read_customers,write_customers",
    },
  });
  shopify.install(shop, ACCESS_TOKEN);
}

async function orderWebhook(id: number, options: { customerId?: number; total?: string; createdAt?: string } = {}) {
  const body = orderPayload({ id, customerId: options.customerId ?? HANAKO_ID, total: options.total ?? "5160", createdAt: options.createdAt });
  const response = await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} });
  expect(response.status).toBe(200);
}

interface SyncJob {
  customerId: number;
  status: "queued" | "running" | "done" | "failed" | "cancelled";
  attempts: number;
  runAt: Date;
  error: string | null;
}

const PG_STATUS: Record<string, SyncJob["status"]> = {
  created: "queued",
  retry: "queued",
  active: "running",
  completed: "done",
  failed: "failed",
  cancelled: "cancelled",
};

/** The rank-sync jobs, read from the Job table (SQLite) or pgboss.job (PostgreSQL). */
async function rankSyncJobs(): Promise<SyncJob[]> {
  const { db, prisma } = await app();
  if (db.kind === "sqlite") {
    const rows = await prisma.job.findMany({ where: { queue: "rank-sync" }, orderBy: { id: "asc" } });
    return rows.map((r) => ({
      customerId: (JSON.parse(r.payload) as { customerId: number }).customerId,
      status: r.status as SyncJob["status"],
      attempts: r.attempts,
      runAt: r.runAt,
      error: r.lastError,
    }));
  }
  const rows = await prisma.$queryRawUnsafe<
    { data: { customerId: number }; state: string; retry_count: number; started_on: Date | null; start_after: Date; output: { message?: string } | null }[]
  >(
    `SELECT data, state::text AS state, retry_count, started_on, start_after, output
       FROM pgboss.job WHERE name = 'rank-sync' ORDER BY created_on, id`,
  );
  return rows.map((r) => ({
    customerId: r.data.customerId,
    status: PG_STATUS[r.state] ?? (r.state as SyncJob["status"]),
    // pg-boss counts retries; a job that has started has run retry_count + 1 times.
    attempts: r.started_on ? r.retry_count + 1 : 0,
    runAt: r.start_after,
    error: r.output?.message ?? null,
  }));
}

/** Time travel: every job waiting for a retry is due now. */
async function makeRetriesDue() {
  const { db, prisma } = await app();
  if (db.kind === "sqlite") {
    await prisma.job.updateMany({ where: { status: "queued" }, data: { runAt: new Date(Date.now() - 1000) } });
  } else {
    await prisma.$executeRawUnsafe("UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE state = 'retry'");
  }
}

async function customerId(gid: string): Promise<number> {
  return (await customerByGid(gid))!.id;
}

const operations = () => shopify.calls.map((c) => [c.operationName, c.status]);

/**
 * The successful rank writes that covered a customer: RankSync calls for them alone, and
 * RankSyncBatch calls (the queue's batch path) whose metafields include theirs.
 */
function rankWrites(gid: string) {
  const single = shopify.succeeded("RankSync", gid);
  const batched = shopify
    .succeeded("RankSyncBatch")
    .filter((call) => Object.entries(call.variables).some(([name, value]) => name.startsWith("set") && (value as { ownerId: string }[]).some((m) => m.ownerId === gid)));
  return [...single, ...batched];
}

/** Run the stored webhook events now, so that the queue holds only their rank syncs. */
async function ingestStoredEvents() {
  const { db, prisma, queue } = await app();
  for (const event of await prisma.webhookEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } })) {
    await processWebhookEvent(db.prisma, queue, event.id);
  }
}

describe("the fake Admin API holds the app to Shopify's contract", () => {
  /** What the fake recorded; cleared so that afterEach does not fail these deliberate breaches. */
  function takeViolations(): string[] {
    return shopify.violations.splice(0);
  }

  it("answers 400 and records a violation for variables that do not fit the operation", async () => {
    await installShop();
    const { admin } = await unauthenticated.admin(TEST_SHOP);
    await expect(admin.graphql(CUSTOMER_RANK_TAGS_QUERY, { variables: { id: ["not", "an", "id"] } })).rejects.toThrow(/400/);
    expect(takeViolations()).toEqual([expect.stringMatching(/^CustomerRankTags to tokui-test\.myshopify\.com: invalid variables: Variable "\$id" got invalid value/)]);
    await expect(admin.graphql(CUSTOMER_RANK_TAGS_QUERY)).rejects.toThrow(/400/);
    expect(takeViolations()).toEqual([expect.stringMatching(/Variable "\$id" of required type "ID!" was not provided/)]);
  });

  it("answers 400 and records a violation for a document outside the Admin schema", async () => {
    await installShop();
    const { admin } = await unauthenticated.admin(TEST_SHOP);
    const misspelled = CUSTOMER_RANK_TAGS_QUERY.replace("tags", "tag");
    await expect(admin.graphql(misspelled, { variables: { id: HANAKO } })).rejects.toThrow(/400/);
    expect(takeViolations()).toEqual([expect.stringMatching(/invalid document: Cannot query field "tag" on type "Customer"/)]);
  });

  it("answers 401 and records a violation for a token other than the session's", async () => {
    await installShop();
    const { prisma } = await app();
    await prisma.session.update({ where: { id: `offline_${TEST_SHOP}` }, data: { accessToken: "shpat_someone_else" } });
    const { admin } = await unauthenticated.admin(TEST_SHOP);
    await expect(admin.graphql(CUSTOMER_RANK_TAGS_QUERY, { variables: { id: HANAKO } })).rejects.toThrow(/401/);
    expect(takeViolations()).toEqual([expect.stringMatching(/X-Shopify-Access-Token shpat_someone_else, expected shpat_0123/)]);
  });
});

describe("rank sync after ingestion", () => {
  it("writes a first order's rank to Shopify: tag and $app metafields in the shop's language", async () => {
    await installShop();
    await orderWebhook(1001);
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 }); // the webhook, then the rank sync

    expect(shopify.customer(TEST_SHOP, HANAKO)).toEqual({
      tags: ["tokui-rank:first"],
      appMetafields: {
        rank: "first",
        rank_label: "初回",
        order_count: "1",
        next_rank: "second",
        next_rank_label: "2回目",
        orders_to_next: "1",
        // The next rank (2回目) has no spend condition: no amount, and none is written.
      },
      metafields: expect.arrayContaining([
        { namespace: "app--4242", key: "order_count", type: "number_integer", value: "1" },
        { namespace: "app--4242", key: "rank", type: "single_line_text_field", value: "first" },
      ]),
      emailMarketingConsent: null, // rank sync never touches consent
    });
    expect(operations()).toEqual([
      ["CustomerRankTags", 200],
      ["RankSync", 200],
    ]);
    const [tagsQuery, sync] = shopify.calls;
    expect(tagsQuery).toMatchObject({ shop: TEST_SHOP, apiVersion: "2026-04", accessToken: ACCESS_TOKEN, variables: { id: HANAKO } });
    expect(sync!.variables).toMatchObject({
      id: HANAKO,
      addTags: ["tokui-rank:first"],
      add: true,
      removeTags: [],
      remove: false,
      staleMetafields: [{ ownerId: HANAKO, namespace: "$app", key: "amount_to_next" }],
      deleteStale: true,
    });
    expect(sync!.response).toMatchObject({
      data: { metafieldsSet: { userErrors: [] }, metafieldsDelete: { deletedMetafields: [null], userErrors: [] }, tagsAdd: { userErrors: [] } },
    });
    expect(await rankSyncJobs()).toEqual([
      { customerId: await customerId(HANAKO), status: "done", attempts: 1, runAt: expect.any(Date), error: null },
    ]);
  });

  it("labels in English for a shop whose locale is en", async () => {
    await installShop();
    await orderWebhook(1001);
    const { drain, prisma, queue } = await app();
    // Ingesting the first webhook creates the shop (ja by default); switch it before the sync runs.
    const [event] = await prisma.webhookEvent.findMany({ select: { id: true } });
    await processWebhookEvent(prisma, queue, event!.id);
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { locale: "en" } });
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 });
    expect(shopify.customer(TEST_SHOP, HANAKO).appMetafields).toMatchObject({ rank_label: "First purchase", next_rank_label: "Second purchase" });
  });

  it("swaps the rank tag on a second order and removes a stale tag of a deleted tier, keeping the merchant's tags", async () => {
    await installShop();
    const { drain } = await app();
    await orderWebhook(1001);
    await drain();
    expect(shopify.customer(TEST_SHOP, HANAKO).tags).toEqual(["tokui-rank:first"]);
    // Meanwhile: a tag of a "gold" tier the merchant has since deleted, and a tag of their own.
    shopify.seedCustomer(TEST_SHOP, HANAKO, { tags: ["tokui-rank:first", "tokui-rank:gold", "wholesale"] });

    await orderWebhook(1002, { createdAt: "2026-11-08T10:00:00+09:00" });
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 });

    expect(shopify.customer(TEST_SHOP, HANAKO)).toMatchObject({
      tags: ["tokui-rank:second", "wholesale"],
      appMetafields: {
        rank: "second",
        rank_label: "2回目",
        order_count: "2",
        next_rank: "regular",
        next_rank_label: "常連",
        orders_to_next: "1",
      },
    });
    const sync = shopify.succeeded("RankSync", HANAKO).at(-1)!;
    expect(sync.variables).toMatchObject({
      addTags: ["tokui-rank:second"],
      removeTags: ["tokui-rank:first", "tokui-rank:gold"],
      add: true,
      remove: true,
    });
    expect(shopify.succeeded("RankSync", HANAKO)).toHaveLength(2);
  });

  it("takes the rank away in Shopify when the only order is cancelled", async () => {
    await installShop();
    const { drain } = await app();
    await orderWebhook(1001, { total: "3000" });
    await drain();
    const cancelled = orderPayload({
      id: 1001,
      customerId: HANAKO_ID,
      total: "3000",
      currentTotal: "0",
      updatedAt: "2026-11-03T10:00:00+09:00",
      cancelledAt: "2026-11-03T10:00:00+09:00",
    });
    const response = await ordersCancelled({ request: webhookRequest({ topic: "orders/cancelled", body: cancelled }), params: {}, context: {} });
    expect(response.status).toBe(200);
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 });

    expect(shopify.customer(TEST_SHOP, HANAKO)).toMatchObject({
      tags: [],
      // rank and rank_label deleted; what is left says how far the first rank is.
      appMetafields: { order_count: "0", next_rank: "first", next_rank_label: "初回", orders_to_next: "1" },
    });
    expect(shopify.succeeded("RankSync", HANAKO).at(-1)!.response).toMatchObject({
      data: {
        metafieldsDelete: {
          deletedMetafields: [
            { ownerId: HANAKO, key: "rank" },
            { ownerId: HANAKO, key: "rank_label" },
            null, // amount_to_next never existed
          ],
        },
      },
    });
  });
});

describe("failures worth retrying", () => {
  it.each<[string, ScriptedFailure, RegExp]>([
    ["THROTTLED (HTTP 200)", { kind: "throttled" }, /^RetryableJobError: .*THROTTLED/],
    ["HTTP 503", { kind: "http", status: 503 }, /^RetryableJobError: Admin API \(HTTP 503\)/],
    ["HTTP 502", { kind: "http", status: 502 }, /^RetryableJobError: Admin API \(HTTP 502\)/],
    ["a network failure", { kind: "network" }, /^RetryableJobError: Admin API unreachable/],
  ])("%s: the job waits with backoff, then the sync lands", async (_name, failure, message) => {
    await installShop();
    shopify.failNext(failure);
    await orderWebhook(1001);
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 1, retried: 1, failed: 0 });

    const [job] = await rankSyncJobs();
    expect(job).toMatchObject({ customerId: await customerId(HANAKO), status: "queued", attempts: 1, error: expect.stringMatching(message) });
    // Backoff: 2 s on SQLite, 2–4 s (jittered) under pg-boss.
    expect(job!.runAt.getTime()).toBeGreaterThan(Date.now() + 1000);
    expect(job!.runAt.getTime()).toBeLessThan(Date.now() + 5000);
    expect(shopify.customer(TEST_SHOP, HANAKO).tags).toEqual([]);
    // Not due yet.
    expect(await drain()).toEqual({ done: 0, retried: 0, failed: 0 });

    await makeRetriesDue();
    expect(await drain()).toEqual({ done: 1, retried: 0, failed: 0 });
    expect(await rankSyncJobs()).toMatchObject([{ status: "done", attempts: 2 }]);
    expect(shopify.customer(TEST_SHOP, HANAKO)).toMatchObject({ tags: ["tokui-rank:first"], appMetafields: { rank: "first", order_count: "1" } });
    expect(operations()).toEqual([
      ["CustomerRankTags", failure.kind === "network" ? -1 : failure.kind === "http" ? failure.status : 200],
      ["CustomerRankTags", 200],
      ["RankSync", 200],
    ]);
  });

  it("retries a throttled mutation too, and sends the sync once it is let through", async () => {
    await installShop();
    shopify.failNext({ kind: "throttled" }, { operation: "RankSync", times: 2 });
    await orderWebhook(1001);
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 1, retried: 1, failed: 0 });
    await makeRetriesDue();
    expect(await drain()).toEqual({ done: 0, retried: 1, failed: 0 });
    expect(await rankSyncJobs()).toMatchObject([{ status: "queued", attempts: 2 }]);
    await makeRetriesDue();
    expect(await drain()).toEqual({ done: 1, retried: 0, failed: 0 });
    expect(await rankSyncJobs()).toMatchObject([{ status: "done", attempts: 3 }]);
    expect(shopify.succeeded("RankSync", HANAKO)).toHaveLength(1);
    expect(shopify.customer(TEST_SHOP, HANAKO).tags).toEqual(["tokui-rank:first"]);
  });
});

describe("failures retrying cannot fix", () => {
  async function expectFailedForGood(message: RegExp) {
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 1, retried: 0, failed: 1 });
    const jobs = await rankSyncJobs();
    expect(jobs).toEqual([
      { customerId: await customerId(HANAKO), status: "failed", attempts: 1, runAt: expect.any(Date), error: expect.stringMatching(message) },
    ]);
    // Never retried, even once every waiting job is due.
    const callsBefore = shopify.calls.length;
    await makeRetriesDue();
    expect(await drain()).toEqual({ done: 0, retried: 0, failed: 0 });
    expect(shopify.calls).toHaveLength(callsBefore);
    expect(await rankSyncJobs()).toMatchObject([{ status: "failed", attempts: 1 }]);
  }

  it("Shopify refuses the metafields (userErrors): failed with Shopify's message", async () => {
    await installShop();
    shopify.failNext({
      kind: "userErrors",
      field: "metafieldsSet",
      userErrors: [{ field: ["metafields", "0", "value"], message: "Value does not match the metafield definition", code: "INVALID_VALUE" }],
    });
    await orderWebhook(1001);
    await expectFailedForGood(
      new RegExp(`^PermanentJobError: Shopify refused the rank sync of ${HANAKO}: Value does not match the metafield definition$`),
    );
    expect(operations()).toEqual([
      ["CustomerRankTags", 200],
      ["RankSync", 200],
    ]);
    // The steps of the mutation are independent in Shopify: the tag went on, the metafields did not.
    expect(shopify.customer(TEST_SHOP, HANAKO)).toMatchObject({ tags: ["tokui-rank:first"], appMetafields: {} });
  });

  it("the shop has no offline session: failed, and Shopify is never called", async () => {
    await orderWebhook(1001); // no installShop()
    await expectFailedForGood(/^PermanentJobError: no offline session for tokui-test\.myshopify\.com \(not installed\?\)/);
    expect(shopify.calls).toEqual([]);
  });

  it("the access token was revoked (HTTP 401): failed", async () => {
    await installShop();
    shopify.failNext({ kind: "http", status: 401 });
    await orderWebhook(1001);
    await expectFailedForGood(/^PermanentJobError: Admin API refused \(HTTP 401\)/);
  });

  it("the customer was deleted in Shopify: failed", async () => {
    await installShop();
    shopify.deleteCustomer(TEST_SHOP, HANAKO);
    await orderWebhook(1001);
    await expectFailedForGood(new RegExp(`^PermanentJobError: customer ${HANAKO} no longer exists in Shopify$`));
    expect(operations()).toEqual([["CustomerRankTags", 200]]);
  });
});

describe("several due syncs at once (the queue's batch path)", () => {
  const gidOf = (id: number) => `gid://shopify/Customer/${id}`;

  it("syncs 25 customers with two requests per batch, each customer's writes exactly as alone", async () => {
    await installShop();
    const ids = Array.from({ length: 25 }, (_, i) => 9001 + i);
    // One of them already has a tag of a deleted tier and a tag of the merchant's own.
    shopify.seedCustomer(TEST_SHOP, gidOf(9003), { tags: ["tokui-rank:gold", "wholesale"] });
    // 9002 buys twice: second purchase, and no more spend needed than orders for the next rank.
    for (const [i, id] of ids.entries()) await orderWebhook(5001 + i, { customerId: id, total: "3000" });
    await orderWebhook(5100, { customerId: 9002, total: "3000", createdAt: "2026-11-08T10:00:00+09:00" });
    await ingestStoredEvents();
    const { queue, handlers } = await app();
    // The remote lane alone: the 25 syncs (the webhook jobs, already done, stay behind).
    expect(await queue.drain(handlers, "remote")).toEqual({ done: 25, retried: 0, failed: 0 });

    for (const id of ids) {
      const expected = id === 9002 ? { rank: "second", order_count: "2" } : { rank: "first", order_count: "1" };
      expect(shopify.customer(TEST_SHOP, gidOf(id)), gidOf(id)).toMatchObject({ appMetafields: expected });
      expect(rankWrites(gidOf(id)), gidOf(id)).toHaveLength(1);
    }
    expect(shopify.customer(TEST_SHOP, gidOf(9003)).tags).toEqual(["tokui-rank:first", "wholesale"]);
    expect(shopify.customer(TEST_SHOP, gidOf(9002)).tags).toEqual(["tokui-rank:second"]);
    // Only batch requests, a tags query and a mutation each, and no more than the batches need.
    const ops = operations();
    expect(new Set(ops.map(([name]) => name))).toEqual(new Set(["CustomersRankTags", "RankSyncBatch"]));
    expect(ops.every(([, status]) => status === 200)).toBe(true);
    // 25 due syncs claimed at once on SQLite (20 + 5 customers per request), by tens under pg-boss.
    expect(ops.length).toBe(DB_KIND === "sqlite" ? 4 : 6);
    expect((await rankSyncJobs()).every((j) => j.status === "done" && j.attempts === 1)).toBe(true);
  });

  it("a customer deleted in Shopify sends the batch one by one: the others are synced, that one fails", async () => {
    await installShop();
    shopify.deleteCustomer(TEST_SHOP, gidOf(9102));
    for (const [i, id] of [9101, 9102, 9103].entries()) await orderWebhook(5201 + i, { customerId: id });
    await ingestStoredEvents();
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 3 + 2, retried: 0, failed: 1 });

    const jobs = await rankSyncJobs();
    expect(jobs.find((j) => j.status === "failed")).toMatchObject({
      customerId: await customerId(gidOf(9102)),
      error: expect.stringMatching(/^PermanentJobError: customer gid:\/\/shopify\/Customer\/9102 no longer exists in Shopify$/),
    });
    for (const id of [9101, 9103]) expect(shopify.customer(TEST_SHOP, gidOf(id)).tags).toEqual(["tokui-rank:first"]);
    // The batch asked once, wrote nothing, and left the writing to the jobs one by one.
    expect(shopify.succeeded("RankSyncBatch")).toEqual([]);
    expect(operations()[0]).toEqual(["CustomersRankTags", 200]);
    // (in the order the queue hands them out, which pg-boss does not fix)
    expect(operations().slice(1).map(([name]) => name).sort()).toEqual(["CustomerRankTags", "CustomerRankTags", "CustomerRankTags", "RankSync", "RankSync"]);
  });

  it("a userError in the batch sends it one by one, and every customer still gets synced", async () => {
    await installShop();
    shopify.failNext(
      { kind: "userErrors", field: "metafieldsSet", userErrors: [{ field: ["metafields", "0", "value"], message: "Value is invalid." }] },
      { operation: "RankSyncBatch" },
    );
    for (const [i, id] of [9201, 9202].entries()) await orderWebhook(5301 + i, { customerId: id });
    await ingestStoredEvents();
    const { drain } = await app();
    expect(await drain()).toEqual({ done: 2 + 2, retried: 0, failed: 0 });
    for (const id of [9201, 9202]) {
      expect(shopify.customer(TEST_SHOP, gidOf(id))).toMatchObject({ tags: ["tokui-rank:first"], appMetafields: { rank: "first", order_count: "1" } });
      expect(shopify.succeeded("RankSync", gidOf(id))).toHaveLength(1);
    }
  });

  it("a shop without an offline session fails all its syncs at once, without asking Shopify or running them one by one", async () => {
    for (const [i, id] of [9301, 9302, 9303].entries()) await orderWebhook(5401 + i, { customerId: id }); // no installShop()
    await ingestStoredEvents();
    const { queue, handlers } = await app();
    let alone = 0;
    const single: JobHandler = async (job) => {
      alone++;
      await handlers["rank-sync"](job);
    };
    single.batch = handlers["rank-sync"].batch;
    expect(await queue.drain({ ...handlers, "rank-sync": single })).toEqual({ done: 3, retried: 0, failed: 3 });
    expect(alone).toBe(0);
    const jobs = await rankSyncJobs();
    expect(jobs).toHaveLength(3);
    for (const job of jobs) {
      expect(job).toMatchObject({ status: "failed", attempts: 1, error: expect.stringMatching(/^PermanentJobError: no offline session for tokui-test\.myshopify\.com/) });
    }
    expect(shopify.calls).toEqual([]);
  });
});

describe("the recompute keeps Shopify in step (queueStaleRankSyncs)", () => {
  const TARO_ID = 7409876543299;
  const TARO = `gid://shopify/Customer/${TARO_ID}`;

  async function recompute() {
    const { db, queue } = await app();
    return recomputeShop(db, queue, TEST_SHOP, new Date());
  }

  async function fingerprintOf(gid: string) {
    const { prisma } = await app();
    return (await prisma.customer.findFirstOrThrow({ where: { shop: TEST_SHOP, gid }, select: { rankSyncedFingerprint: true } })).rankSyncedFingerprint;
  }

  it("queues again the syncs that failed for good once the shop is reachable, then nothing while Shopify is in step", async () => {
    // No offline session yet (the token was revoked, the shop reinstalling): both syncs fail for good.
    await orderWebhook(1001);
    await orderWebhook(1002, { customerId: TARO_ID });
    const { drain } = await app();
    await drain();
    expect((await rankSyncJobs()).map((j) => j.status)).toEqual(["failed", "failed"]);
    expect(await fingerprintOf(HANAKO)).toBeNull();
    // Still no session: queueing them again would only fail them again.
    expect(await recompute()).toMatchObject({ rankSyncsQueued: 0 });

    await installShop();
    // Nothing moved in the stats, so the refresh alone would queue nothing; the sweep does.
    expect(await recompute()).toMatchObject({ customers: 2, rankChanges: 0, rankSyncsQueued: 2 });
    await drain();
    for (const gid of [HANAKO, TARO]) {
      expect(shopify.customer(TEST_SHOP, gid)).toMatchObject({ tags: ["tokui-rank:first"], appMetafields: { rank: "first", rank_label: "初回" } });
      expect(await fingerprintOf(gid)).toBe(JSON.stringify(["first", "初回", 1, "second", "2回目", 1, null]));
    }
    expect(operations()).toEqual([
      ["CustomersRankTags", 200],
      ["RankSyncBatch", 200],
    ]);

    const callsBefore = shopify.calls.length;
    expect(await recompute()).toMatchObject({ rankSyncsQueued: 0 });
    await drain();
    expect(shopify.calls).toHaveLength(callsBefore);
  });

  it("resyncs only the customers whose label changed when the merchant renames a tier, though no rank moved", async () => {
    await installShop();
    const { drain, prisma } = await app();
    await orderWebhook(1001); // Hanako: 初回
    for (const [i, at] of ["2026-11-04", "2026-11-05", "2026-11-06"].entries()) {
      await orderWebhook(1101 + i, { customerId: TARO_ID, createdAt: `${at}T10:00:00+09:00` }); // Taro: 常連
    }
    await drain();
    expect(shopify.customer(TEST_SHOP, TARO).appMetafields).toMatchObject({ rank: "regular", next_rank: "vip" });
    const taroSyncs = rankWrites(TARO).length;

    await prisma.rankTier.updateMany({ where: { shop: TEST_SHOP, key: "first" }, data: { labelJa: "はじめて" } });
    expect(await recompute()).toMatchObject({ rankChanges: 0, rankSyncsQueued: 1 });
    await drain();
    expect(shopify.customer(TEST_SHOP, HANAKO).appMetafields).toMatchObject({ rank: "first", rank_label: "はじめて" });
    expect(rankWrites(TARO)).toHaveLength(taroSyncs);
    // The rename's sync ran alone (RankSync, not the batch path) and recorded what it wrote: the
    // next recompute queues nothing.
    expect(shopify.succeeded("RankSync", HANAKO)).toHaveLength(1);
    expect(await recompute()).toMatchObject({ rankSyncsQueued: 0 });
  });

  it("leaves a customer deleted in Shopify alone", async () => {
    await installShop();
    shopify.deleteCustomer(TEST_SHOP, HANAKO);
    await orderWebhook(1001);
    const { drain } = await app();
    await drain();
    expect(await rankSyncJobs()).toMatchObject([{ status: "failed" }]);
    expect(await fingerprintOf(HANAKO)).toBe("gone");

    expect(await recompute()).toMatchObject({ rankSyncsQueued: 0 });
    expect(await rankSyncJobs()).toHaveLength(1);
  });
});

describe("durability", () => {
  it("loses nothing across a restart: a new queue instance runs what the crashed one left", async () => {
    await installShop();
    const { db, prisma } = await app();
    const customers = [7001, 7002, 7003];
    for (const [i, id] of customers.entries()) await orderWebhook(1001 + i, { customerId: id });
    // Instance 1 ingests two events (their rank-sync jobs commit with the data) and dies before
    // its worker runs anything; the third event was stored and acknowledged, nothing more.
    const crashed = await createJobQueue(db);
    const events = await prisma.webhookEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } });
    for (const event of events.slice(0, 2)) await processWebhookEvent(db.prisma, crashed, event.id);
    await crashed.stop();
    expect(shopify.calls).toEqual([]);
    expect((await rankSyncJobs()).map((j) => [j.status, j.attempts])).toEqual([
      ["queued", 0],
      ["queued", 0],
    ]);

    const restarted = await createJobQueue(db);
    try {
      // 3 webhook jobs (two find their event already processed) and 3 rank syncs.
      expect(await restarted.drain(jobHandlers(db, restarted))).toEqual({ done: 6, retried: 0, failed: 0 });
    } finally {
      await restarted.stop();
    }
    for (const id of customers) {
      const gid = `gid://shopify/Customer/${id}`;
      expect(rankWrites(gid), gid).toHaveLength(1);
      expect(shopify.customer(TEST_SHOP, gid)).toMatchObject({ tags: ["tokui-rank:first"], appMetafields: { rank: "first", order_count: "1" } });
    }
    expect((await rankSyncJobs()).map((j) => [j.status, j.attempts])).toEqual([
      ["done", 1],
      ["done", 1],
      ["done", 1],
    ]);
  });

  it.runIf(DB_KIND === "sqlite")("takes again a job left running by a dead worker once its lease expired, not before", async () => {
    await installShop();
    const { db, prisma, queue } = await app();
    await orderWebhook(1001, { customerId: 7101 });
    await orderWebhook(1002, { customerId: 7102 });
    for (const event of await prisma.webhookEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } })) {
      await processWebhookEvent(db.prisma, queue, event.id);
    }
    const [expired, held] = await prisma.job.findMany({ where: { queue: "rank-sync" }, orderBy: { id: "asc" } });
    // Claimed by a worker that died a while ago (lease over), and by one still alive (lease held).
    await prisma.job.update({ where: { id: expired!.id }, data: { status: "running", attempts: 1, lockedUntil: new Date(Date.now() - 60_000) } });
    await prisma.job.update({ where: { id: held!.id }, data: { status: "running", attempts: 1, lockedUntil: new Date(Date.now() + 60_000) } });

    const restarted = await createJobQueue(db);
    // The two webhook jobs (events already processed) and the expired rank sync.
    expect(await restarted.drain(jobHandlers(db, restarted))).toEqual({ done: 3, retried: 0, failed: 0 });
    await restarted.stop();

    expect(shopify.succeeded("RankSync", "gid://shopify/Customer/7101")).toHaveLength(1);
    expect(shopify.customer(TEST_SHOP, "gid://shopify/Customer/7101").tags).toEqual(["tokui-rank:first"]);
    expect(shopify.calls.filter((c) => c.variables.id === "gid://shopify/Customer/7102")).toEqual([]);
    expect((await rankSyncJobs()).map((j) => [j.status, j.attempts])).toEqual([
      ["done", 2],
      ["running", 1],
    ]);
  });
});

describe("the background worker (queue.start)", () => {
  it("syncs, and fails a permanent refusal for good instead of retrying it", async () => {
    await installShop();
    shopify.deleteCustomer(TEST_SHOP, "gid://shopify/Customer/7202");
    await orderWebhook(1001, { customerId: 7201 });
    await orderWebhook(1002, { customerId: 7202 });
    const { db } = await app();
    const worker = await createJobQueue(db);
    try {
      await worker.start(jobHandlers(db, worker));
      await vi.waitFor(
        async () => {
          const jobs = await rankSyncJobs();
          expect(jobs.map((j) => j.status).sort()).toEqual(["done", "failed"]);
        },
        { timeout: 8000, interval: 100 },
      );
    } finally {
      await worker.stop();
    }
    const jobs = await rankSyncJobs();
    expect(jobs.find((j) => j.status === "failed")).toMatchObject({
      customerId: await customerId("gid://shopify/Customer/7202"),
      attempts: 1,
      error: expect.stringMatching(/customer gid:\/\/shopify\/Customer\/7202 no longer exists in Shopify/),
    });
    expect(jobs.find((j) => j.status === "done")).toMatchObject({ customerId: await customerId("gid://shopify/Customer/7201"), attempts: 1 });
    expect(shopify.customer(TEST_SHOP, "gid://shopify/Customer/7201").tags).toEqual(["tokui-rank:first"]);
    // The refused customer was asked about once, never again.
    expect(shopify.calls.filter((c) => c.variables.id === "gid://shopify/Customer/7202")).toHaveLength(1);
  });
});

describe("a slow Shopify does not hold up webhook processing (the worker's two lanes)", () => {
  it("stores a new order while the previous customer's rank sync still waits on Shopify, and syncs both once Shopify answers", async () => {
    await installShop();
    const { db, prisma } = await app();
    const worker = await createJobQueue(db);
    const slow = shopify.hold();
    const stored = (orderId: number) => prisma.order.count({ where: { shop: TEST_SHOP, gid: `gid://shopify/Order/${orderId}` } });
    try {
      await worker.start(jobHandlers(db, worker));
      await orderWebhook(1001, { customerId: 7301 });
      worker.kick();
      // The first customer's rank sync has asked Shopify, which does not answer yet.
      await vi.waitFor(() => expect(slow.arrived()).toBeGreaterThan(0), { timeout: 8000, interval: 20 });
      await orderWebhook(1002, { customerId: 7302 });
      worker.kick();
      await vi.waitFor(async () => expect(await stored(1002)).toBe(1), { timeout: 8000, interval: 20 });
      expect(shopify.calls.filter((c) => c.status !== 0)).toEqual([]); // Shopify still has not answered
      slow.release();
      await vi.waitFor(
        async () => expect((await rankSyncJobs()).map((j) => j.status)).toEqual(["done", "done"]),
        { timeout: 8000, interval: 50 },
      );
    } finally {
      slow.release();
      await worker.stop();
    }
    for (const id of [7301, 7302]) expect(shopify.customer(TEST_SHOP, `gid://shopify/Customer/${id}`).tags).toEqual(["tokui-rank:first"]);
  });
});

// SQLite runs one app instance by design (app/queue/types.ts): nothing to test there.
describe.runIf(DB_KIND === "postgresql")("two app instances on one PostgreSQL database", () => {
  it("syncs each of 40 customers exactly once while both drain the queue at the same time", async () => {
    await installShop();
    const { db, prisma, queue } = await app();
    const ids = Array.from({ length: 40 }, (_, i) => 8001 + i);
    for (const [i, id] of ids.entries()) await orderWebhook(3001 + i, { customerId: id, total: "3000" });
    for (const event of await prisma.webhookEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } })) {
      await processWebhookEvent(db.prisma, queue, event.id);
    }
    expect((await rankSyncJobs()).filter((j) => j.status === "queued")).toHaveLength(40);

    // Instance B has its own connection pools, as another process would.
    const dbB = createDatabase(db.url);
    const [a, b] = await Promise.all([createJobQueue(db), createJobQueue(dbB)]);
    const ran: Record<"a" | "b", number[]> = { a: [], b: [] };
    const counting = (instance: "a" | "b", handlers: JobHandlers): JobHandlers => {
      const rankSync: JobHandler = async (job) => {
        ran[instance].push(Number(job.data.customerId));
        await handlers["rank-sync"](job);
      };
      // The batch path too: that is the one the queue takes for several due syncs.
      rankSync.batch = async (jobs) => {
        await handlers["rank-sync"].batch!(jobs);
        ran[instance].push(...jobs.map((job) => Number(job.data.customerId)));
      };
      return { ...handlers, "rank-sync": rankSync };
    };
    try {
      const results = await Promise.all([a.drain(counting("a", jobHandlers(db, a))), b.drain(counting("b", jobHandlers(dbB, b)))]);
      // 40 webhook jobs (events already processed) and 40 rank syncs, split between the two.
      expect(results.reduce((sum, r) => sum + r.done, 0)).toBe(80);
      expect(results.map((r) => r.retried + r.failed)).toEqual([0, 0]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await dbB.prisma.$disconnect();
    }

    const all = [...ran.a, ...ran.b];
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
    // Both instances took part (otherwise this proves nothing about concurrency).
    expect(ran.a.length).toBeGreaterThan(0);
    expect(ran.b.length).toBeGreaterThan(0);
    for (const id of ids) {
      const gid = `gid://shopify/Customer/${id}`;
      expect(rankWrites(gid), gid).toHaveLength(1);
      expect(shopify.customer(TEST_SHOP, gid).tags, gid).toEqual(["tokui-rank:first"]);
    }
    // Batches: two requests per batch of due syncs, far fewer than two per customer.
    expect(shopify.calls.every((c) => c.status === 200)).toBe(true);
    expect(shopify.calls.length).toBeLessThan(40);
    expect((await rankSyncJobs()).every((j) => j.status === "done" && j.attempts === 1)).toBe(true);
  });
});

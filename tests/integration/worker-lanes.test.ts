/**
 * The worker's lanes (ADR 0027): a long database job — a large shop's RFM refresh, recompute or
 * follow-up planning — runs in the bulk lane, so an order webhook that arrives meanwhile is
 * still stored and ranked at once. (The remote lane, against a slow Shopify, is tested in
 * rank-sync.test.ts.) SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { jobHandlers } from "~/context.server";
import { createJobQueue } from "~/queue/create-queue.server";
import { QUEUE_LANES, queuesOf, type JobHandler, type QueueName } from "~/queue/types";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { app } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { TEST_SHOP, webhookRequest } from "../helpers/shopify";

afterEach(async () => {
  const { prisma } = await app();
  for (const table of ["orderLine", "order", "rankChange", "customer", "rankTier", "shop", "webhookEvent", "job"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
});

describe("lanes", () => {
  it("every queue has exactly one lane, and only the webhooks are in the ingest lane", () => {
    expect(new Set([...queuesOf("ingest"), ...queuesOf("bulk"), ...queuesOf("remote")]).size).toBe(Object.keys(QUEUE_LANES).length);
    expect(queuesOf("ingest")).toEqual(["webhook"]);
    expect(queuesOf()).toHaveLength(Object.keys(QUEUE_LANES).length);
  });

  it.each<QueueName>(["rfm-refresh", "recompute", "followup-plan"])("a webhook is processed while a %s job is still running", async (longQueue) => {
    const { db, prisma } = await app();
    const worker = await createJobQueue(db);
    let entered = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const long: JobHandler = async () => {
      entered = true;
      await held;
    };
    try {
      await prisma.$transaction((tx) => worker.enqueue(tx, { queue: longQueue, shop: TEST_SHOP, data: { runId: 0 } }));
      await worker.start({ ...jobHandlers(db, worker), [longQueue]: long });
      await vi.waitFor(() => expect(entered).toBe(true), { timeout: 8000, interval: 20 });

      const body = orderPayload({ id: 6101, customerId: 7501, total: "5160" });
      expect((await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} })).status).toBe(200);
      worker.kick();
      await vi.waitFor(async () => expect(await prisma.order.count({ where: { shop: TEST_SHOP, gid: "gid://shopify/Order/6101" } })).toBe(1), {
        timeout: 8000,
        interval: 20,
      });
      const customer = await prisma.customer.findFirstOrThrow({ where: { shop: TEST_SHOP, gid: "gid://shopify/Customer/7501" } });
      expect(customer).toMatchObject({ orderCount: 1, rankKey: "first" });
    } finally {
      release();
      await worker.stop();
    }
  });
});

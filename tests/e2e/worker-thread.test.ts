/**
 * TOKUI_INLINE_WORKER=thread (ADR 0029): the built server (`npm start`, scripts/serve.mjs) runs
 * its job worker on a thread of its own process. With this setting the web thread starts no
 * worker, so an order is stored and ranked only if the thread works. SIGTERM must end the
 * process with exit code 0: the thread stopped when asked, not cut off by the SIGKILL that
 * startServer's stop() sends after 10 seconds.
 */
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "../../bench/lib/server";
import { orderPayload } from "../helpers/payloads";
import { TEST_SHOPIFY_ENV, webhookRequest } from "../helpers/shopify";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

const SHOP = "worker-thread.myshopify.com";
let server: RunningServer | undefined;
let database: TestDatabase | undefined;

afterEach(async () => {
  await server?.stop();
  await database?.drop();
  server = database = undefined;
});

describe("the job worker on a thread of the server (TOKUI_INLINE_WORKER=thread)", () => {
  it("stores and ranks the orders of signed webhooks, then stops cleanly on SIGTERM", async () => {
    database = await createTestDatabase("sqlite");
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    server = await startServer({
      port,
      databaseUrl: database.url,
      secret: TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET,
      nodeOptions: [],
      inlineWorker: "thread",
      startTimeoutMs: 60_000,
      env: { SHOPIFY_API_KEY: TEST_SHOPIFY_ENV.SHOPIFY_API_KEY, SHOPIFY_APP_URL: baseUrl, SCOPES: TEST_SHOPIFY_ENV.SCOPES },
    });

    // Two orders of one customer: the second makes them a second-time buyer (2回目).
    for (const [id, createdAt] of [
      [910001, "2026-11-01T10:00:00+09:00"],
      [910002, "2026-11-10T10:00:00+09:00"],
    ] as const) {
      const signed = webhookRequest({ topic: "orders/create", shop: SHOP, body: orderPayload({ id, customerId: 820001, total: "3300", createdAt, updatedAt: createdAt }) });
      const response = await fetch(`${baseUrl}/webhooks/orders/create`, { method: "POST", headers: signed.headers, body: await signed.text() });
      expect(response.status).toBe(200);
    }

    const sqlite = new Sqlite(database.url.replace(/^file:/, ""), { readonly: true });
    sqlite.pragma("busy_timeout = 5000");
    try {
      const customer = () =>
        sqlite.prepare(`SELECT "orderCount", "rankKey" FROM "Customer" WHERE shop = ? AND gid = ?`).get(SHOP, "gid://shopify/Customer/820001") as
          | { orderCount: number; rankKey: string | null }
          | undefined;
      const deadline = Date.now() + 30_000;
      while (customer()?.orderCount !== 2 && Date.now() < deadline) {
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), server.exited]);
      }
      expect(customer()).toEqual({ orderCount: 2, rankKey: "second" });
      expect(sqlite.prepare(`SELECT count(*) AS n FROM "WebhookEvent" WHERE status = 'pending'`).get()).toEqual({ n: 0 });
    } finally {
      sqlite.close();
    }

    await server.stop();
    expect({ code: server.process.exitCode, signal: server.process.signalCode }).toEqual({ code: 0, signal: null });
  });
});

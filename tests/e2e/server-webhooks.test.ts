/**
 * `npm start` (scripts/serve.mjs) hands Shopify's webhook POSTs straight to their route's action,
 * past Remix's route matching (ADR 0030). Through the built server on a real socket: what
 * Shopify sees — the statuses, and the rows written or not — must be what the route gives
 * through Remix; every other request still goes through Remix.
 */
import fs from "node:fs";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "../../bench/lib/server";
import { orderPayload } from "../helpers/payloads";
import { TEST_SHOPIFY_ENV, webhookRequest } from "../helpers/shopify";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

const SHOP = "server-webhooks.myshopify.com";
let server: RunningServer;
let database: TestDatabase;
let sqlite: Sqlite.Database;
let baseUrl: string;

beforeAll(async () => {
  database = await createTestDatabase("sqlite");
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = await startServer({
    port,
    databaseUrl: database.url,
    secret: TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET,
    nodeOptions: [],
    inlineWorker: false, // acknowledgements only: what the webhook routes themselves write
    startTimeoutMs: 60_000,
    env: { SHOPIFY_API_KEY: TEST_SHOPIFY_ENV.SHOPIFY_API_KEY, SHOPIFY_APP_URL: baseUrl, SCOPES: TEST_SHOPIFY_ENV.SCOPES },
  });
  sqlite = new Sqlite(database.url.replace(/^file:/, ""), { readonly: true });
  sqlite.pragma("busy_timeout = 5000");
}, 90_000);

afterAll(async () => {
  sqlite?.close();
  await server?.stop();
  await database?.drop();
});

async function post(topic: string, options: { body?: unknown; hmac?: string | null; eventId?: string; path?: string } = {}) {
  const signed = webhookRequest({
    topic,
    shop: SHOP,
    body: options.body ?? orderPayload({ id: 930001, customerId: 830001, total: "5500" }),
    ...(options.hmac !== undefined ? { hmac: options.hmac } : {}),
    ...(options.eventId ? { eventId: options.eventId, webhookId: options.eventId } : {}),
  });
  const response = await fetch(`${baseUrl}${options.path ?? `/webhooks/${topic}`}`, { method: "POST", headers: signed.headers, body: await signed.text() });
  return { status: response.status, text: await response.text() };
}

const events = () => (sqlite.prepare(`SELECT count(*) AS n FROM "WebhookEvent" WHERE shop = ?`).get(SHOP) as { n: number }).n;

describe("webhooks through the built server", () => {
  it("acknowledges a signed orders/create with 200 and stores it once; the same delivery again changes nothing", async () => {
    const before = events();
    expect(await post("orders/create", { eventId: "evt-server-1" })).toEqual({ status: 200, text: "" });
    expect(events()).toBe(before + 1);
    expect((await post("orders/create", { eventId: "evt-server-1" })).status).toBe(200);
    expect(events()).toBe(before + 1);
  });

  it("answers a forged or missing signature with 401 and writes nothing", async () => {
    const before = events();
    expect((await post("orders/create", { hmac: "Zm9yZ2Vk" })).status).toBe(401);
    expect((await post("orders/paid", { hmac: null })).status).toBe(401);
    expect(events()).toBe(before);
  });

  it("answers a body that is not JSON as the route does (400), writing nothing", async () => {
    const before = events();
    const { status } = await post("orders/updated", { body: "{not json" });
    expect(status).toBe(400);
    expect(events()).toBe(before);
  });

  it("answers a body over 10 MB with 413 before reading the rest, writing nothing; the server goes on", async () => {
    const before = events();
    const huge = JSON.stringify({ note: "x".repeat(11 * 1024 * 1024) });
    const response = await fetch(`${baseUrl}/webhooks/orders/create`, { method: "POST", headers: { "Content-Type": "application/json" }, body: huge }).catch(
      (error: unknown) => error,
    );
    // The server answers and closes the connection while the client may still be sending.
    if (response instanceof Response) {
      expect(response.status).toBe(413);
      await response.body?.cancel();
    } else {
      expect(String((response as Error).cause ?? response)).toMatch(/EPIPE|ECONNRESET|closed|terminated|other side/i);
    }
    expect(events()).toBe(before);
    expect((await post("orders/create", { eventId: "evt-after-413" })).status).toBe(200);
  });

  it("answers a webhook URL with a query string like the plain one", async () => {
    expect((await post("orders/create", { path: "/webhooks/orders/create?source=retry", hmac: null })).status).toBe(401);
  });

  it("leaves paths that are not webhook routes to Remix: an unknown topic is a 404, a GET is not an acknowledgement", async () => {
    expect((await post("orders/create", { path: "/webhooks/orders/nonexistent" })).status).toBe(404);
    const get = await fetch(`${baseUrl}/webhooks/orders/create`);
    await get.body?.cancel();
    expect(get.status).not.toBe(200);
  });

  it("answers every webhook path declared in shopify.app.toml with its route (unsigned: 401, not a 404)", async () => {
    const toml = fs.readFileSync("shopify.app.toml", "utf8");
    const uris = [...toml.matchAll(/uri\s*=\s*"(\/webhooks\/[^"]+)"/g)].map((m) => m[1]!);
    expect(uris.length).toBeGreaterThan(5);
    for (const uri of uris) {
      const response = await fetch(`${baseUrl}${uri}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      await response.body?.cancel();
      expect(response.status, uri).toBe(401);
    }
  });
});

describe("public/ through the built server", () => {
  it("serves public/robots.txt, which keeps the app's pages out of search engines", async () => {
    const response = await fetch(`${baseUrl}/robots.txt`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^User-agent: \*\nDisallow: \/$/m);
  });
});

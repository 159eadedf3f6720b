/**
 * Preload for the app server under the end-to-end tests
 * (`node --import tsx --import ./tests/e2e/server-preload.ts scripts/serve.mjs`): Shopify's Admin
 * API faked inside the server process, with the same fake the integration tests use
 * (tests/mocks/admin-api.ts: every document and its variables validated against the vendored
 * Admin schema) plus Shopify's token endpoint (tests/helpers/admin-request.ts tokenExchange).
 *
 * It listens before the app is imported: @shopify/shopify-api's node adapter captures
 * globalThis.fetch when it is first imported, so every Admin API call of the app comes here;
 * every other request off the machine too (see below), and fails if no handler answers it.
 *
 * Environment (set by tests/e2e/harness.ts):
 *   TOKUI_E2E_SHOP           the shop that is installed
 *   TOKUI_E2E_ACCESS_TOKEN   its offline session's access token (other tokens: a violation)
 *   TOKUI_E2E_CONTROL_PORT   loopback port for GET /state (violations, refusals, calls, requests
 *                            that left the process unmocked, bulk operations) and the POST
 *                            commands below (what Shopify has; how its bulk operations go)
 */
import http from "node:http";
import { FetchInterceptor } from "@mswjs/interceptors/fetch";
import { SetupServerApi } from "msw/node";
import { tokenExchange } from "../helpers/admin-request";
import type { FakeOrder } from "../mocks/admin-api";
import type { FakeBulkCustomer } from "../mocks/admin-bulk";

const shop = required("TOKUI_E2E_SHOP");
const accessToken = required("TOKUI_E2E_ACCESS_TOKEN");
const controlPort = Number(required("TOKUI_E2E_CONTROL_PORT"));

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`tests/e2e/server-preload.ts needs ${name}`);
  return value;
}

const { adminApiMock } = await import("../mocks/admin-api");

const shopify = adminApiMock();
shopify.install(shop, accessToken);
shopify.setShop(shop, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
const exchange = tokenExchange(() => accessToken);
/** Outgoing requests no handler answered (the app must not reach the internet). */
const unhandled: string[] = [];

const isLoopback = (target: string) => /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(target);
const server = new SetupServerApi([...shopify.handlers, exchange.handler], [new FetchInterceptor()]);
server.listen({
  onUnhandledRequest: (request, print) => {
    if (isLoopback(request.url)) return;
    unhandled.push(`${request.method} ${request.url}`);
    print.error(); // and the request fails here instead of leaving the machine
  },
});

// The app's later fetches (the history import's download) call the global fetch, which
// scripts/serve.mjs replaces with @remix-run/web-fetch's (installGlobals). That one speaks
// node:https, which MSW cannot intercept here without breaking web-fetch's Headers; so requests
// off the machine keep going through the intercepted fetch, loopback ones through web-fetch's.
const interceptedFetch = globalThis.fetch;
let appFetch: typeof fetch = interceptedFetch;
Object.defineProperty(globalThis, "fetch", {
  configurable: true,
  enumerable: true,
  get: () => appFetch,
  set(replacement: typeof fetch) {
    appFetch = (input, init) => {
      if (typeof input !== "string" && !(input instanceof URL)) {
        throw new Error("tests/e2e/server-preload.ts: the app called fetch with a Request object; route it to the fake here");
      }
      return isLoopback(String(input)) ? replacement(input, init) : interceptedFetch(input, init);
    };
  },
});

export interface ServerFakeState {
  violations: string[];
  refusals: string[];
  exchanges: number;
  unhandled: string[];
  /** Admin API operations the app sent, in order, with their HTTP status. */
  calls: { operationName: string | null; status: number }[];
  bulkOperations: { id: string; status: string; query: string; objectCount: number }[];
}

/** POST bodies of the control port, by path: each returns what the test gets back. */
const commands: Record<string, (body: never) => unknown> = {
  // Orders the shop has in Shopify (the seed's webhooks describe them): the reward job tags them,
  // the orders export lists them.
  "/orders": (orders: FakeOrder[]) => orders.forEach((order) => shopify.seedOrder(shop, order)),
  // Customers the customers export lists.
  "/customers": (customers: FakeBulkCustomer[]) => shopify.bulk.seedCustomers(shop, customers),
  // Shopify's progress on a bulk operation, and its end (answered with the finish webhook's body).
  "/bulk/run": ({ id, objectCount }: { id: string; objectCount: number }) => shopify.bulk.run(id, objectCount),
  "/bulk/finish": ({ id }: { id: string }) => (shopify.bulk.finish(id), shopify.bulk.finishWebhook(id)),
};

const control = http.createServer((request, response) => {
  const reply = (status: number, value?: unknown) => {
    response.writeHead(status, { "Content-Type": "application/json" });
    response.end(value === undefined ? "" : JSON.stringify(value));
  };
  if (request.method === "GET" && request.url === "/state") {
    const state: ServerFakeState = {
      violations: shopify.violations,
      refusals: exchange.refusals,
      exchanges: exchange.exchanges.length,
      unhandled,
      calls: shopify.calls.map((c) => ({ operationName: c.operationName, status: c.status })),
      bulkOperations: shopify.bulk.operations(shop).map(({ id, status, query, objectCount }) => ({ id, status, query, objectCount })),
    };
    return reply(200, state);
  }
  const command = request.method === "POST" ? commands[request.url ?? ""] : undefined;
  if (!command) return reply(404);
  let body = "";
  request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
  request.on("end", () => {
    try {
      reply(200, command(JSON.parse(body) as never) ?? null);
    } catch (error) {
      reply(400, { error: String(error) });
    }
  });
});
control.listen(controlPort, "127.0.0.1");
control.unref();

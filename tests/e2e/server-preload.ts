/**
 * Preload for the app server under the end-to-end tests
 * (`node --import tsx --import ./tests/e2e/server-preload.ts scripts/serve.mjs`): Shopify's Admin
 * API faked inside the server process, with the same fake the integration tests use
 * (tests/mocks/admin-api.ts: every document and its variables validated against the vendored
 * Admin schema) plus Shopify's token endpoint (tests/helpers/admin-request.ts tokenExchange).
 *
 * It listens before the app is imported: @shopify/shopify-api's node adapter captures
 * globalThis.fetch when it is first imported, so every Admin API call of the app comes here.
 * Only fetch is intercepted (bench/lib/admin-api-mock.mjs explains why not node:http too).
 *
 * Environment (set by tests/e2e/harness.ts):
 *   TOKUI_E2E_SHOP           the shop that is installed
 *   TOKUI_E2E_ACCESS_TOKEN   its offline session's access token (other tokens: a violation)
 *   TOKUI_E2E_CONTROL_PORT   loopback port for GET /state (violations, refusals, calls, requests
 *                            that left the process unmocked) and POST /orders (FakeOrder[] the
 *                            shop has in Shopify)
 */
import http from "node:http";
import { FetchInterceptor } from "@mswjs/interceptors/fetch";
import { SetupServerApi } from "msw/node";
import { tokenExchange } from "../helpers/admin-request";
import { adminApiMock, type FakeOrder } from "../mocks/admin-api";

const shop = required("TOKUI_E2E_SHOP");
const accessToken = required("TOKUI_E2E_ACCESS_TOKEN");
const controlPort = Number(required("TOKUI_E2E_CONTROL_PORT"));

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`tests/e2e/server-preload.ts needs ${name}`);
  return value;
}

const shopify = adminApiMock();
shopify.install(shop, accessToken);
shopify.setShop(shop, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
const exchange = tokenExchange(() => accessToken);
/** Outgoing requests no handler answered (the app must not reach the internet). */
const unhandled: string[] = [];

const server = new SetupServerApi([...shopify.handlers, exchange.handler], [new FetchInterceptor()]);
server.listen({
  onUnhandledRequest: (request) => {
    // The tests' own probes of the server's port are loopback and fine.
    if (!/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(request.url)) unhandled.push(`${request.method} ${request.url}`);
  },
});

export interface ServerFakeState {
  violations: string[];
  refusals: string[];
  exchanges: number;
  unhandled: string[];
  /** Admin API operations the app sent, in order, with their HTTP status. */
  calls: { operationName: string | null; status: number }[];
}

const control = http.createServer((request, response) => {
  if (request.method === "POST" && request.url === "/orders") {
    // Orders the shop has in Shopify (the seed's webhooks describe them): the reward job tags them.
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      for (const order of JSON.parse(body) as FakeOrder[]) shopify.seedOrder(shop, order);
      response.writeHead(204).end();
    });
    return;
  }
  if (request.method !== "GET" || request.url !== "/state") {
    response.writeHead(404).end();
    return;
  }
  const state: ServerFakeState = {
    violations: shopify.violations,
    refusals: exchange.refusals,
    exchanges: exchange.exchanges.length,
    unhandled,
    calls: shopify.calls.map((c) => ({ operationName: c.operationName, status: c.status })),
  };
  response.writeHead(200, { "Content-Type": "application/json" });
  response.end(JSON.stringify(state));
});
control.listen(controlPort, "127.0.0.1");
control.unref();

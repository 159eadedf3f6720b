/**
 * Preload for the app server under `npm run bench:post-purchase`
 * (`node --import ./bench/lib/admin-api-mock.mjs scripts/serve.mjs`): Shopify's Admin GraphQL
 * API, mocked in the server process with MSW, answering `order(id:)` after a fixed delay.
 *
 * It listens before the app is imported: @shopify/shopify-api's node adapter captures
 * globalThis.fetch when it is first imported, so it captures MSW's patched fetch and every Admin
 * API call of the app comes here, with nothing else changed in the app.
 *
 * Environment (set by bench/post-purchase.ts):
 *   TOKUI_BENCH_ADMIN_ORDERS     JSON file: { "<order GID>": <order as ORDER_FOR_POST_PURCHASE_QUERY selects it> }
 *   TOKUI_BENCH_ADMIN_DELAY_MS   delay before each answer (default 100)
 *   TOKUI_BENCH_ADMIN_TOKEN      the offline session's access token; other tokens get HTTP 401
 *   TOKUI_BENCH_ADMIN_MOCK_PORT  a loopback port for GET /calls: what the mock was asked, as JSON
 *
 * Any other operation (the rank-sync and reward jobs', which do not run with
 * TOKUI_INLINE_WORKER=0) is answered with a GraphQL error and counted under `other`; any other
 * outgoing HTTP request is let through and counted under `unhandled`.
 */
/* global process, setTimeout, URL */
import fs from "node:fs";
import http from "node:http";
import { http as mock, HttpResponse } from "msw";
import { SetupServerApi } from "msw/node";
// Only fetch is intercepted (that is all @shopify/shopify-api uses). setupServer's default set
// also patches node:http and swaps globalThis.Headers/Request/Response for recording proxies,
// which break once scripts/serve.mjs installs @remix-run/web-fetch's classes over them.
import { FetchInterceptor } from "@mswjs/interceptors/fetch";

const ordersFile = process.env.TOKUI_BENCH_ADMIN_ORDERS;
const orders = new Map(Object.entries(ordersFile ? JSON.parse(fs.readFileSync(ordersFile, "utf8")) : {}));
const delayMs = Number(process.env.TOKUI_BENCH_ADMIN_DELAY_MS ?? "100");
const token = process.env.TOKUI_BENCH_ADMIN_TOKEN ?? null;

const calls = {
  /** Every request to an Admin GraphQL endpoint. */
  total: 0,
  /** order(id:) calls, per order GID asked for. */
  byOrder: new Map(),
  /** order(id:) for an order the mock does not know (answered order: null). */
  unknownOrders: 0,
  /** Any other operation. */
  other: 0,
  /** Requests with the wrong access token (answered 401). */
  unauthorized: 0,
  /** Outgoing HTTP requests no handler matched (let through). */
  unhandled: 0,
  byApiVersion: {},
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = new SetupServerApi(
  [
    mock.post(/^https:\/\/[^/]+\/admin\/api\/([^/]+)\/graphql\.json$/, async ({ request }) => {
      calls.total++;
      const version = new URL(request.url).pathname.split("/")[3];
      calls.byApiVersion[version] = (calls.byApiVersion[version] ?? 0) + 1;
      if (token !== null && request.headers.get("X-Shopify-Access-Token") !== token) {
        calls.unauthorized++;
        return HttpResponse.json({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }, { status: 401 });
      }
      const { query, variables } = await request.json();
      if (typeof query === "string" && /\border\s*\(\s*id\s*:/.test(query) && typeof variables?.id === "string") {
        const gid = variables.id;
        calls.byOrder.set(gid, (calls.byOrder.get(gid) ?? 0) + 1);
        const order = orders.get(gid) ?? null;
        if (!order) calls.unknownOrders++;
        await sleep(delayMs);
        return HttpResponse.json({
          data: { order },
          extensions: { cost: { requestedQueryCost: 8, actualQueryCost: 8, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1992, restoreRate: 100 } } },
        });
      }
      calls.other++;
      await sleep(delayMs);
      return HttpResponse.json({ errors: [{ message: "not mocked by bench:post-purchase", extensions: { code: "BENCH_NOT_MOCKED" } }] });
    }),
  ],
  [new FetchInterceptor()],
);
server.listen({
  onUnhandledRequest: () => {
    calls.unhandled++;
  },
});

const port = Number(process.env.TOKUI_BENCH_ADMIN_MOCK_PORT ?? "0");
if (port > 0) {
  const control = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/calls") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ ...calls, byOrder: Object.fromEntries(calls.byOrder) }));
  });
  control.listen(port, "127.0.0.1");
  control.unref();
}

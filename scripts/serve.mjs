/**
 * `npm start`: serves the built app (build/server/index.js and build/client) on PORT and HOST,
 * like Shopify's template does with remix-serve, but leaner on the hot path — Shopify's webhook
 * POSTs: they reach their route's action from Node's own request handler, without Express or
 * Remix's route matching (ADR 0030), no per-request access-log line (Tokui logs its own JSON
 * lines), no compression for acknowledgements that have no body. Everything else goes through
 * Express and Remix. docs/decisions/0009-webhook-group-commit.md has the first measurements.
 */
/* global process, console, setTimeout, URL, Request, Response, Headers, Buffer */
import http from "node:http";
import path from "node:path";
import url from "node:url";
import { Worker } from "node:worker_threads";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { superviseWorkerThread } from "./worker-thread-supervisor.mjs";


process.env.NODE_ENV ??= "production";
const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..");
const buildUrl = url.pathToFileURL(path.join(root, "build/server/index.js")).href;
const build = await import(buildUrl);
installGlobals({ nativeFetch: build.future.v3_singleFetch });

/**
 * Shopify's webhook POSTs go straight to their route's action (app/routes/webhooks.*.tsx): the
 * same module, the same Request (createRemixRequest), the same answers, minus Remix's route
 * matching, which flattens and ranks every route of the app on each request (~0.1 ms, a fifth
 * of an acknowledgement's CPU). Only resource routes (an action, no page, no loader) directly
 * under the root qualify; any other path goes through Remix as before (ADR 0009).
 */
const webhookActions = new Map(
  Object.values(build.routes)
    .filter((r) => r.parentId === "root" && r.path?.startsWith("webhooks/") && r.module.action && !r.module.default && !r.module.loader)
    .map((r) => [`/${r.path}`, r.module.action]),
);
/** Far above any order Shopify sends (a few hundred KB with hundreds of lines). */
const MAX_WEBHOOK_BYTES = 10 * 1024 * 1024;

/**
 * A webhook POST, answered without Express: the body read whole into a Buffer, the Request built
 * from it (no stream for the action to read back).
 */
async function webhookAction(action, req, res) {
  try {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BYTES) {
        res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
        res.end(`webhook body over ${MAX_WEBHOOK_BYTES} bytes`);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    }
    // The request as Remix's adapter builds it: every header as sent.
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
      method: "POST",
      headers,
      body: Buffer.concat(chunks),
    });
    let response;
    try {
      response = await action({ request, params: {}, context: {} });
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown; // authenticate.webhook answers a bad signature by throwing a 401
    }
    const body = Buffer.from(await response.arrayBuffer());
    res.statusCode = response.status;
    for (const [name, value] of response.headers) res.appendHeader(name, value);
    res.end(body);
  } catch (error) {
    // As Remix answers an action that throws: the error logged, a 500 without details.
    console.error(error);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end("Unexpected Server Error");
    }
  }
}

const app = express();
app.disable("x-powered-by");
const isWebhook = (req) => req.path.startsWith("/webhooks/");
const compress = compression();
app.use((req, res, next) => (isWebhook(req) ? next() : compress(req, res, next)));
const getOnly = (middleware) => (req, res, next) => (req.method === "GET" || req.method === "HEAD" ? middleware(req, res, next) : next());
// Vite's hashed assets never change; everything else in build/client may.
app.use("/assets", getOnly(express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" })));
app.use(getOnly(express.static(path.join(root, "build/client"), { maxAge: "1h" })));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const port = Number(process.env.PORT || 3000);
// The local demo shop (TOKUI_DEMO=1, app/demo.server.ts) answers on loopback only: its checks of
// the request's Host header can be fooled by a client, the bind address cannot.
if (process.env.TOKUI_DEMO === "1" && process.env.HOST && process.env.HOST !== "127.0.0.1") {
  console.error(`[tokui] TOKUI_DEMO=1 serves on 127.0.0.1 only; HOST=${process.env.HOST} refused`);
  process.exit(1);
}
const host = process.env.HOST || (process.env.TOKUI_DEMO === "1" ? "127.0.0.1" : undefined);
// Webhook POSTs first, without Express (its request and response wrappers cost a fifth of an
// acknowledgement); everything else through Express and Remix.
const server = http.createServer((req, res) => {
  if (req.method === "POST") {
    const query = req.url.indexOf("?");
    const action = webhookActions.get(query === -1 ? req.url : req.url.slice(0, query));
    if (action) return void webhookAction(action, req, res);
  }
  app(req, res);
});
server.listen(port, host, () => {
  console.log(`[tokui] http://${host ?? "localhost"}:${port}`);
});

// TOKUI_INLINE_WORKER=thread: the job worker on a thread of this process (ADR 0029), started
// again a second after it dies (jobs are durable; a job cut off mid-way runs again).
const workerThread =
  process.env.TOKUI_INLINE_WORKER === "thread"
    ? superviseWorkerThread(() => new Worker(new URL("./worker-thread.mjs", import.meta.url), { workerData: { buildUrl } }))
    : undefined;

// Stop taking requests, let those in flight finish and the worker thread's jobs in hand, then
// exit (the queue's timers are unref'd).
const shutdown = () => {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  void Promise.all([closed, workerThread?.stop()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);

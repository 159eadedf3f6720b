/**
 * `npm start`: serves the built app (build/server/index.js and build/client) on PORT and HOST,
 * like Shopify's template does with remix-serve, but leaner on the hot path — Shopify's webhook
 * POSTs: no per-request access-log line (Tokui logs its own JSON lines), no compression
 * middleware for acknowledgements that have no body, no static-file lookup for POSTs.
 * docs/decisions/0009-webhook-group-commit.md has the measurements.
 */
/* global process, console, setTimeout, clearTimeout, URL */
import path from "node:path";
import url from "node:url";
import { Worker } from "node:worker_threads";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";

process.env.NODE_ENV ??= "production";
const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..");
const buildUrl = url.pathToFileURL(path.join(root, "build/server/index.js")).href;
const build = await import(buildUrl);
installGlobals({ nativeFetch: build.future.v3_singleFetch });

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
const host = process.env.HOST || undefined;
const server = app.listen(port, host, () => {
  console.log(`[tokui] http://${host ?? "localhost"}:${port}`);
});

// TOKUI_INLINE_WORKER=thread: the job worker on a thread of this process (ADR 0029), started
// again a second after it dies (jobs are durable; a job cut off mid-way runs again).
let workerThread;
let stopping = false;
const startWorkerThread = () => {
  workerThread = new Worker(new URL("./worker-thread.mjs", import.meta.url), { workerData: { buildUrl } });
  workerThread.on("error", (error) => console.error(`[tokui] worker thread failed: ${error?.stack ?? error}`));
  workerThread.on("exit", (code) => {
    workerThread = undefined;
    if (stopping) return;
    console.error(`[tokui] worker thread ended (exit code ${code}); starting it again in 1 s`);
    setTimeout(startWorkerThread, 1000).unref();
  });
};
if (process.env.TOKUI_INLINE_WORKER === "thread") startWorkerThread();

/** Ask the worker thread to finish the jobs in hand and end; true once it has ended. */
const stopWorkerThread = () =>
  new Promise((resolve) => {
    if (!workerThread) return resolve(true);
    const thread = workerThread;
    const timer = setTimeout(() => resolve(false), 9_000);
    thread.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
    thread.postMessage("stop");
  });

// Stop taking requests, let those in flight finish and the worker thread's jobs in hand, then
// exit (the queue's timers are unref'd).
const shutdown = () => {
  stopping = true;
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  void Promise.all([closed, stopWorkerThread()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);

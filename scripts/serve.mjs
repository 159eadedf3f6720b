/**
 * `npm start`: serves the built app (build/server/index.js and build/client) on PORT and HOST,
 * like Shopify's template does with remix-serve, but leaner on the hot path — Shopify's webhook
 * POSTs: no per-request access-log line (Tokui logs its own JSON lines), no compression
 * middleware for acknowledgements that have no body, no static-file lookup for POSTs.
 * docs/decisions/0009-webhook-group-commit.md has the measurements.
 */
/* global process, console, setTimeout */
import path from "node:path";
import url from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";

process.env.NODE_ENV ??= "production";
const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..");
const build = await import(url.pathToFileURL(path.join(root, "build/server/index.js")).href);
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

// Stop taking requests, let those in flight finish, then exit (the queue's timers are unref'd).
const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
